"""A transcript's way into Discord: one message that shows progress while the work runs and
then becomes the transcript, or gives way to a .txt / .srt file (`core.chat.status_messages`).

Two kinds of status message: the deferred interaction's own response (slash command, message
menu), and a reply to a voice message (automatic transcription).

A recording of a minute or more (`GIST_SECONDS`, `offers_gist`) gets the "Gist" button
(`discord_tldr_command`) under the last message of its transcript, once that message is known to
be the last: one more edit, after the transcript.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Self

import discord

from bots.discord.answers.discord_asker import LOCALE
from bots.discord.answers.discord_progress_pace import USUAL
from bots.discord.answers.discord_replies import (
    ANSWERED,
    MESSAGE_LIMIT,
    RESPONSE_ID,
    TOKEN_EXPIRED,
    Interaction,
    Send,
    followup_of,
    in_channel,
    reply_to,
)
from bots.discord.global_request_limit import NoRoomSpare
from bots.discord.recordings.discord_tldr_command import (
    RecordingAt,
    gist_view,
    send_gist,
)
from core.chat.answer_languages import DEFAULT_LOCALE
from core.chat.status_messages import TranscriptStatus, transcript_shown
from core.chat.transcript_files import TranscriptFile, TranscriptFormat
from core.domain.message_splitting import MAX_MESSAGES_BEFORE_FILE
from core.domain.mimo.account_minute_rules import PlaceListener
from core.domain.recordings.gist_format import Gist
from core.domain.recordings.transcript_values import LongTranscript, Progress
from core.domain.summaries.summary_values import ChatMessage
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = ["GIST_SECONDS", "InteractionRecordingView", "MessageRecordingView", "offers_gist"]

GIST_SECONDS = 60.0
"""A recording at least this long gets the Gist button under its transcript."""


def offers_gist(result: LongTranscript) -> bool:
    """Whether a transcript gets the button: there are words, and enough of them to skim."""
    return bool(result.text.strip()) and result.duration >= GIST_SECONDS


class _DiscordTranscriptReply:
    """What both kinds share (`core.app.voice_note_events.TranscriptReply`): the status follows the
    work (`core.chat.status_messages.TranscriptStatus`) through `show`, then becomes what
    `transcript_shown` says (`finish`, `send_text`; or `remove` and the files); further messages
    and the file go through `self._send`, and the last message sent or edited is kept (`_last`)
    for the Gist button. `gist_at`: where the recording is, when a click can find it again
    (None: no button)."""

    shown_before = False  # a reply a process that died sent is edited, not taken over first

    def __init__(
        self, send: Send, *, locale: str, piece_seconds: float, gist_at: RecordingAt | None
    ) -> None:
        self.locale = locale
        self._progress = TranscriptStatus(
            self.show,
            locale=locale,
            piece_seconds=piece_seconds,
            min_interval=USUAL.edit_seconds,
            message_limit=MESSAGE_LIMIT,
        )
        # The message that carries the transcript (its last one), once Discord confirmed it.
        self.answer_id: str | None = None
        self._send = send
        self._gist_at = gist_at
        self._last: discord.Message | None = None
        self._delivered: LongTranscript | None = None  # the transcript, once whole in the chat

    async def show(self, body: str) -> None:
        """Show `body` as the status: send it the first time, edit it afterwards."""
        raise NotImplementedError

    async def finish(self, body: str) -> None:
        """Turn the status into `body`, or send `body` when no status is showing."""
        raise NotImplementedError

    async def remove(self) -> None:
        """Take the status away (a file is sent instead)."""
        raise NotImplementedError

    async def fail(self) -> None:
        """The work failed: leave the chat as the error reply expects to find it."""
        await self.remove()

    @property
    def progress(self) -> Callable[[Progress], None]:
        return self._progress.progress

    @property
    def waiting(self) -> PlaceListener:
        return self._progress.waiting

    async def send_text(self, body: str) -> None:
        self._sent_last(await self._send(content=body))

    async def send_file(self, file: TranscriptFile) -> None:
        document = discord.File(io.BytesIO(file.data), filename=file.name)
        self._sent_last(await self._send(content=file.caption, file=document))

    def _sent_last(self, sent: object) -> None:
        self._last = sent if isinstance(sent, discord.Message) else None
        self.answer_id = None if self._last is None else str(self._last.id)

    async def deliver(
        self, result: LongTranscript, format: TranscriptFormat, *, below: str | None = None
    ) -> None:
        """The status becomes the transcript (a few messages at most); a longer one, or a file
        asked for, comes as a file instead (`core.chat.status_messages.transcript_shown`)."""
        await self._progress.close()
        shown = transcript_shown(
            result, format, self.locale, below=below, message_limit=MESSAGE_LIMIT,
            max_messages=MAX_MESSAGES_BEFORE_FILE,
        )  # fmt: skip
        if shown.files:
            await self.remove()
            for file in shown.files:
                await self.send_file(file)
        else:
            first, *more = shown.messages
            await self.finish(first)
            for body in more:
                await self.send_text(body)
        self._delivered = result

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """The Gist button goes under the transcript once it is whole, after its claim's mark
        (`core.app.voice_note_events`): a courtesy, which a kill may cost, never a second
        answer."""
        await self._progress.close()
        if error is not None:
            await self.fail()
        result, self._delivered = self._delivered, None
        if error is not None or result is None or self._gist_at is None or self._last is None:
            return
        if not offers_gist(result):
            return
        try:
            await self._last.edit(view=gist_view(self._gist_at, locale=self.locale))
        except discord.HTTPException as exc:  # the transcript is there; the button is a courtesy
            logger.warning("no Gist button under a transcript: %s (%s)", exc.status, exc.code)


class InteractionTranscriptReply(_DiscordTranscriptReply):
    """The deferred response's "thinking…" placeholder, edited in place."""

    def __init__(
        self,
        interaction: Interaction,
        *,
        locale: str,
        piece_seconds: float,
        gist_at: RecordingAt | None = None,
    ) -> None:
        super().__init__(
            followup_of(interaction), locale=locale, piece_seconds=piece_seconds, gist_at=gist_at
        )
        self._interaction = interaction
        self._shown = False

    async def show(self, body: str) -> None:
        shown = await self._interaction.edit_original_response(content=body)
        self._interaction.extras[RESPONSE_ID] = shown.id  # to reply to once the token expires
        self._shown = True

    async def finish(self, body: str) -> None:
        if not self._shown:
            await self.send_text(body)  # the first follow-up fills the placeholder
            return
        try:
            self._sent_last(await self._interaction.edit_original_response(content=body))
        except discord.HTTPException as exc:
            if exc.code != TOKEN_EXPIRED:
                raise
            # A reply to the status, in the channel.
            self._sent_last(await in_channel(self._interaction, content=body))
        self._interaction.extras[ANSWERED] = True

    async def remove(self) -> None:
        if self._shown:
            with contextlib.suppress(discord.HTTPException):
                await self._interaction.delete_original_response()
            self._shown = False

    async def fail(self) -> None:
        pass  # the command error handler removes the response and answers privately


