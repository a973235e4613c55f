"""Opus frames (48 kHz, as Discord carries them) decoded to mono PCM at the rate asked, in this
process: libopus through PyAV, whose wheels carry both (nothing to install from the system).
libopus mixes the two channels down itself; libswresample brings 48 kHz to the rate asked.
One decoder per stream: Opus decoding carries state from one frame to the next."""

from __future__ import annotations

import av
import av.error

OPUS_RATE = 48_000


class OpusDecoder:
    """One member's stream of Opus frames, to 16-bit mono PCM at `rate`."""

    def __init__(self, rate: int) -> None:
        self._codec = av.CodecContext.create("libopus", "r")
        self._codec.sample_rate = OPUS_RATE
        self._codec.layout = "mono"
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)

    def decode(self, frame: bytes) -> bytes:
        """The PCM of one frame (empty for a frame libopus refuses, as a listener drops it)."""
        try:
            decoded = self._codec.decode(av.Packet(frame))
        except av.error.FFmpegError:
            return b""
        pcm = bytearray()
        for audio in decoded:
            for out in self._resampler.resample(audio):
                pcm += memoryview(out.planes[0])[: out.samples * 2]
        return bytes(pcm)
