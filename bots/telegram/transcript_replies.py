"""A transcript's way into a Telegram chat: "typing…" until there is something to show, then the
progress while the work runs and the transcript, or a .txt / .srt document (`core.chat.live`).
In a private chat the progress and the streamed text are a draft (`bots.telegram.drafts`) and
the transcript comes as one new message; in a group they are one reply, edited as the work
goes, that becomes the transcript. A transcript for one member of a group (`/transcribe` asked
privately: `bots.telegram.answers`) goes the same way through that member's answer: one
ephemeral message, edited as the work goes, and no "typing…" that the whole group would see."""

from __future__ import annotations

import contextlib
import logging

from telegram import Message
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

from bots.telegram.answers import Answer, MessageShown, Shown
from bots.telegram.chatlog import log_entry
from bots.telegram.drafts import Draft, shows_drafts
from bots.telegram.gist_replies import send_gist
from bots.telegram.progress_pace import Pace
from bots.telegram.replies import MAX_MESSAGES_BEFORE_FILE, MESSAGE_LIMIT, chat_action
from core.chat.exports import TranscriptFile, TranscriptFormat
from core.chat.live import TranscriptReply
from core.domain.gists import Gist
from core.domain.summaries import ChatMessage
from core.domain.text import utf16_units
from core.domain.transcripts import LongTranscript

logger = logging.getLogger(__name__)


class TelegramTranscriptReply(TranscriptReply):
    """The answer to the recording's message. In a private chat the status is a draft and the
    transcript a new reply; elsewhere the status is a reply, sent on first show and edited
    afterwards. From its first second on (`Pace.typing_after_seconds`: most voice notes are
    answered sooner, and need no sign of work) until the status shows (or the transcript
    does), the chat shows "typing…": it covers the download and a short note's wait, where a
    draft would only flash by. After that the status itself says that work goes on, and more
    chat actions would only take turns from other chats' replies under the bot's rate
    limit."""

    def __init__(
        self,
        message: Message,
        *,
        locale: str,
        piece_seconds: float,
        pace: Pace,
        answer: Answer | None = None,
    ) -> None:
        self._answer = answer  # None: a reply to `message`, as the chat sees it
        shows_draft = answer is None and shows_drafts(message)
        self._draft = Draft(message, pace) if shows_draft else None
        super().__init__(
            locale=locale,
            piece_seconds=piece_seconds,
            min_interval=pace.draft_seconds if self._draft else pace.group_edit_seconds,
            message_limit=MESSAGE_LIMIT,
            max_messages=MAX_MESSAGES_BEFORE_FILE,
            measure=utf16_units,
        )
        self._message = message
        self._status: Shown | None = None
        self._typing = chat_action(
            message, ChatAction.TYPING, pace, delay=pace.typing_after_seconds
        )

    async def opened(self) -> None:
        if self._answer is None:  # the group would see "typing…" and nothing come
            self._typing.start()

    async def closed(self, error: BaseException | None) -> None:
        await self._typing.stop()  # an error reply may follow
        await super().closed(error)
        if self._draft is not None:
            await self._draft.close()

    async def deliver(
        self, result: LongTranscript, format: TranscriptFormat, *, below: str | None = None
    ) -> None:
        await self._typing.stop()
        await super().deliver(result, format, below=below)

    async def show(self, body: str) -> None:
        if self._draft is not None:
            await self._typing.stop()
            await self._draft.show(body)
        elif self._status is None:
            await self._typing.stop()
            self._status = await self._send(body)
        else:
            await self._status.edit(body)

    async def finish(self, body: str) -> None:
        if self._draft is not None:
            await self._draft.close()  # the reply takes the draft's place
        if self._status is not None:
            try:
                await self._status.edit(body)
                self.answer_id = self._status.id
                return
            except BadRequest as exc:
                if "not modified" in exc.message.lower():
                    self.answer_id = self._status.id
                    return
                logger.info("status message could not be edited (%s); replying", exc.message)
        await self.send_text(body)

    async def remove(self) -> None:
        if self._draft is not None:
            await self._draft.close()  # the file, or the error reply, takes its place
        status, self._status = self._status, None
        if status is not None:
            with contextlib.suppress(TelegramError):  # already gone: fine
                await status.delete()

    async def send_text(self, body: str) -> None:
        self.answer_id = (await self._send(body)).id

    async def send_file(self, file: TranscriptFile) -> None:
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


class TelegramRecordingView:
    """How a Telegram chat sees what becomes of the recording in `message`
    (`core.app.voice_notes.RecordingView`): the reply above, the gist after it, the transcript
    logged for the group's summaries."""

    def __init__(
        self, message: Message, *, piece_seconds: float, pace: Pace, answer: Answer | None = None
    ) -> None:
        self._message = message
        self._piece_seconds = piece_seconds
        self._pace = pace
        self._answer = answer  # where the transcript goes, if not in reply to `message`

    def reply(self, locale: str) -> TelegramTranscriptReply:
        return TelegramTranscriptReply(
            self._message, locale=locale, piece_seconds=self._piece_seconds, pace=self._pace,
            answer=self._answer,
        )  # fmt: skip

    def busy(self) -> contextlib.AbstractAsyncContextManager[object]:
        return contextlib.nullcontext()  # the reply says "typing…" until it shows

    async def gist(self, gist: Gist, locale: str) -> None:
        await send_gist(self._message, gist, locale, answer=self._answer)

    def logged(self, words: str) -> ChatMessage | None:
        if self._answer is not None:  # one member's transcript: never in the group's summaries
            return None
        return log_entry(self._message, words, "transcript")
