"""Inline mode: `@bot some text` in any chat offers that text as a voice note, in the voice and
style the user chose in their own chat with the bot, sent as a real voice message
(`InlineQueryResultCachedVoice`). The rules of the cache are `core.app.voices.inline_mode`'s.

Telegram sends an inline query for every keystroke, each with an id of its own. A query is
answered only once the user paused typing (`PAUSE_SECONDS` without a newer query from them):
every query a newer one replaced is answered with no results, and never rendered; so is an
empty one, at once. Which query is a user's newest is decided as the updates arrive
(`received`, told by the update queue of a whole `getUpdates` batch before any of it is
stored), and the pause counts from the query's arrival: however long the bot takes to get to
a query's handler (a busy machine, updates ahead of it being stored), one that a newer query
already received replaced is never rendered. The handler returns at once: the pause, and the
rendering after it, run in a task of their own, so a crowd typing never holds the update slots
other chats' messages wait for. At most one query per user waits out its pause (the newest; it
is forgotten once it is answered or replaced), and at most `MAX_IN_FLIGHT` are waiting or being
rendered in the process: past that, a query is answered with nothing and the next keystroke
asks again. Which query is a user's newest is known to this process only; behind a load
balancer, replicas each debounce the queries they receive (a stray rendering at worst, never a
wrong answer). The pause is read on the runtime's clock (`core.ports.Clock`): a test moves it
by hand, so that keystrokes a loaded machine delivers slowly are still one word being typed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from telegram import (
    Bot,
    InlineQuery,
    InlineQueryResultCachedVoice,
    InlineQueryResultsButton,
    Update,
)
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bots.telegram.answers.telegram_replies import error_text
from core.app.rules.request_audience import Audiences
from core.app.voices.inline_mode import InlineVoices
from core.chat.answer_languages import Audience, resolve_locale
from core.domain import errors
from core.domain.rules.quotas_rules import asked_by
from core.domain.shared_values import ChatRef, VoiceNote
from core.domain.voices.inline_voice_cache_key import CachedVoice, Discard
from core.ports import Clock, SystemClock, background_tasks

logger = logging.getLogger(__name__)

__all__ = ["PAUSE_SECONDS", "CacheStore", "InlineHandlers", "discarding"]

PAUSE_SECONDS = 0.8  # a pause in typing longer than a keystroke's, shorter than a wait's
MAX_IN_FLIGHT = 1000  # queries waiting out their pause or being rendered, in the process
# A user's newest query is noted on arrival until it is handled (a stranger's never is: the
# allowlist drops it first). Noted longer than this, or past this many users, the oldest are let
# go (a query then handled is timed from its handler).
NOTED_SECONDS = 60.0
MAX_NOTED = 10 * MAX_IN_FLIGHT
# Telegram may show a rendered answer again for this long to the same user typing the same
# words; short, so a changed /voice or /style is played soon.
ANSWER_CACHE_SECONDS = 60
TITLE_CHARS = 64
BUTTON_CHARS = 64


class _Waiting(NamedTuple):
    query: InlineQuery
    replaced: asyncio.Event  # set when a newer query from the same user came
    arrived: datetime  # when it arrived (the clock's time): its pause counts from then


class _Noted(NamedTuple):
    query_id: str
    arrived: datetime


class InlineHandlers:
    """Inline queries, debounced per user, answered with a cached voice note."""

    def __init__(
        self,
        *,
        inline: InlineVoices,
        audiences: Audiences,
        cache_chat: int,
        pause: float = PAUSE_SECONDS,
        most: int = MAX_IN_FLIGHT,
        clock: Clock | None = None,
    ) -> None:
        self.inline = inline
        self.audiences = audiences
        self.cache_chat = cache_chat
        self.pause = pause
        self.clock = clock or SystemClock()  # what the pause is read on
        self.most = most
        self.waiting: dict[int, _Waiting] = {}  # user: their newest query, in its pause
        # user: their newest query received, until it is handled (`received`)
        self.newest: OrderedDict[int, _Noted] = OrderedDict()
        self.in_flight: set[asyncio.Task[None]] = set()  # waiting or being rendered
        self._usable: bool | None = None  # whether the bot is in the cache chat; None: not asked
        self._asking = asyncio.Lock()

    async def query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """@bot TEXT: once the user paused typing, TEXT as a voice note in their voice."""
        inline = update.inline_query
        if inline is None:
            return
        user, words = inline.from_user.id, inline.query.strip()
        older = self.waiting.pop(user, None)
        if older is not None:  # this one came during its pause: it gets nothing rendered
            older.replaced.set()  # (answered so by its own task)
        arrived = self._arrival(user, inline.id)
        if arrived is None or not words or len(self.in_flight) >= self.most:
            self._forget(user, inline.id)
            await _answer(inline, [], cache_time=0)  # None: a newer one was received already
            return
        waiting = self.waiting[user] = _Waiting(inline, asyncio.Event(), arrived)
        task = context.application.create_task(
            self._after_pause(waiting, context.bot), update=update, name=f"inline {inline.id}"
        )
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    def received(self, updates: Sequence[object]) -> None:
        """The bot has just received `updates` (raw, none of them handled yet): each inline
        query among them is its user's newest, and replaces at once the one in its pause."""
        now = self.clock.now()
        for update in updates:
            query = update.get("inline_query") if isinstance(update, dict) else None
            sender = query.get("from") if isinstance(query, dict) else None
            if not isinstance(query, dict) or not isinstance(sender, dict):
                continue
            user, query_id = sender.get("id"), query.get("id")
            if not isinstance(user, int) or not isinstance(query_id, str):
                continue
            self.newest[user] = _Noted(query_id, now)
            self.newest.move_to_end(user)
            older = self.waiting.get(user)
            if older is not None and older.query.id != query_id:
                del self.waiting[user]
                older.replaced.set()
        while self.newest and (
            len(self.newest) > MAX_NOTED
            or next(iter(self.newest.values())).arrived < now - timedelta(seconds=NOTED_SECONDS)
        ):
            self.newest.popitem(last=False)

    def _arrival(self, user: int, query_id: str) -> datetime | None:
        """When the user's query `query_id` arrived; None when a newer one of theirs did since.
        A query whose arrival was not noted is timed from now."""
        noted = self.newest.get(user)
        if noted is None:
            noted = self.newest[user] = _Noted(query_id, self.clock.now())
        return noted.arrived if noted.query_id == query_id else None

    def _forget(self, user: int, query_id: str) -> None:
        """The user's query `query_id` is handled: no longer noted, unless a newer one is."""
        noted = self.newest.get(user)
        if noted is not None and noted.query_id == query_id:
            del self.newest[user]

    async def _after_pause(self, waiting: _Waiting, bot: Bot) -> None:
        """Once the pause since its arrival is over with no newer query from the user: the
        voice note; replaced meanwhile: nothing."""
        query, user = waiting.query, waiting.query.from_user.id
        await self._paused(waiting)
        if waiting.replaced.is_set():
            await _answer(query, [], cache_time=0)
            return
        if self.waiting.get(user) is waiting:
            del self.waiting[user]
        try:
            await self._answer_with_voice(query, bot)
        finally:
            self._forget(user, query.id)

    async def _paused(self, waiting: _Waiting) -> None:
        """Return once the pause since the query's arrival is over, or a newer query of the
        user's replaced it."""
        left = self.pause - (self.clock.now() - waiting.arrived).total_seconds()
        if left <= 0 or waiting.replaced.is_set():
            return
        waits = [
            background_tasks.start(self.clock.sleep(left), name="inline pause", awaited=True),
            background_tasks.start(waiting.replaced.wait(), name="inline pause", awaited=True),
        ]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def _answer_with_voice(self, inline: InlineQuery, bot: Bot) -> None:
        user, words = inline.from_user.id, inline.query.strip()
        if not await self._cache_chat_usable(bot):
            await _answer(inline, [], cache_time=0)  # nothing to keep a voice note in
            return
        own = ChatRef("telegram", str(user))  # their chat with the bot: voice, style and quota
        caller = Audience(person=resolve_locale(inline.from_user.language_code))
        request = await self.audiences.request(own, caller, asker=asked_by(user))
        try:
            voice = await self.inline.voice_for(
                request, words, store=CacheStore(bot, self.cache_chat)
            )
        except errors.VoicebridgeError as error:
            logger.info("inline voice refused: %s", type(error).__name__)
            sentence = error_text(error, request.locale)
            button = InlineQueryResultsButton(
                text=_shortened(sentence, BUTTON_CHARS), start_parameter="inline"
            )
            await _answer(inline, [], cache_time=0, button=button)
            return
        result = InlineQueryResultCachedVoice(
            id="voice", voice_file_id=voice.file_id, title=_shortened(words, TITLE_CHARS)
        )
        await _answer(inline, [result], cache_time=ANSWER_CACHE_SECONDS)

    async def _cache_chat_usable(self, bot: Bot) -> bool:
        """Whether the bot is in the cache chat, asked of Telegram once per process: a chat it
        is not in would have MiMo render every query for nothing. A network failure decides
        nothing (asked again at the next query)."""
        async with self._asking:  # queries that come together ask once
            if self._usable is None:
                try:
                    await bot.get_chat(self.cache_chat)
                    self._usable = True
                except (BadRequest, Forbidden) as refused:
                    self._usable = False
                    logger.warning(
                        "inline mode answers nothing: Telegram says %r of "
                        "TELEGRAM_INLINE_CACHE_CHAT (%s); make the bot an administrator there "
                        "and restart it", refused.message, self.cache_chat,
                    )  # fmt: skip
        return self._usable


