"""The gist of one recording (`/tldr`, `voicebridge summarise`): a one-line headline, then the
points, decisions and action items, in that order (`SECTIONS`), each with the time in the
recording where it was said. Its card (`core.chat.summary_wording.gist_card`) shows them so: the
headline, then each section that has items, an item a line as `card_line` writes it,
`• [04:12] item`.

The chat model is asked for JSON naming, for each item, the `[mm:ss]` of the transcript line it
came from; `parse_gist` reads that answer and ties every item to the piece of the recording that
holds that moment (`TranscriptPart.start/end`, original-recording time), so a time the model
made up never points outside the recording. No I/O here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.domain.recordings.transcript_values import LongTranscript, TranscriptPart

__all__ = ["SECTIONS", "Gist", "GistItem", "card_line", "clock", "parse_gist", "parse_time"]

SECTIONS = ("points", "decisions", "actions")  # in the order the card shows them
_TIME = re.compile(r"^\[?\s*(?:(\d+):)?(\d{1,3}):(\d{2})\s*\]?$")
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


@dataclass(frozen=True)
class GistItem:
    at: float  # seconds into the recording: the start of the piece it was said in
    text: str


@dataclass(frozen=True)
class Gist:
    headline: str
    points: tuple[GistItem, ...]
    decisions: tuple[GistItem, ...]
    actions: tuple[GistItem, ...]
    transcript: LongTranscript  # the whole of it, for the file beside the card


def clock(seconds: float) -> str:
    """`04:12`, or `1:04:12` past an hour: how the card and the prompt write times."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def card_line(item: GistItem) -> str:
    """`• [04:12] item`: one item as the card lists it under its section."""
    return f"• [{clock(item.at)}] {item.text}"


def parse_time(value: object) -> float | None:
    match = _TIME.match(str(value).strip())
    if match is None:
        return None
    hours, minutes, secs = (int(group or 0) for group in match.groups())
    return float(hours * 3600 + minutes * 60 + secs)


def part_at(parts: Sequence[TranscriptPart], seconds: float) -> TranscriptPart | None:
    """The heard part of the transcript that holds `seconds`: the last one starting before the
    end of that second (times are written in whole seconds, cut down: a part from 13.97 s reads
    00:13)."""
    heard = [part for part in parts if part.text]
    before = [part for part in heard if part.start < seconds + 1]
    return before[-1] if before else (heard[0] if heard else None)


def parse_gist(answer: str, transcript: LongTranscript) -> Gist:
    """The model's JSON answer as a `Gist`; an answer that is not the JSON asked for becomes
    a headline of its own words, with no items, rather than nothing."""
    data = _json_object(answer)
    if data is None:
        return Gist(answer.strip(), (), (), (), transcript)
    items = {name: _items(data.get(name), transcript.parts) for name in SECTIONS}
    headline = str(data.get("gist") or "").strip()
    return Gist(headline, items["points"], items["decisions"], items["actions"], transcript)


def _json_object(answer: str) -> dict[str, Any] | None:
    try:
        data = json.loads(_FENCE.sub("", answer.strip()))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _items(raw: object, parts: Sequence[TranscriptPart]) -> tuple[GistItem, ...]:
    found = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict) or not str(entry.get("text") or "").strip():
            continue
        at = parse_time(entry.get("at"))
        part = part_at(parts, at if at is not None else 0.0)
        found.append(GistItem(part.start if part else 0.0, str(entry["text"]).strip()))
    return tuple(found)
