"""The recordings the benchmarks convert: Telegram-style voice notes (OGG/Opus, mono, 48 kHz,
32 kbps) of 1, 10 and 60 minutes.

Made from the JFK clip in the shared fixtures when it is there (real speech with real pauses,
looped as the fixtures README shows), else from generated speech-like sound: a voice-like tone
whose pitch wanders, switched on and off in word- and sentence-sized stretches, over a quiet
room noise. Made once and kept in bench/out/inputs (git ignores bench/out).
"""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

from bench import OUT as BENCH_OUT
from bench import QUICK, ffmpeg_exe

OUT = BENCH_OUT / "inputs"
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


# --- benchmark 6: real recordings, and the same with their pauses stretched --------------------

FIXTURES = JFK.parent
# How much longer each natural pause becomes, in rotation: a voice note's hesitations and dead air.
STRETCH = (1.5, 3.0, 2.0, 4.0, 1.0, 2.5)
QUICK_SECONDS = 5  # the quick form's real recordings: their first seconds
_LEVEL = re.compile(r"pts_time:([\d.]+)\s+lavfi\.astats\.Overall\.RMS_level=(\S+)")


def recordings() -> dict[str, Path]:
    """The real recordings benchmark 6 transcribes (name: file), stretched ones made on first
    use; empty without the shared fixtures."""
    found = {}
    for name, file in (("JFK speech", "jfk.flac"), ("Telegram's sample note", "telegram.ogg")):
        src = FIXTURES / file
        if src.exists():
            src = _first_seconds(src, QUICK_SECONDS) if QUICK else src
            found[name] = src
            found[f"{name}, pauses stretched"] = stretched(src)
    return found


def _first_seconds(src: Path, seconds: float) -> Path:
    """The first `seconds` of `src`, in the same format (the quick form's recordings: a
    recogniser takes about as long as the audio)."""
    path = OUT / f"{src.stem}-first-{seconds:g}s{src.suffix}"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(src),
                        "-t", f"{seconds:g}", str(path)], check=True)  # fmt: skip
    return path


def stretched(src: Path) -> Path:
    """`src` as a voice note with every natural pause made longer (`STRETCH`): room noise at
    the recording's own floor, inserted in the middle of each pause."""
    path = OUT / f"{src.stem}-stretched.ogg"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    levels = _levels(src)
    floor = min(max(levels[i : i + 5]) for i in range(len(levels) - 4))
    middles = _pause_middles(levels, floor + 6)
    amplitude = 10 ** (max(floor, -80) / 20)
    bounds = [0.0, *middles]
    chains, labels = [], []
    for i, start in enumerate(bounds):
        end = f":end={bounds[i + 1]:.3f}" if i + 1 < len(bounds) else ""
        chains.append(f"[0:a]aformat=sample_rates=48000:channel_layouts=mono,"
                      f"atrim=start={start:.3f}{end},asetpts=N/SR/TB[s{i}]")  # fmt: skip
        labels.append(f"[s{i}]")
        if i + 1 < len(bounds):
            extra = STRETCH[i % len(STRETCH)]
            chains.append(f"anoisesrc=c=pink:r=48000:a={amplitude:.6f}:d={extra}[n{i}]")
            labels.append(f"[n{i}]")
    graph = ";".join([*chains, f"{''.join(labels)}concat=n={len(labels)}:v=0:a=1"])
    partial = path.with_suffix(".partial")
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(src),
                    "-filter_complex", graph, *VOICE_NOTE, str(partial)], check=True)  # fmt: skip
    partial.rename(path)
    return path


def _levels(src: Path) -> list[float]:
    """RMS level (dBFS) of every 50 ms block of `src`, mono 16 kHz."""
    chain = ("aformat=sample_rates=16000:channel_layouts=mono,asetnsamples=n=800:p=0,"
             "astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level,"
             "ametadata=mode=print:key=lavfi.astats.Overall.RMS_level:file=-")  # fmt: skip
    command = [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(src), "-af", chain, "-f", "null",
               "-"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return [float(level) if level not in ("-inf", "nan") else -120.0
            for _, level in _LEVEL.findall(done.stdout)]  # fmt: skip


def _pause_middles(levels: list[float], threshold: float) -> list[float]:
    """Seconds at the middle of every run of at least 250 ms under `threshold`, except at the
    very start and end (those are not pauses between words)."""
    middles, run = [], 0
    for i, level in enumerate([*levels, 0.0]):
        if level < threshold:
            run += 1
            continue
        if run >= 5 and i - run > 0 and i < len(levels):
            middles.append((i - run / 2) * 0.05)
        run = 0
    return middles
