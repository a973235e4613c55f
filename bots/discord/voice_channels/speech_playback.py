"""Playing speech in the voice channel of the member who asked: join, play, leave. The voice
connection is the core's to give (`core.app.voice_calls.seats`: `/say` holds the call alone, where
the bot is in no voice channel of the server).

Needs discord.py's optional voice libraries (PyNaCl for the transport encryption, davey for
Discord's end-to-end voice encryption): `pip install 'voicebridge[voice]'`. Without them the
member is told how to enable it; the voice message itself was sent either way.

One play at a time per server (a bot has one voice connection in a server), and each clip's
ffmpeg (which turns each OGG into Opus packets) holds one of the process's FFMPEG_MAX_PROCESSES
slots for as long as it plays (`bots.discord.voice_channels.call_connection.DiscordVoiceCall`).

Speech played as it is made (`play_speech`) starts with its first slice: each slice goes to
ffmpeg's pipe as it comes. The last 20 ms it was given are held back until the next slice or
the end: a stream cut mid-way ends with them faded out, never with a click, and the play is not
whole (the chat is told as for any clip that failed).
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Sequence

import discord

from bots.discord.answers.bot_permissions import BOT_IN_VOICE, first_missing
from bots.discord.discord_wording import text
from bots.discord.discordpy_internals import (
    ResumingVoiceClient,
    encrypts_end_to_end,
    voice_libraries_installed,
)
from bots.discord.place_access import place_of
from bots.discord.voice_channels.clip_audio_source import ClipAudio, PcmPipe
from core.app.voice_calls.seats import VoiceCalls
from core.domain import errors
from core.ports import Clip, ProcessSlots, SpeechSlices, background_tasks

logger = logging.getLogger(__name__)

__all__ = [
    "VoiceClientClass",
    "VoicePlayer",
    "installed_voice_client",
    "play_clip",
    "play_speech",
]

# Beyond the clip's own length: ffmpeg start-up and the connection's first packets.
PLAY_MARGIN = 15.0
CALL_CHECK_SECONDS = 0.25  # how often a play checks that its call still exists
STOP_SECONDS = 1.0  # a stopped player ends within a frame; longer, and it waits for its call
# How long a play waits for the bot to be in the call's DAVE group (a few messages on the voice
# gateway, usually well under a second), and how often it looks.
E2EE_READY_SECONDS = 10.0
E2EE_CHECK_SECONDS = 0.02
HELD_BACK_SECONDS = 0.02  # of speech as it comes: faded out where the stream is cut

VoiceClientClass = type[discord.VoiceClient]
VoiceChannel = discord.VoiceChannel | discord.StageChannel


def installed_voice_client() -> VoiceClientClass | None:
    """discord.py's voice client (resuming a dropped voice connection as Discord documents) when
    its optional libraries are installed, else None."""
    if voice_libraries_installed():
        return ResumingVoiceClient
    return None


class VoicePlayer:
    """Plays voice notes in voice channels with `client` (None: the voice extras are missing),
    on the call the core's `calls` gives it."""

    def __init__(
        self, client: VoiceClientClass | None, *, calls: VoiceCalls, processes: ProcessSlots
    ) -> None:
        self.client = client
        self.calls = calls
        self._processes = processes

    async def play_for(self, user: discord.abc.User, notes: Sequence[Clip], *, locale: str) -> str:
        """Play `notes` (voice notes, or speech as it is made), in order, in the voice channel
        `user` sits in; returns what to tell them."""
        if self.client is None:
            return text("discord.voice.unavailable", locale)
        state = user.voice if isinstance(user, discord.Member) else None
        channel = state.channel if state is not None else None
        if channel is None:
            return text("discord.voice.join_first", locale)
        if isinstance(channel, discord.StageChannel):
            return text("discord.voice.no_stage", locale)  # it would play to nobody
        guild = channel.guild
        needs = [("discord.bot_needs", channel, guild.me, BOT_IN_VOICE)]
        if (missing := first_missing(needs, locale)) is not None:
            return missing
        try:
            seat = await self.calls.join_alone(place_of(guild_id=guild.id), str(channel.id))
        except errors.CouldNotJoin:
            return text("discord.voice.failed", locale, channel=channel.mention)
        if seat is None:  # in voice there already: reading, listening, or another /say
            return text("discord.voice.busy", locale)
        try:
            whole = True
            for note in notes:  # one after the other, each to its end
                whole = whole and await seat.play(note)
        finally:
            await seat.leave()
        if not whole:
            logger.warning("voice playback in %s did not play whole", channel.id)
            return text("discord.voice.failed", locale, channel=channel.mention)
        return text("discord.voice.played", locale, channel=channel.mention)


