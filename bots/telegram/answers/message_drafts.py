"""Text still being produced, shown in a private chat as a draft (`sendMessageDraft`): it fills
in as the work goes, and gives way to the finished message, which is sent once. Telegram shows
drafts in private chats only, each for about 30 s after its last change, so work that pauses
longer sends the latest text again; a draft is no message, so it costs no edit.

    Draft       one answer's draft: show(text), renewed while nothing changes, close()
    WorkShown   while /ask or /tldr works: a draft in a private chat ("Thinking…", then the
                transcription's progress, and while its requests wait for the account's minute
                at MiMo, how many go first), "typing…" elsewhere
"""

from __future__ import annotations

import asyncio
import logging
from typing import Self

from telegram import Message
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError

from bots.telegram.answers.destinations import MESSAGE_LIMIT
from bots.telegram.answers.telegram_progress_pace import Pace
from bots.telegram.answers.telegram_replies import ChatActionIndicator, chat_action
from core.chat.status_messages import (
    StatusMessage,
    transcription_status,
    waiting_line,
    with_waiting,
)
from core.domain.message_splitting import utf16_units
from core.domain.recordings.transcript_values import Progress
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = ["WorkShown"]

THINKING = ""  # an empty draft: Telegram's own "Thinking…" placeholder, in the user's language


def shows_drafts(message: Message) -> bool:
    """Whether the answer to `message` can be a draft: in the bot's own private chat, not one
    it answers in for a Business account owner (drafts have no business connection)."""
    return message.chat.type == ChatType.PRIVATE and message.business_connection_id is None


class Draft:
    """The draft of one answer in a private chat. Its id is that of the message answered:
    stable for the answer (so Telegram animates the changes) and never zero. `close` before
    the finished message is sent: a draft still on its way is awaited, so none comes after."""

    def __init__(self, message: Message, pace: Pace) -> None:
        self._bot = message.get_bot()
        self._chat_id = message.chat_id
        self._draft_id = message.message_id
        self._renew_after = pace.draft_renew_seconds
        self._text: str | None = None
        self._sent_at = 0.0
        self._sending = asyncio.Lock()
        self._renewer: background_tasks.Beat | None = None
        self._closed = False

    async def show(self, text: str) -> None:
        """Show `text` as the draft; Telegram's refusal is raised to the caller."""
        async with self._sending:
            if self._closed:
                return
            await self._send(text)
            self._text = text
            if self._renewer is None:
                self._renewer = background_tasks.every(
                    self._until_renewal, self._renew, name="draft renewal"
                )

    async def close(self) -> None:
        """No more drafts; the finished message may follow."""
        self._closed = True
        async with self._sending:
            renewer, self._renewer = self._renewer, None
        if renewer is not None:
            # It pauses, or its round waits for the lock and then sends nothing: none after this.
            await renewer.stopped()

    def _until_renewal(self) -> float:
        return max(0.0, self._sent_at + self._renew_after - asyncio.get_running_loop().time())

    async def _renew(self) -> None:
        async with self._sending:
            if self._closed or self._text is None:
                return
            if self._until_renewal() > 0:
                return  # changed meanwhile
            try:
                await self._send(self._text)
            except TelegramError as exc:  # flood control: the next round may pass
                logger.debug("draft not renewed: %s", type(exc).__name__)
                self._sent_at = asyncio.get_running_loop().time()

    async def _send(self, text: str) -> None:
        # No text at all for "Thinking…": with `Defaults` set, python-telegram-bot 22.8 turns
        # an empty string into "[]" (it takes it for an empty list of poll options).
        await self._bot.send_message_draft(self._chat_id, self._draft_id, text or None)
        self._sent_at = asyncio.get_running_loop().time()


class WorkShown:
    """`async with WorkShown(message, pace, locale=...) as work:` while an answer is worked
    on. In a private chat a draft says "Thinking…" at once and then what `work.progress`
    reports; elsewhere the chat shows "typing…" (a group keeps no draft and gets no status for
    this: the answer comes as one reply)."""

    def __init__(self, message: Message, pace: Pace, *, locale: str = "en") -> None:
        self._locale = locale
        self._status: str | None = None  # the latest progress shown
        self._waiting: str | None = None  # ...and below it, while MiMo is waited for
        self._draft: Draft | None = None
        self._status_message: StatusMessage | None = None
        self._typing: ChatActionIndicator | None = None
        if shows_drafts(message):
            self._draft = Draft(message, pace)
            self._status_message = StatusMessage(self._draft.show, min_interval=pace.draft_seconds)
        else:
            self._typing = chat_action(message, ChatAction.TYPING, pace)

    async def __aenter__(self) -> Self:
        if self._status_message is not None:
            self._status_message.update(THINKING)
        if self._typing is not None:
            self._typing.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._status_message is not None:
            await self._status_message.close()
        if self._draft is not None:
            await self._draft.close()
        if self._typing is not None:
            await self._typing.stop()

    def progress(self, progress: Progress) -> None:
        """The transcription's `progress` callback: its status, in a private chat's draft."""
        if self._status_message is None:
            return
        status = transcription_status(
            progress,
            self._locale,
            piece_seconds=0.0,  # a draft costs nothing: a short recording's start shows too
            message_limit=MESSAGE_LIMIT,
            measure=utf16_units,
        )
        if status is not None:
            self._status = status
            self._show()

    def waiting(self, ahead: int | None) -> None:
        """The work's `core.domain.mimo.account_minute_rules.PlaceListener`: in a private chat's
        draft, how many MiMo requests go before its own while they wait for the account's minute."""
        if self._status_message is None:
            return
        self._waiting = waiting_line(ahead, self._locale)
        self._show()

    def _show(self) -> None:
        assert self._status_message is not None
        shown = with_waiting(
            self._status, self._waiting, message_limit=MESSAGE_LIMIT, measure=utf16_units
        )
        self._status_message.update(shown or THINKING)
