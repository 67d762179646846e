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

# The bundle carries Python, Qt, OpenCV and the wheels' own libraries; the system gives the rest
# (the spec leaves the distribution's libraries out). dpkg-shlibdeps, Debian's tool for it, reads
# every ELF file of the bundle and names the packages and minimum versions they link, libc6's
# included (its floor: the interpreter's libpython, 2.35 for a Python built on Debian 12 or
# Ubuntu 22.04). BASE adds what is loaded at run time and so linked by nothing: ZBar (pyzbar,
# through ctypes), and the X11/xcb, GL and PulseAudio pieces Qt needs even on a placeholder
# bundle (tests). A package named by dpkg-shlibdeps wins over BASE's unversioned entry.
BASE="libzbar0, libpulse0, libgl1, libegl1, libfontconfig1, libfreetype6, libdbus-1-3,
 libglib2.0-0t64 | libglib2.0-0, libxkbcommon0, libxkbcommon-x11-0, libx11-6, libx11-xcb1,
 libxcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0,
 libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1, libxrandr2"
mapfile -t ELF < <(find "$STAGE/opt/posapp" -type f \( -name '*.so*' -o -name posapp \) \
  -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' _ {} \;)
SHLIBS=""
if [ "${#ELF[@]}" -gt 0 ]; then
  command -v dpkg-shlibdeps >/dev/null || { echo "build_deb: dpkg-shlibdeps missing (apt-get install dpkg-dev)" >&2; exit 1; }
  # Private library folders: what the bundle carries itself is not a system dependency.
  mapfile -t PRIVATE < <(printf '%s\n' "${ELF[@]}" | xargs -n1 dirname | sort -u | sed 's/^/-l/')
  mkdir -p "$STAGE/shl/debian"
  printf 'Source: posapp\n\nPackage: posapp\nArchitecture: any\n' >"$STAGE/shl/debian/control"
  SHLIBS="$(cd "$STAGE/shl" && dpkg-shlibdeps -O --ignore-missing-info "${PRIVATE[@]}" "${ELF[@]}" 2>/dev/null \
    | sed -n 's/^shlibs:Depends=//p')"
  rm -rf "$STAGE/shl"
fi
# Ubuntu 24.04 and Debian 13 renamed these for 64-bit time_t (libssl3t64...): either name will do.
for lib in libssl3 libcups2 libglib2.0-0 libasound2 libcurl4 libpng16-16; do
  SHLIBS="$(printf '%s' "$SHLIBS" | sed -E "s/(^|, )${lib//./\\.} \\(/\\1${lib}t64 | ${lib} (/")"
done
if [ -z "$SHLIBS" ]; then  # a placeholder bundle: only the glibc floor, read from its binaries
  GLIBC="$( { find "$STAGE/opt/posapp" -type f -exec objdump -T {} + 2>/dev/null || true; } \
    | { grep -o 'GLIBC_[0-9.]*' || true; } | sed 's/GLIBC_//' | sort -uV | tail -1)"
  SHLIBS="libc6 (>= ${GLIBC:-2.31})"
fi
DEPENDS="$(printf '%s, %s\n' "$SHLIBS" "$BASE" | tr -s ' \n' ' ' | awk -v RS=',' '
  { gsub(/^ +| +$/, ""); if ($0 == "") next
    n = split($0, alts, /[|]/); seen_one = 0
    for (i = 1; i <= n; i++) { p = alts[i]; sub(/^ +/, "", p); sub(/[ (].*/, "", p); if (p in have) seen_one = 1 }
    if (seen_one) next
    for (i = 1; i <= n; i++) { p = alts[i]; sub(/^ +/, "", p); sub(/[ (].*/, "", p); have[p] = 1 }
    out = out (out == "" ? "" : ", ") $0 }
  END { print out }')"
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: posapp
Version: $VERSION
Architecture: $ARCH
Maintainer: posapp maintainers <posapp@localhost>
Installed-Size: $(du -sk "$STAGE/opt" "$STAGE/usr" | awk '{s+=$1} END {print s}')
Depends: $DEPENDS
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