async def play_clip(
    voice: discord.VoiceClient,
    clip: ClipAudio,
    seconds: float,
    *,
    called_off: Callable[[], bool] = lambda: False,
) -> bool:
    """Play `clip` (`seconds` long) on `voice`; True when all of it was sent. It ends early when
    the call ends for good (a moderator disconnected the bot, the channel was deleted), when it
    is cancelled, or, with TimeoutError, when it overruns `seconds` by PLAY_MARGIN. Not started
    at all when `called_off` says so once the call is ready for it. However it ends, the clip's
    ffmpeg has exited and been reaped by then."""
    if not await _encrypted_end_to_end(voice):
        logger.warning("the call's end-to-end encryption was not ready: nothing was played")
        clip.cleanup()
        return False
    if called_off():
        clip.cleanup()
        return False
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()

    def after(error: Exception | None) -> None:  # runs in discord.py's player thread
        if error is not None:
            logger.warning("voice playback stopped: %r", error)
        clip.cleanup()  # reaped before the loop hears that the play ended
        with contextlib.suppress(RuntimeError):  # the loop is closed: the bot stopped meanwhile
            loop.call_soon_threadsafe(finished.set)

    voice.play(clip, after=after)
    try:
        async with asyncio.timeout(seconds + PLAY_MARGIN):
            # A call that ended for good leaves the server's voice clients, and discord.py's
            # player waits for it to come back (up to its connect timeout) before it ends.
            while not finished.is_set() and voice.guild.voice_client is voice:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(CALL_CHECK_SECONDS):  # not wait_for: see _stop
                        await finished.wait()
    finally:
        if not finished.is_set():
            await _stop(voice, clip, finished)
    # discord.py ends a play the same way (`after` with no error) whether the clip ran out or
    # the call ended under it and stopped the player: only the clip knows it was sent whole.
    return clip.read_to_end


async def play_speech(
    voice: discord.VoiceClient,
    clip: ClipAudio,
    speech: SpeechSlices,
    *,
    called_off: Callable[[], bool] = lambda: False,
) -> bool:
    """Play `speech` on `voice` through `clip` (`clip_audio_source.streamed_clip`) from its first
    slice, as `play_clip` plays a clip; True when all of it was made and sent."""
    assert clip.pipe is not None, "a clip of speech as it comes"
    feeding = background_tasks.start(_feed(speech, clip.pipe), name="speech fed", awaited=True)
    fed = False
    try:
        played = await play_clip(voice, clip, speech.longest, called_off=called_off)
    finally:
        feeding.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            fed = await feeding
        clip.pipe.end()
    return played and fed


async def _feed(speech: SpeechSlices, pipe: PcmPipe) -> bool:
    """Each slice of `speech` into `pipe` as it comes, the last HELD_BACK_SECONDS held back
    (faded out where the speech was cut); True when it all came."""
    held_back = round(speech.rate * HELD_BACK_SECONDS) * 2
    held = b""
    try:
        async for piece in speech:
            joined = held + piece
            pipe.put(joined[:-held_back])
            held = joined[-held_back:]
        pipe.put(held)
        return True
    except Exception as exc:  # MiMo's stream was cut: what came is played, faded out at its end
        logger.warning("speech stopped coming mid-way: %s", type(exc).__name__)
        pipe.put(_faded_out(held))
        return False
    finally:
        pipe.end()


def _faded_out(pcm: bytes) -> bytes:
    """PCM16LE samples faded linearly to silence."""
    samples = array.array("h", pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    count = len(samples)
    for at in range(count):
        samples[at] = samples[at] * (count - at) // count
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


async def _encrypted_end_to_end(voice: discord.VoiceClient) -> bool:
    """Wait until what `voice` plays is end-to-end encrypted where the call asks for it
    (discord.py would send it in the clear until then; discord.py has no event for it, so it is
    looked at every E2EE_CHECK_SECONDS); False if it is not within E2EE_READY_SECONDS, or the
    call ended meanwhile."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(E2EE_READY_SECONDS):
            while not encrypts_end_to_end(voice):
                if voice.guild.voice_client is not voice:
                    return False
                await asyncio.sleep(E2EE_CHECK_SECONDS)
            return True
    return False


async def _stop(voice: discord.VoiceClient, clip: ClipAudio, finished: asyncio.Event) -> None:
    """End a play before its end. A playing player stops at its next 20 ms frame; one waiting
    for a call that ended for good reads no more, and its ffmpeg is ended here."""
    voice.stop()
    # asyncio.timeout rather than wait_for, which on Python 3.11 loses a cancellation that comes
    # as what it waits for does: the reading that stops the bot would go on.
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(STOP_SECONDS):
            await finished.wait()
        return
    await asyncio.to_thread(clip.cleanup)
