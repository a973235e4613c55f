"""Playing speech in the voice channel of the member who asked: join, play, leave.

Needs discord.py's optional voice libraries (PyNaCl for the transport encryption, davey for
Discord's end-to-end voice encryption): `pip install 'voicebridge[voice]'`. Without them the
member is told how to enable it; the voice message itself was sent either way.

One play at a time per server (a bot has one voice connection in a server), and its ffmpeg (which
turns each OGG into Opus packets) holds one of the process's FFMPEG_MAX_PROCESSES slots for as
long as it plays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import discord

from bots.discord.clip_audio import ClipAudio
from bots.discord.discordpy import ResumingVoiceClient, voice_libraries_installed
from bots.discord.messages import text
from core.domain.values import VoiceNote
from core.ports import ProcessSlots

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 20.0
# Beyond the clip's own length: ffmpeg start-up and the connection's first packets.
PLAY_MARGIN = 15.0
CALL_CHECK_SECONDS = 0.25  # how often a play checks that its call still exists

VoiceClientClass = type[discord.VoiceClient]
VoiceChannel = discord.VoiceChannel | discord.StageChannel


def installed_voice_client() -> VoiceClientClass | None:
    """discord.py's voice client (resuming a dropped voice connection as Discord documents) when
    its optional libraries are installed, else None."""
    if voice_libraries_installed():
        return ResumingVoiceClient
    return None


class VoicePlayer:
    """Plays voice notes in voice channels with `client` (None: the voice extras are missing)."""

    def __init__(self, client: VoiceClientClass | None, *, processes: ProcessSlots) -> None:
        self.client = client
        self._processes = processes
        # Servers with a play joining, playing or leaving. Taken before the first await, so two
        # plays asked for at once in one server cannot both pass the check.
        self._busy: set[int] = set()

    async def play_for(
        self, user: discord.abc.User, notes: Sequence[VoiceNote], *, locale: str
    ) -> str:
        """Play `notes`, in order, in the voice channel `user` sits in; returns what to tell
        them."""
        if self.client is None:
            return text("discord.voice.unavailable", locale)
        state = user.voice if isinstance(user, discord.Member) else None
        channel = state.channel if state is not None else None
        if channel is None:
            return text("discord.voice.join_first", locale)
        guild = channel.guild
        if guild.id in self._busy or guild.voice_client is not None:
            return text("discord.voice.busy", locale)
        self._busy.add(guild.id)
        try:
            async with self._processes.slot():
                ffmpeg = self._processes.executable
                await play_once(channel, notes, client=self.client, ffmpeg=ffmpeg)
        except (TimeoutError, discord.DiscordException, OSError):
            logger.warning("voice playback in %s failed", channel.id, exc_info=True)
            return text("discord.voice.failed", locale, channel=channel.mention)
        finally:
            self._busy.discard(guild.id)
        return text("discord.voice.played", locale, channel=channel.mention)


async def play_once(
    channel: VoiceChannel, notes: Sequence[VoiceNote], *, client: VoiceClientClass, ffmpeg: str
) -> None:
    """Join `channel`, play the clips one after the other to their end (decoded by the
    `ffmpeg` executable), and leave whatever happens in between."""
    voice = await channel.connect(cls=client, timeout=CONNECT_TIMEOUT, self_deaf=True)
    try:
        for note in notes:
            await _play(voice, note, ffmpeg)
    finally:
        if voice.guild.voice_client is voice:  # not already disconnected for good
            await voice.disconnect(force=True)


async def _play(voice: discord.VoiceClient, note: VoiceNote, ffmpeg: str) -> None:
    """Play one clip to its end; raise if it stopped before (the call ended, ffmpeg failed)."""
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()

    def after(error: Exception | None) -> None:  # runs in discord.py's player thread
        if error is not None:
            logger.warning("voice playback stopped: %r", error)
        loop.call_soon_threadsafe(finished.set)

    clip = ClipAudio(note.data, ffmpeg=ffmpeg)
    voice.play(clip, after=after)
    async with asyncio.timeout(note.duration + PLAY_MARGIN):
        while not finished.is_set():
            # A call that ended for good (the bot disconnected by a moderator, the channel
            # deleted) leaves the server's voice clients: discord.py's player would wait for it
            # to come back before it ends the play.
            if voice.guild.voice_client is not voice:
                raise discord.ClientException("the voice connection ended during the play")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), timeout=CALL_CHECK_SECONDS)
    # discord.py ends a play the same way (`after` with no error) whether the clip ran out or
    # the call ended under it and stopped the player: only the clip knows it was sent whole.
    if not clip.read_to_end:
        raise discord.ClientException("the voice connection ended during the play")