class MessageTranscriptReply(_DiscordTranscriptReply):
    """A reply to the recording's message, sent on first show and edited afterwards."""

    def __init__(
        self,
        message: discord.Message,
        *,
        locale: str,
        piece_seconds: float,
        gist_at: RecordingAt | None = None,
        sent: discord.Message | None = None,
    ) -> None:
        super().__init__(
            reply_to(message), locale=locale, piece_seconds=piece_seconds, gist_at=gist_at
        )
        self._sent = sent  # the reply, once sent (by a process that died, for a redo)

    async def show(self, body: str) -> None:
        if self._sent is None:
            sent = await self._send(content=body)
            assert isinstance(sent, discord.Message)
            self._sent = sent
        else:
            await self._sent.edit(content=body)

    async def finish(self, body: str) -> None:
        if self._sent is None:
            await self.send_text(body)
            return
        if self._sent.content == body:  # the transcript a process that died had sent
            self._sent_last(self._sent)
            return
        try:
            self._sent_last(await self._sent.edit(content=body))
        except discord.NotFound:  # someone deleted the status message
            await self.send_text(body)

    async def remove(self) -> None:
        sent, self._sent = self._sent, None
        if sent is not None:
            with contextlib.suppress(discord.HTTPException):
                await sent.delete()


@contextlib.asynccontextmanager
async def typing_after(channel: discord.abc.Messageable, delay: float) -> AsyncIterator[None]:
    """Show "typing…" in `channel` from `delay` seconds into the block until its end, sent
    again before Discord clears it: each time only when the bot's budget of requests has one to
    spare at once (`RequestPace`), so that in a burst it never delays a reply. A channel that
    refuses it costs nothing but the sign."""

    async def type_once() -> None:
        with contextlib.suppress(discord.HTTPException, NoRoomSpare):
            await channel.typing()  # awaited, discord.py's Typing sends one request

    async with background_tasks.every(
        USUAL.typing_every_seconds, type_once, name="typing", delay=delay, interruptible=True
    ):
        yield


