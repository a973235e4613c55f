"""A transcript's way into a Telegram chat: a reply to the recording's message that says
"Transcribing…" as the work starts, follows its progress and becomes the transcript, or gives way
to a .txt / .srt document (`core.chat.status_messages`). Its id is noted in the claim of the
message before anything else shows in it (`bots.telegram.recordings.transcript_status_notes`): a
process that redoes the work after a kill edits that reply, so the chat never reads a transcript
twice. A transcript for one member of a group (`/transcribe` asked privately:
`bots.telegram.answers.group_visibility`) goes through that member's answer: one ephemeral message,
sent with the first progress and edited as the work goes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from types import TracebackType
from typing import Self

from telegram import Message
from telegram.error import BadRequest, TelegramError

from bots.telegram.answers.destinations import (
    MESSAGE_LIMIT,
    Destination,
    MessageShown,
    Shown,
)
from bots.telegram.answers.message_drafts import WorkShown
from bots.telegram.answers.telegram_progress_pace import Pace
from bots.telegram.chat_log_entry import log_entry
from bots.telegram.recordings.telegram_tldr_command import send_gist
from bots.telegram.recordings.transcript_status_notes import StatusNote
from bots.telegram.telegram_wording import text
from core.chat.status_messages import TranscriptStatus, transcript_shown
from core.chat.transcript_files import TranscriptFile, TranscriptFormat
from core.domain.message_splitting import MAX_MESSAGES_BEFORE_FILE, utf16_units
from core.domain.mimo.account_minute_rules import PlaceListener
from core.domain.recordings.gist_format import Gist
from core.domain.recordings.transcript_values import LongTranscript, Progress
from core.domain.summaries.summary_values import ChatMessage
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = ["TelegramRecordingView"]


class TelegramTranscriptReply:
    """The answer to the recording's message (`core.app.voice_note_events.TranscriptReply`). In the
    chat, a status replies to it as the work starts ("Transcribing…"), noted in the claim of the
    message (`transcript_status_notes`), is edited as the work goes
    (`core.chat.status_messages.TranscriptStatus`), and becomes the transcript
    (`transcript_shown`): a process that takes over the work after a kill edits the same message,
    so the chat never reads the transcript twice. The status stands in for "typing…" and a
    private chat's draft, which an edit would leave showing. A transcript for one member
    (`answer`) shows its status with the first progress, as an ephemeral message of theirs."""

    def __init__(
        self,
        message: Message,
        *,
        locale: str,
        piece_seconds: float,
        pace: Pace,
        answer: Destination | None = None,
        note: StatusNote | None = None,
    ) -> None:
        self.locale = locale
        self._answer = answer  # None: a reply to `message`, as the chat sees it
        self._progress = TranscriptStatus(
            self._show,
            locale=locale,
            piece_seconds=piece_seconds,
            min_interval=pace.status_edit_seconds(message.chat.type),
            message_limit=MESSAGE_LIMIT,
            measure=utf16_units,
        )
        # The message that carries the transcript (its last one), once Telegram confirmed it.
        self.answer_id: str | None = None
        self._message = message
        self._status: Shown | None = None
        self._opening: asyncio.Task[None] | None = None  # the status being sent, and noted
        self._redone = False  # the status is one a process that died sent: shown as it is
        # The status a process that died sent in reply to `message`, for a redo to edit.
        # Where the status is noted for a redo (None: the update is not claimed).
        self._note = None if answer is not None else note
        self._earlier = None if self._note is None else self._note.earlier
        self.shown_before = self._earlier is not None  # then opened before the checks

    async def __aenter__(self) -> Self:
        if self._answer is None:
            self._open_status()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._progress.close()
        if error is not None:  # no stale status: the error's reply comes instead
            await self._remove()

    @property
    def progress(self) -> Callable[[Progress], None]:
        return self._progress.progress

    @property
    def waiting(self) -> PlaceListener:
        return self._progress.waiting

    async def deliver(
        self, result: LongTranscript, format: TranscriptFormat, *, below: str | None = None
    ) -> None:
        """The status becomes the transcript (a few messages at most); a longer one, or a file
        asked for, comes as a file instead (`core.chat.status_messages.transcript_shown`)."""
        await self._progress.close()
        shown = transcript_shown(
            result, format, self.locale, below=below, message_limit=MESSAGE_LIMIT,
            max_messages=MAX_MESSAGES_BEFORE_FILE, measure=utf16_units,
        )  # fmt: skip
        if shown.files:
            await self._remove()
            for file in shown.files:
                await self._send_file(file)
            return
        first, *more = shown.messages
        await self._finish(first)
        for body in more:
            await self._send_text(body)

    def _open_status(self) -> None:
        if self._earlier is not None:
            self._status = _earlier_status(self._message, self._earlier)
            self._redone = True
            return
        # Sent while the work starts (the download, MiMo), not before it.
        self._opening = background_tasks.start(self._open(), name="transcript status", awaited=True)

    async def _open(self) -> None:
        try:
            status = await self._send(text("transcript.working", self.locale))
        except TelegramError as exc:  # the transcript still comes, as a reply of its own
            logger.info("status message not sent (%s)", exc)
            return
        self._status = status
        if self._note is not None:
            await self._note.noted(int(status.id))

    async def _opened(self) -> None:
        """The status is sent and noted (or could not be): what follows may use it."""
        opening, self._opening = self._opening, None
        if opening is not None:
            await asyncio.shield(opening)

    async def _show(self, body: str) -> None:
        await self._opened()
        if self._redone:
            return  # it reads what it read, maybe the transcript already: the transcript comes
        if self._status is None:
            self._status = await self._send(body)
            if self._note is not None:  # the opening status was not sent: this one is noted
                await self._note.noted(int(self._status.id))
        else:
            await self._status.edit(body)

    async def _finish(self, body: str) -> None:
        await self._opened()
        if self._status is not None:
            try:
                await self._status.edit(body)
                self.answer_id = self._status.id
                return
            except BadRequest as exc:
                if "not modified" in exc.message.lower():
                    self.answer_id = self._status.id
                    if self._redone:
                        logger.info(
                            "the transcript in message %s of chat %s was answered before its "
                            "process died: that reply is kept", self.answer_id,
                            self._message.chat_id,
                        )  # fmt: skip
                    return
                logger.info("status message could not be edited (%s); replying", exc.message)
        await self._send_text(body)

    async def _remove(self) -> None:
        await self._opened()
        status, self._status = self._status, None
        if status is not None:
            with contextlib.suppress(TelegramError):  # already gone: fine
                await status.delete()

    async def _send_text(self, body: str) -> None:
        await self._opened()
        self.answer_id = (await self._send(body)).id

    async def _send_file(self, file: TranscriptFile) -> None:
        await self._opened()
        if self._answer is not None:
            sent: Shown = await self._answer.document(
                file.data, filename=file.name, caption=file.caption
            )
        else:
            sent = MessageShown(await self._message.reply_document(
                document=file.data, filename=file.name, caption=file.caption, do_quote=True
            ))  # fmt: skip
        self.answer_id = sent.id

    async def _send(self, body: str) -> Shown:
        if self._answer is not None:
            return await self._answer.text(body)
        return MessageShown(await self._message.reply_text(body, do_quote=True))


def _earlier_status(message: Message, message_id: int) -> MessageShown:
    """The status a process that died sent in reply to `message`, to edit (or delete)."""
    status = Message(
        message_id, message.date, message.chat,
        business_connection_id=message.business_connection_id,
    )  # fmt: skip
    status.set_bot(message.get_bot())
    return MessageShown(status)


class TelegramRecordingView:
    """How a Telegram chat sees what becomes of the recording in `message`
    (`core.app.voice_note_events.ArrivalView`): the reply above, the gist after it, the
    transcript logged for the group's summaries; while a question about it is answered, a
    draft or "typing…" (`message_drafts.WorkShown`)."""

    def __init__(
        self,
        message: Message,
        *,
        piece_seconds: float,
        pace: Pace,
        answer: Destination | None = None,
        note: StatusNote | None = None,
    ) -> None:
        self._message = message
        self._note = note  # where its status is noted, for a redo after a kill
        self._piece_seconds = piece_seconds
        self._pace = pace
        self._answer = answer  # where the transcript goes, if not in reply to `message`

    def reply(self, locale: str) -> TelegramTranscriptReply:
        return TelegramTranscriptReply(
            self._message, locale=locale, piece_seconds=self._piece_seconds, pace=self._pace,
            answer=self._answer, note=self._note,
        )  # fmt: skip

    def busy(self) -> contextlib.AbstractAsyncContextManager[object]:
        return contextlib.nullcontext()  # the reply's status says that work goes on

    def thinking(self) -> WorkShown:
        return WorkShown(self._message, self._pace)  # a "Thinking…" draft, or "typing…"

    async def gist(self, gist: Gist, locale: str) -> None:
        await send_gist(self._message, gist, locale, answer=self._answer)

    def logged(self, words: str) -> ChatMessage | None:
        if self._answer is not None:  # one member's transcript: never in the group's summaries
            return None
        return log_entry(self._message, words, "transcript")
