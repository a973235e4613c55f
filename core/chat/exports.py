"""Transcripts as files: plain text, or .srt subtitles timed by the pieces' offsets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.chat.messages import text
from core.chat.subtitles import to_srt
from core.domain import errors
from core.domain.quantities import Term
from core.domain.text import format_duration
from core.domain.transcripts import LongTranscript

TranscriptFormat = Literal["text", "txt", "srt"]
"""`text`: in the chat when it reads well there, else a .txt file; `txt`, `srt`: a file."""

FORMATS: tuple[TranscriptFormat, ...] = ("text", "txt", "srt")


@dataclass(frozen=True)
class TranscriptFile:
    name: str
    data: bytes
    caption: str


def transcript_format(choice: str) -> TranscriptFormat:
    """The format a user asked for (`/transcribe srt`); nothing means `text`."""
    wanted = choice.strip().lower().lstrip(".") or "text"
    for known in FORMATS:
        if wanted == known:
            return known
    raise errors.BadChoice(
        setting=Term("setting.transcript_format"), value=choice, choices=", ".join(FORMATS)
    )


def transcript_file(
    result: LongTranscript, format: TranscriptFormat, locale: str
) -> TranscriptFile:
    duration = format_duration(result.duration)
    if format == "srt":
        body = to_srt(result.parts)
        caption = text("transcript.srt_caption", locale, duration=duration)
        return TranscriptFile("transcript.srt", body.encode(), caption)
    caption = text("transcript.file_caption", locale, duration=duration)
    return TranscriptFile("transcript.txt", result.text.encode(), caption)
