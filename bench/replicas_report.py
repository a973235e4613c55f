"""Benchmark 10's section of RESULTS.md, from the runs of bench/replicas.py."""

from __future__ import annotations

import statistics
from typing import Any

from bench.sections import reflow, replace_section

HEADING = "## 10. Replicas: one killed with SIGKILL in the middle of a burst"
TARGET_RATIO = 1.5


def section(runs: dict[str, list[dict[str, Any]]], machine: dict[str, str]) -> str:
    labels = list(runs)
    median = {label: _median(found) for label, found in runs.items()}

    def row(what: str, cell: Any, target: str = "") -> str:
        cells = " | ".join(str(cell(label)) for label in labels)
        return f"| {what} | {cells} | {target} |"

    def spread(key: str, unit: str = "") -> Any:
        def cell(label: str) -> str:
            values = [run[key] for run in runs[label]]
            return f"{median[label][key]}{unit} ({min(values)}–{max(values)}{unit})"

        return cell

    def seconds(label: str) -> str:
        values = [run["seconds"] for run in runs[label]]
        m = median[label]["seconds"]
        return f"{m:.1f} s ({min(values):.1f}–{max(values):.1f} s)"

    def ratio(label: str) -> str:
        worst = max(run["ratio"] for run in runs[label])
        met = "met" if worst <= TARGET_RATIO else "NOT met"
        return f"{median[label]['ratio']:.2f}x, at worst {worst:.2f}x ({met})"

    def delivered(label: str) -> str:
        worst = min(run["delivered"] for run in runs[label])
        notes = median[label]["notes"]
        return f"{worst} of {notes} in every run ({'met' if worst == notes else 'NOT met'})"

    def twice(label: str) -> str:
        total = sum(run["twice"] for run in runs[label])
        return f"{total} in {len(runs[label])} runs ({'met' if total == 0 else 'NOT met'})"

    def killed(label: str) -> str:
        k = median[label]["killed_at"]
        return f"{k['seconds']:.1f} s, {k['answered']} transcripts in"

    def window(label: str) -> str:
        pooled = sorted(w for run in runs[label] for w in run["windows"])
        if not pooled:
            return "none measured"
        p90 = pooled[min(len(pooled) - 1, round(0.9 * (len(pooled) - 1)))]
        return (
            f"{statistics.median(pooled) * 1000:.0f} / {p90 * 1000:.0f} / "
            f"{pooled[-1] * 1000:.0f} ms"
        )

    def per_kill(label: str) -> str:
        counts = ", ".join(str(run["twice"]) for run in runs[label])
        return f"{counts} (one kill a run)"

    def kept(label: str) -> str:  # Telegram: the reply noted in its claim, edited again
        return spread("kept")(label)

    table = "\n".join([
        f"| | {' | '.join(labels)} | target |",
        "|---|" + "---|" * (len(labels) + 1),
        row("transcripts delivered", delivered, "all"),
        row("delivered twice", twice, "0"),
        row("killed at", killed),
        row("notes the survivor took over", spread("taken_over")),
        row("...of them answered already, their reply found and kept", kept),
        row("MiMo requests paid twice", spread("paid_twice")),
        row("the last transcript in its chat", seconds),
        row("the floor", lambda label: f"{median[label]['floor']:.2f} s"),
        row("last transcript / floor", ratio, f"at most {TARGET_RATIO}x"),
        row("chats answered twice, each run", per_kill),
        row("answer sent to its claim's mark: median / p90 / max", window),
    ])  # fmt: skip
    logs = "\n".join(
        f"- {label}: " + "; ".join(f"`{line}`" for line in median[label]["log_lines"])
        for label in labels
    )
    found = median[labels[0]]
    killed_tg = median[labels[0]]["killed_at"]["seconds"]
    text = f"""{HEADING}

Measured by `.venv/bin/python -m bench --only replicas` ({machine["date"]}, load average
{machine["load_before"]} before, {machine["load_after"]} after: the machine is shared, and other
work ran on it meanwhile). Two `voicebridge run` processes, configured by environment variables
alone, share one PostgreSQL database (a scratch one on the server the tests use); the platform's
stand-in and MiMo's (holding every request **{found["mimo_delay"]} s**) run in the driver's process
(bench/replicas.py). On Telegram the replicas run in webhook mode, the updates POSTed to them in
rotation as a round-robin load balancer does; on Discord they are two shards' processes
(`DISCORD_SHARD_COUNT=2`, one shard each), the servers split between the shards. After a note
to each replica, {found["notes"]} notes from {found["notes"]} chats arrive at once; when the
driver sees half the transcripts in their chats, the first replica is killed with SIGKILL. The
lease is `WORK_LEASE_SECONDS`' default, {found["lease"]:.0f} s. Each platform ran
{len(runs[labels[0]])} times; the table shows the run with the median time, and in brackets the
range over the runs.

{table}

The floor is what the survivor alone could do at best, plus the lease the dead replica's work
waits for: {found["notes"]} requests to MiMo at most 8 in flight (`ASR_MAX_IN_FLIGHT`), 0.5 s
each, take 6.25 s, and a replica killed just after renewing its leases leaves them unclaimable
for a whole lease. MiMo requests paid twice are the requests the dead replica had in flight: MiMo
answered them, or was about to, to a process no longer there, and the survivor asked again.

A window remains between the platform accepting an answer and the claim being marked done in the
database: a replica killed inside it leaves a claim that looks unanswered, and the survivor does the
work again. What the chat sees is one answer all the same: on Discord the survivor finds the reply
and keeps it, and on Telegram the transcript is an edit of the "Transcribing…" reply whose id went
into the claim as the work started, which the survivor edits again (since 2026-11-27, issue 84;
`bots.telegram.recordings.transcript_status_notes`); the "answered already" row counts both.
The claim is marked the moment the platform's confirmation of the answer's last message comes back
(`core.app.rules.work_claims.answered`, called by `core.app.voice_note_events`), before
anything else of the handling (the status's end, the chat's log, the rest of the platform's
handling), through connections of its own that commit in one round trip without waiting for the
server's disk. The window in the table was measured for every answer whose claim its own process
marked, from the stand-in answering the request that carried it to the claim's `finished_at`, taken
as the mark's UPDATE is sent (its one round trip to the server comes on top). Nearly all of it is
the replica's event loop and HTTP client waiting for a core, between the platform's reply arriving
and the code after it running: it grows with the load on the machine, whose first half of the burst
took {killed_tg:.1f} s on Telegram here, where a quiet one takes about 5 s. On a lighter load (one
run of each, 2026-11-25 about 20:55 UTC, load average about 9) it was 15 / 55 / 87 ms on Telegram
and 12 / 53 / 110 ms on Discord (median / p90 / max; Discord's from the request's arrival at the
stand-in); the bot's own log, instrumented for one Telegram run, put the mark at 10 to 16 ms
(median, each replica) from the bot reading Telegram's reply to the mark committed, where the same
mark through the work's pool of connections, in a transaction of its own, took 70 to 200 ms.

The same three runs of the same code a few minutes earlier (2026-11-25 about 21:00 UTC, load average
about 14) answered one Telegram chat twice in one of them (its answer had gone 0.26 s before
the kill), and none on Discord.

Before (the run of 2026-11-25 18:16 UTC, at a load like this one's), the claim was marked only
once the whole handling had ended, through the work's pool: 29 / 139 / 630 ms on Telegram, and
every kill answered two or three chats twice (7 in 3 runs). Discord's claims marked some 30 s
after their reply, reported then, were the benchmark's own doing: it counted the claims the
survivor took over and marked after finding their reply; those are left out now. On Discord the
survivor looks in the channel for the bot's reply to the voice message first and keeps it (the
"found and kept" row); Telegram shows a bot nothing of a chat's history, so there, until the
transcript became an edit of a reply noted in the claim, a kill inside a chat's window had the
chat read its transcript twice, the second a lease later (3 chats in 3 runs, as issue 84
reports).

What the survivor's log said (the run with the median time; numbers replaced by N):

{logs}
"""
    return reflow(text)


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)
