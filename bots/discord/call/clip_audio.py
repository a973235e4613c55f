"""The audio source every clip the bot plays in a voice channel goes through.

discord.py's `FFmpegOpusAudio` has ffmpeg write an Ogg/Opus stream and hands the voice client
every packet of it, the stream's two header packets included: the identification header
(`OpusHead`) and the comment header (`OpusTags`, RFC 7845 §5). They are not audio, yet each is
sent as a 20 ms frame: a listener's client decodes noise from them or drops them. `ClipAudio`
passes on only the audio packets.
"""

from __future__ import annotations

import io
import subprocess
import threading

import discord

from bots.discord.discordpy import ffmpeg_process_of

# No Opus audio packet starts with these: read as a table-of-contents byte, "Op" asks for 48
# frames of 20 ms, past the 120 ms a packet may hold (RFC 6716 §3.2.5).
OGG_HEADER_PACKETS = (b"OpusHead", b"OpusTags")
EXIT_SECONDS = 5.0  # for ffmpeg to exit once its output ended


class ClipAudio(discord.FFmpegOpusAudio):
    """One clip (a voice note's OGG, or anything ffmpeg reads) as the 20 ms Opus packets
    discord.py sends, encoded by the `ffmpeg` executable from a pipe (no temporary file)."""

    def __init__(self, clip: bytes, *, ffmpeg: str) -> None:
        super().__init__(io.BytesIO(clip), pipe=True, executable=ffmpeg)
        # Set in discord.py's player thread once it asked past the last packet and ffmpeg
        # exited cleanly: it has sent them all. A play stopped early (the call ended) or a
        # clip ffmpeg failed on ends the same way, without it.
        self.read_to_end = False
        self._ending = threading.Lock()

    def cleanup(self) -> None:
        """End and reap ffmpeg (again: nothing). The player's thread ends a clip, and so does the
        bot when a play's call ended under it (`bots.discord.call.playback.play_clip`)."""
        with self._ending:
            process = ffmpeg_process_of(self)
            super().cleanup()
            # discord.py kills ffmpeg but, once the pipe feeding it was in use, leaves it
            # unreaped: a zombie until the next subprocess starts.
            if process is not None:
                process.wait()

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
