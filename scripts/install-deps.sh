#!/usr/bin/env bash
# Installs the Debian 12 packages ProtoLabel needs to build, test and run.
# Idempotent: packages already present are skipped by apt-get.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-tools-dev libqt6opengl6-dev libgl-dev
  libtorch-dev libopenblas0-pthread
  libinsighttoolkit5-dev libgdcm-dev libgdcm-tools
  libdcmtk-dev dcmtk python3-pydicom
  libvtk9-dev
  zlib1g-dev nlohmann-json3-dev
  xvfb xauth
  libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
