"""Benchmark 20's section of bench/RESULTS.md: the account's minute (bench/minute.py)."""

from __future__ import annotations

from typing import Any

from bench.minute_client import GAP, TURNS
from bench.sections import reflow, replace_section

HEADING = "## 20. The account's minute: calls, notes and an import within MiMo's limits"
GOAL_SHARE = 0.95


def section(found: dict[str, Any], machine: dict[str, Any]) -> str:
    runs = found["runs"]
    scale, minute = found["scale"], 60 / found["scale"]
    spread = [r for r in runs if r["run"]["replicas"] > 1]
    transit = found["transit"] * 1000
    intro = f"""`python -m bench --only minute` (bench/minute.py, bench/minute_client.py), {
        machine.get("date", "")
    }, {machine.get("cpu", "")}, {machine.get("cores", "?")} cores
shared with other work (each run's load average is in the first table). MiMo's stand-in
(tests/standins/mimo.py, in a process of its own) holds the account's minute at MiMo's published
figures for speech recognition, 100 requests and 10,000 tokens a minute, answering 429 with
Retry-After past it. The real `MimoClient` and its `AccountMinute` (core/infra/mimo/pacing.py)
send it the work over loopback HTTP, driven at the client as the use cases send it, each request
a real WAV of speech through `MimoClient.transcribe`: not the whole bot (no platform, no ffmpeg,
no database but the shared minute's, and no request gate, ASR_MAX_IN_FLIGHT, unless a row says
so): what is measured is the pacing. **The minute is {minute:g} s long and every rate {
        scale:g} times MiMo's**: the calls' speech, MiMo's answers ({found["mimo_delay"]} s, so {
        found["mimo_delay"] / scale:g} s), and the pacer's own seconds (its slower minute after
a 429, how soon a waiting request sets its slot aside, how often replicas tell each other what
waits and how long that counts, the {transit:.0f} ms a turn counts past the minute for its way
to MiMo, `ModelMinute.transit`'s 0.5 s shortened with the rest), and the retries' waits. Every
ratio is MiMo's, and every time below is given back in the real world's seconds (the run's
times {scale:g}). What is not shortened is the machine: loopback HTTP, the processes' own work
and the load of the other work on it, each millisecond of which reads as {scale:g} ms here; the
caption delays carry that, and so does the way from a turn to MiMo (first table).

A listened call: four speakers in turn, turns of {", ".join(f"{t:g}" for t in TURNS)} s with {
        GAP:g} s between, for {found["call_seconds"] / 60:.2g} minutes; pieces cut as the product
cuts them (`core.domain.live_speech.piece_rules` at each cut: SOONER, 0.8 to 0.98 s, some 70
requests a minute of speech as docs/operations/costs.md counts a call; CHEAPER, 2 to 4 s, while
all four of the call's slots at MiMo are taken; LONGER and LONGEST, 4 to 8 and 8 to 16 s, as
the process's `Stretching` finds the calls' speech too much for the minute), each piece the
middle of its rules, the turn's end its last; each waiting for a slot as the receiving does,
then sent under `asking(Urgency.LIVE, call)`. The burst: {found["chats"]} chats' {
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
        f"{_burst_table(runs, found)}\n\n{_import_table(runs)}\n\n{_goals(runs, found)}\n\n"
        f"{_why(runs, found)}\n"
    )


def _replicas_said(spread: list[dict[str, Any]], replicas: int) -> str:
    if not spread:
        return ""
    said = (
        f"Replicas: {replicas} processes on one key, the calls and chats spread over them in "
        "turn, the import on the first"
    )
    if any(r["run"]["ledger"] == "database" for r in spread):
        return (
            f"{said}, sharing the minute in PostgreSQL (`DatabaseLedger`, on a scratch "
            "database of the server the tests use); and, to compare, the burst on replicas that "
            "do not share it, each its own (`MemoryLedger`)."
        )
    return f"{said}; **replicas not sharing the minute**, each its own (no PostgreSQL here)."


def _label(run: dict[str, Any]) -> str:
    r = run["run"]
    if r["work"] == "calls":
        what = f"{r['calls']} call{'s' * (r['calls'] > 1)}"
    elif r["work"] == "burst":
        what = "burst, the request gate in front" if r["gate"] else "burst"
    else:
        calls = r["calls"]
        what = f"import beside {calls} call{'s' * (calls > 1)}" if calls else "import alone"
    how = "paced" if r["paced"] else "unpaced"
    how += ", transit 0.5 s" if r.get("transit_kept") else ""
    if r["replicas"] > 1:
        shared = "sharing the minute" if r["ledger"] == "database" else "not sharing the minute"
        how += f", {r['replicas']} replicas {shared}"
    return f"{what}, {how}"


def _pc(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f} %"


def _minute_table(runs: list[dict[str, Any]]) -> str:
    rows = []
    for run in runs:
        m, paced = run["minute"], run["run"]["paced"]
        share = (
            f"{_pc(m['requests'])} / {_pc(m['tokens'])} / **{_pc(m['fuller'])}**"
            if paced and m["fuller"] is not None else "nothing waited"
        )  # fmt: skip
        refused = str(run["refused"]) if paced else "-"
        over = run["would_refuse"] / max(1, run["requests"])
        over = "-" if paced else f"{run['would_refuse']} ({_pc(over)})"
        way = run["way"]
        rows.append(
            f"| {_label(run)} | {run['requests']} | {refused} | {over} | {share} | "
            f"{_pc(m['at_95']) if paced else '-'} | {_pc(m['fullest'])} | {way['p50']:.0f} / "
            f"{way['p99']:.0f} / {way['max']:.0f} ms | {run['load'][0]} / {run['load'][1]} |"
        )
    return (
        "What MiMo answered, and how full its minute was while work waited: at each moment a "
        "request had waited longer than 1 s for its turn, the requests and the tokens MiMo's "
        "minute held up to it, of its 100 and 10,000, and the fuller of the two, on average "
        "(goal: at least 95 %); the share of those moments at 95 % or more; the most requests "
        "any minute of the run held, of the 100; the way from a request's turn in the client's "
        "minute to MiMo counting it, p50 / p99 / the most, in the machine's milliseconds (not "
        "scaled):\n\n"
        "| run | requests | 429s answered (goal 0) | over the minute, let through | "
        "full while work waited: requests / tokens / **fuller** | moments at 95 % | fullest "
        "minute | from turn to MiMo | load average before / after |\n"
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
            f"| {_label(run)} | {c['pieces']} ({_pc(c['cheaper'])} / {_pc(c['longer'])}) | "
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
        "out); the pieces' wait for their turn in the minute, p95:\n\n"
        "| run | pieces (longer than SOONER / than CHEAPER) | piece, mean | requests a minute, "
        "per call | captioned / lost | from its last sound, p50 / p95 | from its first sound, "
        "p50 / **p95** | each call's p95 | captions per call | turn's wait, p95 |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f} s"


def _burst_table(runs: list[dict[str, Any]], found: dict[str, Any]) -> str:
    rows = []
    for run in runs:
        b = run.get("burst")
        if b is None:
            continue
        rows.append(
            f"| {_label(run)} | {_s(b['first_chat_first'])} | {_s(b['last_chat_first'])} | "
            f"{_s(b['first_chat_last'])} | {_s(b['firsts_p50'])} / {_s(b['firsts_max'])} | "
            f"{_s(b['notes_p50'])} | {b['all_done'] / 60:.1f} min | {b['failed']} |"
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
            f"| {_label(run)} | {i['messages']:,} in {i['seconds'] / 60:.1f} min | "
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


def _product(run: dict[str, Any]) -> bool:
    """A paced run of the product as it is: one process, the minute's times all shortened."""
    r = run["run"]
    return bool(r["paced"] and r["replicas"] == 1 and not r["transit_kept"] and not r["gate"])


