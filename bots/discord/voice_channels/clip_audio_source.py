"""The audio source every clip the bot plays in a voice channel goes through.

discord.py's `FFmpegOpusAudio` has ffmpeg write an Ogg/Opus stream and hands the voice client
every packet of it, the stream's two header packets included: the identification header
(`OpusHead`) and the comment header (`OpusTags`, RFC 7845 5). They are not audio, yet each is
sent as a 20 ms frame: a listener's client decodes noise from them or drops them. `ClipAudio`
passes on only the audio packets.

Speech played as it is made (`streamed_clip`) goes through the same ffmpeg: MiMo's 24 kHz mono
slices are written to its pipe as they come (`PcmPipe`), one continuous stream of samples, so
the slices join without a click, and ffmpeg resamples them to the 48 kHz stereo Opus Discord
wants. Its Ogg pages are flushed every packet: by default ffmpeg holds a page for a second.
"""

from __future__ import annotations

import io
import subprocess
import threading
from collections import deque

import discord

from bots.discord.discordpy_internals import ffmpeg_process_of

__all__ = ["ClipAudio", "PcmPipe", "streamed_clip"]

# No Opus audio packet starts with these: read as a table-of-contents byte, "Op" asks for 48
# frames of 20 ms, past the 120 ms a packet may hold (RFC 6716 3.2.5).
OGG_HEADER_PACKETS = (b"OpusHead", b"OpusTags")
EXIT_SECONDS = 5.0  # for ffmpeg to exit once its output ended


# How ffmpeg reads speech as it comes, and writes each Opus packet at once.
_PCM_INPUT = "-f s16le -ar {rate} -ch_layout mono"
_FLUSHED = "-page_duration 20000 -flush_packets 1"


class PcmPipe(io.RawIOBase):
    """Samples handed over from the event loop (`put`, `end`) to discord.py's thread that
    writes ffmpeg's input (`read`, which waits for them)."""

    def __init__(self) -> None:
        super().__init__()
        self._pieces: deque[bytes] = deque()
        self._ended = False
        self._changed = threading.Condition()

    def put(self, samples: bytes) -> None:
        with self._changed:
            self._pieces.append(samples)
            self._changed.notify_all()

    def end(self) -> None:
        """No more samples: ffmpeg's input ends once those given are read."""
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        with self._changed:
            self._changed.wait_for(lambda: self._pieces or self._ended)
            if not self._pieces:
                return b""
            piece = self._pieces.popleft()
            if 0 <= size < len(piece):
                piece, rest = piece[:size], piece[size:]
                self._pieces.appendleft(rest)
            return piece


class ClipAudio(discord.FFmpegOpusAudio):
    """One clip (a voice note's OGG, or anything ffmpeg reads) as the 20 ms Opus packets
    discord.py sends, encoded by the `ffmpeg` executable from a pipe (no temporary file)."""

    def __init__(
        self,
        clip: bytes | PcmPipe,
        *,
        ffmpeg: str,
        before_options: str | None = None,
        options: str | None = None,
    ) -> None:
        self.pipe = clip if isinstance(clip, PcmPipe) else None
        source = clip if isinstance(clip, PcmPipe) else io.BytesIO(clip)
        super().__init__(
            source,  # type: ignore[arg-type]  # read as discord.py's pipe writer reads
            pipe=True,
            executable=ffmpeg,
            before_options=before_options,
            options=options,
        )
        # Set in discord.py's player thread once it asked past the last packet and ffmpeg
        # exited cleanly: it has sent them all. A play stopped early (the call ended) or a
        # clip ffmpeg failed on ends the same way, without it.
        self.read_to_end = False
        self._ending = threading.Lock()

    def cleanup(self) -> None:
        """End and reap ffmpeg (again: nothing). The player's thread ends a clip, and so does the
        bot when a play's call ended under it
        (`bots.discord.voice_channels.speech_playback.play_clip`)."""
        if self.pipe is not None:
            self.pipe.end()  # discord.py's writer thread stops waiting for samples
        with self._ending:
            process = ffmpeg_process_of(self)
            super().cleanup()
            # discord.py kills ffmpeg but, once the pipe feeding it was in use, leaves it
            # unreaped: a zombie until the next subprocess starts.
            if process is not None:
                process.wait()

    def _pipe_writer(self, source: io.BufferedIOBase) -> None:
        """discord.py's thread writing ffmpeg's input, made safe for speech as it comes: a clip
        cleaned up while this waited for samples (its `stdin` gone) ends here quietly, where
        discord.py's own would raise in its thread."""
        while self._process:
            data = source.read(self.BLOCKSIZE)
            stdin = self._stdin
            if not stdin:  # cleaned up meanwhile: ffmpeg is gone
                return
            try:
                if not data:
                    stdin.close()
                    return
                stdin.write(data)
            except (OSError, ValueError):  # ffmpeg ended or is killed, or the cleanup closed
                return  # its `stdin` between the look above and the write: nothing more to write

    def read(self) -> bytes:
        packet = super().read()
        while packet.startswith(OGG_HEADER_PACKETS):
            packet = super().read()
        if not packet:
            # The stream ended: whole only if ffmpeg did not fail (a clip it cannot decode ends
            # the same way, after no packet or a few).
            self.read_to_end = self._exit_code() == 0
        return packet

    def _exit_code(self) -> int | None:
        """ffmpeg's exit code once its output ended; None if it does not exit in time."""
        process = ffmpeg_process_of(self)
        if process is None:
            return None
        try:
            return process.wait(timeout=EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            return None


def streamed_clip(rate: int, *, ffmpeg: str) -> ClipAudio:
    """A clip of PCM16LE mono samples at `rate` Hz, played as they are put in its `pipe`."""
    return ClipAudio(
        PcmPipe(), ffmpeg=ffmpeg, before_options=_PCM_INPUT.format(rate=rate), options=_FLUSHED
    )
