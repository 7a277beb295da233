#!/usr/bin/env bash
# Builds the readers' libFuzzer harnesses in the asan tree and runs each for RUNS executions (default
# 1000) from its seeds, the model-file harnesses included: bash scripts/fuzz.sh [RUNS]
# A long run of one reader: build/asan/tests/fuzz/fuzz_nii -runs=1000000 build/asan/tests/fuzz/corpus/nii
# DICOM's (GDCM's asserts leak what the harness jumps back from): build/asan/tests/fuzz/fuzz_dcm_inprocess
#   -fork=1 -ignore_ooms=1 -runs=1000000 build/asan/tests/fuzz/corpus/dcm_inprocess ../shared/data/pydicom-test-files
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-1000}"
cmake --preset asan -DPROTOLABEL_FUZZ=ON -DPROTOLABEL_FUZZ_RUNS="$RUNS" ${CMAKE_ARGS:-} > build/asan-configure.log 2>&1 \
  || { tail -30 build/asan-configure.log; exit 1; }
cmake --build --preset asan --target fuzz_make_seeds fuzz_nii fuzz_nrrd fuzz_mha fuzz_dcm fuzz_dcm_inprocess fuzz_dcm_seg fuzz_seg_nrrd fuzz_label_txt \
  fuzz_make_model_seeds fuzz_model fuzz_model_pth
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build/asan --output-on-failure -R "^fuzz_"
