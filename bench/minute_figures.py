"""Benchmark 20's figures, read out of one run's record (bench/minute.py): what MiMo answered,
how full its minute was while work waited, the calls' captions, the burst's first notes, the
import's pace. Times come in the run's seconds (the machine's) and go out in the real world's
(times `scale`).

    waited    a moment at which some request had waited for its use longer than a 60th of
              the minute (1 s in the real world; shorter waits are the queue's own hand-over,
              and a busy machine's lateness)
    share     at such a moment, the requests (and tokens) MiMo's minute counted in the minute
              up to it, of its limit (100 requests, 10,000 tokens): the pacer's goal is to
              leave none of the minute unused while anything waits
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

REQUESTS, TOKENS = 100, 10_000  # MiMo's published minute of speech recognition
STEPS = 600  # moments looked at per minute


def of(raw: dict[str, Any], *, scale: float, minute: float) -> dict[str, Any]:
    t0, replicas, mimo = raw["t0"], raw["replicas"], raw["mimo"]
    pieces = [p for r in replicas for p in r["pieces"]]
    notes = [n for r in replicas for n in r["notes"]]
    imported = [i for r in replicas for i in r["imported"]]
    uses = [t for r in replicas for t in r["turns"]]  # the stored key's old word
    counted = sorted((at, tokens) for _, at, tokens in mimo["counted"])
    ends = max([at for at, _ in counted] + [t0])
    found: dict[str, Any] = {
        "requests": len(counted),
        "refused": mimo["refused"],
        "would_refuse": mimo["would_refuse"],
        "client_429s": sum(r["refusals"] for r in replicas),
        "failed": sum(1 for row in [*pieces, *notes, *imported] if row[-1] is not None),
        "seconds": (ends - t0) * scale,
        "minute": _shares(uses, counted, t0, ends, minute),
        "waits": _waits(uses, scale),
        "way": _way(mimo.get("ways", [])),
    }
    if pieces:
        found["calls"] = _calls(pieces, scale, raw["run"]["calls"], raw["call_seconds"])
    if notes:
        found["burst"] = _burst(notes, t0, scale)
    if imported:
        found["import"] = _import(imported, t0, scale, minute * scale)
    return found


def _shares(
    uses: list[list[float]], counted: list[tuple[float, int]], t0: float, ends: float,
    minute: float,
) -> dict[str, Any]:  # fmt: skip
    """How full MiMo's minute was at the moments work waited (the module's docstring); and the
    most requests any minute of the run counted, of the limit."""
    step = minute / STEPS
    size = max(1, math.ceil((ends - t0) / step) + 1)
    waiting = [0] * (size + 1)
    for _, asked, given in uses:
        first, last = math.ceil((asked + minute / 60 - t0) / step), math.ceil((given - t0) / step)
        if last > first:
            waiting[max(0, first)] += 1
            waiting[min(size, last)] -= 1
    requests, tokens, later, fullest = [], [], [], 0
    open_, head, tail, held = 0, 0, 0, 0
    for k in range(size):
        at = t0 + k * step
        while tail < len(counted) and counted[tail][0] <= at:
            held += counted[tail][1]
            tail += 1
        while head < tail and counted[head][0] <= at - minute:
            held -= counted[head][1]
            head += 1
        fullest = max(fullest, tail - head)
        open_ += waiting[k]
        if open_ > 0:
            requests.append((tail - head) / REQUESTS)
            tokens.append(held / TOKENS)
            if at >= t0 + minute:
                later.append(max(requests[-1], tokens[-1]))
    fuller = [max(r, t) for r, t in zip(requests, tokens, strict=True)]
    return {
        "waited": len(requests) / size,  # of the run's moments
        "requests": _mean(requests),
        "tokens": _mean(tokens),
        "fuller": _mean(fuller),
        "fuller_later": _mean(later),  # from the end of the run's first minute
        "at_95": sum(f >= 0.95 for f in fuller) / len(fuller) if fuller else None,
        "fullest": fullest / REQUESTS,
    }


def _way(ways: list[list[float | None]]) -> dict[str, float]:
    """From a request's use given to MiMo counting it, in the machine's milliseconds (not scaled:
    the way is as long whatever the minute's length)."""
    took = [(at - given) * 1000 for given, at in ways if at is not None and given is not None]
    return {"p50": pct(took, 50), "p99": pct(took, 99), "max": max(took, default=0.0)}


def _waits(uses: list[list[float]], scale: float) -> dict[str, Any]:
    by: dict[int, list[float]] = defaultdict(list)
    for urgency, asked, given in uses:
        by[int(urgency)].append((given - asked) * scale)
    names = {0: "live", 1: "person", 2: "background"}
    return {names[u]: {"p50": pct(w, 50), "p95": pct(w, 95), "max": max(w)} for u, w in by.items()}


def _calls(pieces: list[list[Any]], scale: float, calls: int, seconds: float) -> dict[str, Any]:
    """Each piece from its last sound (its cut) and its first to its words back from MiMo."""
    done = [p for p in pieces if p[6] is None]
    last = [(p[5] - p[2]) * scale for p in done]
    first = [(p[5] - p[2]) * scale + p[3] for p in done]
    per_call: dict[int, list[float]] = defaultdict(list)
    for p in done:
        per_call[p[0]].append((p[5] - p[2]) * scale + p[3])
    call_p95 = [pct(w, 95) for w in per_call.values()]
    return {
        "pieces": len(pieces),
        "per_call_minute": len(pieces) / calls / (seconds / 60),
        "captioned": len(done),
        "calls_captioned": len(per_call),
        "lost": len(pieces) - len(done),
        "cheaper": sum(1 for p in pieces if p[4] >= 1) / len(pieces),  # past SOONER
        "longer": sum(1 for p in pieces if p[4] >= 2) / len(pieces),  # past CHEAPER
        "piece_seconds": sum(p[3] for p in pieces) / len(pieces),
        "last_p50": pct(last, 50), "last_p95": pct(last, 95),
        "first_p50": pct(first, 50), "first_p95": pct(first, 95), "first_max": max(first),
        "call_p95_least": min(call_p95), "call_p95_most": max(call_p95),
        "captions_least": min(len(w) for w in per_call.values()),
        "captions_most": max(len(w) for w in per_call.values()),
    }  # fmt: skip


def _burst(notes: list[list[Any]], t0: float, scale: float) -> dict[str, Any]:
    """Each note from its arrival to its transcript; each chat's first note, in the order the
    chats sent theirs."""
    order = sorted({n[0] for n in notes}, key=lambda chat: int(chat.split()[-1]))
    wait = {(n[0], n[1]): (n[4] - n[3]) * scale for n in notes if n[5] is None}
    firsts = [wait[(chat, 0)] for chat in order if (chat, 0) in wait]
    each = max(n[1] for n in notes)
    return {
        "notes": len(notes),
        "failed": sum(1 for n in notes if n[5] is not None),
        "first_chat_first": wait.get((order[0], 0)),
        "first_chat_last": wait.get((order[0], each)),
        "last_chat_first": wait.get((order[-1], 0)),
        "firsts_p50": pct(firsts, 50), "firsts_max": max(firsts, default=0.0),
        "notes_p50": pct(list(wait.values()), 50),
        "all_done": max(((n[4] - t0) * scale for n in notes), default=0.0),
        "last_note": each + 1,
    }  # fmt: skip


def _import(imported: list[list[Any]], t0: float, scale: float, minute: float) -> dict[str, Any]:
    """Messages imported a minute: over the whole run, and from the end of its first minute
    (the minute begins empty: its first one holds more than the pace that can last)."""
    done = sorted((i[1] - t0) * scale for i in imported if i[2] is None)
    span = done[-1] if done else 0.0
    later = [at for at in done if at > minute]
    return {
        "messages": len(done),
        "failed": len(imported) - len(done),
        "seconds": span,
        "per_minute": len(done) / (span / 60) if span else 0.0,
        "after_first_minute": len(later) / ((span - minute) / 60) if span > minute else None,
    }


def said(found: dict[str, Any]) -> str:
    """One line of a run's figures, as the run goes."""
    parts = [f"{found['requests']} requests, {found['refused']} answered 429"]
    if found["would_refuse"]:
        parts.append(f"{found['would_refuse']} over the minute")
    share = found["minute"]
    if share["fuller"] is not None:
        parts.append(f"minute {share['fuller']:.0%} full while work waited")
    if "calls" in found:
        parts.append(f"captions p95 {found['calls']['first_p95']:.1f} s from first sound")
    if "burst" in found:
        b = found["burst"]
        parts.append(f"first notes: chat 1 {_s(b['first_chat_first'])}, last chat "
                     f"{_s(b['last_chat_first'])}, chat 1's last "
                     f"{_s(b['first_chat_last'])}")  # fmt: skip
    if "import" in found:
        parts.append(f"import {found['import']['per_minute']:.0f} a minute")
    return "; ".join(parts)


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f} s"


def pct(values: list[float], q: float) -> float:
    """The `q`th percentile (nearest rank); 0 of nothing."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
