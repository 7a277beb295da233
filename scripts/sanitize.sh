#!/usr/bin/env bash
# The suites that need neither LibTorch nor widgets (volumes, IO, DICOM with its helper process, label
# files, label statistics, label surfaces, editing and the editing tools (interpolation, region growing, threshold brush,
# workspaces), the annotation session with its undo and recovery) built and run under AddressSanitizer + UndefinedBehaviorSanitizer
# (preset asan) and ThreadSanitizer (preset tsan). LibTorch and Qt are not built with the sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."
SUITES=(test_core_model test_image_roundtrip test_dicom test_label_files test_label_statistics test_editing test_tools test_session test_surfaces)
PATTERN="^($(IFS='|'; echo "${SUITES[*]}"))\$"
# Under TSan also the segmentation and fine-tune runners with the real network and the GUI suites
# (every worker of the viewer: loading, autosave, statistics, surfaces, segmentation, fine-tuning).
# The tsan preset builds inference/ plain (it is LibTorch calls, and LibTorch is plain too).
TSAN_SUITES=(test_background_work test_pipeline test_finetune_panel test_gui test_gui_tools test_surface_view)
TSAN_PATTERN="^($(IFS='|'; echo "${SUITES[*]} ${TSAN_SUITES[*]}" | tr ' ' '|'))\$"
# The bad-input matrix under ASan + UBSan only: under TSan the DICOM helper's address space is not
# bounded (CrashIsolation.cpp), so its gigabyte-declaring files would take gigabytes.
ASAN_SUITES=(test_bad_input)
ASAN_PATTERN="^($(IFS='|'; echo "${SUITES[*]} ${ASAN_SUITES[*]}" | tr ' ' '|'))\$"
# The asan tree also builds the readers' fuzz harnesses (tests/fuzz) and runs each for 1000 executions.
# The model-file harnesses (fuzz_model, fuzz_model_pth) need LibTorch's code built under ASan, which
# would double this stage: they run by hand (scripts/fuzz.sh).
FUZZERS=(fuzz_make_seeds fuzz_nii fuzz_nrrd fuzz_mha fuzz_dcm fuzz_dcm_inprocess fuzz_dcm_seg fuzz_seg_nrrd fuzz_label_txt)
for preset in asan tsan; do
  extra=()
  [ "$preset" = asan ] && extra=(-DPROTOLABEL_FUZZ=ON)
  cmake --preset "$preset" "${extra[@]}" ${CMAKE_ARGS:-} > "build/$preset-configure.log" 2>&1 \
    || { tail -30 "build/$preset-configure.log"; exit 1; }
  targets=("${SUITES[@]}" protolabel_dicom_scan)
  [ "$preset" = asan ] && targets+=("${ASAN_SUITES[@]}" "${FUZZERS[@]}")
  [ "$preset" = tsan ] && targets+=("${TSAN_SUITES[@]}" protolabel)
  cmake --build --preset "$preset" --target "${targets[@]}"
done
source scripts/sanitizer-options.sh
ctest --test-dir build/asan --output-on-failure --timeout 900 -R "$ASAN_PATTERN"
ctest --test-dir build/asan --output-on-failure --timeout 900 -R "^fuzz_(seeds|nii|nrrd|mha|dcm|dcm_inprocess|dcm_seg|seg_nrrd|label_txt)\$"
# Mesa's software rasteriser and VTK's TBB backend run work on threads of their own, synchronised in
# ways TSan does not see; in this run they work in the calling thread, so every thread left is the
# project's (or Qt's, see tests/tsan.supp).
LP_NUM_THREADS=0 VTK_SMP_BACKEND_IN_USE=Sequential \
  ctest --test-dir build/tsan --output-on-failure --timeout 900 -R "$TSAN_PATTERN"
