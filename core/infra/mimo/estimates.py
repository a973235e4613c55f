"""What a request will count in its model's minute, estimated before it is sent (MiMo's answer
then says what it did count: `core.infra.mimo.minute_ledger.MinuteUse.answered`). Counted high
rather than low: a request counted low may meet a 429; one counted high waits a little longer
for its use of the minute."""

from __future__ import annotations

import math

from core.domain.pacing import AUDIO_TOKENS_PER_SECOND, text_tokens

__all__ = ["ANSWER_TOKENS", "seconds_of", "understanding_tokens"]

ANSWER_TOKENS = 1_000  # what an answer of no given length is counted as until MiMo says
# Bytes a second of audio takes: WAV is read from its header; anything else is taken as a
# voice note's Opus or MP3 (about 32 kbps), so that its seconds are counted high, not low.
_COMPRESSED_BYTES_PER_SECOND = 4_000


def seconds_of(audio: bytes, mime: str) -> float:
    """How long a piece of audio lasts, near enough to count its tokens before sending it."""
    if mime == "audio/wav" and audio[:4] == b"RIFF" and len(audio) >= 44:
        rate = int.from_bytes(audio[28:32], "little")  # the header's bytes per second
        if rate > 0:
            return max(0, len(audio) - 44) / rate
    return len(audio) / _COMPRESSED_BYTES_PER_SECOND


def understanding_tokens(
    size: int, mime: str, question: str, system: str | None, max_tokens: int | None
) -> int:
    """What a question about `size` bytes of audio is likely to count in tokens."""
    per_second = 32_000 if mime == "audio/wav" else _COMPRESSED_BYTES_PER_SECOND
    audio = math.ceil(size / per_second * AUDIO_TOKENS_PER_SECOND)
    return audio + text_tokens(len(question) + len(system or "")) + (max_tokens or ANSWER_TOKENS)
