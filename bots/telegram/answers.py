"""Who sees an answer in a Telegram group: everyone, or only the member it is for.

An answer that is one person's business (their /find, their /usage, a refusal, what a button
they pressed shows them) is private; the rest (transcripts the chat asked for, summaries,
digests, /say) is for the chat. A handler says which (`answer_to(update, private=...)`) and
renders through what it gets back, which decides where the answer goes:

- in a private chat, or when it is for the chat: a reply there, as always;
- to a member's ephemeral command (the menu declares it `is_ephemeral`: the group never saw
  it): an ephemeral message replying to it, which the member alone sees (`bots.telegram.
  ephemeral`); a button's answer, the same through the button's callback query;
- to an ordinary command in a group: ephemeral when the bot administers the group (it may then
  send one at any time), else a reply in the group, as the question was asked there;
- on a Bot API server older than 10.2 (no ephemeral messages), to the member's private chat with
  the bot, under a line naming the group, when they have started one; else in the group.

Each destination offers the same few ways to answer (`Answer`): a text, a long text, a list
broken between lines, a file; a text comes back as something that can be edited or deleted
(`Shown`), which a transcript streamed as it comes needs.

An ephemeral message is kept to what the real server takes (PLATFORMS.md): an edit carries at
most 1,024 characters, so a longer text continues in a message of its own (`EphemeralShown`);
past the 15 seconds of the member's command or button press, a bot that administers nothing
answers in their private chat straight away rather than have Telegram refuse it
(BOT_NOT_ADMIN); a message whose ephemeral id came back for a newer one (it was deleted or
expired meanwhile) is never edited again: what it would have shown comes anew.
"""

from __future__ import annotations

import contextlib
import html
import io
import logging
import re
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Protocol

