"""Benchmark 20's goals (issue 102) and what its figures come from, said with a run's own
figures (bench/minute_report.py puts them in its section of bench/RESULTS.md)."""

from __future__ import annotations

from typing import Any

from bench.minute_client import GAP, TURNS

GOAL_SHARE = 0.95


def label(run: dict[str, Any]) -> str:
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


def pc(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f} %"


def secs(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f} s"


def _429s(count: int) -> str:
    return f"{count} 429{'s' * (count != 1)}"


def _runs(runs: list[dict[str, Any]]) -> str:
    return f"{len(runs)} run{'s' * (len(runs) != 1)}"


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _product(run: dict[str, Any]) -> bool:
    """A paced run of the product as it is: one process, the minute's times all shortened."""
    r = run["run"]
    return bool(r["paced"] and r["replicas"] == 1 and not r["transit_kept"] and not r["gate"])


def _shared(run: dict[str, Any], ledger: str) -> bool:
    return bool(run["run"]["replicas"] > 1 and run["run"]["ledger"] == ledger)


def goals(runs: list[dict[str, Any]], found: dict[str, Any]) -> str:
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
                f"{pc(min(shares))} to {pc(max(shares))} | {_met(min(shares) >= GOAL_SHARE)} |"
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
                f"{label(run)} | {secs(b['last_chat_first'])} against {secs(b['first_chat_last'])} "
                f"| {_met(ok)} |"
            )
    return "The goals (issue 102):\n\n" + "\n".join(lines)


def why(runs: list[dict[str, Any]], found: dict[str, Any]) -> str:
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
            + (f"{pc(min(later))} to {pc(max(later))} " if later else "")
            + "full while work waited, from the first minute's end on."
        )
    kept = [r for r in runs if r["run"]["transit_kept"]]
    if kept:
        parts = [
            f"{label(r)}: {_429s(r['refused'])} (the way's p99 {r['way']['p99']:.0f} ms), the "
            f"minute {pc(r['minute']['fuller'])} full while work waited"
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
            f"{pc(burst['minute']['fuller'])} full while work waited over the whole run"
            + (f", {pc(later)} from the first minute's end" if later is not None else "")
            + "."
        )
    if burst is not None and (burst["burst"]["last_chat_first"] or 0) > (
        burst["burst"]["first_chat_last"] or 0
    ):
        b = burst["burst"]
        said.append(
            f"Chat {found['chats']}'s first note waited {secs(b['last_chat_first'])}, chat 1's "
            f"last {secs(b['first_chat_last'])}. The line takes the chats of a class served "
            "longest ago first, and forgets a chat served more than a minute ago "
            f"(`_Line.took`, its `memory`): at 100 turns a minute, {found['chats']} chats' "
            f"first notes take {found['chats'] / 100:g} minutes, so from the second minute the "
            "chats served in the first count as never served and, taken in the order they "
            "came, go again before those not served yet. The first minute's first notes went "
            f"in turn (the median chat's first note waited {secs(b['firsts_p50'])}); the rest "
            "waited for the early "
            "chats' other notes."
        )
    calls = {r["run"]["calls"]: r for r in paced if r["run"]["work"] == "calls"}
    if calls:
        most = max(calls)
        c = calls[most]["calls"]
        turns = 60 / (sum(TURNS) / len(TURNS) + GAP)
        said.append(
            "The calls' requests a minute, each call's, and the share of pieces cut past "
            "CHEAPER (LONGER or LONGEST: the process's `Stretching` finding the calls' speech "
            "too much for the minute): "
            + "; ".join(
                f"{n} call{'s' * (n > 1)} {r['calls']['per_call_minute']:.0f} "
                f"({pc(r['calls']['longer'])})"
                for n, r in sorted(calls.items())
            )
            + f". {most} calls sent {c['per_call_minute'] * most:.0f} a minute of the 100: "
            "`stretch` counts a piece at its rules' middle (6 s for LONGER), but each turn's "
            f"end cuts one too, and with {turns:.0f} turns a minute a call of 3 to 9 s, most "
            "turns are one or two pieces whatever the rules; the pieces waited for their turn "
            f"({calls[most]['waits'].get('live', {}).get('p95', 0.0):.0f} s at p95; the run met "
            f"{_429s(calls[most]['refused'])}, each halving the minute for a minute)."
        )
        spread = {
            r["run"]["calls"]: r
            for r in runs
            if _shared(r, "database") and r["run"]["work"] == "calls"
        }
        if most in spread:
            s_ = spread[most]["calls"]
            replicas = found["replicas"]
            held = ", ".join(str(len(range(i, most, replicas))) for i in range(replicas))
            said.append(
                "Each process's `Stretching` counts its own calls' speech alone "
                f"(`core.app.calls.stretching`): on {found['replicas']} replicas the {most} calls "
                f"are {held} to their processes, cut past CHEAPER {pc(s_['longer'])} of the "
                f"time (one process: {pc(c['longer'])}), {s_['per_call_minute']:.0f} requests "
                f"a minute a call, {s_['per_call_minute'] * most:.0f} together: their captions' "
                f"p95 {s_['first_p95']:.0f} s from first sound, against {c['first_p95']:.0f} s "
                "on one process."
            )
    gated = next((r for r in runs if r["run"]["gate"]), None)
    if gated is not None and burst is not None:
        b, free = gated["burst"], burst["burst"]
        said.append(
            "Through the bot's request gate (ASR_MAX_IN_FLIGHT 8, ASR_CONCURRENCY 4), a note "
            "sets its shared slot aside while it waits for its turn but keeps its chat's own: "
            "at most four of a chat's notes wait in the minute's line at once, the fifth behind "
            f"them. Chat {found['chats']}'s first note waited {secs(b['last_chat_first'])} "
            f"(without the gate {secs(free['last_chat_first'])}); chat 1's last "
            f"{secs(b['first_chat_last'])} ({secs(free['first_chat_last'])})."
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