def _shared(run: dict[str, Any], ledger: str) -> bool:
    return bool(run["run"]["replicas"] > 1 and run["run"]["ledger"] == ledger)


def _goals(runs: list[dict[str, Any]], found: dict[str, Any]) -> str:
    paced = [r for r in runs if _product(r)]
    groups = [
        ("one process", paced),
        ("...with a turn's transit of 0.5 s", [r for r in runs if r["run"]["transit_kept"]]),
        (f"...on {found['replicas']} replicas sharing the minute",
         [r for r in runs if _shared(r, "database")]),
        (f"...on {found['replicas']} replicas not sharing it",
         [r for r in runs if _shared(r, "memory")]),
    ]  # fmt: skip
    lines = ["| goal | measured | |", "|---|---|---|"]
    for said, group in groups:
        if group:
            refused = [r["refused"] for r in group]
            lines.append(
                f"| no 429 in a paced run, {said} | {sum(refused)} in {_runs(group)} (the most "
                f"in one: {max(refused)}) | {_met(not sum(refused))} |"
            )
    for said, group in groups[:3]:
        shares = [r["minute"]["fuller"] for r in group if r["minute"]["fuller"] is not None]
        if shares:
            lines.append(
                f"| the minute at least 95 % full while work waited, {said} | "
                f"{_pc(min(shares))} to {_pc(max(shares))} | {_met(min(shares) >= GOAL_SHARE)} |"
            )
    one = {
        r["run"]["paced"]: r
        for r in runs
        if r["run"]["work"] == "calls" and r["run"]["calls"] == 1 and r["run"]["replicas"] == 1
    }
    if True in one and False in one:
        waited = one[True]["waits"].get("live", {}).get("p95", 0.0)
        paced_p95, unpaced_p95 = (one[way]["calls"]["first_p95"] for way in (True, False))
        lines.append(
            f"| one call captioned as today | p95 from first sound {paced_p95:.2f} s paced, "
            f"{unpaced_p95:.2f} s unpaced; its pieces' wait for a turn, p95 {waited:.2f} s | "
            f"{_met(waited < 0.1)} |"
        )
    for said, group in groups[:3]:
        calls = [r for r in group if r["run"]["work"] == "calls"]
        if not calls:
            continue
        most = max(calls, key=lambda r: r["run"]["calls"])
        c, n = most["calls"], most["run"]["calls"]
        lines.append(
            f"| {n} calls all captioned, none starved, {said} | {c['calls_captioned']} of {n} "
            f"calls, {c['lost']} pieces lost; p95 {c['first_p95']:.0f} s, each call's "
            f"{c['call_p95_least']:.0f} to {c['call_p95_most']:.0f} s | "
            f"{_met(c['calls_captioned'] == n and not c['lost'])} |"
        )
    for run in runs:
        if "burst" in run and run["run"]["paced"] and not run["run"]["transit_kept"]:
            b = run["burst"]
            ok = (b["last_chat_first"] or 0) <= (b["first_chat_last"] or 0)
            lines.append(
                f"| chat {found['chats']}'s first note no later than chat 1's last, "
                f"{_label(run)} | {_s(b['last_chat_first'])} against {_s(b['first_chat_last'])} "
                f"| {_met(ok)} |"
            )
    return "The goals (issue 102):\n\n" + "\n".join(lines)


