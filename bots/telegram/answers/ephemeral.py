"""Telegram's ephemeral messages (Bot API 10.2 and 10.3), and an answer for one member of a group
sent as one (`Ephemeral`), with where it goes when it cannot be (the fallback, below).

python-telegram-bot 22.8 does not know them yet (it stops at Bot API 10.0): this is the one place
that speaks them, passing the fields the
library lacks through its send methods' `api_kwargs`, and calling the methods it lacks with
`Bot.do_api_request`. The day python-telegram-bot has them, each function here becomes a call of
its own method and parameter.

What the Bot API says (core.telegram.org/bots/api#ephemeral-messages-and-commands, and the
changelog of 14 July and 24 August 2026):

- A command the menu declares `is_ephemeral` (`BotCommand`) is sent by the member's app so that
  only the bot sees it: a Message with `message_id` 0, an `ephemeral_message_id`, and the bot as
  its `receiver_user` (`incoming_id`).
- A send method given `ephemeral_message_parameters` (an EphemeralMessageParameters:
  `receiver_user_id`, optional `callback_query_id` and `replace_callback_query_message`) sends a
  message of the group that this member alone sees. Any bot may do so within 15 seconds of the
  member's ephemeral command (replying to it: `reply_parameters.ephemeral_message_id`) or button
  press (its `callback_query_id`); a bot that administers the group may at any time. Delivery is
  not guaranteed, and the message may vanish after a while or when the app restarts.
- Such a message is edited and deleted only through editEphemeralMessageText,
  editEphemeralMessageReplyMarkup and deleteEphemeralMessage, named by chat, receiver and
  ephemeral id. Its `message_id` is 0.

10.2 took `receiver_user_id` and `callback_query_id` as parameters of the send methods; 10.3
replaced them with the one object. Both are sent: a 10.3 server reads the object and ignores the
old names, a 10.2 server the reverse, as the Bot API ignores any parameter it does not know. A
server older than 10.2 (a pinned local server) ignores both, and would post for everyone what was
meant for one member: `supported` asks the server first, once (a method it lacks is "method not
found"), and says in the log once when it is older. A server rolled back below 10.2 after it was
asked posts the next one for everyone: the message comes back with a `message_id` of its own,
is deleted at once (`PostedForEveryone`), and the server is asked again.

What the real server does beside the documentation (PLATFORMS.md): editEphemeralMessageText
takes at most 1,024 characters (`EDIT_LIMIT`), not 4,096 (tdlib/telegram-bot-api #881); a bot
that is no administrator sending outside the 15 seconds (`WINDOW_SECONDS`) is refused with
BOT_NOT_ADMIN; an ephemeral message's `message_id` is 0 (`Sent` names it by its ephemeral id
alone), and that id may be handed to another message once this one is deleted or expired; a
media group cannot be ephemeral (no function here sends one); delivery is not guaranteed.

The fallback: an answer meant for one member (`bots.telegram.answers.who_sees.answer_to` decides
which are) goes where they alone see it, never to the group they did not ask in:

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

import asyncio
import contextlib
import html
import logging
import re
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    ChatMember,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ContextTypes, filters

from bots.telegram.answers.destinations import Answer, InChat, InPrivateChat, Shown
from core.domain.text import split_lines, split_message, utf16_units

logger = logging.getLogger(__name__)

# What a server answers when it has the method: anything but "method not found" (404).
_PROBE = "deleteEphemeralMessage"
# By the server's address (`Bot.base_url`): whether a server has ephemeral messages, and when
# that was asked. A server that has them is asked again only once it posts one for everyone
# (`PostedForEveryone`); an older one every `OLDER_RECHECK_SECONDS`, as it may be upgraded.
_SUPPORT: dict[str, tuple[bool, float]] = {}
_PROBING: dict[str, asyncio.Lock] = {}
_TOLD_OLDER: set[str] = set()  # the servers the log said were older (said once, not per ask)
OLDER_RECHECK_SECONDS = 600.0
# The most editEphemeralMessageText takes, in UTF-16 code units once the markup is parsed out: a
# caption's, though the documentation gives a message's 4,096 (tdlib/telegram-bot-api #881).
EDIT_LIMIT = 1024
# How long after a member's ephemeral command or button press any bot may answer them
# ephemerally; later, only a bot that administers the group (else BOT_NOT_ADMIN).
WINDOW_SECONDS = 15.0
# How much of Telegram's 15 seconds to answer an ephemeral command the bot leaves unused: the
# command reached it a moment after the member sent it, and the answer takes a moment to arrive.
WINDOW_MARGIN_SECONDS = 3.0
# How long the bot's own rights in a group are taken as read: Telegram tells of each change
# (`my_chat_member`, `rights_told`), but to one replica only; another's knowledge lags this long.
ADMIN_SECONDS = 600.0
# By the server's address and the chat: (when asked, whether the bot administers it).
_RIGHTS: dict[tuple[str, int], tuple[float, bool]] = {}
_MOST_CHATS_KEPT = 4096
_HTML_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class For:
    """Whom an ephemeral message is for, and what entitles the bot to send it: the member's
    ephemeral message it replies to, or the callback query of their button press, or neither
    (a bot that administers the group); `reply_to`: a message of the group it replies to."""

    chat_id: int
    receiver: int
    reply_to_ephemeral: int | None = None
    callback_query_id: str | None = None
    reply_to: int | None = None


@dataclass(frozen=True)
class Sent:
    """An ephemeral message the bot sent: what names it to edit or delete it."""

    chat_id: int
    receiver: int
    ephemeral_message_id: int


def incoming_id(message: Message | None) -> int | None:
    """The `ephemeral_message_id` of a member's ephemeral message (a command the menu declares
    ephemeral), None for an ordinary one."""
    if message is None:
        return None
    found = message.api_kwargs.get("ephemeral_message_id")
    return found if isinstance(found, int) and not isinstance(found, bool) else None


class EphemeralMessages(filters.MessageFilter):
    """python-telegram-bot's filter of members' ephemeral messages (`incoming_id`)."""

    def filter(self, message: Message) -> bool:
        return incoming_id(message) is not None


def command(name: str, description: str, *, private: bool) -> BotCommand:
    """A command of the menu; `private`: the member's app sends it ephemerally (`is_ephemeral`,
    Bot API 10.2), so the group sees neither it nor its answer."""
    extra = {"is_ephemeral": True} if private else None
    return BotCommand(name, description, api_kwargs=extra)


async def supported(bot: Bot) -> bool:
    """Whether the Bot API server has ephemeral messages (10.2 or later): asked once per server
    (an older one again every `OLDER_RECHECK_SECONDS`, as it may have been upgraded), with a
    deletion of nothing, which a server that has the method refuses as a bad request and an
    older one as a method it does not know. An older server is said in the log, once."""
    server = bot.base_url
    known = _known(server)
    if known is not None:
        return known
    lock = _PROBING.setdefault(server, asyncio.Lock())
    async with lock:
        known = _known(server)
        if known is not None:
            return known
        try:
            await bot.do_api_request(
                _PROBE, api_kwargs={"chat_id": 0, "receiver_user_id": 0, "ephemeral_message_id": 0}
            )
            known = True
        except (EndPointNotFound, InvalidToken):  # 404: "method not found" (InvalidToken to a
            known = False  # python-telegram-bot Bot not initialized yet)
            if server not in _TOLD_OLDER:
                _TOLD_OLDER.add(server)
                logger.warning(
                    "The Telegram Bot API server does not know ephemeral messages (it is older "
                    "than Bot API 10.2): answers meant for one member of a group go to their "
                    "private chat with the bot when they have started one, else to the group"
                )
        except BadRequest:  # the method is there (a NetworkError to the library: caught first)
            known = True
        except (NetworkError, RetryAfter):  # not answered: taken as older this once (nothing
            return False  # posted for everyone that was meant for one), asked again next time
        except TelegramError:  # refused otherwise (forbidden, say): the method is there
            known = True
        if known:
            _TOLD_OLDER.discard(server)
        _SUPPORT[server] = (known, time.monotonic())
    return known


def _known(server: str) -> bool | None:
    """What `server` was last found to have, unless it is time to ask again."""
    found = _SUPPORT.get(server)
    if found is None:
        return None
    known, when = found
    if not known and time.monotonic() - when >= OLDER_RECHECK_SECONDS:
        return None
    return known


def _ephemeral_kwargs(to: For) -> dict[str, Any]:
    """The fields python-telegram-bot does not know, passed through as they are."""
    parameters: dict[str, Any] = {"receiver_user_id": to.receiver}
    if to.callback_query_id is not None:
        parameters["callback_query_id"] = to.callback_query_id
    kwargs: dict[str, Any] = {
        "ephemeral_message_parameters": parameters,  # Bot API 10.3
        **parameters,  # Bot API 10.2's names of the same: ignored by 10.3
    }
    if to.reply_to_ephemeral is not None:
        kwargs["reply_parameters"] = {"ephemeral_message_id": to.reply_to_ephemeral}
    elif to.reply_to is not None:
        # Never `allow_sending_without_reply`: "always False" for a sent ephemeral message.
        kwargs["reply_parameters"] = {"message_id": to.reply_to}
    return kwargs


class PostedForEveryone(TelegramError):
    """The server posted for everyone a message sent for one member: it ignored the ephemeral
    parameters, as a server older than 10.2 does (one rolled back since it was asked). The copy
    is taken back, and the server asked again before the next ephemeral message."""


async def _sent(bot: Bot, to: For, message: Message) -> Sent:
    number = incoming_id(message)
    if number is not None:
        return Sent(to.chat_id, to.receiver, number)
    if message.message_id == 0:
        raise TelegramError("an ephemeral message came back without its ephemeral_message_id")
    _SUPPORT.pop(bot.base_url, None)  # asked again: it answers "method not found" now
    try:
        await bot.delete_message(message.chat_id, message.message_id)
    except TelegramError as exc:
        logger.error("a message meant for one member was posted for everyone: %s", exc.message)
    else:
        logger.warning("a message meant for one member was posted for everyone and taken back")
    raise PostedForEveryone("the Bot API server ignored ephemeral_message_parameters")


async def send_text(
    bot: Bot,
    to: For,
    text: str,
    *,
    parse_mode: str | None = None,
    reply_markup: InlineKeyboardMarkup | None = None,
    link_preview_options: LinkPreviewOptions | None = None,
) -> Sent:
    """sendMessage with `ephemeral_message_parameters`."""
    sent = await bot.send_message(
        to.chat_id, text, parse_mode=parse_mode, reply_markup=reply_markup,
        link_preview_options=link_preview_options, api_kwargs=_ephemeral_kwargs(to),
    )  # fmt: skip
    return await _sent(bot, to, sent)


async def send_document(
    bot: Bot, to: For, data: bytes, *, filename: str, caption: str | None = None
) -> Sent:
    """sendDocument with `ephemeral_message_parameters`."""
    sent = await bot.send_document(
        to.chat_id, data, filename=filename, caption=caption, api_kwargs=_ephemeral_kwargs(to)
    )
    return await _sent(bot, to, sent)


async def send_voice(
    bot: Bot, to: For, data: bytes, *, duration: int, caption: str | None = None
) -> Sent:
    """sendVoice with `ephemeral_message_parameters`."""
    sent = await bot.send_voice(
        to.chat_id, data, duration=duration, caption=caption, filename="voice.ogg",
        api_kwargs=_ephemeral_kwargs(to),
    )  # fmt: skip
    return await _sent(bot, to, sent)


async def edit_text(
    bot: Bot,
    sent: Sent,
    text: str,
    *,
    parse_mode: str | None = None,
    reply_markup: InlineKeyboardMarkup | None = None,
    link_preview_options: LinkPreviewOptions | None = None,
) -> None:
    """editEphemeralMessageText."""
    kwargs = _named(sent) | _present(
        text=text, parse_mode=parse_mode, reply_markup=reply_markup,
        link_preview_options=link_preview_options,
    )  # fmt: skip
    await bot.do_api_request("editEphemeralMessageText", api_kwargs=kwargs)


async def delete(bot: Bot, sent: Sent) -> None:
    """deleteEphemeralMessage."""
    await bot.do_api_request("deleteEphemeralMessage", api_kwargs=_named(sent))


def _named(sent: Sent) -> dict[str, Any]:
    return {
        "chat_id": sent.chat_id,
        "receiver_user_id": sent.receiver,
        "ephemeral_message_id": sent.ephemeral_message_id,
    }


def _present(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def to_command(bot: Bot, chat_id: int, user_id: int, asked: int, *, heading: str) -> Answer:
    """The answer to a member's ephemeral command `asked`: ephemeral, replying to it. Too late
    for that, or on a server older than 10.2 after all, in their private chat under `heading`
    (the line naming the group), never in the group: they asked privately."""
    late = InPrivateChat(bot, user_id, heading, None)
    to = For(chat_id, user_id, reply_to_ephemeral=asked)
    return Ephemeral(bot, to, late, older=late)


def to_button(bot: Bot, chat_id: int, user_id: int, query_id: str, *, here: InChat) -> Answer:
    """What a member's button press shows them: ephemeral, through its callback query; on a
    server older than 10.2 after all, beside the button (`here`)."""
    to = For(chat_id, user_id, callback_query_id=query_id)
    return Ephemeral(bot, to, older=here)


def to_typed_command(
    bot: Bot, chat_id: int, user_id: int, message_id: int, *, heading: str, here: InChat
) -> Answer:
    """The answer to a command a member typed openly in a group the bot administers: ephemeral,
    replying to it. Refused, openly again (`here`), as it was asked openly; on a server older
    than 10.2 after all, in their private chat under `heading`, else the group."""
    to = For(chat_id, user_id, reply_to=message_id)
    return Ephemeral(bot, to, here, older=InPrivateChat(bot, user_id, heading, here))


class Ephemeral(Answer):
    """An ephemeral message of the group for the one member `to` names."""

    private = True
    server_is_older = False  # the server posted one of its messages for everyone (`older`)

    def __init__(
        self,
        bot: Bot,
        to: For,
        fallback: Answer | None = None,
        *,
        older: Answer | None = None,
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

    def _posted_for_everyone(self, error: PostedForEveryone) -> Answer:
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
        elsewhere: Callable[[Answer], Awaitable[Shown]],
        *,
        privately: Callable[[Answer], Awaitable[Shown]] | None = None,
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

    def __init__(self, bot: Bot, sent: Sent, answer: Answer | None = None) -> None:
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


async def administers(bot: Bot, chat_id: int) -> bool:
    """Whether the bot is an administrator of the group (which lets it send a member an
    ephemeral message at any time), as Telegram said within the last ten minutes: asked, or
    told as it changed (`rights_told`)."""
    key, now = (bot.base_url, chat_id), time.monotonic()
    seen = _RIGHTS.get(key)
    if seen is not None and now - seen[0] < ADMIN_SECONDS:
        return seen[1]
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
        admin = member.status in {ChatMember.ADMINISTRATOR, ChatMember.OWNER}
    except TelegramError as exc:
        logger.debug("the bot's rights in %s not known: %s", chat_id, exc)
        admin = False
    _know(key, admin)
    return admin


async def rights_told(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Telegram tells the bot of every change of its own status in a chat (a `my_chat_member`
    update): made an administrator or no longer one, it answers accordingly from the next
    command on, without asking `getChatMember` again."""
    changed = update.my_chat_member
    if changed is None:
        return
    admin = changed.new_chat_member.status in {ChatMember.ADMINISTRATOR, ChatMember.OWNER}
    _know((context.bot.base_url, changed.chat.id), admin)
    logger.debug("the bot's rights in %s changed: administrator %s", changed.chat.id, admin)


def _know(key: tuple[str, int], admin: bool) -> None:
    if len(_RIGHTS) >= _MOST_CHATS_KEPT and key not in _RIGHTS:
        _RIGHTS.clear()  # minutes' knowledge: cheap to ask again
    _RIGHTS[key] = (time.monotonic(), admin)
