"""Telegram's voice memory: `/find WORDS`, its page buttons, and `/ask QUESTION` without a reply
(`core.app.memory.chat_search`); `/forget`, everything kept for the chat deleted
(`core.app.memory.forgetting`). Parse, call the core once, render.

A moment of a supergroup links to its message (`t.me/c/…`); elsewhere (a basic group, a private
chat) Telegram has no link to a message, so its button makes the bot reply to the voice note itself.
The page buttons read the words again from the `/find` they answer, so nothing of the search is
kept; a page only its asker sees (an ephemeral message: `bots.telegram.answers.ephemeral_delivery`)
may not say which message it answers, so its buttons carry the words themselves when they fit in a
button's 64 bytes. What a button shows is for whoever pressed it.
"""

from __future__ import annotations

import html

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode

from bots.telegram.answers import ephemeral_api, ephemeral_delivery
from bots.telegram.answers.group_visibility import answer_to
from bots.telegram.answers.telegram_asker import (
    RequestHandler,
    asker_of,
    can_manage,
    chat_of,
    command_argument,
    message_of,
    owner_of,
)
from bots.telegram.answers.telegram_replies import reply_long
from bots.telegram.telegram_wording import text
from bots.telegram.voices.inline_queries import discarding
from core.app.memory.chat_search import MemorySearch
from core.app.memory.forgetting import ForgetRequest, Forgetting
from core.app.rules.request_audience import Request
from core.chat.find_results_wording import Markup, found_text, link_to, moment_line
from core.domain.memory.search_rules import FoundPage, Moment
from core.domain.message_splitting import format_duration
from core.domain.shared_values import ChatRef

__all__ = ["CITED_SHOWN", "FIND_BUTTONS", "MemoryHandlers"]

FIND_BUTTONS = "find:"  # every button of /find starts so
PAGE = "find:p:"  # callback data of a page button: find:p:<page>
NOTE = "find:n:"  # of a moment's button where there is no link: find:n:<message>:<ms>
CALLBACK_DATA_BYTES = 64  # Telegram's limit on a button's callback data
# How many of the moments an `/ask` without a reply cites are listed under its answer as its
# sources (Discord's twin, `DISCORD_CITED_SHOWN` in bots/discord/recordings/ask_commands.py, shows
# five; how many moments the answer reads is
# `core.domain.memory.search_rules.MAX_QUESTION_MOMENTS`).
CITED_SHOWN = 10
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # a page of links would preview the first
HTML = Markup(
    escape=lambda words: html.escape(words, quote=False),
    bold=("<b>", "</b>"),
    anchor=lambda label, url: f'<a href="{html.escape(url)}">{html.escape(label)}</a>',
    channel=lambda channel: html.escape(channel),
)


