"""Write the three verdict sounds into resources/sounds (run once; the WAVs are committed).

accepted: two rising notes; attention: two equal mid notes; refused: one low buzz. Short (< 0.4 s),
16-bit mono 22.05 kHz, soft attack and release so no speaker clicks.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
OUT = Path(__file__).resolve().parent.parent / "resources" / "sounds"
TONES = {
    "accepted": [(880.0, 0.12, "sine"), (1318.5, 0.18, "sine")],
    "attention": [(660.0, 0.14, "sine"), (0.0, 0.05, "sine"), (660.0, 0.14, "sine")],
    "refused": [(196.0, 0.35, "square")],
}


def samples(freq: float, seconds: float, shape: str) -> list[float]:
    n = int(RATE * seconds)
    fade = int(RATE * 0.01)
    out = []
    for i in range(n):
        if freq == 0:
            out.append(0.0)
            continue
        phase = math.sin(2 * math.pi * freq * i / RATE)
        value = (1.0 if phase >= 0 else -1.0) * 0.5 if shape == "square" else phase
        envelope = min(1.0, i / fade, (n - i) / fade) if fade else 1.0
        out.append(0.6 * value * envelope)
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, notes in TONES.items():
        data = [s for note in notes for s in samples(*note)]
        with wave.open(str(OUT / f"{name}.wav"), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(b"".join(struct.pack("<h", int(s * 32767)) for s in data))
        print(OUT / f"{name}.wav")


if __name__ == "__main__":
    main()