from telegram import (
    Bot,
    ChatMember,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bots.telegram import ephemeral
from bots.telegram.messages import text as catalogue_text
from core.domain.text import split_lines, split_message, utf16_units

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096  # UTF-16 code units (`replies.MESSAGE_LIMIT`)
MAX_MESSAGES_BEFORE_FILE = 3
# How long the bot's own rights in a group are taken as read: Telegram tells of each change
# (`my_chat_member`, `rights_told`), but to one replica only; another's knowledge lags this long.
ADMIN_SECONDS = 600.0
# By the server's address and the chat: (when asked, whether the bot administers it).
_RIGHTS: dict[tuple[str, int], tuple[float, bool]] = {}
_MOST_CHATS_KEPT = 4096
_HTML_TAG = re.compile(r"<[^>]*>")
# How much of Telegram's 15 seconds to answer an ephemeral command the bot leaves unused: the
# command reached it a moment after the member sent it, and the answer takes a moment to arrive.
WINDOW_MARGIN_SECONDS = 3.0


class Shown(Protocol):
    """An answer on screen, to change as work goes on or to take back."""

    @property
    def id(self) -> str: ...

    async def edit(
        self,
        body: str,
        *,
        parse_mode: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        link_preview_options: LinkPreviewOptions | None = None,
    ) -> None: ...

    async def delete(self) -> None: ...


class Answer(ABC):
    """Where an answer goes (see the module)."""

    here = False  # a reply in the chat the question came from, for everyone there
    private = False  # only the person it is for sees it

    @abstractmethod
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
        """Send `body`; `reply_to`: the message of the chat it answers, if not the question;
        `quote`: in the chat asked in, whether it replies to the question (None: as
        python-telegram-bot does by default, in groups only)."""

    @abstractmethod
    async def document(self, data: bytes, *, filename: str, caption: str | None) -> Shown:
        """Send a file."""

    @abstractmethod
    async def voice(self, data: bytes, *, duration: float, caption: str | None = None) -> Shown:
        """Send a voice note."""

    async def lines(self, body: str) -> None:
        """A list or an overview in as many messages as Telegram's limit takes, each broken
        between lines, so no item is cut in two."""
        for piece in split_lines(body, MESSAGE_LIMIT, measure=utf16_units):
            await self.text(piece, quote=None)

    async def long(self, body: str, *, file_caption: str, file_name: str) -> None:
        """`body` in one message, a few clean pieces, or a .txt file when very long."""
        pieces = split_message(body, MESSAGE_LIMIT, measure=utf16_units)
        if len(pieces) > MAX_MESSAGES_BEFORE_FILE:
            await self.document(body.encode("utf-8"), filename=file_name, caption=file_caption)
            return
        for piece in pieces:
            await self.text(piece)


class InChat(Answer):
    """A reply to `message`, for everyone in its chat."""

    here = True

    def __init__(self, message: Message) -> None:
        self.message = message
        self.private = message.chat.type == ChatType.PRIVATE

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
        where = None if reply_to is None else ReplyParameters(reply_to)
        sent = await self.message.reply_text(
            body, parse_mode=parse_mode, reply_markup=reply_markup, do_quote=quote,
            link_preview_options=link_preview_options, reply_parameters=where,
        )  # fmt: skip
        return MessageShown(sent)

    async def document(self, data: bytes, *, filename: str, caption: str | None) -> Shown:
        sent = await self.message.reply_document(
            document=io.BytesIO(data), filename=filename, caption=caption, do_quote=True
        )
        return MessageShown(sent)

    async def voice(self, data: bytes, *, duration: float, caption: str | None = None) -> Shown:
        sent = await self.message.reply_voice(
            voice=data, duration=round(duration), filename="voice.ogg", caption=caption,
            do_quote=True,
        )  # fmt: skip
        return MessageShown(sent)


class MessageShown:
    """An ordinary message on screen."""

    def __init__(self, message: Message) -> None:
        self.message = message

    @property
    def id(self) -> str:
        return str(self.message.message_id)

    async def edit(
        self,
        body: str,
        *,
        parse_mode: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        link_preview_options: LinkPreviewOptions | None = None,
    ) -> None:
        await self.message.edit_text(
            body, parse_mode=parse_mode, reply_markup=reply_markup,
            link_preview_options=link_preview_options,
        )  # fmt: skip

    async def delete(self) -> None:
        await self.message.delete()


class Ephemeral(Answer):
    """An ephemeral message of the group for the one member `to` names."""

    private = True
    server_is_older = False  # the server posted one of its messages for everyone (`older`)

    def __init__(
        self,
        bot: Bot,
        to: ephemeral.For,
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
        if elapsed < ephemeral.WINDOW_SECONDS - WINDOW_MARGIN_SECONDS:
            return False
        return not await administers(self.bot, self.to.chat_id)

    def _posted_for_everyone(self, error: ephemeral.PostedForEveryone) -> Answer:
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
            to = ephemeral.For(to.chat_id, to.receiver, to.reply_to_ephemeral,
                               to.callback_query_id, reply_to)  # fmt: skip
        return await self._send(
            lambda: ephemeral.send_text(
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
            lambda: ephemeral.send_document(
                self.bot, self.to, data, filename=filename, caption=caption
            ),
            lambda other: other.document(data, filename=filename, caption=caption),
        )

    async def voice(self, data: bytes, *, duration: float, caption: str | None = None) -> Shown:
        return await self._send(
            lambda: ephemeral.send_voice(
                self.bot, self.to, data, duration=round(duration), caption=caption
            ),
            lambda other: other.voice(data, duration=duration, caption=caption),
        )

    async def _send(
        self,
        ephemerally: Callable[[], Awaitable[ephemeral.Sent]],
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
        except ephemeral.PostedForEveryone as exc:
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
    real server takes (`ephemeral.EDIT_LIMIT`) keeps what fits here and continues in a message
    of its own, sent through `answer` and edited with it from then on; one with buttons (a
    page) is sent whole through `answer` instead, this one deleted, so that the buttons stay
    under all of it. A message no longer on screen (its id given to a newer one, or "message
    to edit not found") is never edited again: the text comes anew through `answer`. Without
    an `answer`, an edit is sent as it is."""

    def __init__(self, bot: Bot, sent: ephemeral.Sent, answer: Answer | None = None) -> None:
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
                await ephemeral.delete(self.bot, self.sent)
            return
        if rest is None or head != self._head:
            try:
                await ephemeral.edit_text(
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
        await ephemeral.delete(self.bot, self.sent)

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


def _screen_key(bot: Bot, sent: ephemeral.Sent) -> tuple[str, int, int, int]:
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
    """`body` as far as one ephemeral edit takes it (`ephemeral.EDIT_LIMIT`), and what must
    continue in another message, if anything. Marked-up text is cut between lines only, so
    that no tag is cut in two."""

    def visible(text: str) -> int:
        if parse_mode is not None and parse_mode.upper() == "HTML":
            text = html.unescape(_HTML_TAG.sub("", text))
        return utf16_units(text)

    if visible(body) <= ephemeral.EDIT_LIMIT:
        return body, None
    whole = body.strip()
    if parse_mode is None:
        pieces = split_message(whole, ephemeral.EDIT_LIMIT, measure=utf16_units)
    else:
        pieces = split_lines(whole, ephemeral.EDIT_LIMIT, measure=visible)
    head = pieces[0]
    rest = whole[len(head) :].strip() if whole.startswith(head) else "\n".join(pieces[1:])
    return head, rest or None


class HeadedShown(MessageShown):
    """A message of the private chat whose first line names the group: kept as it is edited."""

    def __init__(self, message: Message, heading: str | None) -> None:
        super().__init__(message)
        self.heading = heading

    async def edit(
        self,
        body: str,
        *,
        parse_mode: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        link_preview_options: LinkPreviewOptions | None = None,
    ) -> None:
        if self.heading is not None:
            heading = self.heading if parse_mode is None else _escaped(self.heading, parse_mode)
            body = f"{heading}\n\n{body}"
        await super().edit(
            body, parse_mode=parse_mode, link_preview_options=link_preview_options
        )  # its buttons would act on the group, which this chat is not


class InPrivateChat(Answer):
    """The member's private chat with the bot, under a line naming the group the question
    came from; in the group (`fallback`) when they never started that chat or blocked the bot."""

    private = True

    def __init__(self, bot: Bot, user_id: int, heading: str, fallback: InChat | None) -> None:
        self.bot = bot
        self.user_id = user_id
        self.heading = heading
        self.fallback: InChat | None = fallback
        self.reached: bool | None = None  # whether their private chat takes the answers

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
        if self.reached is None and utf16_units(f"{self.heading}\n\n{body}") > MESSAGE_LIMIT:
            # Too long to carry the heading too: the heading alone first (the two together
            # would be refused as too long, and that is no reason to answer in the group).
            await self._heading_alone()
        if self.reached is not False:
            heading = self.heading if parse_mode is None else _escaped(self.heading, parse_mode)
            try:  # without the buttons: they act on the group, which this chat is not
                sent = await self.bot.send_message(
                    self.user_id, f"{heading}\n\n{body}" if self.reached is None else body,
                    parse_mode=parse_mode, link_preview_options=link_preview_options,
                )  # fmt: skip
                headed = self.reached is None
                self.reached = True
                return HeadedShown(sent, self.heading if headed else None)
            except (Forbidden, BadRequest) as exc:
                if self.reached or self.fallback is None or not _no_private_chat(exc):
                    raise  # refused for what it says, not for where: the group would take it
                logger.info("answered in the group: no private chat to answer in (%s)", exc)
                self.reached = False
        assert self.fallback is not None
        return await self.fallback.text(
            body, parse_mode=parse_mode, reply_markup=reply_markup,
            link_preview_options=link_preview_options, reply_to=reply_to, quote=quote,
        )  # fmt: skip

    async def _heading_alone(self) -> None:
        """The line naming the group as a message of its own, opening the private chat's
        answer; `reached` says whether that chat takes it."""
        try:
            await self.bot.send_message(self.user_id, self.heading)
            self.reached = True
        except (Forbidden, BadRequest) as exc:
            if self.fallback is None or not _no_private_chat(exc):
                raise
            logger.info("answered in the group: no private chat to answer in (%s)", exc)
            self.reached = False

    async def document(self, data: bytes, *, filename: str, caption: str | None) -> Shown:
        if self.reached is None:
            await self._heading_alone()
        if self.reached:
            sent = await self.bot.send_document(
                self.user_id, io.BytesIO(data), filename=filename, caption=caption
            )
            return MessageShown(sent)
        assert self.fallback is not None
        return await self.fallback.document(data, filename=filename, caption=caption)

    async def voice(self, data: bytes, *, duration: float, caption: str | None = None) -> Shown:
        if self.reached is None:
            await self._heading_alone()
        if self.reached:
            sent = await self.bot.send_voice(
                self.user_id, data, duration=round(duration), filename="voice.ogg",
                caption=caption,
            )  # fmt: skip
            return MessageShown(sent)
        assert self.fallback is not None
        return await self.fallback.voice(data, duration=duration, caption=caption)


async def answer_to(update: Update, *, locale: str, private: bool = True) -> Answer:
    """Where the answer to `update` goes (see the module); `private`: it is one person's
    business; `locale`: the language of the line naming the group, in a private chat."""
    message = update.effective_message
    chat, user, query = update.effective_chat, update.effective_user, update.callback_query
    if message is None or chat is None:
        raise TelegramError("an answer needs a message to answer")
    here = InChat(message)
    bot = message.get_bot()
    asked = None if query is not None else ephemeral.incoming_id(message)
    if asked is not None and user is not None:  # asked privately: answered only so
        heading = catalogue_text("answers.from_group", locale, group=chat.title or "")
        late = InPrivateChat(bot, user.id, heading, None)
        to = ephemeral.For(chat.id, user.id, reply_to_ephemeral=asked)
        return Ephemeral(bot, to, late, older=late)
    if not private or chat.type == ChatType.PRIVATE or user is None or user.is_bot:
        return here
    if query is None and message.sender_chat is not None:
        return here  # an anonymous administrator, or a channel: nobody to answer alone
    if not await ephemeral.supported(bot):
        if query is not None:
            return here  # what a button shows belongs beside the button
        heading = catalogue_text("answers.from_group", locale, group=chat.title or "")
        return InPrivateChat(bot, user.id, heading, here)
    if query is not None:
        to = ephemeral.For(chat.id, user.id, callback_query_id=query.id)
        return Ephemeral(bot, to, older=here)
    if await administers(bot, chat.id):  # asked openly: openly again, should that fail
        to = ephemeral.For(chat.id, user.id, reply_to=message.message_id)
        heading = catalogue_text("answers.from_group", locale, group=chat.title or "")
        return Ephemeral(bot, to, here, older=InPrivateChat(bot, user.id, heading, here))
    return here


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


def _no_private_chat(error: TelegramError) -> bool:
    """Whether `error` says the member has no private chat with the bot to answer in (never
    started, or the bot blocked), rather than refusing the message itself."""
    return isinstance(error, Forbidden) or "chat not found" in error.message.lower()


def _escaped(heading: str, parse_mode: str) -> str:
    return html.escape(heading, quote=False) if parse_mode.upper() == "HTML" else heading