class MemoryHandlers:
    """`/find`, its buttons, `/ask` (a reply to a recording goes to `on_recording`), and
    `/forget`."""

    def __init__(
        self, memory: MemorySearch, *, forgetting: Forgetting, on_recording: RequestHandler
    ) -> None:
        self.memory = memory
        self.forgetting = forgetting
        self.on_recording = on_recording

    async def find(self, update: Update, request: Request) -> None:
        """/find WORDS: the first page of the moments where they were said."""
        message = message_of(update)
        words = command_argument(message)
        page = await self.memory.find(
            chat_of(update), words, owner=owner_of(update), asker=asker_of(update)
        )
        answer = await answer_to(update, locale=request.locale)
        carried = words if answer.private and not answer.here else None
        body, buttons = self._page(message, page, request.locale, words=carried)
        await answer.text(
            body, parse_mode=ParseMode.HTML, reply_markup=buttons, link_preview_options=NO_PREVIEW
        )

    async def button(self, update: Update, request: Request) -> None:
        """A button under a page: another page, or a moment shown beside its voice note."""
        query = update.callback_query
        if query is None or query.data is None or not isinstance(query.message, Message):
            return
        shown, data = query.message, query.data
        await query.answer()
        if data.startswith(NOTE):
            message_id, _, millis = data.removeprefix(NOTE).partition(":")
            at = format_duration(int(millis) / 1000)
            answer = await answer_to(update, locale=request.locale)
            await answer.text(text("find.here", request.locale, at=at), reply_to=int(message_id))
            return
        number, _, carried = data.removeprefix(PAGE).partition(":")
        asked = shown.reply_to_message
        words = carried or (None if asked is None else command_argument(asked))
        if words is None or not data.startswith(PAGE):
            return
        page = await self.memory.find(
            chat_of(update), words, page=int(number or 0), owner=owner_of(update),
            asker=asker_of(update),
        )  # fmt: skip
        body, buttons = self._page(shown, page, request.locale, words=carried or None)
        kept = ephemeral_api.incoming_id(shown)  # a page only the one who pressed sees
        if kept is not None and query.from_user is not None:
            sent = ephemeral_api.Sent(shown.chat_id, query.from_user.id, kept)
            answer = await answer_to(update, locale=request.locale)  # sends a page too long
            shown_again = ephemeral_delivery.EphemeralShown(shown.get_bot(), sent, answer)
            await shown_again.edit(  # for an ephemeral edit
                body, parse_mode=ParseMode.HTML, reply_markup=buttons,
                link_preview_options=NO_PREVIEW,
            )  # fmt: skip
            return
        await shown.edit_text(
            body, parse_mode=ParseMode.HTML, reply_markup=buttons, link_preview_options=NO_PREVIEW
        )

    async def ask(self, update: Update, request: Request) -> None:
        """/ask QUESTION: about the recording replied to; without one, from what was said here."""
        message = message_of(update)
        question = command_argument(message)
        if message.reply_to_message is not None or not question:
            await self.on_recording(update, request)
            return
        recalled = await self.memory.ask(
            chat_of(update), question, asker=asker_of(update), owner=owner_of(update)
        )
        await reply_long(message, recalled.text, file_caption="", file_name="answer.txt")
        if recalled.cited:
            lines = [
                moment_line(
                    moment,
                    (),
                    request.locale,
                    number=number,
                    zone=recalled.zone,
                    markup=HTML,
                    link=link_of(message, moment),
                )
                for number, moment in recalled.cited[:CITED_SHOWN]
            ]
            body = "\n".join([text("memory.cited", request.locale), *lines])
            await message.reply_text(
                body, parse_mode=ParseMode.HTML, do_quote=True, link_preview_options=NO_PREVIEW
            )

    async def forget(self, update: Update, request: Request) -> None:
        """/forget: delete everything stored for this chat (administrators)."""
        message, locale = message_of(update), request.locale
        allowed, discard = await can_manage(update), discarding(message.get_bot())
        count = await self.forgetting.forget(
            ForgetRequest(
                chat_of(update), can_manage=allowed, owner=owner_of(update), discard=discard
            )
        )
        reply = text("forget.done", locale, count=count)
        if message.chat.type != ChatType.PRIVATE:
            reply += "\n\n" + text("forget.logging_continues", locale)
        await message.reply_text(reply)

    def _page(
        self, message: Message, page: FoundPage, locale: str, *, words: str | None = None
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """A page and its buttons; `words`: the search, carried by the page buttons when they
        fit (a page only its asker sees may not say which /find it answers)."""
        body = found_text(
            page, locale, markup=HTML, link=lambda moment: link_of(message, moment),
            days=self.memory.retention_days,
        )  # fmt: skip
        rows: list[list[InlineKeyboardButton]] = []
        notes = [
            InlineKeyboardButton(f"↩ {number}", callback_data=note_data(moment))
            for number, moment in enumerate(page.moments, page.first)
            if link_of(message, moment) is None
            and moment.said is not None
            and moment.chat == chat_of_message(message)  # not a Business chat's note
        ]
        rows += [notes[i : i + 5] for i in range(0, len(notes), 5)]
        page_buttons = []
        if page.page > 0:
            earlier = page_data(page.page - 1, words)
            page_buttons.append(
                InlineKeyboardButton(text("find.previous", locale), callback_data=earlier)
            )
        if page.more:
            later = page_data(page.page + 1, words)
            page_buttons.append(
                InlineKeyboardButton(text("find.next", locale), callback_data=later)
            )
        if page_buttons:
            rows.append(page_buttons)
        return body, InlineKeyboardMarkup(rows) if rows else None


def link_of(message: Message, moment: Moment) -> str | None:
    """A supergroup's link to the moment's message (`t.me/c/<chat>/<message>`); None elsewhere."""
    if message.chat.type != ChatType.SUPERGROUP:
        return None
    return link_to(ChatRef("telegram", str(message.chat_id)), moment)


def chat_of_message(message: Message) -> ChatRef:
    return ChatRef("telegram", str(message.chat_id))


def page_data(number: int, words: str | None) -> str:
    """A page button's callback data: find:p:<page>, and :<words> when they fit."""
    plain = f"{PAGE}{number}"
    carried = f"{plain}:{words}" if words else plain
    return carried if len(carried.encode("utf-8")) <= CALLBACK_DATA_BYTES else plain


def note_data(moment: Moment) -> str:
    message_id = moment.said.message_id if moment.said else "0"
    return f"{NOTE}{message_id}:{round(moment.start * 1000)}"
