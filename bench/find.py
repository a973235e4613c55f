"""Benchmark 12: `/find` in a bot holding a million kept lines, on SQLite and PostgreSQL.

    lines    1,000,000 kept lines over 1,000 chats of 1,000 lines each, beside the asker's
             chats: one of 1,000 lines (small), one of 100,000 (large) and an empty one; eight
             languages in rotation (English, German, French, Spanish, Russian, Chinese,
             Japanese, Korean), each line a sentence of common words and one of a few hundred
             rarer ones (names, numbers, `invoice`, `发票`, `会议`)
    find     `MemorySearch.find` as `/find` calls it (a unit of work that only reads, the search's
             slot, the chat's time zone, a page of ten newest first) in each of the three
             chats, for words of every kind: common, rare, absent, two Chinese characters (no
             trigram), Russian with and without its ё, several words at once; each `RUNS`
             times: p50 and p95 per chat. Every page is checked against the lines counted in
             Python: what it shows, and whether it says there are more
    write    a transcript piece kept as the keeper keeps it (a transaction of its own, the
             header and the line, through the bot's own units of work), `WRITES` of them with
             nothing else running and as many while 8 searches run at once in the large chat
             (absent and common words, one after the other), alternating in blocks of
             `BLOCK` so that the machine's other work weighs on both alike: p50 and p95 of each
    size     what the search index adds per line

PostgreSQL needs TEST_DATABASE_URL (a scratch database is created and dropped); without it only
SQLite is measured. About 10 minutes on two cores, most of it filling the databases.

    python -m bench --only find
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import insert, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bench import sized
from bench.sections import reflow, replace_section
from core.app.memory.chat_search import MemorySearch
from core.app.rules.outgoing_check import Leaving
from core.bootstrap import storage
from core.config import Settings
from core.domain.memory.search_rules import fold, search_words
from core.domain.recordings.transcript_values import TranscriptPart
from core.domain.shared_values import ChatRef
from core.infra.storage import SqlAlchemyUnitOfWork, upgrade
from core.infra.storage.tables import RecordingTranscriptPartRow, RecordingTranscriptRow

HEADING = "## 12. Voice memory: /find in a bot holding a million lines"
SMALL, LARGE, EMPTY = (ChatRef("telegram", f"-100{n}") for n in (1000, 2000, 3000))
CHATS = {"small": SMALL, "large": LARGE, "empty": EMPTY}
SMALL_LINES, LARGE_LINES = sized((1_000, 100_000), (200, 2_000))
OTHER_CHATS, OTHER_LINES = sized((1_000, 1_000), (30, 100))  # lines each
PER_RECORDING = 10
WRITES, RUNS, SEARCHERS, BLOCK = sized((300, 10, 8, 25), (50, 1, 8, 25))
SENTENCES = {
    "en": "we should send the report to the team before the meeting on monday and check it",
    "de": "wir sollten den bericht vor dem treffen am montag an das team schicken und prüfen",
    "fr": "nous devons envoyer le rapport à l’équipe avant la réunion de lundi et le vérifier",
    "es": "debemos enviar el informe al equipo antes de la reunión del lunes y revisarlo",
    "ru": "нужно отправить отчёт команде до встречи в понедельник и проверить его ещё раз",
    "zh": "我们应该在周一开会之前把报告发给团队然后再检查一遍",
    "ja": "月曜日の会議の前に報告書をチームに送って確認しましょう",
    "ko": "월요일 회의 전에 보고서를 팀에 보내고 다시 확인해요",
}
# Chinese and Japanese are written without spaces: their "words" here are characters.
COMMON = {
    key: list(words) if key in ("zh", "ja") else words.split() for key, words in SENTENCES.items()
}
RARE = [
    "invoice", "Rechnung", "facture", "factura", "счёт", "发票", "會議", "会议", "請求書",
    "청구서", "Zürich", "café", "Ёлка", "deadline", "budget", "contract", "合同", "預算",
    "договор", "Acme", *(f"order{n}" for n in range(300)),
]  # fmt: skip
QUERIES = [
    "invoice", "INVOICE", "rechnung", "facture", "cafe", "zurich", "счет", "счёт", "ёлка",
    "发票", "会议", "合同", "請求書", "청구서", "order17", "order299", "report", "meeting monday",
    "отчёт команде", "报告", "zeppelin", "发", "договор проверить",
]  # fmt: skip
LOADING = ["zeppelin", "meeting", "发票", "отчёт"]  # what the 8 searchers look for, in rotation


def sentence(rng: random.Random, number: int) -> str:
    language = list(COMMON)[number % len(COMMON)]
    words = COMMON[language]
    start = rng.randrange(len(words) - 6)
    picked = [*words[start : start + rng.randrange(5, 9)], rng.choice(RARE)]
    rng.shuffle(picked)
    joiner = "" if language in ("zh", "ja") else " "
    return joiner.join(picked)


def rows(chat: ChatRef, count: int, start: datetime, seed: int) -> tuple[list[Any], list[Any]]:
    """Headers and lines for `count` lines of `chat`, one every few seconds from `start`."""
    rng = random.Random(seed)
    headers, lines = [], []
    for number in range(count):
        recording = f"r{seed}-{number // PER_RECORDING}"
        if number // PER_RECORDING % 10 == 0:
            recording = f"call:42:{seed}-{number // PER_RECORDING}"
        at = start + timedelta(seconds=5 * number)
        if number % PER_RECORDING == 0:
            headers.append({
                "platform": chat.platform, "chat_id": chat.chat_id, "recording": recording,
                "language": "auto", "made_at": at, "message_id": str(number), "author": "Ann",
                "sent_at": at,
            })  # fmt: skip
        words = sentence(rng, number)
        lines.append({
            "platform": chat.platform, "chat_id": chat.chat_id, "recording": recording,
            "start_ms": number % PER_RECORDING * 7000, "end_ms": number % PER_RECORDING * 7000
            + 6500, "text": words, "folded": fold(words), "made_at": at,
        })  # fmt: skip
    return headers, lines


def every_chat() -> Iterator[tuple[ChatRef, int, int]]:
    yield SMALL, SMALL_LINES, 1
    yield LARGE, LARGE_LINES, 2
    for number in range(OTHER_CHATS):
        if number % 3 == 0:
            yield ChatRef("discord", f"guild:{9000 + number}"), OTHER_LINES, 10 + number
        else:
            yield ChatRef("telegram", f"-1009{number:04d}"), OTHER_LINES, 10 + number


async def fill(engine: AsyncEngine) -> dict[str, list[str]]:
    """Every chat's lines, kept as the bot keeps them; the asker's chats' folded lines, newest
    first, for checking what `/find` finds."""
    start = datetime.now(UTC) - timedelta(days=6)
    asked: dict[str, list[str]] = {"empty": []}
    for chat, count, seed in every_chat():
        headers, lines = rows(chat, count, start, seed)
        if chat in (SMALL, LARGE):
            asked["small" if chat == SMALL else "large"] = [line["folded"] for line in lines][::-1]
        async with engine.begin() as connection:
            await connection.execute(insert(RecordingTranscriptRow), headers)
            for at in range(0, len(lines), 5000):
                await connection.execute(insert(RecordingTranscriptPartRow), lines[at : at + 5000])
    return asked


def checked(page: Any, lines: list[str], query: str) -> str | None:
    """What is wrong with `page` for `query`, against the chat's folded lines (newest first)."""
    words = search_words(query)
    holding = [line for line in lines if all(word in line for word in words)]
    shown = [fold(moment.text) for moment in page.moments]
    if shown != holding[: len(shown)] or len(shown) != min(len(holding), 10):
        return f"{query!r}: {len(shown)} shown of {len(holding)}"
    if page.more != (len(holding) > 10):
        return f"{query!r}: 'more' wrong ({len(holding)} lines hold it)"
    return None


