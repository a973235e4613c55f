"""Audio for a question about a recording: the whole recording in one request, as it is when MiMo
takes its format and size, else as MP3; a recording longer than allowed, or too long for one
request even as MP3, is refused, in time. Handed over as a file, never read into memory: the
MiMo adapter streams it into its request."""

from __future__ import annotations

import math
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from core.domain.errors import TooLongToAsk, UndecodableAudio
from core.domain.quantities import Duration
from core.infra.audio.asr_formats import MP3_ARGS, MP3_BYTES_PER_SECOND
from core.infra.audio.ffmpeg_inputs import source_of
from core.infra.audio.ffmpeg_processes import FfmpegProcesses, file_url
from core.infra.audio.media_probe import Media, check_length, inspect_media
from core.infra.audio.pauses import pause_filter
from core.ports import UnderstandingAudio

__all__ = ["understanding_input"]

_PASSTHROUGH = {
    ("mp3", "mp3"): "audio/mpeg",
    ("wav", "pcm_s16le"): "audio/wav",
    ("flac", "flac"): "audio/flac",
    ("mov,mp4,m4a,3gp,3g2,mj2", "aac"): "audio/mp4",
    ("ogg", "opus"): "audio/ogg",
    ("ogg", "vorbis"): "audio/ogg",
}


@asynccontextmanager
async def understanding_input(
    path: Path,
    *,
    processes: FfmpegProcesses,
    max_seconds: float,
    max_base64: int,
    compact_pauses: bool = False,
) -> AsyncIterator[UnderstandingAudio]:
    """The file, MIME type and measured length for audio understanding: the file itself when
    MiMo takes it, else an MP3 of it that lasts as long as the block. Refused before converting
    when it is longer than `max_seconds` or than one request holds as MP3 (`max_base64`, the
    caps' `understanding`); what is sent is checked against the cap by the MiMo adapter.
    `compact_pauses`: the MP3, when one is made, has its long pauses shortened (a file sent as
    it is stays untouched: no conversion just for that)."""
    media = await inspect_media(path, processes=processes, decode=False)
    check_length(media.info.duration, max_seconds)
    mime = _passthrough_mime(media)
    if mime is not None and _base64_size(media.size) < max_base64:
        yield UnderstandingAudio(path, mime, media.info.duration)
        return
    _check_understandable(int(media.info.duration * MP3_BYTES_PER_SECOND), max_base64)
    with tempfile.TemporaryDirectory(prefix="voicebridge-mp3-") as tmp:
        out = Path(tmp) / "audio.mp3"
        pauses = None
        if compact_pauses:
            pauses = await pause_filter(
                source_of(path, media), media.info.duration, processes=processes, keep_times=False
            )
        await _encode_mp3(path, out, processes, pauses, seconds=media.info.duration)
        yield UnderstandingAudio(out, "audio/mpeg", media.info.duration)


def _passthrough_mime(media: Media) -> str | None:
    """The MIME type to send `media` as it is, or None when it needs converting."""
    if media.has_video:
        return None
    return _PASSTHROUGH.get((media.info.container or "", media.info.codec or ""))


async def _encode_mp3(
    src: Path, out: Path, processes: FfmpegProcesses, pauses: str | None, *, seconds: float
) -> None:
    """The first audio stream of `src`, `seconds` long, as one mono 16 kHz MP3 in `out`,
    through the `pauses` filter when there is one."""
    shorten = ("-af", pauses) if pauses else ()
    run = await processes.run(
        "-i", file_url(src), *MP3_ARGS, *shorten, "-f", "mp3", str(out), audio_seconds=seconds
    )
    if run.returncode != 0:
        raise UndecodableAudio("the audio could not be decoded")


def _check_understandable(mp3_size: int, max_base64: int) -> None:
    """Audio understanding hears a recording in one request, so there is no splitting it: past
    the cap the user is told how much fits, in time (the file size they see means little once
    it is converted)."""
    if _base64_size(mp3_size) >= max_base64:
        seconds = max_base64 * 3 / 4 / MP3_BYTES_PER_SECOND
        limit = Duration(round(seconds // 60 * 60 or seconds // 1))  # whole minutes when long
        raise TooLongToAsk("too long for one audio-understanding request", limit=limit)


def _base64_size(size: int) -> int:
    return 4 * math.ceil(size / 3)