def _why(runs: list[dict[str, Any]], found: dict[str, Any]) -> str:
    """What the figures come from, said with this run's own."""
    paced = [r for r in runs if _product(r)]
    transit = found["transit"] * 1000
    said = []
    hit = [r for r in paced if r["refused"]]
    if hit:
        ways = [r["way"]["p99"] for r in paced]
        later = [r["minute"]["fuller_later"] for r in paced if r["minute"]["fuller_later"]]
        said.append(
            f"429s in paced runs ({', '.join(str(r['refused']) for r in hit)} in {len(hit)} of "
            f"{len(paced)} runs on one process): a turn counts in the client's minute for the "
            f"minute and {transit:.0f} ms more (its transit, 0.5 s shortened with the minute), "
            "MiMo counts a request from its arrival; a request longer on its way than that "
            "leaves MiMo's minute after the client's, and the request given its place may meet "
            f"a full minute. The way from a turn to MiMo's count was {min(ways):.0f} to "
            f"{max(ways):.0f} ms at p99 over these runs: the processes' own work on two cores "
            "other work shared, longest where many turns are given at once. Each 429 then does "
            "what it is meant to do for another program on the account "
            "(`AccountMinute.slowed`): the line waits out Retry-After, then runs at half the "
            "minute for a minute; with the sixth-a-sixth spreading below, it is why the minute "
            "was "
            + (f"{_pc(min(later))} to {_pc(max(later))} " if later else "")
            + "full while work waited, from the first minute's end on."
        )
    kept = [r for r in runs if r["run"]["transit_kept"]]
    if kept:
        parts = [
            f"{_label(r)}: {r['refused']} 429s (the way's p99 {r['way']['p99']:.0f} ms), the "
            f"minute {_pc(r['minute']['fuller'])} full while work waited"
            for r in kept
        ]
        said.append(
            "With the transit as long as the product has it in seconds, 0.5 s (the way is as "
            "long whatever the minute; 8 % of this shortened one, 0.8 % of MiMo's): "
            f"{'; '.join(parts)}. Where the way stays under the transit, no 429 comes; the "
            "transit itself is a share of the minute no request takes."
        )
    alone, beside = (
        next((r for r in paced if r["run"]["work"] == work and r["run"]["calls"] == 1), None)
        for work in ("calls", "import")
    )
    if alone is not None and beside is not None:
        waited = [r["waits"].get("live", {}).get("p95", 0.0) for r in (alone, beside)]
        shown = [r["calls"]["first_p95"] for r in (alone, beside)]
        said.append(
            "Live first holds in the line, not in the minute: beside the import, one call's "
            f"pieces waited {waited[1]:.1f} s for a turn at p95 ({waited[0]:.2f} s alone), their "
            f"captions {shown[1]:.1f} s from first sound ({shown[0]:.2f} s alone). Whenever a "
            "turn comes free and no piece of the call waits at that moment, the import takes "
            "it, up to 95 of the 100; the five left (`HEADROOM`, a twentieth of the minute) "
            "last the call a few seconds, then its pieces wait for the import's turns to leave "
            "the minute, and those were taken a sixth of the minute at a time. A call sends "
            "some ten requests in a sixth of a minute: more than the headroom."
        )
    burst = next((r for r in paced if r["run"]["work"] == "burst"), None)
    if burst is not None and burst["minute"]["fuller"] is not None:
        later = burst["minute"]["fuller_later"]
        said.append(
            "Work that is not live is spread at a sixth of the minute a sixth (`room`), so a "
            "burst into an empty minute fills it over its first minute: the burst's minute was "
            f"{_pc(burst['minute']['fuller'])} full while work waited over the whole run"
            + (f", {_pc(later)} from the first minute's end" if later is not None else "")
            + "."
        )
    calls = {r["run"]["calls"]: r["calls"] for r in paced if r["run"]["work"] == "calls"}
    if calls:
        said.append(
            "The calls' pieces a minute, each call's, and the share cut past CHEAPER (LONGER or "
            "LONGEST: the process's `Stretching` finding the calls' speech too much for the "
            "minute): "
            + "; ".join(
                f"{n} call{'s' * (n > 1)} {c['per_call_minute']:.0f} ({_pc(c['longer'])})"
                for n, c in sorted(calls.items())
            )
            + ". A minute of 100 requests holds eight calls talking all along only in pieces "
            "longer than CHEAPER's 4 s: they are cut so, and their captions come that much "
            "later, rather than each waiting behind the others."
        )
    gated = next((r for r in runs if r["run"]["gate"]), None)
    if gated is not None and burst is not None:
        b, free = gated["burst"], burst["burst"]
        said.append(
            "Through the bot's request gate (ASR_MAX_IN_FLIGHT 8, ASR_CONCURRENCY 4), a note "
            "sets its shared slot aside while it waits for its turn but keeps its chat's own: "
            "at most four of a chat's notes wait in the minute's line at once. Chat "
            f"{found['chats']}'s first note waited {_s(b['last_chat_first'])} (without the gate "
            f"{_s(free['last_chat_first'])}); chat 1's last {_s(b['first_chat_last'])} "
            f"({_s(free['first_chat_last'])})."
        )
    shared = [r for r in runs if _shared(r, "database")]
    alone_ = [r for r in runs if _shared(r, "memory")]
    if shared and alone_:
        said.append(
            f"Three replicas sharing the minute met {sum(r['refused'] for r in shared)} 429s in "
            f"{_runs(shared)}; not sharing it, the burst alone met "
            f"{sum(r['refused'] for r in alone_)}: each replica sent the minute's 100 "
            "requests, and MiMo refused the rest."
        )
    if any(r["run"]["replicas"] > 1 for r in runs):
        said.append(
            "Unpaced replicas are not run: without pacing, what MiMo sees is the same requests "
            "at the same moments whichever process sends them."
        )
    return "\n\n".join(said)


def _runs(runs: list[dict[str, Any]]) -> str:
    return f"{len(runs)} run{'s' * (len(runs) != 1)}"


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)
