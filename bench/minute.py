"""Benchmark 20: the account's minute (issue 102). MiMo's stand-in holds the account's minute at
MiMo's published figures for speech recognition (100 requests and 10,000 tokens a minute), in a
process of its own (bench/mimo_server.py); one process's MiMo client, or three replicas' on one
key (bench/minute_client.py), send it the work of listened calls, a burst of voice notes and an
import, paced by the real `AccountMinute`, then the same again with the pacing off.

    python -m bench --only minute     (about 20 minutes; its section of bench/RESULTS.md)

The minute is `SCALE` times shorter than MiMo's (6 s), and so is every other time of the run:
the calls' speech, MiMo's answers, the pacer's and the retries' own seconds. The figures are
given back in the real world's seconds (the run's times `SCALE` times). Each run: the stand-in
and its clients started afresh, the clients begin together, the stand-in says at the end what
its minute counted; bench/minute_figures.py reads the figures out of that.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench import OUT, QUICK, ffmpeg_exe, inputs, minute_figures, report, sized
from core.domain.mimo.account_minute_rules import TRANSIT_SECONDS
from core.infra.storage import upgrade
from tests.db_fixtures import postgres_server_url, scratch_postgres_database

SCALE = 10.0  # the run's world goes this many times faster than the real one
MIMO_DELAY = 0.5  # seconds MiMo takes to answer a recognition request, in the real world
CALLS = sized((1, 2, 4, 8), (1, 2))  # listened calls at once, four speakers each
CALL_SECONDS = sized(180.0, 20.0)  # how long they talk (real seconds)
CHATS, NOTES_EACH = sized((200, 5), (12, 3))  # the burst: chats, and each chat's notes
NOTE_SECONDS = (3.0, 5.0, 8.0, 12.0, 20.0)  # the notes' lengths, one after the other
IMPORT_MESSAGES = sized(2000, 40)
IMPORT_SECONDS = 1.8  # each imported voice message (section 14's)
IMPORT_AT_ONCE = 8  # the importer's requests in flight (ASR_MAX_IN_FLIGHT)
BESIDE = sized((1, 4), (1,))  # calls an import runs beside
REPLICAS = 3
START_TIMEOUT = 120.0
LINE_LIMIT = 256 * 1024 * 1024  # a JSON line of every request MiMo counted


@dataclass(frozen=True)
class Run:
    """One run: its work, paced or not, over how many replicas, with which ledger."""

    work: str  # "calls", "burst", "import"
    calls: int = 0
    paced: bool = True
    replicas: int = 1
    ledger: str = "memory"  # or "database": every replica's minute in PostgreSQL
    gate: bool = False  # the burst through the bot's request gate first
    # A use's transit as the product has it in seconds (0.5 s), not shortened with the minute.
    transit_kept: bool = False

    @property
    def name(self) -> str:
        if self.work == "calls":
            what = f"{self.calls} call{'s' * (self.calls > 1)}"
        elif self.work == "burst":
            what = "burst, request gate in front" if self.gate else "burst"
        elif self.calls:
            what = f"import beside {self.calls} call{'s' * (self.calls > 1)}"
        else:
            what = "import alone"
        how = "paced" if self.paced else "unpaced"
        how += f", transit {TRANSIT_SECONDS:g} s" if self.transit_kept else ""
        where = f"{self.replicas} replicas, {self.ledger}" if self.replicas > 1 else "1 process"
        return f"{what}; {how}; {where}"


def plan() -> list[Run]:
    """Every run, paced and unpaced alternating; then the burst through the request gate, and
    runs with a use's transit as long as in MiMo's minute; then three replicas on one key,
    sharing the minute in PostgreSQL (or, without it, each its own), and the burst on three
    replicas that do not share it. The quick form: a few of them, small."""
    shared = "database" if postgres_server_url() else "memory"
    if QUICK:  # every way through, in three runs: calls and an import, unpaced, replicas
        return [Run("import", 1), Run("burst", paced=False),
                Run("burst", replicas=REPLICAS, ledger=shared)]  # fmt: skip
    works = [Run("calls", n) for n in CALLS] + [Run("burst"), Run("import")]
    works += [Run("import", n) for n in BESIDE]
    runs = [run for work in works for run in (work, replace(work, paced=False))]
    runs += [Run("burst", gate=True)]
    runs += [Run("calls", CALLS[-1], transit_kept=True), Run("burst", transit_kept=True)]
    spread = [Run("calls", n) for n in CALLS if n > 1] + [Run("burst"), Run("import", BESIDE[-1])]
    runs += [replace(run, replicas=REPLICAS, ledger=shared) for run in spread]
    return runs + [Run("burst", replicas=REPLICAS)] * (shared == "database")


def speech_pcm() -> Path:
    """A minute of speech (bench/inputs.py's voice note) as 16 kHz mono PCM, made once."""
    path = inputs.OUT / "minute-speech-16k.pcm"
    if not path.exists():
        note = inputs.voice_note(1)
        command = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", "-i", str(note),
                   "-ac", "1", "-ar", "16000", "-f", "s16le", str(path)]  # fmt: skip
        subprocess.run(command, check=True)
    return path


