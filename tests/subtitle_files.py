"""Strict readers of SubRip (.srt) and WebVTT (.vtt) files, for tests: anything a player could
stumble over fails an assertion instead of being skipped.

SubRip: blocks separated by one blank line, each a number counting from 1, a timing line
`HH:MM:SS,mmm --> HH:MM:SS,mmm`, then one or more lines of text. WebVTT (W3C, "WebVTT file
structure"): the `WEBVTT` line, a blank line, then blocks of an optional identifier, a timing
line with `.` before the milliseconds, and text that holds no `-->` and no bare `<` or `&`
but for a voice span opening the cue (`<v Ann>`: who speaks, its name escaped likewise).
Both: every cue ends after it starts, and cues start in order.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str  # its lines joined by "\n"
    voice: str | None = None  # WebVTT: the speaker its voice span names


_SRT_TIME = r"(\d\d):([0-5]\d):([0-5]\d),(\d{3})"
_VTT_TIME = r"(\d\d+):([0-5]\d):([0-5]\d)\.(\d{3})"
_SRT_TIMING = re.compile(rf"{_SRT_TIME} --> {_SRT_TIME}")
_VTT_TIMING = re.compile(rf"{_VTT_TIME} --> {_VTT_TIME}")
_VTT_BARE = re.compile(r"-->|<|&(?!amp;|lt;|gt;)")
_VTT_VOICE = re.compile(r"^<v ([^<>]+)>")


def parse_srt(document: str) -> list[Cue]:
    assert document.endswith("\n") and not document.endswith("\n\n\n"), repr(document[-10:])
    cues = []
    for number, block in enumerate(document.rstrip("\n").split("\n\n"), start=1):
        lines = block.split("\n")
        assert lines[0] == str(number), f"cue {number} is numbered {lines[0]!r}"
        cues.append(_cue(_SRT_TIMING, lines[1], lines[2:]))
    return _in_order(cues)


def parse_vtt(document: str) -> list[Cue]:
    assert document.startswith("WEBVTT\n\n"), repr(document[:20])
    assert document.endswith("\n") and not document.endswith("\n\n\n"), repr(document[-10:])
    cues = []
    for block in document.rstrip("\n").split("\n\n")[1:]:
        lines = block.split("\n")
        if "-->" not in lines[0]:
            lines = lines[1:]  # an identifier
        voice = _VTT_VOICE.match(lines[1]) if len(lines) > 1 else None
        if voice is not None:
            lines[1] = lines[1][voice.end() :]
        for line in lines[1:]:
            assert not _VTT_BARE.search(line), f"unescaped text in a cue: {line!r}"
        text = [_unescaped(line) for line in lines[1:]]
        cue = _cue(_VTT_TIMING, lines[0], text)
        named = None if voice is None else _unescaped(voice.group(1))
        cues.append(Cue(cue.start, cue.end, cue.text, named))
    return _in_order(cues)


def _unescaped(line: str) -> str:
    return line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _cue(timing: re.Pattern[str], line: str, text: list[str]) -> Cue:
    match = timing.fullmatch(line)
    assert match, f"not a timing line: {line!r}"
    assert text and all(text), f"a cue without text, or with an empty line: {text!r}"
    numbers = [int(n) for n in match.groups()]
    start, end = _seconds(numbers[:4]), _seconds(numbers[4:])
    assert start < end, f"a cue that ends before it starts: {line!r}"
    return Cue(start, end, "\n".join(text))


def _seconds(parts: list[int]) -> float:
    hours, minutes, seconds, millis = parts
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def _in_order(cues: list[Cue]) -> list[Cue]:
    assert all(a.start <= b.start for a, b in itertools.pairwise(cues)), cues
    return cues
