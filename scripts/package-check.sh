#!/usr/bin/env bash
# Proof that the Debian package works on a clean Debian 12 system: builds the package, makes a fresh
# Debian 12 root with debootstrap (it needs Debian's package mirror), installs the package there with
# apt-get, runs the installed program (--version, info on the installed sample, the demo, the GUI
# under xvfb-run with --screenshot), then removes the package and checks nothing of it is left.
#   bash scripts/package-check.sh [ROOT_DIR]      (as root; about 10 minutes, most of it debootstrap)
# Not part of CI (it downloads a whole system); the install layout itself is tested in CI by test_install.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="${1:-build/package-root}"
MIRROR="${PROTOLABEL_MIRROR:-http://deb.debian.org/debian}"
[ "$(id -u)" -eq 0 ] || { echo "package-check: run as root (debootstrap and chroot need it)"; exit 1; }

step() { echo; echo "== $*"; }

step "build and package"
bash scripts/build.sh > build/package-build.log 2>&1 || { tail -30 build/package-build.log; exit 1; }
(cd build/release && cpack -G DEB > /dev/null)
DEB=$(ls build/release/protolabel_*_amd64.deb | tail -1)
echo "$DEB ($(du -h "$DEB" | cut -f1))"
if command -v lintian > /dev/null; then
  step "lintian"
  lintian "$DEB" 2>&1 | grep -v "running with root privileges" || true
  if lintian "$DEB" 2>&1 | grep -q "^E:"; then echo "lintian reports errors"; exit 1; fi
  echo "lintian: no errors"
fi

step "a fresh Debian 12 root in $ROOT"
command -v debootstrap > /dev/null || apt-get install -y -q debootstrap > /dev/null
if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
  rm -rf "$ROOT"
  debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" > build/package-debootstrap.log 2>&1 ||
    { tail -20 build/package-debootstrap.log; exit 1; }
fi
echo "deb $MIRROR bookworm main" > "$ROOT/etc/apt/sources.list"
cleanup() { umount -l "$ROOT/proc" 2> /dev/null || true; umount -lR "$ROOT/dev" 2> /dev/null || true; }
trap cleanup EXIT
mount -t proc proc "$ROOT/proc"
mount --rbind /dev "$ROOT/dev"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
in_root apt-get update -q > /dev/null
before=$(in_root dpkg-query -W -f='${Package}\n' | sort)

step "apt-get install ./$(basename "$DEB")"
cp "$DEB" "$ROOT/tmp/"
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB")" > build/package-install.log 2>&1 ||
  { tail -30 build/package-install.log; exit 1; }
grep -E "^(Setting up|Unpacking) protolabel" build/package-install.log || true
echo "$(in_root dpkg-query -W -f='${Package}\n' | sort | comm -13 <(echo "$before") - | wc -l) packages installed with it"

step "protolabel --version"
in_root protolabel --version
step "protolabel info /usr/share/protolabel/sample/abdomen_ct.nii.gz"
in_root protolabel info /usr/share/protolabel/sample/abdomen_ct.nii.gz
step "protolabel demo"
in_root protolabel demo --output /tmp/demo
step "man protolabel (first lines)"
in_root sh -c 'zcat /usr/share/man/man1/protolabel.1.gz | head -3'
step "the desktop entry, icon and file types"
in_root ls /usr/share/applications/protolabel.desktop /usr/share/icons/hicolor/scalable/apps/protolabel.svg \
  /usr/share/mime/packages/protolabel.xml

step "the window under xvfb-run --screenshot"
in_root apt-get install -y -q --no-install-recommends xvfb xauth > build/package-xvfb.log 2>&1 ||
  { tail -20 build/package-xvfb.log; exit 1; }
in_root xvfb-run -a -s "-screen 0 1600x1000x24" env QT_XCB_GL_INTEGRATION=xcb_glx \
  protolabel --screenshot /tmp/window.png
cp "$ROOT/tmp/window.png" build/package-window.png
echo "screenshot copied to build/package-window.png"

step "apt-get remove --purge protolabel"
files=$(in_root dpkg -L protolabel | sort -r)
in_root apt-get remove -y -q --purge protolabel > /dev/null
left=0
for f in $files; do
  # Shared folders (/usr/share/icons/...) stay; every file and folder of the package's own must go.
  if [ -f "$ROOT$f" ] || { [ -d "$ROOT$f" ] && [[ "$f" == */protolabel* ]]; }; then echo "left behind: $f"; left=1; fi
done
[ "$left" -eq 0 ] && echo "nothing of the package is left"
exit $left
