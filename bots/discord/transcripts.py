"""A transcript's way into Discord: one message that shows progress while the work runs and
then becomes the transcript, or gives way to a .txt / .srt file.

Two kinds of status message: the deferred interaction's own response (slash command, message
menu), and a reply to a voice message (automatic transcription).
"""

from __future__ import annotations

import contextlib
import io
import logging
from abc import ABC, abstractmethod
from types import TracebackType

import discord

from bots.discord.replies import (
    ANSWERED,
    MAX_MESSAGES_BEFORE_FILE,
    MESSAGE_LIMIT,
    Interaction,
    Send,
    followup_of,
    reply_to,
)
from core.exports import TranscriptFormat, transcript_file
from core.live import LiveStatus, transcription_status
from core.messages import text
from core.text import pieces_or_none
from core.transcription import LongTranscript, Progress

logger = logging.getLogger(__name__)

# Discord allows about five edits of a message in five seconds.
EDIT_SECONDS = 1.2


class _Status(ABC):
    """Where the status is shown; `send` adds a further message to the answer."""

    send: Send

    @abstractmethod
    async def show(self, body: str) -> None: ...

    @abstractmethod
    async def finish(self, body: str) -> None:
        """Turn the status into `body`, or send `body` when nothing was shown."""

    @abstractmethod
    async def remove(self) -> None:
        """Take the status away (before a file is sent instead)."""

    async def fail(self) -> None:
        """The work failed: leave the chat as the error reply expects to find it."""
        await self.remove()


class _InteractionStatus(_Status):
    """The deferred response's "thinking…" placeholder, edited in place."""

    def __init__(self, interaction: Interaction) -> None:
        self.interaction = interaction
        self.send = followup_of(interaction)
        self.shown = False

    async def show(self, body: str) -> None:
        await self.interaction.edit_original_response(content=body)
        self.shown = True

    async def finish(self, body: str) -> None:
        if not self.shown:
            await self.send(content=body)
            return
        await self.interaction.edit_original_response(content=body)
        self.interaction.extras[ANSWERED] = True

    async def remove(self) -> None:
        if self.shown:
            with contextlib.suppress(discord.HTTPException):
                await self.interaction.delete_original_response()
            self.shown = False

    async def fail(self) -> None:
        pass  # the command error handler removes the response and answers privately


class _ReplyStatus(_Status):
    """A reply to the recording's message, sent on first show and edited afterwards."""

    def __init__(self, message: discord.Message) -> None:
        self.send = reply_to(message)
        self.sent: discord.Message | None = None

    async def show(self, body: str) -> None:
        if self.sent is None:
            sent = await self.send(content=body)
            assert isinstance(sent, discord.Message)
            self.sent = sent
        else:
            await self.sent.edit(content=body)

    async def finish(self, body: str) -> None:
        if self.sent is None:
            await self.send(content=body)
            return
        try:
            await self.sent.edit(content=body)
        except discord.NotFound:  # someone deleted the status message
            await self.send(content=body)

    async def remove(self) -> None:
        sent, self.sent = self.sent, None
        if sent is not None:
            with contextlib.suppress(discord.HTTPException):
                await sent.delete()


class TranscriptReply:
    """The answer to one recording. Use as `async with`; a failure leaves no stale status."""

    def __init__(self, status: _Status, *, piece_seconds: float) -> None:
        self._status = status
        self._piece_seconds = piece_seconds
        self._live = LiveStatus(status.show, min_interval=EDIT_SECONDS)

    @classmethod
    def to_interaction(cls, interaction: Interaction, *, piece_seconds: float) -> TranscriptReply:
        return cls(_InteractionStatus(interaction), piece_seconds=piece_seconds)

    @classmethod
    def to_message(cls, message: discord.Message, *, piece_seconds: float) -> TranscriptReply:
        return cls(_ReplyStatus(message), piece_seconds=piece_seconds)

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
            await self._status.fail()

    def progress(self, progress: Progress) -> None:
        """The `progress` callback for the transcription."""
        self._live.update(transcription_status(progress, piece_seconds=self._piece_seconds))

    async def deliver(self, result: LongTranscript, format: TranscriptFormat) -> None:
        await self._live.close()
        if not result.text:
            await self._status.finish(text("transcript.empty"))
            return
        pieces = None
        if format == "text":
            limit = MESSAGE_LIMIT
            pieces = pieces_or_none(result.text, limit, max_messages=MAX_MESSAGES_BEFORE_FILE)
        if pieces is None:
            file = transcript_file(result, format)
            await self._status.remove()
            document = discord.File(io.BytesIO(file.data), filename=file.name)
            await self._status.send(content=file.caption, file=document)
            return
        await self._status.finish(pieces[0])
        for piece in pieces[1:]:
            await self._status.send(content=piece)
