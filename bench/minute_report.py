"""Benchmark 20's section of bench/RESULTS.md: the account's minute (bench/minute.py)."""

from __future__ import annotations

from typing import Any

from bench.minute_client import GAP, TURNS
from bench.minute_goals import goals, label, pc, secs, why
from bench.sections import reflow, replace_section

HEADING = "## 20. The account's minute: calls, notes and an import within MiMo's limits"


def section(found: dict[str, Any], machine: dict[str, Any]) -> str:
    runs = found["runs"]
    scale, minute = found["scale"], 60 / found["scale"]
    spread = [r for r in runs if r["run"]["replicas"] > 1]
    transit = found["transit"] * 1000
    loads = [float(load.split()[0]) for run in runs for load in run["load"]]
    intro = f"""`python -m bench --only minute` (bench/minute.py, bench/minute_client.py), {
        machine.get("date", "")
    }, {machine.get("cpu", "")}, {machine.get("cores", "?")} cores
shared with other work (each run's load average is in the first table). MiMo's stand-in
(tests/standins/mimo.py, in a process of its own) holds the account's minute at MiMo's published
figures for speech recognition, 100 requests and 10,000 tokens a minute, answering 429 with
Retry-After past it. The real `MimoClient` and its `AccountMinute`
(core/infra/mimo/minute_pacing.py) send it the work over loopback HTTP, driven at the client as the
use cases send it, each request a real WAV of speech through `MimoClient.transcribe`: not the whole
bot (no platform, no ffmpeg, no database but the shared minute's, and no request gate,
ASR_MAX_IN_FLIGHT, unless a row says so): what is measured is the pacing. **The minute is {minute:g}
s long and every rate {scale:g} times MiMo's**: the calls' speech, MiMo's answers ({
        found["mimo_delay"]
    } s, so {found["mimo_delay"] / scale:g} s), and the pacer's own seconds (its slower minute after
a 429, how soon a waiting request sets its slot aside, how often replicas tell each other what
waits and how long that counts, the {transit:.0f} ms a use not yet answered counts past the
minute, `ModelMinute.transit`'s 0.5 s shortened with the rest; an answered one counts a minute
from MiMo's answer), and the retries' waits. Every
ratio is MiMo's, and every time below is given back in the real world's seconds (the run's
times {scale:g}). What is not shortened is the machine: loopback HTTP, the processes' own work
and the load of the other work on it (a load average of {min(loads):g} to {max(loads):g} over
the runs, on {machine.get("cores", "?")} cores), each millisecond of which reads as {scale:g} ms
here; the caption delays carry that, and so does the way from a use to MiMo (first table).

A listened call: four speakers one after another, turns of {", ".join(f"{t:g}" for t in TURNS)} s
with {GAP:g} s between, for {found["call_seconds"] / 60:.2g} minutes; pieces cut as the product
cuts them (`core.domain.listening.live_speech_rules.piece_rules` at each cut: SOONER, 0.8 to
0.98 s, some 70 requests a minute of speech as docs/operations/costs.md counts a call; CHEAPER, 2 to
4 s, while all four of the call's slots at MiMo are taken; LONGER and LONGEST, 4 to 8 and 8 to 16 s,
as `Stretching` finds the calls' speech, every replica's, too much for the minute), each piece the
middle of its rules, the turn's end its last; each waiting for a slot as the receiving does, then
sent under `asking(Urgency.LIVE, call)`. The burst: {found["chats"]} chats' {
        found["notes_each"]
    } notes each ({found["chats"] * found["notes_each"]:,} notes of 3 to
20 s, 9.6 on average) at once, each chat's together, chat after chat, each chat's in its own
`asking(Urgency.PERSON, chat)`. The import: {found["import_messages"]:,} voice messages of {
        found["import_seconds"]
    } s, {found["import_at_once"]} in flight (the importer's
ASR_MAX_IN_FLIGHT), under `asking(Urgency.BACKGROUND, ...)`, alone to its end, or beside calls
for as long as they talk. Paced: `AccountLimits(paced=True)`. Unpaced: `paced=False`, and the
stand-in lets every request through (`enforced=False`), counting those that came with the minute
full: what MiMo would have refused. {_replicas_said(spread, found["replicas"])}"""
    return reflow(
        f"{HEADING}\n\n{intro}\n\n{_minute_table(runs)}\n\n{_calls_table(runs)}\n\n"
        f"{_burst_table(runs, found)}\n\n{_import_table(runs)}\n\n{goals(runs, found)}\n\n"
        f"{why(runs, found)}\n"
    )


def _replicas_said(spread: list[dict[str, Any]], replicas: int) -> str:
    if not spread:
        return ""
    text = (
        f"Replicas: {replicas} processes on one key, the calls and chats spread over them in "
        "rotation, the import on the first"
    )
    if any(r["run"]["ledger"] == "database" for r in spread):
        return (
            f"{text}, sharing the minute in PostgreSQL (`DatabaseLedger`, on a scratch "
            "database of the server the tests use); and, to compare, the burst on replicas that "
            "do not share it, each its own (`MemoryLedger`)."
        )
    return f"{text}; **replicas not sharing the minute**, each its own (no PostgreSQL here)."