class CacheStore:
    """Keeps a rendered voice note in the cache chat; its file id is what inline mode sends."""

    def __init__(self, bot: Bot, chat: int) -> None:
        self.bot = bot
        self.chat = chat

    async def __call__(self, note: VoiceNote) -> CachedVoice:
        sent = await self.bot.send_voice(
            self.chat,
            voice=note.data,
            duration=round(note.duration),
            filename="voice.ogg",
            disable_notification=True,
        )
        if sent.voice is None:
            raise RuntimeError("Telegram kept the voice note as something else")
        return CachedVoice(
            file_id=sent.voice.file_id, seconds=round(note.duration),
            kept_in=str(self.chat), message_id=sent.message_id,
        )  # fmt: skip


def discarding(bot: Bot) -> Discard:
    """How `/forget` and `/voice delete` delete the messages that keep inline voice notes in
    the cache chat. One Telegram refuses (older than its 48 hours for deleting, or already
    gone) is let be: the voice note is no longer offered either way."""

    async def discard(voices: Sequence[CachedVoice]) -> None:
        for voice in voices:
            if voice.kept_in is None or voice.message_id is None:
                continue  # rendered before its message was noted
            try:
                await bot.delete_message(int(voice.kept_in), voice.message_id)
            except TelegramError as exc:
                logger.info("an inline voice note's message stays: %s", exc.message)

    return discard


async def _answer(
    inline: InlineQuery,
    results: list[InlineQueryResultCachedVoice],
    *,
    cache_time: int,
    button: InlineQueryResultsButton | None = None,
) -> None:
    """Answer for this user alone; a query that expired meanwhile (the rendering took long) is
    let go: its voice note is kept, and the same words typed again get it at once."""
    try:
        await inline.answer(results, cache_time=cache_time, is_personal=True, button=button)
    except TelegramError as exc:
        logger.info("inline query not answered: %s", exc.message)


def _shortened(words: str, limit: int) -> str:
    return words if len(words) <= limit else f"{words[: limit - 1]}…"
