"""Where a Telegram answer can go, and what each destination offers (`Destination`): a text, a long
text, a list broken between lines, a file, a voice note; a text comes back as something that
can be edited or deleted (`Shown`), which a transcript streamed as it comes needs.

    InChat          a reply to the question, for everyone in its chat
    InPrivateChat   the member's private chat with the bot, under a line naming the group
    Ephemeral       a group's message for one member alone
                    (`bots.telegram.answers.ephemeral_delivery`)

Which one an answer takes is `bots.telegram.answers.group_visibility.answer_to`'s decision.
"""

from __future__ import annotations

import html
import io
import logging
from abc import ABC, abstractmethod
from typing import Protocol

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest, Forbidden, TelegramError

from core.domain.message_splitting import (
    MAX_MESSAGES_BEFORE_FILE,
    split_lines,
    split_message,
    utf16_units,
)

logger = logging.getLogger(__name__)

__all__ = [
    "MESSAGE_LIMIT",
    "Destination",
    "InChat",
    "InPrivateChat",
    "MessageShown",
    "Shown",
]

# Every Telegram answer, wherever it goes (`telegram_replies.reply_long` too): a message holds at
# most MESSAGE_LIMIT, and a long text that would take more than MAX_MESSAGES_BEFORE_FILE messages
# comes as a .txt file instead (`core.domain.message_splitting`).
MESSAGE_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096, in UTF-16 code units (`utf16_units`)


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


class Destination(ABC):
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


class InChat(Destination):
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


class InPrivateChat(Destination):
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


def _no_private_chat(error: TelegramError) -> bool:
    """Whether `error` says the member has no private chat with the bot to answer in (never
    started, or the bot blocked), rather than refusing the message itself."""
    return isinstance(error, Forbidden) or "chat not found" in error.message.lower()


def _escaped(heading: str, parse_mode: str) -> str:
    return html.escape(heading, quote=False) if parse_mode.upper() == "HTML" else heading
