"""Benchmark 12: `/find` over a chat with 100,000 kept transcript lines, on SQLite and PostgreSQL.

    lines    100,000 lines in one chat (10 lines to a recording, a tenth of them a call's), in
             eight languages taking turns (English, German, French, Spanish, Russian, Chinese,
             Japanese, Korean), each a sentence made of common words and one of a few hundred
             rarer ones (names, numbers, `invoice`, `发票`); 20,000 more in other chats
    find     `Memory.find` as `/find` calls it (the chat's time zone read, then a page of ten,
             newest first) for words of every kind: common, rare, absent, two Chinese
             characters (no trigram: matched over the chat's lines), Russian with and without
             its ё, several words at once; each 20 times, the p50 and p95 of every call
    size     what the index adds per line: SQLite's FTS5 tables (`dbstat`), PostgreSQL's GIN
             index (`pg_relation_size`), and the folded copy of the text on both
    write    a transcript piece kept as `TranscriptKeeper.keep_part` keeps it (one transaction
             each, the header and the line), 1,000 of them into the full database and as many
             into a copy without the index (the triggers and the FTS table dropped on SQLite,
             the GIN index on PostgreSQL), taking turns piece by piece

PostgreSQL needs TEST_DATABASE_URL (a scratch database is created and dropped); without it only
SQLite is measured.

    python -m bench.find
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import insert, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bench.sections import reflow, replace_section
from core.app.memory import Memory
from core.domain.memory import fold
from core.domain.transcripts import TranscriptPart
from core.domain.values import ChatRef
from core.infra.storage import SqlAlchemyUnitOfWork, create_engine, session_factory, upgrade
from core.infra.storage.models import RecordingTranscriptPartRow, RecordingTranscriptRow

HEADING = "## 12. Voice memory: /find over 100,000 kept lines"
CHAT = ChatRef("telegram", "-1001000")
LINES, OTHER_LINES, PER_RECORDING = 100_000, 20_000, 10
WRITES, RUNS = 1_000, 20
SAID = {
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
COMMON = {key: list(said) if key in ("zh", "ja") else said.split() for key, said in SAID.items()}
RARE = [
    "invoice", "Rechnung", "facture", "factura", "счёт", "发票", "請求書", "청구서", "Zürich",
    "café", "Ёлка", "deadline", "budget", "contract", "合同", "預算", "договор", "Acme",
    *(f"order{n}" for n in range(300)),
]  # fmt: skip
QUERIES = [
    "invoice", "INVOICE", "rechnung", "facture", "cafe", "zurich", "счет", "счёт", "ёлка",
    "发票", "合同", "請求書", "청구서", "order17", "order299", "report", "meeting monday",
    "отчёт команде", "报告", "zeppelin", "发", "договор проверить",
]  # fmt: skip


def sentence(rng: random.Random, number: int) -> str:
    language = list(COMMON)[number % len(COMMON)]
    words = COMMON[language]
    start = rng.randrange(len(words) - 6)
    picked = [*words[start : start + rng.randrange(5, 9)], rng.choice(RARE)]
    rng.shuffle(picked)
    joiner = "" if language in ("zh", "ja") else " "
    return joiner.join(picked)


def rows(chat: ChatRef, count: int, start: datetime, seed: int) -> tuple[list[Any], list[Any]]:
    """Headers and lines for `count` lines of `chat`, one a minute from `start`."""
    rng = random.Random(seed)
    headers, lines = [], []
    for number in range(count):
        recording = f"r{seed}-{number // PER_RECORDING}"
        if number // PER_RECORDING % 10 == 0:
            recording = f"call:42:{seed}-{number // PER_RECORDING}"
        at = start + timedelta(minutes=number)
        if number % PER_RECORDING == 0:
            headers.append({
                "platform": chat.platform, "chat_id": chat.chat_id, "recording": recording,
                "language": "auto", "made_at": at, "message_id": str(number), "author": "Ann",
                "sent_at": at,
            })  # fmt: skip
        said = sentence(rng, number)
        lines.append({
            "platform": chat.platform, "chat_id": chat.chat_id, "recording": recording,
            "start_ms": number % PER_RECORDING * 7000, "end_ms": number % PER_RECORDING * 7000
            + 6500, "text": said, "folded": fold(said), "made_at": at,
        })  # fmt: skip
    return headers, lines


async def fill(engine: AsyncEngine) -> None:
    start = datetime.now(UTC) - timedelta(days=6)
    chats = [(CHAT, LINES, 1), (ChatRef("telegram", "-1002000"), OTHER_LINES // 2, 2),
             (ChatRef("discord", "guild:3"), OTHER_LINES // 2, 3)]  # fmt: skip
    for chat, count, seed in chats:
        headers, lines = rows(chat, count, start, seed)
        async with engine.begin() as connection:
            await connection.execute(insert(RecordingTranscriptRow), headers)
            for at in range(0, len(lines), 5000):
                await connection.execute(insert(RecordingTranscriptPartRow), lines[at : at + 5000])


async def finds(memory: Memory) -> dict[str, Any]:
    times: list[float] = []
    per_query: dict[str, float] = {}
    found: dict[str, int] = {}
    for query in QUERIES:  # once each to warm the caches, not counted
        found[query] = len((await memory.find(CHAT, query)).moments)
    for _ in range(RUNS):
        for query in QUERIES:
            began = time.perf_counter()
            await memory.find(CHAT, query)
            took = (time.perf_counter() - began) * 1000
            times.append(took)
            per_query[query] = max(per_query.get(query, 0.0), took)
    ordered = sorted(times)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[int(len(ordered) * 0.95) - 1],
        "max": ordered[-1],
        "slowest": sorted(per_query.items(), key=lambda item: -item[1])[:3],
        "found": found,
    }


async def writes(
    with_index: Callable[[], SqlAlchemyUnitOfWork], without: Callable[[], SqlAlchemyUnitOfWork]
) -> tuple[float, float]:
    """Milliseconds per piece kept, as the keeper keeps it, into the database with the index
    and into the same one without it, taking turns piece by piece so that the machine's other
    work slows both alike (medians of 1,000 each)."""
    rng, times = random.Random(7), ([], [])
    for number in range(WRITES):
        part = TranscriptPart(number * 7.0, number * 7.0 + 6.5, sentence(rng, number))
        for uows, took in ((with_index, times[0]), (without, times[1])):
            began = time.perf_counter()
            async with uows() as uow:
                await uow.transcripts.add_part(
                    CHAT, f"w-{number // 10}", language="auto", part=part, at=datetime.now(UTC)
                )
                await uow.commit()
            took.append((time.perf_counter() - began) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


async def index_bytes(engine: AsyncEngine) -> tuple[int, int]:
    """Bytes of the index, and of the folded copy of the text, over every line."""
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            index = await connection.scalar(text(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'transcript_search%'"
                " OR name = 'ix_recording_transcript_parts_search_id'"
            ))  # fmt: skip
        else:
            index = await connection.scalar(text(
                "SELECT pg_relation_size('ix_recording_transcript_parts_folded_trgm')"
            ))  # fmt: skip
        folded = await connection.scalar(
            text("SELECT sum(length(folded)) FROM recording_transcript_parts")
        )
    return int(index or 0), int(folded or 0)


async def drop_index(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            for trigger in ("kept", "changed", "gone"):
                await connection.execute(text(f"DROP TRIGGER transcript_search_{trigger}"))
            await connection.execute(text("DROP TABLE transcript_search"))
        else:
            await connection.execute(text("DROP INDEX ix_recording_transcript_parts_folded_trgm"))


async def filled(url: str) -> tuple[AsyncEngine, float]:
    await upgrade(url)
    engine = create_engine(url)
    began = time.perf_counter()
    await fill(engine)
    took = time.perf_counter() - began
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    return engine, took


async def measure_on(url: str, bare_url: str) -> dict[str, Any]:
    """Searches and sizes on `url`; the write cost there and on `bare_url`, the same lines
    without the index."""
    engine, took = await filled(url)
    bare, _ = await filled(bare_url)
    try:
        await drop_index(bare)
        uows = lambda: SqlAlchemyUnitOfWork(session_factory(engine))  # noqa: E731
        # /find asks neither the chat model nor the limits.
        memory = Memory(uow=uows, chat_api=None, limiter=None, retention_days=7,
                        max_prompt_chars=30_000)  # fmt: skip
        found = await finds(memory)
        index, folded = await index_bytes(engine)
        bare_uows = lambda: SqlAlchemyUnitOfWork(session_factory(bare))  # noqa: E731
        with_index, without = await writes(uows, bare_uows)
    finally:
        await engine.dispose()
        await bare.dispose()
    lines = LINES + OTHER_LINES
    return {
        **found, "fill_seconds": took, "index_per_line": index / lines,
        "folded_per_line": folded / lines, "write_ms": with_index, "write_ms_without": without,
    }  # fmt: skip


async def measure(folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = {"load_before": load_average()}
    found["sqlite"] = await measure_on(
        f"sqlite+aiosqlite:///{folder / 'find.db'}", f"sqlite+aiosqlite:///{folder / 'bare.db'}"
    )
    server = os.environ.get("TEST_DATABASE_URL", "").strip()
    if server:
        names = [f"voicebridge_bench_{uuid4().hex[:12]}" for _ in range(2)]
        admin = create_async_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        async with admin.connect() as connection:
            for name in names:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            urls = [make_url(server).set(database=name).render_as_string(hide_password=False)
                    for name in names]  # fmt: skip
            found["postgresql"] = await measure_on(*urls)
        finally:
            async with admin.connect() as connection:
                for name in names:
                    await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()
    found["load_after"] = load_average()
    return found


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def section(found: dict[str, Any], machine: dict[str, str]) -> str:
    rows = []
    for name, label in (
        ("sqlite", "SQLite (FTS5, trigram)"),
        ("postgresql", "PostgreSQL (pg_trgm, GIN)"),
    ):
        got = found.get(name)
        if got is None:
            rows.append(f"| {label} | not measured (no TEST_DATABASE_URL) | | | | |")
            continue
        more = (got["write_ms"] / got["write_ms_without"] - 1) * 100
        rows.append(
            f"| {label} | {got['p50']:.1f} ms | {got['p95']:.1f} ms | "
            f"{got['index_per_line']:.0f} B + {got['folded_per_line']:.0f} B folded | "
            f"{got['write_ms']:.2f} ms | {got['write_ms_without']:.2f} ms ({more:+.0f} %) |"
        )
    slowest = "; ".join(
        f"{name}: " + ", ".join(f"`{q}` {ms:.0f} ms" for q, ms in found[name]["slowest"])
        for name in ("sqlite", "postgresql") if name in found
    )  # fmt: skip
    body = reflow(
        f"`python -m bench --only find` on {machine.get('date', '')}, {machine.get('cpu', '')}: "
        f"100,000 kept lines in one chat (eight languages taking turns, Chinese and Russian "
        f"among them) and 20,000 in two others; {len(QUERIES)} searches, each {RUNS} times, "
        "through `Memory.find` as `/find` calls it. The machine was shared with other work "
        f"while it ran (load average {found['load_before']} before, {found['load_after']} "
        "after, on two cores): the numbers are a busy day's, not a quiet machine's. The write "
        f"cost is the median of {WRITES:,} pieces each kept in a transaction of its own, as the "
        "keeper keeps them, into the full database and into a copy without the index, taking "
        "turns piece by piece."
    )
    return (
        f"{HEADING}\n\n{body}\n\n"
        "| Database | /find p50 | /find p95 | Index per line | Piece kept | Without index |\n"
        "|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\n"
        + reflow(f"Slowest searches (their worst run): {slowest}.")
        + "\n"
    )


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print(asyncio.run(measure(Path(tmp))))
