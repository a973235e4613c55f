"""Benchmark 1's worker: convert one voice note to ASR input by one method, print a JSON line.

    python -m bench.convert voicebridge NOTE [WORKERS [FORMAT]]  FfmpegAudio.asr_pieces, as the
                                                     bot does (FORMAT: wav, the default, or mp3)
    python -m bench.convert voicebridge-mp3 NOTE        the same with ASR_AUDIO_FORMAT=mp3
    python -m bench.convert voicebridge-unbatched NOTE  the same with ffmpeg's default scheduling
    python -m bench.convert pydub NOTE                  AudioSegment.from_file, then .export(mp3)
    python -m bench.convert ffmpeg NOTE [FORMAT]        one bare ffmpeg pass to the same output
    python -m bench.convert decode NOTE                 only decoding it (the floor's floor)

The parent measures memory from outside (bench/procs.py). The worker reports the conversion's
own time (from the call to the last byte, imports and interpreter start-up excluded, as in a
running bot), the bytes a request would carry, and its CPU time with its children's.
"""

from __future__ import annotations

import asyncio
import base64
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import ffmpeg_exe
from core.infra.audio.asr_formats import ASR_FORMATS, WAV
from core.infra.audio.ffmpeg_binary import point_pydub_at
from core.infra.mimo import MIMO_AUDIO_CAPS


async def voicebridge(note: Path, workers: int | None, fmt: str) -> dict[str, object]:
    from core.infra.audio.ffmpeg_converter import FfmpegAudio
    from core.infra.audio.ffmpeg_processes import FfmpegProcesses
    from core.infra.malloc_tuning import return_large_blocks

    return_large_blocks()  # as core.bootstrap does for the bot
    asr_pieces = FfmpegAudio(
        processes=FfmpegProcesses(executable=ffmpeg_exe()), caps=MIMO_AUDIO_CAPS, asr_format=fmt
    ).asr_pieces

    started = time.monotonic()
    first = None
    sizes: list[int] = []
    async with asr_pieces(note, piece_seconds=60, workers=workers) as pieces:
        async for piece in pieces:
            first = first or time.monotonic() - started
            sizes.append(len(piece.data))
    return {"seconds": time.monotonic() - started, "first_piece": first,
            "bytes": sum(sizes), "base64": sum(4 * -(-n // 3) for n in sizes),
            "pieces": len(sizes)}  # fmt: skip


def pydub(note: Path) -> dict[str, object]:
    from pydub import AudioSegment

    point_pydub_at(ffmpeg_exe())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.mp3"
        started = time.monotonic()
        # pydub asks ffprobe about the stream unless told the codec; the imageio-ffmpeg wheel
        # has no ffprobe, so it is told. That skips a probe: the naive path gets faster.
        sound = AudioSegment.from_file(str(note), codec="opus")
        sound.export(str(out), format="mp3")
        seconds = time.monotonic() - started
        size = out.stat().st_size
    return {"seconds": seconds, "bytes": size, "base64": len(base64.b64encode(bytes(size))),
            "pieces": 1}  # fmt: skip


def bare_ffmpeg(note: Path, fmt: str) -> dict[str, object]:
    """The floor: voicebridge's very output settings, in one file, by one plain ffmpeg."""
    encoding = ASR_FORMATS[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"out{encoding.suffix}"
        started = time.monotonic()
        subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(note),
                        "-map", "0:a:0", "-map_metadata", "-1", "-ac", "1", "-ar", "16000",
                        *encoding.codec, str(out)], check=True)  # fmt: skip
        seconds = time.monotonic() - started
        size = out.stat().st_size
    return {"seconds": seconds, "bytes": size, "base64": 4 * -(-size // 3), "pieces": 1}


def decode_only(note: Path) -> dict[str, object]:
    started = time.monotonic()
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(note), "-f", "null", "-"],
                   check=True)  # fmt: skip
    return {"seconds": time.monotonic() - started, "bytes": 0, "base64": 0, "pieces": 0}


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    method, note = sys.argv[1], Path(sys.argv[2])
    before = cpu_seconds()
    fmt = WAV.name
    if method == "voicebridge-mp3":  # the ASR_AUDIO_FORMAT=mp3 bot
        report = asyncio.run(voicebridge(note, None, "mp3"))
    elif method == "voicebridge-unbatched":  # as the bot ran its ffmpegs before batch scheduling
        from core.infra.audio import ffmpeg_processes

        ffmpeg_processes.batch_scheduling = lambda pid: None
        report = asyncio.run(voicebridge(note, None, fmt))
    elif method == "voicebridge":
        workers = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] != "-" else None
        fmt = sys.argv[4] if len(sys.argv) > 4 else fmt
        report = asyncio.run(voicebridge(note, workers, fmt))
    elif method == "pydub":
        report = pydub(note)
    elif method == "decode":
        report = decode_only(note)
    else:
        report = bare_ffmpeg(note, sys.argv[3] if len(sys.argv) > 3 else fmt)
    report["cpu"] = cpu_seconds() - before
    print(json.dumps(report))


if __name__ == "__main__":
    main()
