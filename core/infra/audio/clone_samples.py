"""Voice samples for cloning: the start of a member's own recording, or a designed voice's
sample, as a small MP3."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from core.domain.errors import UndecodableAudio
from core.infra.audio.compaction import pause_filter
from core.infra.audio.probe import inspect_media
from core.infra.audio.processes import FfmpegProcesses, file_url
from core.infra.audio.sources import source_of

__all__ = ["to_clone_sample", "wav_to_clone_sample"]

DESIGN_SECONDS = 120.0  # all of a design's sample (a sentence or two): a clone's longest


async def to_clone_sample(
    path: Path, *, processes: FfmpegProcesses, max_seconds: float, compact_pauses: bool = False
) -> tuple[bytes, str]:
    """A voice sample for cloning (`core.app.voices.studio`): the first `max_seconds` of the
    recording as mono 24 kHz MP3 at 64 kbps (30 s is about 240 kB, 120 s under 1 MB: far under
    MiMo's cap on a voice sample, which `core.domain.tts.clone_voice` checks). Returns the bytes and
    their MIME type. `compact_pauses`: long pauses shortened first, so the sample is `max_seconds`
    of speech rather than of silence."""
    # Empty, corrupt or not audio: one clear error before converting.
    media = await inspect_media(path, processes=processes, decode=False)
    pauses = None
    if compact_pauses:
        source = source_of(path, media)
        pauses = await pause_filter(
            source, media.info.duration, processes=processes, keep_times=False, sample_rate=24_000
        )
    shorten = ("-af", pauses) if pauses else ()
    with tempfile.TemporaryDirectory(prefix="voicebridge-sample-") as tmp:
        out = Path(tmp) / "sample.mp3"
        run = await processes.run(
            "-i", file_url(path), *shorten, "-t", f"{max_seconds:g}", "-map", "0:a:0",
            "-map_metadata", "-1",
            "-ac", "1", "-ar", "24000", "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", str(out),
            audio_seconds=media.info.duration,
        )  # fmt: skip
        if run.returncode != 0:
            raise UndecodableAudio("the audio could not be decoded")
        data = await asyncio.to_thread(out.read_bytes)
    return data, "audio/mpeg"


async def wav_to_clone_sample(wav: bytes, *, processes: FfmpegProcesses) -> tuple[bytes, str]:
    """A designed voice's WAV as its sample, kept like a clone's (MP3, about a tenth of the
    WAV): every later request in that voice carries it."""
    with tempfile.TemporaryDirectory(prefix="voicebridge-design-") as tmp:
        source = Path(tmp) / "design.wav"
        await asyncio.to_thread(source.write_bytes, wav)
        return await to_clone_sample(source, processes=processes, max_seconds=DESIGN_SECONDS)