async def finds(memory: MemorySearch, asked: dict[str, list[str]]) -> dict[str, Any]:
    """p50 and p95 of `/find` in each of the asker's chats; what was found, and what was wrong."""
    found: dict[str, Any] = {}
    wrong: list[str] = []
    for name, chat in CHATS.items():
        for query in QUERIES:  # once each to check, and to warm the caches: not counted
            problem = checked(await memory.find(chat, query), asked[name], query)
            if problem:
                wrong.append(f"{name} {problem}")
        times: list[float] = []
        worst: dict[str, float] = {}
        for _ in range(RUNS):
            for query in QUERIES:
                began = time.perf_counter()
                await memory.find(chat, query)
                took = (time.perf_counter() - began) * 1000
                times.append(took)
                worst[query] = max(worst.get(query, 0.0), took)
        found[name] = {
            **percentiles(times),
            "slowest": sorted(worst.items(), key=lambda item: -item[1])[:3],
        }
    found["wrong"] = wrong
    found["cjk_found"] = {
        q: sum(all(w in line for w in search_words(q)) for line in asked["large"])
        for q in ("发票", "会议")
    }
    return found


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50": statistics.median(ordered), "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)]}


async def writes(
    uows: Callable[[], SqlAlchemyUnitOfWork], memory: MemorySearch
) -> dict[str, dict[str, float]]:
    """Pieces kept as the keeper keeps them: with nothing else running, then while
    `SEARCHERS` searches run at once in the large chat."""
    rng = random.Random(7)

    async def keep(count: int, tag: str) -> list[float]:
        took = []
        for number in range(count):
            part = TranscriptPart(number * 7.0, number * 7.0 + 6.5, sentence(rng, number))
            began = time.perf_counter()
            async with uows() as uow:
                await uow.transcripts.keep_part(
                    SMALL, f"{tag}-{number // 10}", language="auto", part=part,
                    at=datetime.now(UTC),
                )  # fmt: skip
                await uow.commit()
            took.append((time.perf_counter() - began) * 1000)
        return took

    searched = [0]

    async def search(offset: int, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await memory.find(LARGE, LOADING[(offset + searched[0]) % len(LOADING)])
            searched[0] += 1

    quiet: list[float] = []
    busy: list[float] = []
    for block in range(WRITES // BLOCK):
        quiet += await keep(BLOCK, f"quiet{block}")
        stop = asyncio.Event()
        searchers = [asyncio.create_task(search(n, stop)) for n in range(SEARCHERS)]
        try:
            busy += await keep(BLOCK, f"busy{block}")
        finally:
            stop.set()
            await asyncio.gather(*searchers)
    return {"quiet": percentiles(quiet), "busy": {**percentiles(busy), "searches": searched[0]}}


async def index_bytes(engine: AsyncEngine) -> int:
    """Bytes of the search index over every line."""
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            size = await connection.scalar(text(
                "SELECT sum(pgsize) FROM dbstat"
                " WHERE name = 'ix_recording_transcript_parts_chat_search'"
            ))  # fmt: skip
        else:
            size = await connection.scalar(text(
                "SELECT pg_relation_size('ix_recording_transcript_parts_chat_trgm')"
                " + pg_relation_size('ix_recording_transcript_parts_chat_lines')"
            ))  # fmt: skip
    return int(size or 0)


async def measure_on(url: str) -> dict[str, Any]:
    """Fill the database at `url`, then search it and write to it through the bot's own
    units of work (`core.bootstrap.storage`)."""
    await upgrade(url)
    settings = Settings(_env_file=None, database_url=url)
    async with storage(settings, migrate=False) as store:
        began = time.perf_counter()
        async with without_gin_indexes(store.engine):
            asked = await fill(store.engine)
        took = time.perf_counter() - began
        await settled(store.engine)
        # /find asks neither the chat model nor the limits here.
        memory = MemorySearch(reads=store.reads, chat_api=None, limiter=None, retention_days=7,
                        max_prompt_chars=30_000, leaving=Leaving(store.reads))  # fmt: skip
        found = await finds(memory, asked)
        written = await writes(store.uow, memory)
        index = await index_bytes(store.engine)
    lines = SMALL_LINES + LARGE_LINES + OTHER_CHATS * OTHER_LINES
    return {**found, "write": written, "fill_seconds": took, "index_per_line": index / lines}


@asynccontextmanager
async def without_gin_indexes(engine: AsyncEngine) -> AsyncIterator[None]:
    """PostgreSQL: the GIN indexes dropped while the lines go in and made again after, as a
    restore would (filling with them kept up line by line took 20 minutes); as 0026 makes
    them. SQLite: nothing."""
    if engine.dialect.name == "sqlite":
        yield
        return
    made = await _gin_indexes(engine)
    async with engine.begin() as connection:
        for name in made:
            await connection.execute(text(f"DROP INDEX {name}"))
    yield
    async with engine.begin() as connection:
        for definition in made.values():
            await connection.execute(text(definition))


async def _gin_indexes(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as connection:
        rows = await connection.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename ="
            " 'recording_transcript_parts' AND indexdef LIKE '%USING gin%'"
        ))  # fmt: skip
        return {name: definition for name, definition in rows}


async def settled(engine: AsyncEngine) -> None:
    """The planner's statistics, and on PostgreSQL the table vacuumed, so that autovacuum
    does not start on the new lines in the middle of the measurements."""
    if engine.dialect.name == "sqlite":
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
        return
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE"))


async def measure(folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = {"load_before": load_average()}
    found["sqlite"] = await measure_on(f"sqlite+aiosqlite:///{folder / 'find.db'}")
    server = os.environ.get("TEST_DATABASE_URL", "").strip()
    if server:
        server = make_url(server).set(drivername="postgresql+asyncpg").render_as_string(False)
        name = f"voicebridge_bench_{uuid4().hex[:12]}"
        admin = create_async_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
            found["postgresql"] = await measure_on(url)
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()
    else:
        print("  find: PostgreSQL skipped (TEST_DATABASE_URL is not set): SQLite alone", flush=True)
    found["load_after"] = load_average()
    return found


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def section(found: dict[str, Any], machine: dict[str, str]) -> str:
    rows, slowest, wrong = [], [], []
    for name, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        got = found.get(name)
        if got is None:
            rows.append(f"| {label} | not measured (no TEST_DATABASE_URL) | | | | | |")
            continue
        write = got["write"]
        more = (write["busy"]["p95"] / write["quiet"]["p95"] - 1) * 100
        rows.append(
            f"| {label} | {got['small']['p50']:.1f} / {got['small']['p95']:.1f} ms | "
            f"{got['large']['p50']:.1f} / {got['large']['p95']:.1f} ms | "
            f"{got['empty']['p50']:.1f} / {got['empty']['p95']:.1f} ms | "
            f"{write['quiet']['p95']:.2f} ms | {write['busy']['p95']:.2f} ms ({more:+.0f} %) | "
            f"{got['index_per_line']:.0f} B |"
        )
        slowest.append(f"{label}: " + ", ".join(
            f"`{q}` {ms:.0f} ms" for q, ms in got["large"]["slowest"]
        ))  # fmt: skip
        wrong += [f"{label} {w}" for w in got["wrong"]]
    checks = "every page matched the lines counted in Python" if not wrong else (
        "pages that did not match: " + "; ".join(wrong)
    )  # fmt: skip
    cjk = found.get("sqlite", {}).get("cjk_found", {})
    body = reflow(
        f"`python -m bench --only find` on {machine.get('date', '')}, {machine.get('cpu', '')}: "
        f"{OTHER_CHATS * OTHER_LINES:,} kept lines over {OTHER_CHATS:,} chats (eight languages "
        "in rotation, Chinese and Russian among them), beside the asker's chats: "
        f"{SMALL_LINES:,} lines (small), {LARGE_LINES:,} (large), none (empty). "
        f"{len(QUERIES)} searches, each {RUNS} times in each chat, through `MemorySearch.find` as "
        "`/find` calls it; two-character Chinese words among them (`发票` and `会议`, in "
        f"{cjk.get('发票', 0):,} and {cjk.get('会议', 0):,} lines of the large chat); {checks}. "
        f"A piece kept: p95 of {WRITES} transcript pieces each kept in a transaction of its "
        f"own, as the keeper keeps them, alone and as many while {SEARCHERS} searches ran at "
        f"once in the large chat, alternating {BLOCK} at a time. {_load(found, machine)}"
    )
    return (
        f"{HEADING}\n\n{body}\n\n"
        "| Database | /find small p50 / p95 | large | empty | a piece kept, p95 | "
        f"while {SEARCHERS} search | index per line |\n"
        "|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\n"
        + reflow("Slowest searches in the large chat (their worst run): " + "; ".join(slowest))
        + "\n"
    )


def _load(found: dict[str, Any], machine: dict[str, Any]) -> str:
    """The load average around the run, said to be other work's when above the core count."""
    loads = f"load average {found['load_before']} before, {found['load_after']} after"
    cores = machine.get("cores", "2")
    highest = max(float(x) for x in f"{found['load_before']} {found['load_after']}".split())
    if highest > float(cores):
        return f"The machine was shared with other work while it ran ({loads}, on {cores} cores)."
    return f"{loads.capitalize()}, on {cores} cores."


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print(asyncio.run(measure(Path(tmp))))
