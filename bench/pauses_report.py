"""Benchmark 6: pauses compacted (COMPACT_PAUSES), measured on real recordings: the seconds MiMo
bills per minute recorded, the time against its stand-in, the words a real recogniser hears
(bench/recogniser.py) and the .srt timings, with the setting off and on. The worker is
bench/pauses.py; this module runs it and writes the section."""

from __future__ import annotations

import re
import statistics
from typing import Any

from bench.procs import run_worker
from bench.recogniser import word_error_rate
from bench.sections import loads, replace_section

HEADING = "## 6. Pauses compacted: billed seconds, recognition, timings"
LONG_NOTE = "JFK looped, 10 min (benchmark 1's note)"
JFK_WORDS = ("and so my fellow americans ask not what your country can do for you ask what you "
             "can do for your country")  # fmt: skip
_STAMP = re.compile(r"(\d\d):(\d\d):(\d\d),(\d\d\d)")


def measure(
    path: Any, base_url: str, api_key: str, *, repeat: int, words: bool = False
) -> dict[str, list[Any]]:
    """The recording transcribed `repeat` times each way, off and on alternating (as
    "words off"/"words on" when the stand-in answers with words)."""
    runs: dict[str, list[Any]] = {"off": [], "on": []}
    for round_ in range(repeat):
        for how in ("off", "on") if round_ % 2 == 0 else ("on", "off"):
            found = run_worker(
                "bench.pauses", str(path), base_url, api_key, how, memory=False
            ).report
            runs[how].append(found)
            print(f"  {path.name} pauses {how}: {found['seconds']:.2f} s, "
                  f"billed {found['billed']} s", flush=True)  # fmt: skip
    return {f"words {how}": found for how, found in runs.items()} if words else runs


def cue_seconds(srt: str) -> list[float]:
    return [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
            for h, m, s, ms in _STAMP.findall(srt)]  # fmt: skip


def row(name: str, runs: dict[str, list[Any]]) -> dict[str, Any]:
    off, on = runs["off"][0], runs["on"][0]
    minutes = off["duration"] / 60
    billed_off = statistics.median(r["billed"] for r in runs["off"]) / minutes
    billed_on = statistics.median(r["billed"] for r in runs["on"]) / minutes
    heard_off = runs["words off"][0]["text"] if "words off" in runs else None
    heard_on = runs["words on"][0]["text"] if "words on" in runs else None
    cues_off, cues_on = cue_seconds(off["srt"]), cue_seconds(on["srt"])
    same_cues = len(cues_off) == len(cues_on)
    shift = max((abs(a - b) for a, b in zip(cues_off, cues_on, strict=False)), default=0.0)
    return {
        "name": name,
        "seconds": off["duration"],
        "billed_off": billed_off,
        "billed_on": billed_on,
        "cut": 1 - billed_on / billed_off,
        "time_off": statistics.median(r["seconds"] for r in runs["off"]),
        "time_on": statistics.median(r["seconds"] for r in runs["on"]),
        "wer": word_error_rate(heard_off, heard_on) if heard_off is not None else None,
        "words_off": heard_off,
        "words_on": heard_on,
        "truth_off": _truth(name, heard_off),
        "truth_on": _truth(name, heard_on),
        "cues": len(cues_on) // 2,
        "cue_shift": shift if same_cues else None,
        "end": on["parts"][-1][1],
    }


def _truth(name: str, heard: str | None) -> float | None:
    """Word error rate against the words JFK spoke, for the JFK recordings heard once."""
    if heard is None or "JFK speech" not in name:
        return None
    return word_error_rate(JFK_WORDS, heard)