def _minute_table(runs: list[dict[str, Any]]) -> str:
    rows = []
    for run in runs:
        m, paced = run["minute"], run["run"]["paced"]
        share = (
            f"{pc(m['requests'])} / {pc(m['tokens'])} / **{pc(m['fuller'])}**"
            if paced and m["fuller"] is not None else "nothing waited"
        )  # fmt: skip
        refused = str(run["refused"]) if paced else "-"
        over = run["would_refuse"] / max(1, run["requests"])
        over = "-" if paced else f"{run['would_refuse']} ({pc(over)})"
        way = run["way"]
        rows.append(
            f"| {label(run)} | {run['requests']} | {refused} | {over} | {share} | "
            f"{pc(m['at_95']) if paced else '-'} | {pc(m['fullest'])} | {way['p50']:.0f} / "
            f"{way['p99']:.0f} / {way['max']:.0f} ms | {run['load'][0]} / {run['load'][1]} |"
        )
    return (
        "What MiMo answered, and how full its minute was while work waited: at each moment a "
        "request had waited longer than 1 s for its use of the minute, the requests and the "
        "tokens MiMo's minute held up to it, of its 100 and 10,000, and the fuller of the two, "
        "on average (goal: at least 95 %); the share of those moments at 95 % or more; the most "
        "requests any minute of the run held, of the 100; the way from a request's use of the "
        "client's minute to MiMo counting it, p50 / p99 / the most, in the machine's "
        "milliseconds (not scaled; unpaced, it holds the wait for one of the HTTP client's 100 "
        "connections):\n\n"
        "| run | requests | 429s answered (goal 0) | over the minute, let through | "
        "full while work waited: requests / tokens / **fuller** | moments at 95 % | fullest "
        "minute | from use to MiMo | load average before / after |\n"
        "|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )


def _calls_table(runs: list[dict[str, Any]]) -> str:
    rows = []
    for run in runs:
        c = run.get("calls")
        if c is None:
            continue
        live = run["waits"].get("live", {})
        rows.append(
            f"| {label(run)} | {c['pieces']} ({pc(c['cheaper'])} / {pc(c['longer'])}) | "
            f"{c['piece_seconds']:.2f} s | "
            f"{c['per_call_minute']:.0f} | "
            f"{c['captioned']} / {c['lost']} | {c['last_p50']:.2f} / {c['last_p95']:.2f} s | "
            f"{c['first_p50']:.2f} / **{c['first_p95']:.2f} s** | "
            f"{c['call_p95_least']:.2f}–{c['call_p95_most']:.2f} s | "
            f"{c['captions_least']}–{c['captions_most']} | {live.get('p95', 0.0):.2f} s |"
        )
    return (
        "The listened calls: each piece from its last sound (its cut) and from its first to its "
        "words back from MiMo (the p95 from its first sound is benchmark 11's measure; one call "
        "unpaced is today's); the pieces cut longer than SOONER, and longer than CHEAPER "
        "(LONGER, LONGEST); each call's own p95, the least and the most (a call starved stands "
        "out); the pieces' wait for their use of the minute, p95:\n\n"
        "| run | pieces (longer than SOONER / than CHEAPER) | piece, mean | requests a minute, "
        "per call | captioned / lost | from its last sound, p50 / p95 | from its first sound, "
        "p50 / **p95** | each call's p95 | captions per call | wait for the minute, p95 |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )


def _burst_table(runs: list[dict[str, Any]], found: dict[str, Any]) -> str:
    rows = []
    for run in runs:
        b = run.get("burst")
        if b is None:
            continue
        rows.append(
            f"| {label(run)} | {secs(b['first_chat_first'])} | {secs(b['last_chat_first'])} | "
            f"{secs(b['first_chat_last'])} | {secs(b['firsts_p50'])} / {secs(b['firsts_max'])} | "
            f"{secs(b['notes_p50'])} | {b['all_done'] / 60:.1f} min | {b['failed']} |"
        )
    chats, each = found["chats"], found["notes_each"]
    return (
        f"The burst, each note from its arrival to its transcript (goal: chat {chats}'s first "
        f"note no later than chat 1's note {each}, its last):\n\n"
        f"| run | chat 1's first | chat {chats}'s first | chat 1's note {each} | every chat's "
        "first, p50 / the most | every note, p50 | the last transcript | failed |\n"
        "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )


def _import_table(runs: list[dict[str, Any]]) -> str:
    rows = []
    for run in runs:
        i = run.get("import")
        if i is None:
            continue
        calls = run.get("calls")
        beside = f"{calls['first_p95']:.2f} s" if calls else "-"
        later = i["after_first_minute"]
        steady = "-" if later is None else f"**{later:.0f}** ({later * 1.8 / 60:.1f} min)"
        rows.append(
            f"| {label(run)} | {i['messages']:,} in {i['seconds'] / 60:.1f} min | "
            f"{i['per_minute']:.0f} ({i['per_minute'] * 1.8 / 60:.1f} min) | {steady} | "
            f"{i['failed']} | {beside} |"
        )
    return (
        "The import's pace: messages imported a minute (and minutes of speech a minute), over "
        "the whole run and from the end of its first minute on (a minute begins empty, so the "
        "first holds more than can last; alone, the minute's 100 requests are the ceiling); "
        "beside calls, for as long as they talked, with the calls' caption p95 from first sound "
        "beside it:\n\n"
        "| run | imported | a minute | from the first minute's end | failed | captions' p95 "
        "beside it |\n|---|---|---|---|---|---|\n" + "\n".join(rows)
    )


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)
