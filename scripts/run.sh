#!/usr/bin/env bash
# The main job: builds ProtoLabel, describes the bundled sample CT, and segments its liver and spleen
# with the shipped model from three labelled slices each (Dice against the sample's label map).
# (The desktop window lands in a later milestone; this is the headless demo.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/release/app/protolabel info resources/sample/abdomen_ct.nii.gz
./build/release/app/protolabel segment --image resources/sample/abdomen_ct.nii.gz \
  --support-labels resources/sample/abdomen_ct_organs.nii.gz --labels 5,1 \
  --output build/demo-segmentation.nii.gz --reference resources/sample/abdomen_ct_organs.nii.gz
