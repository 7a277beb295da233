#!/usr/bin/env bash
# The main job: builds ProtoLabel and runs it on the bundled sample.
# (Until the desktop window lands, this is the headless `protolabel info` of the sample.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/release/app/protolabel info resources/sample/abdomen_ct.nii.gz
