"""MiMo at a pace, the same for every benchmark that plays speech (issue 96): recognition and
chat answered after a delay given (0.5 s), speech made at four times real time, its first slice
after 0.3 s, so that a whole clip comes when its last slice would (0.3 s plus a quarter of its
length), whether it is asked for whole or streamed whole.

    paced(mimo, answer_after=0.5, stream="slices")   # or "whole"

Only the stand-in's hooks are used (`before_answer`, and its stream settings where it has
them), so the same model runs against an older stand-in that only answers whole clips.
"""

from __future__ import annotations

import asyncio
from typing import Any

FIRST_SLICE = 0.3  # seconds before the first slice of speech
PACE = 4.0  # speech made at this many times real time


def paced(mimo: Any, *, answer_after: float, stream: str = "whole") -> None:
    """Put MiMo's stand-in `mimo` at the pace above, streaming speech `stream` ("slices" or
    "whole")."""
    mimo.delay = 0.0
    mimo.tts_stream, mimo.tts_first_slice, mimo.tts_pace = stream, FIRST_SLICE, PACE

    async def before_answer(body: dict[str, Any]) -> None:
        if "tts" not in str(body.get("model", "")):
            await asyncio.sleep(answer_after)
        elif not body.get("stream"):  # a whole clip, asked for whole
            await asyncio.sleep(FIRST_SLICE + clip_seconds(mimo, body) / PACE)

    mimo.before_answer = before_answer


def clip_seconds(mimo: Any, body: dict[str, Any]) -> float:
    """How long the stand-in's clip of a speech request lasts."""
    spoken = [m.get("content") for m in body.get("messages", []) if m.get("role") == "assistant"]
    text = spoken[-1] if spoken and isinstance(spoken[-1], str) else ""
    return float(max(0.5, len(text) * mimo.tts_seconds_per_char))
