"""An answer for one member of a group sent as an ephemeral message (`Ephemeral`, through
`ephemeral_api`), what it shows once sent (`EphemeralShown`), and where it goes when it cannot
be one.

The fallback: an answer meant for one member (`bots.telegram.answers.group_visibility.answer_to`
decides which are) goes where they alone see it, never to the group they did not ask in:

- refused by Telegram (its 15 seconds over: BOT_NOT_ADMIN), or past those seconds already (less
  `WINDOW_MARGIN_SECONDS`) for a bot that administers nothing (`administers`, known from
  `rights_told`): to the member's private chat with the bot, straight away, without a refused
  call (`Ephemeral.fallback`);
- on a server that posted it for everyone (`PostedForEveryone`: older than 10.2 after all), from
  then on as on such a server (`Ephemeral.older`): their private chat, else the group;
- an edit past `EDIT_LIMIT` keeps what fits and continues in a message of its own; a message
  whose ephemeral id came back for a newer one (deleted or expired meanwhile) is never edited
  again: what it would have shown comes anew (`EphemeralShown`).
"""

from __future__ import annotations

import contextlib
import html
import logging
import re
import time
import weakref
from collections.abc import Awaitable, Callable

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.error import BadRequest, TelegramError

from bots.telegram.answers.destinations import Destination, InChat, InPrivateChat, Shown
from bots.telegram.answers.ephemeral_api import (
    EDIT_LIMIT,
    WINDOW_SECONDS,
    For,
    PostedForEveryone,
    Sent,
    administers,
    delete,
    edit_text,
    send_document,
    send_text,
    send_voice,
)
from core.domain.message_splitting import split_lines, split_message, utf16_units

logger = logging.getLogger(__name__)

__all__ = ["EphemeralShown", "to_button", "to_command", "to_typed_command"]

# How much of Telegram's 15 seconds to answer an ephemeral command the bot leaves unused: the
# command reached it a moment after the member sent it, and the answer takes a moment to arrive.
WINDOW_MARGIN_SECONDS = 3.0
_HTML_TAG = re.compile(r"<[^>]*>")


def to_command(bot: Bot, chat_id: int, user_id: int, asked: int, *, heading: str) -> Destination:
    """The answer to a member's ephemeral command `asked`: ephemeral, replying to it. Too late
    for that, or on a server older than 10.2 after all, in their private chat under `heading`
    (the line naming the group), never in the group: they asked privately."""
    late = InPrivateChat(bot, user_id, heading, None)
    to = For(chat_id, user_id, reply_to_ephemeral=asked)
    return Ephemeral(bot, to, late, older=late)


def to_button(bot: Bot, chat_id: int, user_id: int, query_id: str, *, here: InChat) -> Destination:
    """What a member's button press shows them: ephemeral, through its callback query; on a
    server older than 10.2 after all, beside the button (`here`)."""
    to = For(chat_id, user_id, callback_query_id=query_id)
    return Ephemeral(bot, to, older=here)


def to_typed_command(
    bot: Bot, chat_id: int, user_id: int, message_id: int, *, heading: str, here: InChat
) -> Destination:
    """The answer to a command a member typed openly in a group the bot administers: ephemeral,
    replying to it. Refused, openly again (`here`), as it was asked openly; on a server older
    than 10.2 after all, in their private chat under `heading`, else the group."""
    to = For(chat_id, user_id, reply_to=message_id)
    return Ephemeral(bot, to, here, older=InPrivateChat(bot, user_id, heading, here))


