"""Opus frames (48 kHz, as Discord carries them) decoded to mono PCM, in this process: libopus
through PyAV, whose wheels carry both (nothing to install from the system). libopus mixes the two
channels down itself. One decoder per stream: Opus decoding carries state from one frame to the
next. An utterance is brought to the rate asked for once it is whole, by libswresample: one
call per utterance costs a third of one call per 20 ms frame (bench/RESULTS.md, section 9)."""

from __future__ import annotations

import av
import av.error

__all__ = ["OpusDecoder", "resampled"]

OPUS_RATE = 48_000


class OpusDecoder:
    """One member's stream of Opus frames, to 16-bit mono PCM at 48 kHz."""

    def __init__(self) -> None:
        self._codec = av.CodecContext.create("libopus", "r")
        self._codec.sample_rate = OPUS_RATE
        self._codec.layout = "mono"

    def decode(self, frame: bytes) -> bytes:
        """The PCM of one frame (empty for a frame libopus refuses, as a listener drops it)."""
        try:
            decoded = self._codec.decode(av.Packet(frame))
        except av.error.FFmpegError:
            return b""
        return b"".join(
            bytes(memoryview(audio.planes[0])[: audio.samples * 2]) for audio in decoded
        )


def resampled(pcm: bytes, rate: int) -> bytes:
    """48 kHz mono PCM16 at `rate`."""
    if rate == OPUS_RATE or not pcm:
        return pcm
    samples = len(pcm) // 2
    audio = av.AudioFrame(format="s16", layout="mono", samples=samples)
    audio.planes[0].update(pcm[: samples * 2])
    audio.sample_rate = OPUS_RATE
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
    out = bytearray()
    for chunk in (*resampler.resample(audio), *resampler.resample(None)):
        out += memoryview(chunk.planes[0])[: chunk.samples * 2]
    return bytes(out)
