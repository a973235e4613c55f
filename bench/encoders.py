"""Benchmark 7: what the ASR pieces are encoded as, side by side (`--only encoders`).

One ffmpeg process per conversion (no parallelism, no pieces), the 60-minute note to mono
16 kHz: decoding alone, MP3 48 kbps at LAME's -compression_level 7 (ASR_AUDIO_FORMAT=mp3) and
9 (its fastest), and 16-bit WAV (no encoding; what voicebridge sends by default). For each:
the time, the CPU time of the ffmpeg, the bytes a request would carry as base64, and the words
PocketSphinx hears in the JFK speech with its pauses stretched, encoded the same way, against
the words it hears in the original.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import ffmpeg_exe, inputs, sized
from bench.recogniser import word_error_rate, words_in
from bench.sections import loads, replace_section

HEADING = "## 7. What the pieces are encoded as: MP3 or WAV"
_MONO = ("-map", "0:a:0", "-map_metadata", "-1", "-ac", "1", "-ar", "16000")
_MP3 = ("-c:a", "libmp3lame", "-b:a", "48k", "-reservoir", "0", "-f", "mp3")
WAYS: dict[str, tuple[str, ...]] = {
    "decoding only": ("-f", "null"),
    "MP3, -compression_level 7 (ASR_AUDIO_FORMAT=mp3)": (*_MONO, *_MP3, "-compression_level", "7"),
    "MP3, -compression_level 9": (*_MONO, *_MP3, "-compression_level", "9"),
    "WAV, 16-bit (the default)": (*_MONO, "-c:a", "pcm_s16le", "-f", "wav"),
}
# The ways whose words the recogniser hears (each about as long as the recording takes, or more):
# the quick form hears the default way's alone.
HEARD = sized([way for way in WAYS if way != "decoding only"], ["WAV, 16-bit (the default)"])


def convert(src: Path, way: str, out: Path) -> tuple[float, float, int]:
    """Seconds, ffmpeg's CPU seconds, and the base64 characters of `src` converted `way`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    target = "-" if way == "decoding only" else str(out)
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(src), *WAYS[way],
                    target], check=True)  # fmt: skip
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    size = out.stat().st_size if target != "-" else 0
    return seconds, cpu, 4 * -(-size // 3)


def measure(repeat: int) -> dict[str, Any]:
    note = inputs.voice_note(sized(60, 1))
    speech = inputs.recordings().get(sized("JFK speech, pauses stretched", "JFK speech"))
    found: dict[str, Any] = {"ways": {}}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        runs: dict[str, list[tuple[float, float, int]]] = {way: [] for way in WAYS}
        for round_ in range(repeat):
            order = list(WAYS)[round_ % len(WAYS) :] + list(WAYS)[: round_ % len(WAYS)]
            for way in order:
                runs[way].append(convert(note, way, out))
                print(f"  60 min, {way}: {runs[way][-1][0]:.2f} s", flush=True)
        reference = words_in(speech.read_bytes()) if speech else None
        for way, done in runs.items():
            heard = None
            if speech is not None and way in HEARD:
                convert(speech, way, out)
                heard = words_in(out.read_bytes())
            found["ways"][way] = {
                "seconds": statistics.median(r[0] for r in done),
                "cpu": statistics.median(r[1] for r in done),
                "base64": done[0][2],
                "wer": word_error_rate(reference, heard) if heard is not None else None,
                "words": heard,
            }
        found["reference"] = reference
    found["repeat"] = repeat
    return found


def section(found: dict[str, Any], machine: dict[str, str]) -> str:
    lines = [
        HEADING,
        "",
        f"Measured {machine['date']} by `.venv/bin/python -m bench` (or `--only encoders`) with "
        f"{machine['ffmpeg']} ({machine.get('ffmpeg_source', '')}); "
        f"{loads(machine['load_before'], machine.get('load_after'))} "
        f"(medians of {found['repeat']} runs, alternating). "
        "One ffmpeg process, the whole 60-minute note "
        "to mono 16 kHz; the word error rate is PocketSphinx's words in the stretched JFK "
        "recording encoded that way, against its words in the original (bench/recogniser.py).",
        "",
        "| 60 minutes, one process | time | CPU time | sent (base64) | word error rate |",
        "|---|---|---|---|---|",
    ]
    for way, r in found["ways"].items():
        wer = "" if r["wer"] is None else f"{100 * r['wer']:.1f} %"
        sent = "" if not r["base64"] else f"{r['base64'] / 1e6:.1f} MB"
        lines.append(f"| {way} | {r['seconds']:.2f} s | {r['cpu']:.2f} s | {sent} | {wer} |")
    lines += [
        "",
        f"Words in the original: “{found['reference']}”.",
        "",
        "What the pieces are: 16 kHz WAV by default (`ASR_AUDIO_FORMAT=wav`), MP3 at "
        "-compression_level 7 for a bot whose uplink is slow or metered (`mp3`). Decoding the "
        "Opus is most of every way's cost; the MP3 pass adds LAME on top, and level 9 saves "
        "nothing measurable over level 7 at the same bytes. WAV skips that pass, and "
        "PocketSphinx hears it exactly as the original, while it hears either MP3 differently "
        "in about half its words: for this recogniser the 48 kbps MP3 is not transparent, and "
        "nothing says MiMo's is untouched by it either. WAV's price is 5.3 times the bytes: "
        "pieces stay under about 3.5 minutes to fit MiMo's 10 MB request (the default piece is "
        "one minute), and an hour sends 154 MB instead of 29. MiMo bills the seconds, not the "
        "bytes, so on any uplink that moves 154 MB in the minutes MiMo takes to hear an hour, "
        "WAV costs nothing and gains time and fidelity. With pauses compacted, less is "
        "written either way: the share of silence cut is also a share of the bytes saved.",
        "",
        "Which ffmpeg ran is named above; `python -m bench --only conversion`, run once with "
        "each ffmpeg on PATH, compares the 60-minute conversion on both (the sections named "
        "after their ffmpeg). Debian 12's 5.1 lacks the silenceremove option pause compaction "
        "needs (it came with 6.1): there, pauses are sent as they are.",
        "",
    ]
    return "\n".join(lines)


def with_section(results: str, text: str) -> str:
    """RESULTS.md with section 7 replaced by `text`."""
    return replace_section(results, HEADING, text)
