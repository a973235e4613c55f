"""Inline mode: `@bot some text` in any chat offers that text as a voice note, in the voice and
style the user chose in their own chat with the bot, sent as a real voice message
(`InlineQueryResultCachedVoice`). The rules of the cache are `core.app.inline`'s.

Telegram sends an inline query for every keystroke, each with an id of its own. A query is
answered only once the user paused typing (`PAUSE_SECONDS` without a newer query from them):
every query a newer one replaced is answered with no results, and never rendered. Which query
is a user's newest is known to this process only; behind a load balancer, replicas each debounce
the queries they receive (a stray rendering at worst, never a wrong answer).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import (
    Bot,
    InlineQuery,
    InlineQueryResultCachedVoice,
    InlineQueryResultsButton,
    Update,
)
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bots.telegram.replies import error_text
from core.app.inline import InlineVoices
from core.app.preferences import ChatPreferences
from core.chat.languages import resolve_locale
from core.domain import errors
from core.domain.inline import CachedVoice
from core.domain.limits import asked_by
from core.domain.values import ChatRef, VoiceNote

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 0.8  # a pause in typing longer than a keystroke's, shorter than a wait's
# Telegram may show a rendered answer again for this long to the same user typing the same
# words; short, so a changed /voice or /style is heard soon.
ANSWER_CACHE_SECONDS = 60
TITLE_CHARS = 64
BUTTON_CHARS = 64


class InlineHandlers:
    """Inline queries, debounced per user, answered with a cached voice note."""

    def __init__(
        self,
        *,
        inline: InlineVoices,
        preferences: ChatPreferences,
        cache_chat: int,
        pause: float = PAUSE_SECONDS,
    ) -> None:
        self.inline = inline
        self.preferences = preferences
        self.cache_chat = cache_chat
        self.pause = pause
        self._newest: dict[int, str] = {}  # user: their newest query's id
        self._usable: bool | None = None  # whether the bot is in the cache chat; None: not asked
        self._asking = asyncio.Lock()

    async def query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """@bot TEXT: once the user paused typing, TEXT as a voice note in their voice."""
        inline = update.inline_query
        if inline is None:
            return
        user, words = inline.from_user.id, inline.query.strip()
        self._newest[user] = inline.id
        if words:
            await asyncio.sleep(self.pause)
        if self._newest.get(user) != inline.id or not words:
            await _answer(inline, [], cache_time=0)  # replaced by a newer one: nothing rendered
            return
        del self._newest[user]
        if not await self._cache_chat_usable(context.bot):
            await _answer(inline, [], cache_time=0)  # nothing to keep a voice note in
            return
        own = ChatRef("telegram", str(user))  # their chat with the bot: voice, style and quota
        try:
            voice = await self.inline.voice_for(
                own, words, asker=asked_by(user), store=self._storing(context.bot)
            )
        except errors.VoicebridgeError as error:
            logger.info("inline voice refused: %s", type(error).__name__)
            locale = resolve_locale(inline.from_user.language_code) or (
                await self.preferences.chat_locale(own)
            )
            sentence = error_text(error, locale)
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

    def _storing(self, bot: Bot) -> _Store:
        return _Store(bot, self.cache_chat)


class _Store:
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
        return CachedVoice(file_id=sent.voice.file_id, seconds=round(note.duration))


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
