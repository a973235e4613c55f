"""A transcript's way into a Telegram chat: one reply that shows progress while the work runs
("12:30 of 58:10 transcribed…", or a short note's text as it is heard) and then becomes the
transcript, or gives way to a .txt / .srt file when that reads better."""

from __future__ import annotations

import contextlib
import logging
from types import TracebackType

from telegram import Message
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError

from bots.telegram.replies import MAX_MESSAGES_BEFORE_FILE, MESSAGE_LIMIT
from core.exports import TranscriptFormat, transcript_file
from core.live import LiveStatus, transcription_status
from core.messages import text
from core.text import pieces_or_none
from core.transcription import LongTranscript, Progress

logger = logging.getLogger(__name__)

# Telegram asks bots for at most about one message a second in a chat and twenty a minute in a
# group; edits count too.
PRIVATE_EDIT_SECONDS = 1.0
GROUP_EDIT_SECONDS = 3.0


class TranscriptReply:
    """The reply to one recording. Use as `async with`: a failure removes the status message,
    so the error handler's sentence is the only thing left in the chat."""

    def __init__(self, message: Message, *, piece_seconds: float) -> None:
        self._message = message
        self._piece_seconds = piece_seconds
        self._status: Message | None = None
        private = message.chat.type == ChatType.PRIVATE
        interval = PRIVATE_EDIT_SECONDS if private else GROUP_EDIT_SECONDS
        self._live = LiveStatus(self._show, min_interval=interval)

    async def __aenter__(self) -> TranscriptReply:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._live.close()
        if error is not None:
            await self._remove_status()

    def progress(self, progress: Progress) -> None:
        """The `progress` callback for the transcription."""
        self._live.update(transcription_status(progress, piece_seconds=self._piece_seconds))

    async def deliver(self, result: LongTranscript, format: TranscriptFormat) -> None:
        """The status message becomes the transcript; a long one, or a file asked for, is sent
        as a document instead."""
        await self._live.close()
        if not result.text:
            await self._finish(text("transcript.empty"))
            return
        pieces = None
        if format == "text":
            limit = MESSAGE_LIMIT
            pieces = pieces_or_none(result.text, limit, max_messages=MAX_MESSAGES_BEFORE_FILE)
        if pieces is None:
            file = transcript_file(result, format)
            await self._remove_status()
            await self._message.reply_document(
                document=file.data, filename=file.name, caption=file.caption, do_quote=True
            )
            return
        await self._finish(pieces[0])
        for piece in pieces[1:]:
            await self._message.reply_text(piece, do_quote=True)

    async def _show(self, body: str) -> None:
        if self._status is None:
            self._status = await self._message.reply_text(body, do_quote=True)
        else:
            await self._status.edit_text(body)

    async def _finish(self, body: str) -> None:
        """Turn the status message into `body`, or reply with it when there is none (anymore)."""
        if self._status is not None:
            try:
                await self._status.edit_text(body)
                return
            except BadRequest as exc:
                if "not modified" in exc.message.lower():
                    return
                logger.info("status message could not be edited (%s); replying", exc.message)
        await self._message.reply_text(body, do_quote=True)

    async def _remove_status(self) -> None:
        if self._status is None:
            return
        status, self._status = self._status, None
        with contextlib.suppress(TelegramError):  # already gone: fine
            await status.delete()