class MessageRecordingView:
    """How a channel sees what becomes of the voice message `message` that arrived
    (`core.app.voice_note_events.ArrivalView`): "typing…" once it takes a while, a reply that
    becomes its transcript (with the Gist button where `gist_at` says), its gist below; redone
    after a crash, the reply already sent (`earlier`) becomes it instead of a second one. The
    language it was shown in stays in `locale`, for an error that comes after."""

    def __init__(
        self,
        message: discord.Message,
        *,
        piece_seconds: float,
        gist_at: RecordingAt | None,
        earlier: discord.Message | None = None,
    ) -> None:
        self._message = message
        self._piece_seconds = piece_seconds
        self._gist_at = gist_at
        self._earlier = earlier  # its reply, sent by a process that died before it was done
        self.locale = DEFAULT_LOCALE

    def reply(self, locale: str) -> MessageTranscriptReply:
        self.locale = locale
        return MessageTranscriptReply(
            self._message,
            locale=locale,
            piece_seconds=self._piece_seconds,
            gist_at=self._gist_at,
            sent=self._earlier,
        )

    def busy(self) -> contextlib.AbstractAsyncContextManager[object]:
        return typing_after(self._message.channel, USUAL.typing_after_seconds)

    def thinking(self) -> contextlib.AbstractAsyncContextManager[object]:
        return self.busy()  # no voice message asks a question on Discord: typing, were one

    async def gist(self, gist: Gist, locale: str) -> None:
        await send_gist(reply_to(self._message), gist, locale)

    def logged(self, words: str) -> ChatMessage | None:
        return None  # Discord's summaries read the channel's history instead


class InteractionRecordingView:
    """How the asker sees the transcript they asked for with `interaction`: its deferred
    response, edited into the transcript (with the Gist button where `gist_at` says)."""

    def __init__(
        self, interaction: Interaction, *, piece_seconds: float, gist_at: RecordingAt | None
    ) -> None:
        self._interaction = interaction
        self._piece_seconds = piece_seconds
        self._gist_at = gist_at

    def reply(self, locale: str) -> InteractionTranscriptReply:
        self._interaction.extras[LOCALE] = locale  # for the error handler
        return InteractionTranscriptReply(
            self._interaction, locale=locale, piece_seconds=self._piece_seconds,
            gist_at=self._gist_at,
        )  # fmt: skip

    def busy(self) -> contextlib.AbstractAsyncContextManager[object]:
        return contextlib.nullcontext()  # the response says "thinking…"

    async def gist(self, gist: Gist, locale: str) -> None:
        await send_gist(followup_of(self._interaction), gist, locale)

    def logged(self, words: str) -> ChatMessage | None:
        return None
