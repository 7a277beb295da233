#!/usr/bin/env bash
# Builds ProtoLabel and runs the whole test suite through CTest.
# Tests read real data from ../shared (override with PROTOLABEL_SHARED_DIR=/path/to/shared).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PROTOLABEL_SHARED_DIR:-}" ]; then
  export CMAKE_ARGS="-DPROTOLABEL_SHARED_DIR=${PROTOLABEL_SHARED_DIR}"
fi
bash scripts/install-deps.sh
cmake --preset release ${CMAKE_ARGS:-}
cmake --build --preset release
ctest --test-dir build/release --output-on-failure --timeout 900
# The suites without LibTorch and widgets again under ASan + UBSan and TSan.
bash scripts/sanitize.sh
