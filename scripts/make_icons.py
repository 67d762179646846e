"""Render resources/icons/posapp.svg into the icons the installers take (run once; committed).

posapp.ico (Windows: posapp.exe and the uninstaller's entry, 16-256 px), posapp.icns (macOS: the
.app, 16-1024 px) and posapp-256.png (Linux: the .deb's hicolor 256x256 icon), named as
installer/posapp.spec and installer/linux/build_deb.sh look for them.

    QT_QPA_PLATFORM=offscreen python scripts/make_icons.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from posapp.resources import ICONS, resource_path

ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
ICNS_SIZE = 1024


def render(svg: Path, size: int) -> Image.Image:
    """The SVG drawn by Qt's renderer on a transparent square of `size` pixels."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    folder = resource_path(*ICONS)
    svg = folder / "posapp.svg"
    big = render(svg, ICNS_SIZE)
    render(svg, 256).save(folder / "posapp-256.png")
    # each size rendered from the vector, not scaled down from one bitmap: sharp at 16 px
    icons = [render(svg, size) for size in ICO_SIZES]
    icons[-1].save(
        folder / "posapp.ico", sizes=[(s, s) for s in ICO_SIZES], append_images=icons[:-1]
    )
    big.save(folder / "posapp.icns")
    for name in ("posapp.ico", "posapp.icns", "posapp-256.png"):
        print(folder / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