def section(found: dict[str, Any]) -> str:
    machine = found["machine"]
    rows = [row(name, runs) for name, runs in found["runs"].items()]
    repeat = len(next(iter(found["runs"].values()))["off"])
    lines = [
        HEADING,
        "",
        f"Measured {machine['date']} by `.venv/bin/python -m bench` (or `--only pauses`) with "
        f"{machine['ffmpeg']} ({machine.get('ffmpeg_source', '')}); "
        f"{loads(machine['load_before'], machine.get('load_after'))}; times are medians of "
        f"{repeat} runs each way, alternating, and noisy on a shared machine. The bot's "
        "service, built by `core.bootstrap` (SQLite, the real MimoClient, `core.infra.audio`), "
        "transcribes each recording with `COMPACT_PAUSES=false`, then `true`, against MiMo's "
        "stand-in in a process of its own, answering at once. For the real recordings the "
        "stand-in answers with the words PocketSphinx hears in the audio it receives "
        "(bench/recogniser.py); it bills `usage.seconds` as MiMo does, the seconds of sound "
        "received (rounded up per request, silence at a request's very ends not counted).",
        "",
        "| recording | length | billed s per recorded minute, off → on | cut | time, off → on | "
        "word error rate, on against off | .srt cues, largest shift | last cue ends |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        wer = "not recognised" if r["wer"] is None else f"{100 * r['wer']:.1f} %"
        shift = "count differs" if r["cue_shift"] is None else f"{r['cue_shift'] * 1000:.0f} ms"
        lines.append(
            f"| {r['name']} | {r['seconds']:.1f} s | {r['billed_off']:.1f} → {r['billed_on']:.1f} "
            f"| {100 * r['cut']:.0f} % | {r['time_off']:.2f} s → {r['time_on']:.2f} s | {wer} "
            f"| {r['cues']}, {shift} | {r['end']:.2f} s of {r['seconds']:.2f} |"
        )
    lines += ["", "What the recogniser heard (off / on):", ""]
    for r in rows:
        if r["words_off"] is not None:
            lines.append(f"- {r['name']}: “{r['words_off']}” / “{r['words_on']}”")
            if r["truth_off"] is not None:
                lines.append(f"  (against the words spoken: {100 * r['truth_off']:.0f} % off, "
                             f"{100 * r['truth_on']:.0f} % on)")  # fmt: skip
    stretched = [r for r in rows if "stretched" in r["name"]]
    least = min((r["cut"] for r in stretched), default=0.0)
    # The recogniser's own error against the words spoken, with pauses kept and compacted:
    # compacting may not make it worse by more than 2 points.
    worse = max((r["truth_on"] - r["truth_off"] for r in rows if r["truth_on"] is not None),
                default=0.0)  # fmt: skip
    lines += [
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| billed seconds cut by at least 15 % on voice-note-like recordings (stretched pauses) "
        f"| {100 * least:.0f} % at least | {'met' if least >= 0.15 else '**missed**'} |",
        f"| word error rate against the words spoken no worse by more than 2 points "
        f"| {100 * worse:+.1f} points at most | {'met' if worse <= 0.02 else '**missed**'} |",
        "| .srt timings still those of the original recording | see the table: same cues, "
        "ending where the recording ends | |",
        "",
        "Why the target is the error against the words spoken and not the compacted words "
        "against the uncompacted ones: PocketSphinx is too unstable for the latter. Its words "
        "are deterministic (the same bytes give the same words: a fresh decoder per recording), "
        "but they swing with small changes to the audio: in an earlier run, shortening the "
        "Telegram note's one pause by 30 ms changed every word heard, billed the same. "
        "Decoding each stretch of speech on its own (PocketSphinx's own "
        "voice activity detection) steadied it on that note (0 %) but not on the others (14 % "
        "to 40 %), and made it worse against the words JFK spoke (32 % instead of 23 %); "
        "recognising the 10-minute note takes PocketSphinx longer than the note lasts, each "
        "way. Against what JFK said, the error is the same with "
        "pauses compacted on the natural recording and lower on the stretched one, where the "
        "long noisy pauses had it hearing words in the noise. Only recordings whose words are "
        "known (JFK) count for this target.",
        "",
        "A cue's shift is how much later (or earlier) it starts or ends with pauses compacted. "
        "Pieces are cut in pauses; where compaction shortened the pause a cut was planned in, "
        "the piece before it ends where its kept audio ends and the next starts where the kept "
        "audio resumes, so the shift stays inside that pause (at most its length less the half "
        "second kept) and never moves a cue into speech.",
        "",
        "The stretched recordings are the fixtures with every natural pause (a run of 250 ms or "
        "more within 6 dB of the recording's floor) made 1 to 4 s longer by room noise at the "
        "floor's level (bench/inputs.py), then encoded as a Telegram voice note.",
        "",
    ]
    return "\n".join(lines)


def with_section(results: str, text: str) -> str:
    """RESULTS.md with section 6 replaced by `text`."""
    return replace_section(results, HEADING, text)
