"""Subtitles from a transcript's parts: SubRip (.srt) and WebVTT (.vtt).

The speech API gives one text per piece (up to a minute or so) and no word timings, so a
part's text is split into cues at sentence boundaries and the part's time is shared among its
cues in proportion to their length. Cue times are therefore exact at every piece boundary
(which sits in a pause) and estimated inside a piece. A missing part becomes one cue that says
so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.domain.text import split_message
from core.domain.transcripts import TranscriptPart, missing_marker, said_by

__all__ = ["CUE_CHARS", "LINE_CHARS", "to_srt", "to_vtt"]

CUE_CHARS = 84  # two lines of 42, the usual subtitle limit
LINE_CHARS = 42


Marker = Callable[[float, float], str]


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


Cue = tuple[float, float, str, str | None]


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
