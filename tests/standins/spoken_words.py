"""Words as sound the MiMo stand-in can hear: a test "reads a sentence aloud" by encoding it as
tones (`spoken`), and the stand-in's speech recognition hears it back (`heard`), through
everything the bot does to a voice note on the way (Opus, ffmpeg's conversion to 16 kHz WAV).

The sound: a 2.8 kHz tone of `SYNC_SECONDS`, then each UTF-8 byte as two tones of
`SYMBOL_SECONDS`, its high and low nibble, each at `BASE_HZ + STEP_HZ * nibble` (800-2,300 Hz,
well inside what a 32 kbit/s voice note keeps), then a moment of silence. Whatever carries no
such start (a plain test tone) is not a reading, and the stand-in answers as it always did.
"""

from __future__ import annotations

import functools
import math
from array import array

RATE = 16_000
SYNC_HZ = 2_800
SYNC_SECONDS = 0.1
SYMBOL_SECONDS = 0.04
BASE_HZ, STEP_HZ = 800, 100
_WINDOW = 320  # 20 ms: the middle of a symbol
_HOP = 80  # 5 ms, where the start is looked for


def spoken(words: str, *, rate: int = RATE) -> array[int]:
    """16-bit mono samples at `rate` that say `words`."""
    samples = array("h", _symbol_tone(SYNC_HZ, SYNC_SECONDS, rate))
    for byte in words.encode():
        samples.extend(_symbol_tone(BASE_HZ + STEP_HZ * (byte >> 4), SYMBOL_SECONDS, rate))
        samples.extend(_symbol_tone(BASE_HZ + STEP_HZ * (byte & 15), SYMBOL_SECONDS, rate))
    samples.extend([0] * int(0.2 * rate))
    return samples


@functools.cache
def _symbol_tone(hz: int, seconds: float, rate: int) -> array[int]:
    """One tone, made once: every tone here lasts whole cycles (hundreds of hertz for 40 or
    100 ms), so each starts where the one before it ended, at phase 0, and is the same every
    time it is said."""
    step = 2 * math.pi * hz / rate
    return array("h", (int(12_000 * math.sin(step * n)) for n in range(int(seconds * rate))))


def heard(samples: array[int]) -> str | None:
    """The words 16 kHz samples say, or None when they are no reading."""
    start = _sync_start(samples)
    if start is None:
        return None
    at = start + int((SYNC_SECONDS + SYMBOL_SECONDS / 2) * RATE) - _WINDOW // 2
    step, nibbles = int(SYMBOL_SECONDS * RATE), []
    sync_power = _power(samples, start, SYNC_HZ)
    while at + _WINDOW <= len(samples):
        powers = [_power(samples, at, BASE_HZ + STEP_HZ * n) for n in range(16)]
        if max(powers) < sync_power / 10:
            break
        nibbles.append(powers.index(max(powers)))
        at += step
    data = bytes(high << 4 | low for high, low in zip(nibbles[::2], nibbles[1::2], strict=False))
    try:
        return data.decode()
    except UnicodeDecodeError:
        return None


def _sync_start(samples: array[int]) -> int | None:
    """Where the start tone begins (to `_HOP`), if the sound opens with it. Only the first
    moments of sound are looked at: the stand-in hears every recording, and most are none."""
    first = next((i for i, sample in enumerate(samples) if abs(sample) > 2_000), None)
    if first is None:
        return None
    for at in range(max(0, first - _HOP), min(len(samples) - _WINDOW, first + _WINDOW), _HOP):
        sync = _power(samples, at, SYNC_HZ)
        if sync > 1e9 and sync > 4 * _power(samples, at, BASE_HZ + STEP_HZ * 8):
            return at
    return None


def _power(samples: array[int], at: int, hz: float) -> float:
    """Goertzel: the power of `hz` in `_WINDOW` samples from `at`."""
    coefficient = 2 * math.cos(2 * math.pi * hz / RATE)
    before = earlier = 0.0
    for sample in samples[at : at + _WINDOW]:
        before, earlier = sample + coefficient * before - earlier, before
    return before * before + earlier * earlier - coefficient * before * earlier
