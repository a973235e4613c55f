"""Telegram's ephemeral messages (Bot API 10.2 and 10.3): the methods, whether the server has
them, and whether the bot administers a group (it may then send one at any time). What an answer
for one member shows through them, and where it goes when it cannot be: `ephemeral_delivery`.

python-telegram-bot 22.8 does not know them yet (it stops at Bot API 10.0): this is the one place
that speaks them, passing the fields the library lacks through its send methods' `api_kwargs`,
and calling the methods it lacks with `Bot.do_api_request`. The day python-telegram-bot has
them, each function here becomes a call of its own method and parameter.

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
"""

from __future__ import annotations

import asyncio
import logging
import time
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

logger = logging.getLogger(__name__)

__all__ = [
    "EDIT_LIMIT",
    "WINDOW_SECONDS",
    "EphemeralMessages",
    "For",
    "PostedForEveryone",
    "Sent",
    "administers",
    "command",
    "delete",
    "edit_text",
    "incoming_id",
    "rights_told",
    "send_document",
    "send_text",
    "send_voice",
    "supported",
]

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
# How long the bot's own rights in a group are taken as read: Telegram tells of each change
# (`my_chat_member`, `rights_told`), but to one replica only; another's knowledge lags this long.
ADMIN_SECONDS = 600.0
# By the server's address and the chat: (when asked, whether the bot administers it).
_RIGHTS: dict[tuple[str, int], tuple[float, bool]] = {}
_MOST_CHATS_KEPT = 4096


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
