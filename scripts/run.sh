#!/usr/bin/env bash
# The main job: builds ProtoLabel and opens the desktop application on the bundled sample CT with the
# shipped model. Without a display it runs the headless demo instead: the sample's organs segmented
# from one example slice each, Dice against the sample's label map, and an export of the labels
# (NIfTI, .seg.nrrd, ITK-SNAP labels, STL meshes) into build/demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec ./build/release/app/protolabel resources/sample/abdomen_ct.nii.gz
fi
echo "No display: running the headless demo (protolabel demo)."
./build/release/app/protolabel info resources/sample/abdomen_ct.nii.gz
./build/release/app/protolabel demo --output build/demo
