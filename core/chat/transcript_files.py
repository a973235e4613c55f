"""Transcripts as files: plain text, or .srt subtitles timed by the pieces' offsets; a call's
transcript as text and subtitles (SubRip, .srt, and WebVTT, .vtt) with its speakers, each line
after its speaker's name (`said_by`: `Ann: `; a recording's lines have none).

The speech API gives one text per piece (up to a minute or so) and no word timings, so for
subtitles a part's text is split into cues at sentence boundaries and the part's time is shared
among its cues in proportion to their length. Cue times are therefore exact at every piece
boundary (which sits in a pause) and estimated inside a piece. A missing part becomes one cue
that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from core.chat.message_catalogue import text
from core.domain import errors
from core.domain.message_splitting import format_duration, split_message
from core.domain.quantities import Term
from core.domain.recordings.gist_format import clock
from core.domain.recordings.transcript_values import (
    LongTranscript,
    TranscriptPart,
    missing_marker,
)

__all__ = [
    "CUE_CHARS",
    "FORMATS",
    "LINE_CHARS",
    "TranscriptFile",
    "TranscriptFormat",
    "call_files",
    "said_by",
    "timed_lines",
    "to_srt",
    "to_vtt",
    "transcript_file",
    "transcript_format",
]

TranscriptFormat = Literal["text", "txt", "srt"]
"""`text`: in the chat when it reads well there, else a .txt file; `txt`, `srt`: a file."""

FORMATS: tuple[TranscriptFormat, ...] = ("text", "txt", "srt")

CUE_CHARS = 84  # two lines of 42, the usual subtitle limit
LINE_CHARS = 42

Marker = Callable[[float, float], str]
Cue = tuple[float, float, str, str | None]


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


def said_by(speaker: str | None) -> str:
    """`Ann: `, before what a call's line says; nothing for a recording's piece."""
    return f"{' '.join(speaker.split())}: " if speaker else ""


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


def to_srt(parts: Sequence[TranscriptPart], *, marker: Marker = missing_marker) -> str:
    """The parts as an .srt file's text (cues numbered from 1, blank line between cues)."""
    blocks = [
        f"{number}\n{_timestamp(start)} --> {_timestamp(end)}\n"
        f"{_two_lines(said_by(speaker) + text)}\n"
        for number, (start, end, text, speaker) in enumerate(_cues(parts, marker), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(parts: Sequence[TranscriptPart], *, marker: Marker = missing_marker) -> str:
    """The parts as a .vtt file's text: the WEBVTT header, then the cues as in `to_srt` with
    WebVTT's timestamps (a full stop before the milliseconds)."""
    blocks = [
        f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}\n"
        f"{_voice(speaker)}{_vtt_text(_two_lines(text))}\n"
        for start, end, text, speaker in _cues(parts, marker)
    ]
    return "\n".join(["WEBVTT\n", *blocks])


def _cues(parts: Sequence[TranscriptPart], marker: Marker) -> list[Cue]:
    """(start, end, text, speaker) of every cue, in order; a missing part is one cue that says
    so."""
    cues: list[Cue] = []
    for part in parts:
        if part.text is None:
            cues.append((part.start, part.end, marker(part.start, part.end), part.speaker))
        elif part.text.strip():
            cues.extend(
                (start, end, chunk, part.speaker)
                for start, end, chunk in _timed_cues(part.start, part.end, part.text)
            )
    return cues


def _voice(speaker: str | None) -> str:
    """WebVTT's voice span, which players show as the speaker's name: `<v Ann>`. The name
    may hold no `>`, and its `&` and `<` are escaped as in cue text."""
    if not speaker:
        return ""
    return f"<v {_vtt_text(' '.join(speaker.split())).replace('>', '&gt;')}>"


def _timed_cues(start: float, end: float, text: str) -> list[tuple[float, float, str]]:
    """`text` cut into cues, the time from `start` to `end` shared by length."""
    chunks = split_message(text, CUE_CHARS)
    total = sum(len(chunk) for chunk in chunks)
    cues = []
    at = start
    for i, chunk in enumerate(chunks):
        until = end if i == len(chunks) - 1 else at + (end - start) * len(chunk) / total
        cues.append((at, until, chunk))
        at = until
    return cues


def _two_lines(text: str) -> str:
    """Break a cue longer than one line at the space nearest its middle."""
    if len(text) <= LINE_CHARS or " " not in text:
        return text
    middle = len(text) // 2
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return f"{text[:cut]}\n{text[cut + 1 :]}"


def _vtt_text(text: str) -> str:
    """Cue text as WebVTT reads it: `&` and `<` would start an entity or a tag, and `-->`
    cannot appear in a cue at all."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("-->", "--&gt;")


def _timestamp(seconds: float, point: str = ",") -> str:
    """`HH:MM:SS,mmm`, as SubRip wants it (WebVTT: `point` is a full stop)."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{point}{millis:03d}"