class Ephemeral(Destination):
    """An ephemeral message of the group for the one member `to` names."""

    private = True
    server_is_older = False  # the server posted one of its messages for everyone (`older`)

    def __init__(
        self,
        bot: Bot,
        to: For,
        fallback: Destination | None = None,
        *,
        older: Destination | None = None,
    ) -> None:
        self.bot = bot
        self.to = to
        # Where the answer goes when Telegram refuses the ephemeral message (its 15 seconds
        # are over): the member's private chat, never the group they did not ask in.
        self.fallback = fallback
        # Where it goes, from then on, when the server turns out older than 10.2 after all (it
        # posted the message for everyone, and the bot took it back): as on such a server.
        self.older = older
        self.asked_at = time.monotonic()  # when the question came: its 15 seconds start

    async def _too_late(self) -> bool:
        """Whether Telegram would refuse an ephemeral message now (BOT_NOT_ADMIN): the 15
        seconds of the member's command or button press are over (less a margin), and the bot
        administers nothing that would let it send one at any time."""
        if self.to.reply_to_ephemeral is None and self.to.callback_query_id is None:
            return False  # sent because the bot administers the group
        elapsed = time.monotonic() - self.asked_at
        if elapsed < WINDOW_SECONDS - WINDOW_MARGIN_SECONDS:
            return False
        return not await administers(self.bot, self.to.chat_id)

    def _posted_for_everyone(self, error: PostedForEveryone) -> Destination:
        if self.older is None:
            raise error
        logger.warning("ephemeral answers sent as on a Bot API server older than 10.2")
        self.server_is_older = True
        return self.older

    async def text(
        self,
        body: str,
        *,
        parse_mode: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        link_preview_options: LinkPreviewOptions | None = None,
        reply_to: int | None = None,
        quote: bool | None = True,
    ) -> Shown:
        to = self.to
        if reply_to is not None:
            to = For(to.chat_id, to.receiver, to.reply_to_ephemeral,
                               to.callback_query_id, reply_to)  # fmt: skip
        return await self._send(
            lambda: send_text(
                self.bot, to, body, parse_mode=parse_mode, reply_markup=reply_markup,
                link_preview_options=link_preview_options,
            ),
            lambda older: older.text(
                body, parse_mode=parse_mode, reply_markup=reply_markup,
                link_preview_options=link_preview_options, reply_to=reply_to, quote=quote,
            ),
            privately=lambda fallback: fallback.text(
                body, parse_mode=parse_mode, link_preview_options=link_preview_options
            ),
        )  # fmt: skip

    async def document(self, data: bytes, *, filename: str, caption: str | None) -> Shown:
        return await self._send(
            lambda: send_document(self.bot, self.to, data, filename=filename, caption=caption),
            lambda other: other.document(data, filename=filename, caption=caption),
        )

    async def voice(self, data: bytes, *, duration: float, caption: str | None = None) -> Shown:
        return await self._send(
            lambda: send_voice(self.bot, self.to, data, duration=round(duration), caption=caption),
            lambda other: other.voice(data, duration=duration, caption=caption),
        )

    async def _send(
        self,
        ephemerally: Callable[[], Awaitable[Sent]],
        elsewhere: Callable[[Destination], Awaitable[Shown]],
        *,
        privately: Callable[[Destination], Awaitable[Shown]] | None = None,
    ) -> Shown:
        """The answer sent `ephemerally`; on a server older than 10.2 (or one that just posted
        it for everyone), `elsewhere` as such a server allows (`older`); refused by Telegram
        (its 15 seconds over), `privately` (by default as `elsewhere`) to the `fallback`."""
        if self.server_is_older and self.older is not None:
            return await elsewhere(self.older)
        if self.fallback is not None and await self._too_late():
            logger.info("too late for an ephemeral answer (BOT_NOT_ADMIN): the private chat's")
            return await (privately or elsewhere)(self.fallback)
        try:
            sent = await ephemerally()
        except PostedForEveryone as exc:
            return await elsewhere(self._posted_for_everyone(exc))
        except BadRequest as exc:
            if self.fallback is None:
                raise
            logger.info("ephemeral answer refused (%s): sent to the private chat", exc.message)
            return await (privately or elsewhere)(self.fallback)
        shown = EphemeralShown(self.bot, sent, self)
        _on_screen(shown)  # a new message: whoever held its id before holds one that went
        return shown


