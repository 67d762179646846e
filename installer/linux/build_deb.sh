#!/usr/bin/env bash
# Build the .deb from the one-folder bundle, with standard Debian tools (dpkg-deb, fakeroot-free:
# --root-owner-group). Usage: installer/linux/build_deb.sh [BUNDLE_DIR] [OUT_DIR]
#   BUNDLE_DIR  the PyInstaller folder (default build/dist/posapp); its posapp binary gives the version
#   OUT_DIR     where the .deb goes (default build/)
# POSAPP_VERSION overrides the version (tests use a placeholder bundle); POSAPP_DEB_COMPRESSION
# (xz by default: the smallest download; CI uses gzip, ten times faster on 2 busy cores).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUNDLE="$(cd "${1:-$ROOT/build/dist/posapp}" && pwd)"
OUT="${2:-$ROOT/build}"
VERSION="${POSAPP_VERSION:-$("$BUNDLE/posapp" --version | awk '{print $2}')}"
ARCH="$(dpkg --print-architecture)"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/doc/posapp" "$STAGE/DEBIAN"
cp -a "$BUNDLE" "$STAGE/opt/posapp"
ln -s /opt/posapp/posapp "$STAGE/usr/bin/posapp"
install -m 644 "$ROOT/installer/linux/posapp.desktop" "$STAGE/usr/share/applications/posapp.desktop"
install -m 644 "$ROOT/resources/icons/posapp.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/posapp.svg"
if [ -f "$ROOT/resources/icons/posapp-256.png" ]; then
  mkdir -p "$STAGE/usr/share/icons/hicolor/256x256/apps"
  install -m 644 "$ROOT/resources/icons/posapp-256.png" "$STAGE/usr/share/icons/hicolor/256x256/apps/posapp.png"
fi
printf 'posapp %s\nLicense: AGPL-3.0-or-later\nSource: the posapp repository\n' "$VERSION" \
  > "$STAGE/usr/share/doc/posapp/copyright"
install -m 755 "$ROOT/installer/linux/postinst" "$ROOT/installer/linux/postrm" "$STAGE/DEBIAN/"

# The bundle carries Python, Qt and OpenCV; the system gives libc, OpenGL/EGL, ZBar, PulseAudio and
# the X11/xcb pieces Qt's xcb plugin loads. The glibc floor is read from the bundle's own binaries.
GLIBC="$( { find "$STAGE/opt/posapp" -type f \( -name '*.so*' -o -name posapp \) \
  -exec objdump -T {} + 2>/dev/null || true; } | { grep -o 'GLIBC_[0-9.]*' || true; } | sed 's/GLIBC_//' | sort -uV | tail -1)"
DEPENDS="libc6 (>= ${GLIBC:-2.31}), libzbar0, libpulse0, libgl1, libegl1, libfontconfig1, libfreetype6,
 libdbus-1-3, libglib2.0-0t64 | libglib2.0-0, libxkbcommon0, libxkbcommon-x11-0, libx11-6, libx11-xcb1,
 libxcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0,
 libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1, libxrandr2"
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: posapp
Version: $VERSION
Architecture: $ARCH
Maintainer: posapp maintainers <posapp@localhost>
Installed-Size: $(du -sk "$STAGE/opt" "$STAGE/usr" | awk '{s+=$1} END {print s}')
Depends: $(echo "$DEPENDS" | tr -s ' \n' ' ')
Recommends: gnome-keyring | kwalletmanager | keepassxc
Section: misc
Priority: optional
Homepage: https://example.invalid/posapp
Description: shop counter app for community vouchers (buoni)
 Scans a voucher's QR code with a webcam or a USB barcode scanner, redeems it against the
 town platform, keeps working offline and syncs when the line returns.
CONTROL
mkdir -p "$OUT"
DEB="$OUT/posapp_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group "-Z${POSAPP_DEB_COMPRESSION:-xz}" --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
