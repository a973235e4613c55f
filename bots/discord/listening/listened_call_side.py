"""The Discord side of a call the bot listens in (`core.ports.ListenedVoice`; the core's
`core.app.listening.call_lifecycle` starts and ends it, `core.app.listening.live_transcription`
decides): on the voice client the core joined (undeafened, or the call it reads aloud in there), a
receiver whose filter is the core's consent, each piece of a turn handed to the core as it is cut,
while the member goes on (the core lets a few be at MiMo at once), and its text posted in the voice
channel's chat, "**Name**: text", in the order said: a line per speaker turn, its message edited as
its pieces are heard (`bots.discord.listening.caption_messages`), lines ready together in one
message, new lines added to the newest message while nobody else posted after it (the cog says when
someone did: `someone_posted`), at most one request every `caption_seconds`
(`bots.discord.answers.discord_progress_pace`; what comes meanwhile waits for the next, together).
While it listens, the voice channel's status says so (Discord's line under the channel's name), and
so does its nickname in the server, "🎙️ voicebridge", where the bot may set them; both are put back
when it stops (`bots.discord.listening.bot_nickname`). When it ends is the core's
(`core.app.listening.call_lifecycle`): a quota used up is said in the chat first, as the core ends
the call; the voice connection closing under it is told to the core, which ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from datetime import timedelta

import discord

from bots.discord.answers.discord_progress_pace import USUAL
from bots.discord.answers.error_handler import error_text
from bots.discord.answers.listen_consent_buttons import consent_view
from bots.discord.discord_wording import shown_name, text
from bots.discord.listening.bot_nickname import ListeningNick
from bots.discord.listening.caption_messages import (
    CAPTION_GAP,
    Captions,
    Line,
    SpokenWords,
    with_transcript,
)
from bots.discord.listening.join_notices import Notices
from bots.discord.voice_channels.call_connection import DiscordVoiceCall
from bots.discord.voice_channels.receive import (
    ListeningVoiceClient,
    PieceAudio,
    ReceiveSettings,
    VoiceReceiver,
)
from core.app.interpreter.interpretation_queue import Dropped, Stopped
from core.app.listening.call_lifecycle import ListenedCalls
from core.app.listening.listened_call import ListenedCall
from core.app.listening.past_calls import PastCalls
from core.app.voice_calls.seats import CallSeat
from core.domain import errors
from core.domain.listening.live_speech_rules import Caption, Piece
from core.domain.message_splitting import format_duration
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = ["DiscordListenedCall"]

STATUS_CHARS = 500  # Discord's longest voice channel status


class _InOrder:
    """Lines being made, in the order their utterances ended."""

    def __init__(self) -> None:
        self._lines: deque[asyncio.Future[Line | None]] = deque()
        self._changed = asyncio.Event()
        self.closed = False

    def add(self, line: asyncio.Future[Line | None]) -> None:
        self._lines.append(line)
        self._changed.set()

    def add_made(self, line: Line) -> None:
        """A line made already (the bot's own), after those being made."""
        made: asyncio.Future[Line | None] = asyncio.get_running_loop().create_future()
        made.set_result(line)
        self.add(made)

    def close(self) -> None:
        self.closed = True
        self._changed.set()

    async def next_ready(self) -> list[Line | None] | None:
        """The next line once made, and those after it made already; None once closed and all
        taken."""
        while not self._lines:
            if self.closed:
                return None
            self._changed.clear()
            await self._changed.wait()
        return [await self._lines.popleft(), *self.ready()]

    def ready(self) -> list[Line | None]:
        """The lines at the head made already, taken."""
        batch = []
        while self._lines and self._lines[0].done():
            batch.append(self._lines.popleft().result())
        return batch


class DiscordListenedCall:
    """One listened call on Discord (`core.ports.ListenedVoice`; see the module docstring)."""

    def __init__(
        self,
        call: ListenedCall,
        seat: CallSeat,
        owner: ListenedCalls,
        *,
        kept: PastCalls,
        settings: ReceiveSettings | None,
        caption_gap: float = CAPTION_GAP,
        pace: float = USUAL.caption_seconds,
    ) -> None:
        assert isinstance(seat.call, DiscordVoiceCall)
        voice = seat.call.voice
        assert isinstance(voice, ListeningVoiceClient), "joined with the client that listens"
        assert isinstance(voice.channel, discord.VoiceChannel)
        assert call.asked is not None, "run by the core's ListenedCalls"
        self.server, self.channel, self.locale = call.server, voice.channel, call.asked.locale
        self._interpret = call.asked.interpret
        self._call = call
        self._owner = owner
        self._listening = owner.listening
        self._kept = kept
        self._voice = voice
        self._pace = pace
        self._settings = settings or ReceiveSettings()
        self._seat = seat
        self._receiver: VoiceReceiver | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._captions = Captions(render=self._render, caption_gap=caption_gap)
        self._lines = _InOrder()  # the captions being made, and the bot's own lines
        self._newest: discord.Message | None = None  # the captions' newest message
        self._status_shown = False
        self._model_refused = False  # said in the chat once a call
        self._nick = ListeningNick(self.channel.guild)
        self.notices = Notices(self.post)

    async def start(self) -> None:
        """Start receiving on the call the core joined, and say so in the channel's status and
        the bot's nickname."""
        # The call's pieces (sooner, or cheaper where asked or while it falls behind), unless
        # the settings name others.
        self._receiver = VoiceReceiver(
            self._voice, admits=self._admits, settings=self._settings,
            pieces=lambda: self._call.pieces,
        )  # fmt: skip
        self._task = background_tasks.start(self._transcribe(self._receiver), name="listening")
        await self._show_status(text("discord.listen.status", self.locale)[:STATUS_CHARS])
        await self._nick.put_on()

    async def opened(
        self, transcribed: list[str], not_transcribed: list[str], away: timedelta | None = None
    ) -> None:
        """The opening line; taken up after a restart (`away`), how long the bot was gone."""
        opening = text(
            "discord.listen.started" if away is None else "discord.listen.resumed", self.locale,
            voice=self.channel.mention, transcribed=self._names(transcribed),
            not_transcribed=self._names(not_transcribed),
            away=format_duration(0 if away is None else away.total_seconds()),
        )  # fmt: skip
        if self._interpret:
            opening += "\n" + text("discord.listen.interpreting", self.locale)
        await self.post(opening, view=consent_view(self.locale))

    def someone_posted(self) -> None:
        """Someone else posted in the voice channel's chat: the next caption line starts a new
        message below theirs."""
        self._captions.interrupted()

    def arrived(self, member_id: str, transcribed: bool) -> None:
        member = self.channel.guild.get_member(int(member_id))
        name = text("reader.someone", self.locale) if member is None else member.display_name
        self.notices.add(text(
            f"discord.listen.arrived_{'yes' if transcribed else 'no'}", self.locale,
            name=shown_name(name), voice=self.channel.mention,
        ))  # fmt: skip

    async def goodbye(self, recording: str | None) -> None:
        """The goodbye, with the call's transcript as files (text and subtitles)."""
        bye = text("discord.listen.stopped", self.locale, voice=self.channel.mention)
        transcript = None if recording is None else await self._kept.kept(self.server, recording)
        await self.post(*with_transcript(bye, transcript, self.locale))

    def _names(self, ids: list[str]) -> str:
        found = [self.channel.guild.get_member(int(i)) for i in ids]
        shown = [shown_name(m.display_name) for m in found if m is not None]
        return ", ".join(shown) or text("discord.listen.nobody", self.locale)

    @property
    def receiver(self) -> VoiceReceiver | None:
        return self._receiver

    async def tell(self, news: Dropped | Stopped) -> None:
        """The interpreter's news in the chat, after the captions made or being made, at their
        pace: a turn too late to be spoken, with its words; interpreting stopped, with the
        quota that ran out or the model refused (the core logged it)."""
        if isinstance(news, Stopped):
            why = text(news.refusal.key, self.locale, **news.refusal.params)
            line = text("discord.listen.interpreting_stopped", self.locale, why=why)
        else:
            line = text(
                "discord.listen.interpretation_late", self.locale,
                name=shown_name(news.speaker), said=news.words,
            )  # fmt: skip
        if self._lines.closed:  # the captions are all posted: nothing to wait behind
            await self.post(line)
        else:
            self._lines.add_made(line)

    async def post(
        self,
        line: str,
        files: list[discord.File] | None = None,
        view: discord.ui.View | None = None,
        *,
        caption: bool = False,
    ) -> discord.Message | None:
        """Post `line` in the voice channel's chat; not a `caption`: the captions go on below
        it (a notice, the goodbye)."""
        if not caption:
            self._captions.interrupted()
        # Nobody is pinged by what the bot posts for a call, whatever a name or a line holds.
        quiet = discord.AllowedMentions.none()
        try:
            if view is not None:
                return await self.channel.send(
                    line, files=files or [], view=view, allowed_mentions=quiet
                )
            return await self.channel.send(line, files=files or [], allowed_mentions=quiet)
        except discord.HTTPException:
            logger.warning("could not post in voice channel %s", self.channel.id)
            return None

    async def stop(self) -> None:
        """Stop receiving; what was said before is still posted (and kept, by the core)."""
        self._stopping = True
        await self.notices.close()
        if self._receiver is not None:
            self._receiver.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        # Cleared while still in the channel, where Set Voice Channel Status is enough (once
        # put out of it, clearing it takes Manage Channels: tried all the same).
        await self._show_status(None)
        await self._nick.take_off()

    async def _show_status(self, status: str | None) -> None:
        """Set (or clear) the voice channel's status; a courtesy: without Set Voice Channel
        Status, the chat's opening line says it alone."""
        if status is None and not self._status_shown:
            return
        try:
            await self.channel.edit(status=status)
        except discord.HTTPException as exc:
            logger.info("no status for voice channel %s: %s", self.channel.id, exc.text)
            return
        self._status_shown = status is not None

    def _admits(self, user_id: int) -> bool:  # discord.py's socket reader thread
        return self._call.admits(str(user_id))

    async def _transcribe(self, receiver: VoiceReceiver) -> None:
        """Each utterance handed to the core as it comes (it waits while the call has enough
        at MiMo), and posted in order; the connection closing under it told to the core."""
        lines = self._lines
        poster = background_tasks.start(
            self._post_in_order(lines), name="listening posts", awaited=True
        )
        try:
            async with receiver:
                async for utterance in receiver:
                    caption = await self._listening.hand_over(self._call, self._piece(utterance))
                    lines.add(
                        background_tasks.start(
                            self._line(utterance, caption), name="caption", awaited=True
                        )
                    )
        finally:
            lines.close()
            await poster
            if not self._stopping:  # the connection closed under it: the core ends the call
                self._owner.connection_closed(self._call)

    async def _post_in_order(self, lines: _InOrder) -> None:
        """The lines in the order their utterances ended: a turn going on edits its message,
        lines ready together share one (under load, fewer requests against Discord's rate
        limits)."""
        loop = asyncio.get_running_loop()
        next_request = loop.time()
        while (batch := await lines.next_ready()) is not None:
            if (wait := next_request - loop.time()) > 0:  # the channel's pace: lines made
                await asyncio.sleep(wait)  # meanwhile go in the same request
                batch += lines.ready()
            made = [line for line in batch if line is not None]
            update = self._captions.add(made, grows=self._newest is not None)
            if update.edit is not None and self._newest is not None:
                try:
                    self._newest = await self._newest.edit(
                        content=update.edit, allowed_mentions=discord.AllowedMentions.none()
                    )
                except discord.HTTPException:  # deleted, say: the next lines go below
                    logger.warning("could not edit a caption in %s", self.channel.id)
                    self._newest = None
                    self._captions.interrupted()
                next_request = loop.time() + self._pace
            for content in update.new:
                if (wait := next_request - loop.time()) > 0:  # each request at the pace
                    await asyncio.sleep(wait)
                self._newest = await self.post(content, caption=True)
                if self._newest is not None:  # where the captions go on, told to the core
                    self._call.captions_moved(str(self._newest.id))
                next_request = loop.time() + self._pace

    def _piece(self, utterance: PieceAudio) -> Piece:
        """The utterance as the core takes a piece of a member's turn."""
        member = str(utterance.user_id)
        return Piece(
            member, self._name(member), utterance.pcm, utterance.sample_rate,
            utterance.started_at, turn=utterance.turn, index=utterance.piece,
            last=utterance.ends_turn, at_pause=utterance.at_pause,
        )  # fmt: skip

    def _render(self, name: str, words: str, translated: str | None) -> str:
        if not translated:  # none, or not yet (it comes with the sentence's end)
            return text("discord.listen.line", self.locale, name=shown_name(name), said=words)
        return text(
            "discord.listen.line_translated", self.locale,
            name=shown_name(name), said=words, translated=translated,
        )  # fmt: skip

    async def _line(
        self, utterance: PieceAudio, transcribing: asyncio.Task[Caption | None]
    ) -> Line | None:
        member = str(utterance.user_id)
        try:
            caption = await transcribing
        except errors.QuotaUsed as exc:  # the core ends the call: said once
            return error_text(exc, self.locale)
        except errors.MimoModelRefused as exc:  # every piece would be refused alike: said once
            said, self._model_refused = self._model_refused, True
            return None if said else error_text(exc, self.locale)
        except Exception:
            logger.exception("an utterance in %s could not be transcribed", self.channel.id)
            return None
        if caption is None:
            return None
        if caption.refused is not None:  # the translations stopped: said once, after this line
            refused = caption.refused
            self._lines.add_made(text(refused.key, self.locale, **refused.params))
        return SpokenWords(
            member, self._name(member), caption.words, utterance.started_at, utterance.ended_at,
            caption.translated, utterance.turn,
        )  # fmt: skip

    def _name(self, member_id: str) -> str:
        member = self.channel.guild.get_member(int(member_id))
        return text("reader.someone", self.locale) if member is None else member.display_name
