"""A short voice note in one ffmpeg: decoded once to 16 kHz mono, then measured, its pauses
shortened and written as the WAV piece MiMo is sent, all in Python on the decoded samples.

    voice note (Ogg Opus, up to `SHORT_NOTE_SECONDS`)
      -> its length from its pages, in Python: the last page's granule position, less the
         stream's pre-skip (no ffmpeg; `ogg_opus_seconds`)
      -> ONE ffmpeg decodes it to 16-bit PCM on a pipe: a minute is 1.9 MB
      -> loudness per 50 ms block (`audioop.rms`), the noise floor and the pause threshold as
         for a long recording (`core.domain.recordings.pause_cut_rules`); each pause longer than
         `KEPT_PAUSE_SECONDS` cut down to that many blocks (`compacted`)
      -> one WAV piece, whose offset and duration are the note's own time

Why: most notes last a few seconds, and the long recording's pipeline runs three ffmpegs for
each of them (a probe, the noise floor, the conversion). Each start of the bundled static
ffmpeg costs about 10 ms of CPU, a distribution's dynamically linked one several times that,
and the bot's own bookkeeping of a child process a few more: for a five-second note that was
most of its cost (bench/RESULTS.md, section 3). Measuring a short note's samples in Python
costs a millisecond or two, and needs no ffmpeg 6.1 for compaction.

Anything else (another container or codec, MP3 pieces, a note longer than one piece, a file
ffmpeg fails on) returns None, and the long pipeline, with its exact errors, takes it.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
import wave
from dataclasses import dataclass
from pathlib import Path

from core.domain.recordings.pause_cut_rules import (
    BLOCK_SECONDS,
    KEPT_PAUSE_SECONDS,
    pause_threshold,
)
from core.domain.shared_values import AsrPiece
from core.infra.audio.asr_formats import WAV
from core.infra.audio.ffmpeg_inputs import AudioSource, mono
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.audio.media_probe import (
    BEGINS_STREAM,
    LONGEST_PAGE,
    MIN_AUDIO_SECONDS,
    last_page,
    page_at,
)

__all__ = [
    "RATE",
    "SHORT_NOTE_SECONDS",
    "compacted",
    "decode_short_note",
    "ogg_opus_seconds",
    "wav",
]

with warnings.catch_warnings():  # deprecated since 3.11; 3.13 on has it from audioop-lts
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

SHORT_NOTE_SECONDS = 60.0  # a note this long or shorter decodes whole, in one ffmpeg
RATE = 16_000
_SAMPLE_BYTES = 2
_BLOCK_SAMPLES = round(RATE * BLOCK_SECONDS)
_KEPT_BLOCKS = math.ceil(KEPT_PAUSE_SECONDS / BLOCK_SECONDS)
_FULL_SCALE = 32768.0
# Decoded at most this long: a file whose pages understate its length is not read on for ever;
# one that reaches it goes to the long pipeline.
_DECODE_SECONDS = SHORT_NOTE_SECONDS + 5
_MOST_PCM_BYTES = round(_DECODE_SECONDS * RATE * _SAMPLE_BYTES)
_OPUS_HEAD = struct.Struct("<8sBBHIhB")  # magic, version, channels, pre-skip, rate, gain, mapping
_OPUS_RATE = 48_000  # an Opus stream's granule positions count 48 kHz samples, whatever its rate


@dataclass(frozen=True)
class ShortNote:
    pcm: bytes  # 16-bit mono at `RATE`
    duration: float  # seconds, as decoded

    def piece(self, *, compact_pauses: bool) -> AsrPiece:
        """The note as one WAV piece, its long pauses shortened when `compact_pauses`; its
        offset and duration stay the note's own."""
        pcm = compacted(self.pcm) if compact_pauses else self.pcm
        return AsrPiece(data=wav(pcm), mime=WAV.mime, offset=0.0, duration=self.duration)


async def decode_short_note(
    path: Path, *, processes: FfmpegProcesses, longest: float
) -> ShortNote | None:
    """`path` decoded in one ffmpeg when it is an Ogg Opus note no longer than `longest` (and
    `SHORT_NOTE_SECONDS`) by its pages; None for anything else."""
    stated = ogg_opus_seconds(path)
    if stated is None or stated > min(longest, SHORT_NOTE_SECONDS):
        return None
    reading = AudioSource(path, in_graph=True, demuxer="ogg").reading(0, 0.0, _DECODE_SECONDS)
    run = await processes.output(
        "-filter_complex", f"{reading.head}{mono(RATE)}[pcm]", "-map", "[pcm]",
        "-f", "s16le", "pipe:1",
        audio_seconds=stated, most=_MOST_PCM_BYTES,
    )  # fmt: skip
    usable = len(run.stdout) - len(run.stdout) % _SAMPLE_BYTES
    duration = usable / _SAMPLE_BYTES / RATE
    if run.returncode != 0 or usable >= _MOST_PCM_BYTES or duration < MIN_AUDIO_SECONDS:
        return None
    return ShortNote(run.stdout[:usable], duration)


def ogg_opus_seconds(path: Path) -> float | None:
    """An Ogg Opus file's length by its pages (the last page's granule position, less the
    pre-skip), without decoding; None when `path` is not one Opus stream in Ogg or its pages
    do not say."""
    with path.open("rb") as file:
        head = file.read(LONGEST_PAGE)
        size = file.seek(0, io.SEEK_END)
        file.seek(max(0, size - LONGEST_PAGE))
        tail = file.read()
    first = page_at(head, 0)
    if first is None or not first.flags & BEGINS_STREAM:
        return None
    opus_head = head[first.body : first.end]
    if len(opus_head) < _OPUS_HEAD.size or not opus_head.startswith(b"OpusHead"):
        return None
    pre_skip: int = _OPUS_HEAD.unpack_from(opus_head)[3]
    last = last_page(tail)
    if last is None or last.serial != first.serial or last.granule < 0:
        return None
    return max(0, last.granule - pre_skip) / _OPUS_RATE


def block_levels(pcm: bytes) -> list[float]:
    """Loudness (RMS, dBFS) of each whole 50 ms block, as ffmpeg's astats measures it."""
    step = _BLOCK_SAMPLES * _SAMPLE_BYTES
    levels = []
    for start in range(0, len(pcm) - step + 1, step):
        rms = audioop.rms(pcm[start : start + step], _SAMPLE_BYTES)
        levels.append(20 * math.log10(rms / _FULL_SCALE) if rms else -math.inf)
    return levels


def compacted(pcm: bytes) -> bytes:
    """`pcm` with every pause (blocks under the note's pause threshold) longer than
    `KEPT_PAUSE_SECONDS` cut down to that long, as `silenceremove` does for a long recording;
    unchanged when the note has no measurable floor."""
    levels = block_levels(pcm)
    threshold = pause_threshold(levels)
    if threshold is None:
        return pcm
    step = _BLOCK_SAMPLES * _SAMPLE_BYTES
    kept = bytearray()
    quiet = 0  # blocks of the pause so far
    for number, level in enumerate(levels):
        quiet = quiet + 1 if level < threshold else 0
        if quiet <= _KEPT_BLOCKS:
            kept += pcm[number * step : (number + 1) * step]
    kept += pcm[len(levels) * step :]  # the last part-block
    return bytes(kept)


def wav(pcm: bytes, rate: int = RATE) -> bytes:
    """16-bit mono PCM at `rate` as a WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(_SAMPLE_BYTES)
        file.setframerate(rate)
        file.writeframes(pcm)
    return out.getvalue()
