"""The recordings the benchmarks convert: Telegram-style voice notes (OGG/Opus, mono, 48 kHz,
32 kbps) of 1, 10 and 60 minutes.

Made from the JFK clip in the shared fixtures when it is there (real speech with real pauses,
looped as the fixtures README shows), else from generated speech-like sound: a voice-like tone
whose pitch wanders, switched on and off in word- and sentence-sized stretches, over a quiet
room noise. Made once and kept in bench/out/inputs (git ignores bench/out).
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

from core.infra.audio.ffmpeg import ffmpeg_exe

OUT = Path(__file__).parent / "out" / "inputs"
JFK = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "audio" / "jfk.flac"
JFK_SECONDS = 11.0
VOICE_NOTE = ("-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "32k", "-f", "ogg")
# Words of about 0.3 s, a short gap every ~1.5 s, a longer pause every ~7 s.
_SPEECH = (
    "0.4*sin(2*PI*(170+40*sin(2*PI*0.37*t))*t)*(0.6+0.4*sin(2*PI*3.1*t))"
    "*gt(sin(2*PI*0.67*t)+0.35\\,0)*gt(sin(2*PI*0.14*t)+0.8\\,0)"
)


def source_name() -> str:
    return "JFK speech (jfk.flac, looped)" if JFK.exists() else "generated speech-like sound"


def voice_note(minutes: int) -> Path:
    """A voice note of `minutes` minutes, made on first use."""
    kind = "jfk" if JFK.exists() else "synthetic"
    path = OUT / f"note-{minutes}min-{kind}.ogg"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        _make(minutes * 60, partial)
        partial.rename(path)
    return path


def _make(seconds: int, dest: Path) -> None:
    if JFK.exists():
        loops = math.ceil(seconds / JFK_SECONDS)
        source = ["-stream_loop", str(loops), "-i", str(JFK)]
        graph: list[str] = []
    else:
        speech = f"aevalsrc={_SPEECH}:s=48000:d={seconds}"
        room = f"anoisesrc=c=pink:r=48000:a=0.004:d={seconds}"
        source = ["-f", "lavfi", "-i", speech, "-f", "lavfi", "-i", room]
        graph = ["-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0"]
    command = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *source,
               *graph, "-t", str(seconds), *VOICE_NOTE, str(dest)]  # fmt: skip
    subprocess.run(command, check=True)
