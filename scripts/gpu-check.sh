#!/usr/bin/env bash
# GPU check: builds inference/ (with the cow-parity and cow-bench tools) against the CUDA LibTorch of
# the machine's Python PyTorch, then runs parity on CUDA and CPU and the engine benchmark on CUDA.
# Needs only a C++ compiler, CMake and a Python with torch; the rest of the project is not built.
#   bash scripts/gpu-check.sh [VECTORS.pt] [OUTPUT_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
VECTORS="${1:-../shared/testdata/cow-parity/vectors.pt}"
OUT="${2:-build/gpu-check}"
mkdir -p "$OUT"

PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)') || { echo "no Python PyTorch found"; exit 1; }
python3 -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, "GPU", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")' | tee "$OUT/torch.txt"
GENERATOR=()
command -v ninja >/dev/null && GENERATOR=(-G Ninja)

build() {  # $1 = C++ standard
  cmake -S inference -B build/inference-cuda "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_CXX_STANDARD="$1" >"$OUT/configure.log" 2>&1 &&
    cmake --build build/inference-cuda -j "$(nproc)" >"$OUT/build.log" 2>&1
}
# Newer LibTorch releases may require C++20 headers; fall back to it if C++17 fails.
build 17 || build 20 || { tail -40 "$OUT/build.log" "$OUT/configure.log"; exit 1; }

status=0
echo "== parity on CUDA"
./build/inference-cuda/cow-parity "$VECTORS" cuda | tee "$OUT/parity-cuda.txt" | tail -5 || status=1
echo "== parity on CPU"
./build/inference-cuda/cow-parity "$VECTORS" cpu | tee "$OUT/parity-cpu.txt" | tail -3 || status=1
echo "== engine benchmark on CUDA"
./build/inference-cuda/cow-bench cuda lite,paper | tee "$OUT/bench-cuda.txt" || status=1
exit $status
