"""`summarise`: messages in, a structured summary out, within the prompt budget, in the
language `writing_language` chooses for the chat.

Used for the stored Telegram log and, later, for Discord channel history alike: callers only hand
in `ChatMessage`s, so where they came from does not matter here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable, Sequence
from typing import TypeVar

from core.app.summaries.prompt import (
    PART_SEPARATOR,
    Prompt,
    clip,
    content_capacity,
    conversation_prompt,
    merge_prompt,
    pack,
    render_line,
)
from core.chat.languages import LOCALES
from core.domain.summaries import ChatMessage
from core.domain.values import Preferences
from core.ports import ChatApi

logger = logging.getLogger(__name__)

__all__ = ["FINAL_MAX_TOKENS", "summarise", "writing_language"]

T = TypeVar("T")

# Replies are bounded so a merge round always has room for them (and the bill stays small).
FINAL_MAX_TOKENS = 2000
PART_MAX_TOKENS = 800


def writing_language(prefs: Preferences) -> str:
    """What summaries are written in: the chat's transcript language; with that on `auto`, the
    bot language its administrators chose, if they did, so headings and summary agree; else
    the conversation's own."""
    chosen = prefs.interface_language
    if prefs.language == "auto" and chosen is not None and chosen in LOCALES:
        return chosen
    return prefs.language


CONCURRENCY = 4  # part summaries requested at once


async def summarise(
    messages: Sequence[ChatMessage],
    *,
    api: ChatApi,
    language: str,
    zone: str,
    budget: int,
) -> str:
    """A summary of `messages` (oldest first) in `language` (a transcript language, `auto`, or
    a bot language such as `ja`), no request over `budget` chars."""
    if not messages:
        raise ValueError("nothing to summarise")  # callers check: an empty merge never ends
    capacity = content_capacity(budget, language)
    parts = pack([render_line(m, zone) for m in messages], capacity)
    if len(parts) == 1:
        prompt = conversation_prompt(parts[0], language=language, part=1, parts=1)
        return await _complete(api, prompt, FINAL_MAX_TOKENS)
    logger.info("summarising %d messages in %d parts", len(messages), len(parts))
    partials = await _all(
        _complete(
            api,
            conversation_prompt(lines, language=language, part=i, parts=len(parts)),
            PART_MAX_TOKENS,
        )
        for i, lines in enumerate(parts, start=1)
    )
    return await _merge(api, partials, language=language, capacity=capacity)


async def _merge(api: ChatApi, partials: list[str], *, language: str, capacity: int) -> str:
    """Merge part summaries, in rounds while they do not fit in one request.

    Each summary is clipped to a third of a request first, so every group holds at least two
    and each round at least halves their number: the recursion always ends.
    """
    clipped = [clip(p, capacity // 3 - len(PART_SEPARATOR)) for p in partials]
    groups = pack(clipped, capacity, PART_SEPARATOR)
    if len(groups) == 1:
        prompt = merge_prompt(groups[0], language=language, final=True)
        return await _complete(api, prompt, FINAL_MAX_TOKENS)
    merged = await _all(
        _complete(api, merge_prompt(group, language=language, final=False), PART_MAX_TOKENS)
        for group in groups
    )
    return await _merge(api, merged, language=language, capacity=capacity)


async def _complete(api: ChatApi, prompt: Prompt, max_tokens: int) -> str:
    """MiMo's summary; one cut at `max_tokens` is asked again with twice the room, and if it
    is cut again it ends in "…" rather than pass for whole."""
    answer = await api.chat(prompt.user, system=prompt.system, max_tokens=max_tokens)
    if answer.cut:
        logger.info("a summary stopped at %d tokens; asking with %d", max_tokens, 2 * max_tokens)
        answer = await api.chat(prompt.user, system=prompt.system, max_tokens=2 * max_tokens)
    if answer.cut:
        logger.warning("a summary stopped at %d tokens again; marked as cut", 2 * max_tokens)
    return answer.marked().text.strip()


async def _all(calls: Iterable[Awaitable[T]]) -> list[T]:
    """Await `calls` with at most `CONCURRENCY` running, results in order."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(call: Awaitable[T]) -> T:
        async with gate:
            return await call

    return list(await asyncio.gather(*(one(call) for call in calls)))
