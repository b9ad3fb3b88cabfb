"""Make web/static/phone/hold-music.mp3, the loop a waiting phone caller hears, and tone.mp3,
the short tone after "say your name".

Four soft chords (C, A minor, F, G; 2.5 s each), each note a sine with two quiet overtones and a
slow swell, so the 10-second file loops without a click. The tone: 0.4 s of 880 Hz with soft
edges. Mono, 16 kHz, 32 kbit/s: what a phone line carries, and small files (about 40 KB and
2 KB). Needs `lameenc` (requirements-dev.txt):

    .venv/bin/python scripts/make_hold_music.py [output directory]

The output is the same for the same lameenc version: no randomness, no clock.
"""

from __future__ import annotations

import math
import sys
from array import array
from pathlib import Path

RATE = 16_000
CHORD_SECONDS = 2.5
LEVEL = 0.22  # peak stays well below full scale: hold music is background, not a signal
# MIDI note numbers of each chord, a bass note first.
CHORDS = ((48, 60, 64, 67), (45, 57, 60, 64), (41, 57, 60, 65), (43, 55, 59, 62))
TONE_HZ = 880.0
TONE_SECONDS = 0.4
OUTPUT = Path(__file__).resolve().parent.parent / "web" / "static" / "phone"


def frequency(note: int) -> float:
    """Equal temperament, A4 (note 69) = 440 Hz."""
    return 440.0 * 2 ** ((note - 69) / 12)


def swell(t: float, length: float) -> float:
    """A slow rise and fall over one chord: zero at both ends, so chords join without a click."""
    return math.sin(math.pi * t / length) ** 2


def chord_samples(notes: tuple[int, ...]) -> list[float]:
    """One chord's samples in -1..1."""
    count = int(RATE * CHORD_SECONDS)
    out = []
    for n in range(count):
        t = n / RATE
        value = 0.0
        for note in notes:
            f = frequency(note)
            value += (math.sin(2 * math.pi * f * t) + 0.25 * math.sin(4 * math.pi * f * t)
                      + 0.08 * math.sin(6 * math.pi * f * t))
        out.append(value / (1.33 * len(notes)) * swell(t, CHORD_SECONDS))
    return out


def tone_samples() -> list[float]:
    """The tone: one sine with 40 ms fades at both ends."""
    count, fade = int(RATE * TONE_SECONDS), int(RATE * 0.04)
    return [math.sin(2 * math.pi * TONE_HZ * n / RATE) * min(1.0, n / fade, (count - n) / fade)
            for n in range(count)]


def pcm(values: list[float], level: float) -> bytes:
    """Samples in -1..1 as 16-bit little-endian mono PCM."""
    samples = array("h", (int(32767 * level * v) for v in values))
    if sys.byteorder != "little":
        samples.byteswap()
    return samples.tobytes()


def encode(raw: bytes) -> bytes:
    """MP3 of the PCM: mono, 16 kHz, 32 kbit/s constant bit rate."""
    import lameenc  # type: ignore[import-not-found]  # no type information ships with it

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(RATE)
    encoder.set_channels(1)
    encoder.set_quality(2)
    return bytes(encoder.encode(raw) + encoder.flush())


def main(argv: list[str]) -> int:
    """Write both mp3 files (default: where the app serves them from) and say how big they are."""
    directory = Path(argv[1]) if len(argv) > 1 else OUTPUT
    directory.mkdir(parents=True, exist_ok=True)
    music = [v for notes in CHORDS for v in chord_samples(notes)]
    for name, values, level in (("hold-music.mp3", music, LEVEL), ("tone.mp3", tone_samples(), 0.3)):
        data = encode(pcm(values, level))
        (directory / name).write_bytes(data)
        print(f"{directory / name}: {len(data)} bytes, {len(values) / RATE:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