def specs(run: Run, base_url: str, api_key: str, database: str | None) -> list[dict[str, Any]]:
    """What each replica of `run` is given: the calls, the chats taken in rotation by the
    replicas (as a balancer spreads them), the import on the first; their shared minute's
    database, if they share one."""
    chats = [
        [f"chat {k + 1}", [NOTE_SECONDS[(k + j) % len(NOTE_SECONDS)] for j in range(NOTES_EACH)]]
        for k in range(CHATS if run.work == "burst" else 0)
    ]
    importing = [IMPORT_MESSAGES, IMPORT_SECONDS, IMPORT_AT_ONCE, run.calls == 0]
    transit = TRANSIT_SECONDS if run.transit_kept else TRANSIT_SECONDS / SCALE
    common = {"base_url": base_url, "api_key": api_key, "scale": SCALE, "paced": run.paced,
              "database": database, "speech": str(speech_pcm()), "call_seconds": CALL_SECONDS,
              "gate": run.gate, "transit": transit}  # fmt: skip
    return [
        common
        | {
            "name": f"replica {replica + 1}",
            "calls": [n for n in range(run.calls) if n % run.replicas == replica],
            "notes": chats[replica :: run.replicas],
            "import": importing if run.work == "import" and replica == 0 else None,
        }
        for replica in range(run.replicas)
    ]


async def one(run: Run) -> dict[str, Any]:
    """`run` measured, on a database of its own where its replicas share the minute."""
    if run.ledger != "database":
        return await _measured(run, None)
    server = postgres_server_url()
    assert server is not None, "a shared minute is PostgreSQL's"
    async with scratch_postgres_database(server) as database:
        await upgrade(database)
        return await _measured(run, database)


async def _measured(run: Run, database: str | None) -> dict[str, Any]:
    """What each replica of `run` met, and what MiMo's minute counted."""
    flags = ["--published", "--minute", str(60 / SCALE), "--report"]
    flags += [] if run.paced else ["--unenforced"]
    server = await _started("bench.mimo_server", str(MIMO_DELAY / SCALE), *flags)
    assert server.stdout is not None and server.stdin is not None
    load_before = report.load_average()
    clients: list[asyncio.subprocess.Process] = []
    try:
        found = json.loads(await server.stdout.readline())
        clients = [
            await _started("bench.minute_client", json.dumps(spec))
            for spec in specs(run, found["base_url"], found["api_key"], database)
        ]
        for client in clients:
            assert client.stdout is not None
            async with asyncio.timeout(START_TIMEOUT):
                await client.stdout.readline()  # ready
        t0 = time.monotonic() + 0.2
        outs = await asyncio.gather(*(c.communicate(f"{t0}\n".encode()) for c in clients))
        if any(c.returncode for c in clients):
            raise RuntimeError(f"a replica of '{run.name}' failed (its stderr above)")
        replicas = [json.loads(out.splitlines()[-1]) for out, _ in outs]
    except BaseException:
        for process in [server, *clients]:
            if process.returncode is None:
                process.kill()
        raise
    finally:
        server.stdin.close()
    seen = json.loads(await server.stdout.readline())
    await server.wait()
    raw = {"run": asdict(run), "t0": t0, "call_seconds": CALL_SECONDS, "replicas": replicas,
           "mimo": seen}  # fmt: skip
    figures = minute_figures.of(raw, scale=SCALE, minute=60 / SCALE)
    return {"name": run.name, "run": asdict(run), "load": [load_before, report.load_average()],
            **figures}  # fmt: skip


async def _started(module: str, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=LINE_LIMIT,
    )  # fmt: skip


def measure() -> dict[str, Any]:
    """Every run of `plan`, one after the other."""
    speech_pcm()
    runs = []
    for run in plan():
        started = time.monotonic()
        found = asyncio.run(one(run))
        runs.append(found)
        took = time.monotonic() - started
        print(f"  minute, {run.name}: {minute_figures.said(found)} "
              f"({took:.0f} s, load {found['load'][1]})", flush=True)  # fmt: skip
    return {"scale": SCALE, "mimo_delay": MIMO_DELAY, "call_seconds": CALL_SECONDS,
            "chats": CHATS, "notes_each": NOTES_EACH, "note_seconds": NOTE_SECONDS,
            "import_messages": IMPORT_MESSAGES, "import_seconds": IMPORT_SECONDS,
            "import_at_once": IMPORT_AT_ONCE, "transit": TRANSIT_SECONDS / SCALE,
            "replicas": REPLICAS, "runs": runs}  # fmt: skip


def write_raw(found: dict[str, Any]) -> Path:
    path = OUT / "last-minute.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(found, indent=1))
    return path
