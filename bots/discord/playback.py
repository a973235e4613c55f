"""Playing speech in the voice channel of the member who asked: join, play, leave.

Needs discord.py's optional voice libraries (PyNaCl for the transport encryption, davey for
Discord's end-to-end voice encryption): `pip install 'voicebridge[voice]'`. Without them the
member is told how to enable it; the voice message itself was sent either way.
"""

from __future__ import annotations

import asyncio
import io
import logging

import discord
from discord import voice_client, voice_state

from bots.discord.messages import text
from core.domain.values import VoiceNote
from core.infra.audio.ffmpeg import ffmpeg_exe

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 20.0
# Beyond the clip's own length: ffmpeg start-up and the connection's first packets.
PLAY_MARGIN = 15.0

VoiceClientClass = type[discord.VoiceClient]


def installed_voice_client() -> VoiceClientClass | None:
    """discord.py's voice client when its optional libraries are installed, else None."""
    if voice_client.has_nacl and voice_state.has_dave:
        return discord.VoiceClient
    return None


async def play_for(
    user: discord.abc.User, note: VoiceNote, client: VoiceClientClass | None, locale: str
) -> str:
    """Play `note` in the voice channel `user` sits in; returns what to tell them."""
    if client is None:
        return text("discord.voice.unavailable", locale)
    state = user.voice if isinstance(user, discord.Member) else None
    channel = state.channel if state is not None else None
    if channel is None:
        return text("discord.voice.join_first", locale)
    if channel.guild.voice_client is not None:  # one voice connection per server
        return text("discord.voice.busy", locale)
    try:
        await play_once(channel, note, client=client)
    except (TimeoutError, discord.DiscordException, OSError):
        logger.warning("voice playback in %s failed", channel.id, exc_info=True)
        return text("discord.voice.failed", locale, channel=channel.mention)
    return text("discord.voice.played", locale, channel=channel.mention)


async def play_once(
    channel: discord.VoiceChannel | discord.StageChannel,
    note: VoiceNote,
    *,
    client: VoiceClientClass,
) -> None:
    """Join `channel`, play the clip to its end, and leave whatever happens in between."""
    voice = await channel.connect(cls=client, timeout=CONNECT_TIMEOUT, self_deaf=True)
    try:
        loop = asyncio.get_running_loop()
        finished = asyncio.Event()

        def after(error: Exception | None) -> None:  # runs in discord.py's player thread
            if error is not None:
                logger.warning("voice playback stopped: %r", error)
            loop.call_soon_threadsafe(finished.set)

        # ffmpeg reads the OGG from a pipe and hands discord.py Opus packets; no temp file.
        source = discord.FFmpegOpusAudio(io.BytesIO(note.data), pipe=True, executable=ffmpeg_exe())
        voice.play(source, after=after)
        await asyncio.wait_for(finished.wait(), timeout=note.duration + PLAY_MARGIN)
    finally:
        await voice.disconnect(force=True)
