"""QR decoders behind one interface, each optional, QR only.

QR only on purpose: a webcam pointed at a counter sees price tags, receipts and textures, and 1-D
barcode readers happily "decode" those. A decoder whose library is missing raises DecoderUnavailable
naming what to install, so the app can fall back or explain.
"""

from __future__ import annotations

import importlib.util
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from posapp.i18n import N_, tr

# what a shopkeeper reads when the QR reader cannot be built (the install hint goes to the log)
DECODER_MISSING = N_(
    "The camera cannot read codes on this computer: a component of the program is missing. "
    "Use the barcode scanner or type the code (F2), and ask whoever installed the program to "
    "install it again."
)


@dataclass(frozen=True)
class Decoded:
    text: str
    decoder: str


class DecoderUnavailable(RuntimeError):
    """A decoder's library is missing: `hint` says what to install (for logs and the installer);
    `text()` and str() are plain words for the shopkeeper, in their language."""

    def __init__(self, name: str, hint: str) -> None:
        super().__init__(f"decoder {name!r} unavailable: {hint}")
        self.name = name
        self.hint = hint

    def text(self, lang: str | None = None) -> str:
        return tr(DECODER_MISSING, lang)

    def __str__(self) -> str:
        return self.text()


class Decoder(ABC):
    name: str = "?"

    @abstractmethod
    def decode(self, gray: np.ndarray) -> list[Decoded]:
        """All QR codes in a grayscale (uint8, 2-D) image; [] when none."""


def bytes_to_text(data: bytes) -> str:
    """Payload bytes as str: UTF-8 when valid (with or without BOM), else Latin-1 (QR's default)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def as_gray(image: np.ndarray) -> np.ndarray:
    """A contiguous uint8 grayscale view of a BGR, BGRA or gray frame."""
    if image.ndim == 3:
        if image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
        elif image.shape[2] == 3:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        else:
            image = image[:, :, 0]
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        scale = 255.0 if image.size and float(image.max()) <= 1.0 else 1.0
        image = np.clip(image * scale, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(image)


def _unique(found: list[Decoded]) -> list[Decoded]:
    seen: set[str] = set()
    out = []
    for d in found:
        if d.text and d.text not in seen:
            seen.add(d.text)
            out.append(d)
    return out


class ZXingDecoder(Decoder):
    """zxing-cpp: the most tolerant reader measured (blur, perspective, inverted codes)."""

    name = "zxing"

    def __init__(
        self,
        *,
        try_invert: bool = True,
        try_rotate: bool = True,
        try_downscale: bool = True,
        binarizer: str = "LocalAverage",
    ) -> None:
        try:
            import zxingcpp
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise DecoderUnavailable("zxing", "pip install zxing-cpp") from exc
        self._zx = zxingcpp
        self._options = {
            "formats": zxingcpp.BarcodeFormat.QRCode,
            "try_invert": try_invert,
            "try_rotate": try_rotate,
            "try_downscale": try_downscale,
            "binarizer": getattr(zxingcpp.Binarizer, binarizer),
        }
        if binarizer != "LocalAverage":
            self.name = "zxing-gh"

    def decode(self, gray: np.ndarray) -> list[Decoded]:
        return self.read(gray)[0]

    def read(self, gray: np.ndarray) -> tuple[list[Decoded], list[np.ndarray]]:
        """(decoded codes, corners of QR symbols located but not decoded) in one pass.

        The located failures tell a strategy where a closer look is worth its cost.
        """
        gray = as_gray(gray)
        if min(gray.shape) < 8:
            return [], []
        results = self._zx.read_barcodes(gray, return_errors=True, **self._options)
        found, failed = [], []
        for r in results:
            if r.format != self._zx.BarcodeFormat.QRCode:
                continue
            if r.valid:
                found.append(Decoded(r.text, self.name))  # zxing applies ECI / Shift_JIS itself
            else:
                p = r.position
                corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
                failed.append(np.array([(c.x, c.y) for c in corners], dtype=np.float32))
        return _unique(found), failed


class ZBarDecoder(Decoder):
    """pyzbar over the system libzbar: fast on clean codes, blind to light-on-dark ones."""

    name = "zbar"

    def __init__(self) -> None:
        if importlib.util.find_spec("pyzbar") is None:
            raise DecoderUnavailable("zbar", "pip install pyzbar")
        try:
            from pyzbar import pyzbar
        except (ImportError, OSError) as exc:  # pyzbar is there, the shared library is not
            raise DecoderUnavailable(
                "zbar", "pyzbar needs the system library libzbar0 (apt install libzbar0)"
            ) from exc
        self._decode = pyzbar.decode
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def decode(self, gray: np.ndarray) -> list[Decoded]:
        gray = as_gray(gray)
        if min(gray.shape) < 8:
            return []
        results = self._decode(gray, symbols=self._symbols)
        return _unique(
            [Decoded(bytes_to_text(r.data), self.name) for r in results if r.type == "QRCODE"]
        )


class OpenCVDecoder(Decoder):
    """OpenCV's own QR detector: no extra dependency, but the least tolerant of the three.

    The ArUco-based detector is the default: measured better and faster than the classic one on
    both the generated frames and the photographs (bench/decode.py).
    """

    name = "opencv"

    def __init__(self, aruco: bool = True) -> None:
        factory = getattr(cv2, "QRCodeDetectorAruco", None) if aruco else None
        factory = factory or getattr(cv2, "QRCodeDetector", None)
        if factory is None:
            raise DecoderUnavailable("opencv", "this OpenCV build has no QR detector")
        self._detector = factory()
        if not aruco:
            self.name = "opencv-classic"

    def decode(self, gray: np.ndarray) -> list[Decoded]:
        gray = as_gray(gray)
        if min(gray.shape) < 8:
            return []
        try:
            ok, texts, _points, _ = self._detector.detectAndDecodeMulti(gray)
        except cv2.error:
            return []
        if not ok:
            return []
        return _unique([Decoded(_cv_text(t), self.name) for t in texts if t])


def _cv_text(text: str | bytes) -> str:
    # OpenCV hands bytes as a str decoded byte-per-char in some builds; recover UTF-8 when it is.
    if isinstance(text, bytes):
        return bytes_to_text(text)
    try:
        return bytes_to_text(text.encode("latin-1"))
    except UnicodeEncodeError:
        return text


FACTORIES: dict[str, Callable[[], Decoder]] = {
    "zxing": ZXingDecoder,
    # one global threshold: reads evenly lit codes the local binarizer breaks up (printed on a
    # textured background), at a fraction of zxing's cost
    "zxing-gh": lambda: ZXingDecoder(binarizer="GlobalHistogram"),
    "zbar": ZBarDecoder,
    "opencv": OpenCVDecoder,
    "opencv-classic": lambda: OpenCVDecoder(aruco=False),
}


def make_decoder(name: str) -> Decoder:
    """A decoder by name; DecoderUnavailable if its library is missing or the name is unknown."""
    factory = FACTORIES.get(name.strip().lower())
    if factory is None:
        raise DecoderUnavailable(name, f"unknown decoder; known: {', '.join(FACTORIES)}")
    return factory()


def available_decoders() -> list[str]:
    """Names of the decoders that can be built here."""
    names = []
    for name in FACTORIES:
        try:
            make_decoder(name)
        except DecoderUnavailable:
            continue
        names.append(name)
    return names
