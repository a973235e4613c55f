"""Transcripts as files: plain text, or .srt subtitles timed by the pieces' offsets; a call's
transcript as text and subtitles with its speakers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.chat.messages import text
from core.chat.subtitles import to_srt, to_vtt
from core.domain import errors
from core.domain.gists import clock
from core.domain.quantities import Term
from core.domain.text import format_duration
from core.domain.transcripts import LongTranscript, TranscriptPart, missing_marker, said_by

__all__ = [
    "FORMATS",
    "TranscriptFile",
    "TranscriptFormat",
    "call_files",
    "timed_lines",
    "transcript_file",
    "transcript_format",
]

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


def timed_lines(parts: tuple[TranscriptPart, ...]) -> str:
    """`[04:12] what was said` a line per part (`[04:12] Ann: what she said` in a call)."""
    return "\n".join(
        f"[{clock(part.start)}] {said_by(part.speaker)}"
        + (part.text if part.text is not None else missing_marker(part.start, part.end))
        for part in parts
    )


def call_files(call: LongTranscript, locale: str) -> tuple[str, list[TranscriptFile]]:
    """A call's transcript with its speakers as `call.txt` (timed lines), `call.srt` and
    `call.vtt`, and the one caption the three share."""
    caption = text("call.files_caption", locale, duration=format_duration(call.duration))
    files = [
        TranscriptFile("call.txt", timed_lines(call.parts).encode(), caption),
        TranscriptFile("call.srt", to_srt(call.parts).encode(), caption),
        TranscriptFile("call.vtt", to_vtt(call.parts).encode(), caption),
    ]
    return caption, files
