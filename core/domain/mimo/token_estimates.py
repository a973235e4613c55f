"""What a request will count in its model's minute, estimated before it is sent: MiMo's answer
then says what it did count (`core.infra.mimo.minute_ledger.MinuteUse.answered`), and the
account's minute (`core.domain.mimo.account_minute_rules`) counts that. Counted high rather than
low: a request counted low may meet a 429; one counted high waits a little longer for its use of the
minute.

    recognition_tokens    speech recognition of so many seconds: its audio, its prompt, its words
    text_tokens           so many characters of text (a prompt, a text to speak)
    understanding_tokens  a question about so many bytes of audio, with its answer
    seconds_of            how long a piece of audio lasts, from its bytes
"""

from __future__ import annotations

import math

__all__ = [
    "ANSWER_TOKENS",
    "AUDIO_TOKENS_PER_SECOND",
    "recognition_tokens",
    "seconds_of",
    "text_tokens",
    "understanding_tokens",
]

AUDIO_TOKENS_PER_SECOND = 6.25  # MiMo's count of a second of audio, heard or understood
# A recognition request's own tokens beside its audio (MiMo's example: 4 s of audio is 25
# audio tokens, 46 prompt tokens in all, and 20 completion tokens for its words).
ASR_PROMPT_TOKENS = 21
ASR_WORDS_PER_SECOND = 5  # completion tokens a second of speech may come to
CHARS_PER_TOKEN = 3  # text, counted a little high: an estimate corrected by MiMo's answer
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


def recognition_tokens(seconds: float) -> int:
    """What a recognition request of `seconds` of audio is likely to count: its audio, its
    prompt and its words."""
    return (
        math.ceil(seconds * AUDIO_TOKENS_PER_SECOND)
        + ASR_PROMPT_TOKENS
        + math.ceil(seconds * ASR_WORDS_PER_SECOND)
    )


def text_tokens(chars: int) -> int:
    return max(1, math.ceil(chars / CHARS_PER_TOKEN))
