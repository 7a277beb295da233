#!/usr/bin/env bash
# Every CTest suite under AddressSanitizer + UndefinedBehaviorSanitizer, the runner and GUI suites with
# the real network and widgets included; inference/ is built plain, as LibTorch is. CI runs the
# subset in scripts/sanitize.sh: this run builds a second tree (about 12 min on 2 cores) and takes
# about 13 min more, so it is run by hand before a release or after a change to threads or memory.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
cmake --preset asan -B build/asan-all -DPROTOLABEL_SANITIZE_INFERENCE=OFF ${CMAKE_ARGS:-} > build/asan-all-configure.log 2>&1 \
  || { tail -30 build/asan-all-configure.log; exit 1; }
cmake --build build/asan-all
source scripts/sanitizer-options.sh
ctest --test-dir build/asan-all --output-on-failure --timeout 1800 -E '^fuzz' "$@"  # more ctest options, e.g. -R test_gui
