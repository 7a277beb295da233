#!/usr/bin/env bash
# Configures and builds the Release tree (build/release) with Ninja, installing packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