class EphemeralShown:
    """An ephemeral message on the screen of the member it is for. An edit longer than the
    real server takes (`EDIT_LIMIT`) keeps what fits here and continues in a message
    of its own, sent through `answer` and edited with it from then on; one with buttons (a
    page) is sent whole through `answer` instead, this one deleted, so that the buttons stay
    under all of it. A message no longer on screen (its id given to a newer one, or "message
    to edit not found") is never edited again: the text comes anew through `answer`. Without
    an `answer`, an edit is sent as it is."""

    def __init__(self, bot: Bot, sent: Sent, answer: Destination | None = None) -> None:
        self.bot = bot
        self.sent = sent
        self.answer = answer
        self.gone = False  # deleted or expired: its id may name another message now
        self._head: str | None = None  # what the last edit put here, when the rest continues
        self._rest: Shown | None = None  # the message that continues this one
        self._moved: Shown | None = None  # what shows it since this one went

    @property
    def id(self) -> str:
        if self._moved is not None:
            return self._moved.id
        if self._rest is not None:  # where the text ends
            return self._rest.id
        return f"e{self.sent.ephemeral_message_id}"  # its message_id is 0, never an id

    async def edit(
        self,
        body: str,
        *,
        parse_mode: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        link_preview_options: LinkPreviewOptions | None = None,
    ) -> None:
        if self._moved is not None:
            await self._moved.edit(
                body, parse_mode=parse_mode, reply_markup=reply_markup,
                link_preview_options=link_preview_options,
            )  # fmt: skip
            return
        if self.gone and self.answer is not None:
            await self._anew(body, parse_mode, reply_markup, link_preview_options)
            return
        head, rest = body, None
        if self.answer is not None:
            head, rest = _cut_for_edit(body, parse_mode)
        if rest is not None and reply_markup is not None:
            await self._anew(body, parse_mode, reply_markup, link_preview_options)
            self._gone()  # deleted below: by its id, while that still names it
            with contextlib.suppress(TelegramError):
                await delete(self.bot, self.sent)
            return
        if rest is None or head != self._head:
            try:
                await edit_text(
                    self.bot, self.sent, head, parse_mode=parse_mode,
                    reply_markup=None if rest else reply_markup,
                    link_preview_options=link_preview_options,
                )  # fmt: skip
            except BadRequest as exc:
                if self.answer is None or "message to edit not found" not in exc.message.lower():
                    raise
                logger.info("an ephemeral message is no longer on screen: sent anew")
                self._gone()
                await self._anew(body, parse_mode, reply_markup, link_preview_options)
                return
        self._head = head
        if rest is None:
            extra, self._rest = self._rest, None
            if extra is not None:
                with contextlib.suppress(TelegramError):
                    await extra.delete()
            return
        if self._rest is not None:
            await self._rest.edit(
                rest, parse_mode=parse_mode, reply_markup=reply_markup,
                link_preview_options=link_preview_options,
            )  # fmt: skip
            return
        assert self.answer is not None
        self._rest = await self.answer.text(
            rest, parse_mode=parse_mode, reply_markup=reply_markup,
            link_preview_options=link_preview_options, quote=None,
        )  # fmt: skip

    async def _anew(
        self,
        body: str,
        parse_mode: str | None,
        reply_markup: InlineKeyboardMarkup | None,
        link_preview_options: LinkPreviewOptions | None,
    ) -> None:
        """What this message would have shown, sent as a new one (this one went)."""
        assert self.answer is not None
        extra, self._rest = self._rest, None
        if extra is not None:
            with contextlib.suppress(TelegramError):
                await extra.delete()
        self._moved = await self.answer.text(
            body, parse_mode=parse_mode, reply_markup=reply_markup,
            link_preview_options=link_preview_options, quote=None,
        )  # fmt: skip

    async def delete(self) -> None:
        if self._moved is not None:
            await self._moved.delete()
            return
        extra, self._rest = self._rest, None
        if extra is not None:
            with contextlib.suppress(TelegramError):
                await extra.delete()
        if self.gone:
            return  # its id may name another message now: never deleted by it
        self._gone()
        await delete(self.bot, self.sent)

    def _gone(self) -> None:
        self.gone = True
        key = _screen_key(self.bot, self.sent)
        if _ON_SCREEN.get(key) is self:
            del _ON_SCREEN[key]


# The bot's ephemeral messages on screen, by server, chat, member and ephemeral id: Telegram
# gives a deleted or expired message's id to a newer one, and the holder of the older message
# must then never edit or delete it again (`EphemeralShown.gone`). Known within this process.
_ON_SCREEN: weakref.WeakValueDictionary[tuple[str, int, int, int], EphemeralShown] = (
    weakref.WeakValueDictionary()
)


def _screen_key(bot: Bot, sent: Sent) -> tuple[str, int, int, int]:
    return (bot.base_url, sent.chat_id, sent.receiver, sent.ephemeral_message_id)


def _on_screen(shown: EphemeralShown) -> None:
    """`shown` holds its id from now on; whoever held it before holds a message that went."""
    key = _screen_key(shown.bot, shown.sent)
    earlier = _ON_SCREEN.get(key)
    if earlier is not None and earlier is not shown:
        earlier.gone = True
        logger.debug("an ephemeral id came back for a new message: the older one went")
    _ON_SCREEN[key] = shown


def _cut_for_edit(body: str, parse_mode: str | None) -> tuple[str, str | None]:
    """`body` as far as one ephemeral edit takes it (`EDIT_LIMIT`), and what must
    continue in another message, if anything. Marked-up text is cut between lines only, so
    that no tag is cut in two."""

    def visible(text: str) -> int:
        if parse_mode is not None and parse_mode.upper() == "HTML":
            text = html.unescape(_HTML_TAG.sub("", text))
        return utf16_units(text)

    if visible(body) <= EDIT_LIMIT:
        return body, None
    whole = body.strip()
    if parse_mode is None:
        pieces = split_message(whole, EDIT_LIMIT, measure=utf16_units)
    else:
        pieces = split_lines(whole, EDIT_LIMIT, measure=visible)
    head = pieces[0]
    rest = whole[len(head) :].strip() if whole.startswith(head) else "\n".join(pieces[1:])
    return head, rest or None
