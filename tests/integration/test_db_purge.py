"""`voicebridge db purge` and the PostgreSQL pool, on real SQLite and PostgreSQL.

The purge runs through `bots.cli.main` as an operator's cron job would: settings from the
environment alone, no MiMo key, no bot token. Its rows are made through the real repositories,
with times in the past, since the command reads the system clock.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bots.cli import main
from core.bootstrap import storage
from core.config import Settings
from core.domain.recordings.transcript_values import TranscriptPart
from core.domain.rules.claim_values import Claim
from core.domain.rules.quotas_rules import Counts
from core.domain.shared_values import ChatRef
from core.domain.summaries.summary_values import ChatMessage
from core.domain.voices.clone_consent_rules import CloneChallenge
from core.domain.voices.inline_voice_cache_key import CachedVoice
from core.infra.storage import SqlAlchemyUnitOfWork, alembic_config, create_engine, session_factory
from tests.integration.chatlog_db import query

CHAT = ChatRef("telegram", "-100777")
SECRETS = ("MIMO_API_KEY", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN")


@pytest.fixture
def operator_shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restored_logging: None) -> None:
    """A shell with no secrets and no .env, as cron gives (logging, which `main` sets up for
    the command, is restored afterwards)."""
    monkeypatch.chdir(tmp_path)
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUMMARY_RETENTION_DAYS", "7")


async def seeded(url: str, now: datetime) -> None:
    """Of each kind, rows past its horizon and rows within it."""
    today = now.date()
    engine = create_engine(url)
    try:
        async with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
            for n, age in enumerate([timedelta(days=10), timedelta(days=8), timedelta(hours=1)]):
                said = ChatMessage(CHAT, f"m{n}", "Ann", now - age, f"hello {n}")
                await uow.chat_log.add(said)
            for n, age in enumerate([timedelta(days=9), timedelta(minutes=5)]):
                claim = Claim("telegram", CHAT.chat_id, f"c{n}")
                at = now - age
                await uow.claims.claim(
                    claim, instance="a", owner="a/1", at=at, lease_until=at + timedelta(seconds=30)
                )
            for age in (timedelta(hours=3), timedelta(hours=2), timedelta(minutes=90)):
                await uow.usage.hits("telegram", ["user:1"], now - age)
            await uow.usage.hits("telegram", ["user:1"], now)
            for days in (30, 8, 1, 0):
                await uow.usage.add(CHAT, today - timedelta(days=days), Counts(summaries=1))
            for n, age in enumerate([timedelta(days=8), timedelta(days=2)]):
                part, at = TranscriptPart(0.0, 3.0, f"said {n}"), now - age
                await uow.transcripts.keep_part(CHAT, f"file{n}", language="auto", part=part, at=at)
                await uow.transcripts.complete(CHAT, f"file{n}", language="auto", duration=3, at=at)
            for n, age in enumerate([timedelta(days=8), timedelta(days=2)]):
                rendered = CachedVoice(f"voice{n}", 2, kept_in="-1005550001", message_id=n + 1)
                await uow.inline_voices.save(
                    f"key{n}", rendered, owner=CHAT, voice_name=None, at=now - age
                )
            for n, age in enumerate([timedelta(hours=30), timedelta(hours=2)]):
                asked = now - age
                await uow.consents.add(CloneChallenge(
                    platform="telegram", person_id="1", chat_id=CHAT.chat_id, asked_in="1",
                    private_chat="1", name="Mine", sentence="I am Ann. apple", words=("apple",),
                    locale="en", asked_at=asked, expires_at=asked + timedelta(minutes=5),
                ))  # fmt: skip
                await uow.consents.note_sender("telegram", f"file{n}", "1", asked)
            await uow.commit()
    finally:
        await engine.dispose()


async def remaining(url: str) -> dict[str, int]:
    tables = (
        "chat_messages",
        "processed_updates",
        "rate_windows",
        "chat_usage",
        "recording_transcripts",
        "recording_transcript_parts",
        "inline_voices",
        "clone_challenges",
        "consent_readings",
    )
    # The whole bot's months are kept (`voicebridge usage`): counted apart, below.
    kept = {t: f"SELECT count(*) FROM {t}" for t in tables}
    kept["chat_usage"] += " WHERE platform != 'all'"
    return {t: (await query(url, statement))[0][0] for t, statement in kept.items()}


async def test_db_purge_deletes_what_expired_and_keeps_the_rest_without_any_secret(
    database_url: str,
    operator_shell: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    await seeded(database_url, datetime.now(UTC))

    # `main` runs its own event loop, as from a shell; a thread keeps it off the test's.
    code = await asyncio.to_thread(main, ["db", "purge"])
    printed = capsys.readouterr()
    left = await remaining(database_url)
    again = await asyncio.to_thread(main, ["db", "purge"])
    printed_again = capsys.readouterr().out
    current = await asyncio.to_thread(main, ["db", "current"])
    revision = capsys.readouterr().out.strip()

    assert code == 0, printed.err
    assert printed.out.splitlines() == [
        "messages: 2 (older than 7 days)",
        "transcripts: 1 (older than 7 days)",
        "inline voices: 1 (older than 7 days)",
        "claims: 1 (older than 7 days)",
        "rate windows: 3 (older than 1 hour)",
        "daily usage: 2 (older than 7 days)",
        "consent sentences: 2 (older than 1 day)",
    ]
    assert left == {
        "chat_messages": 1,
        "processed_updates": 1,
        "rate_windows": 1,
        "chat_usage": 2,
        "recording_transcripts": 1,
        "recording_transcript_parts": 1,
        "inline_voices": 1,
        "clone_challenges": 1,
        "consent_readings": 1,
    }
    # What the deleted days used is kept in their months' totals.
    months = "SELECT sum(summaries) FROM chat_usage WHERE platform = 'all' AND chat_id = 'month'"
    assert (await query(database_url, months))[0][0] == 2
    assert again == 0
    assert [line.split(" (")[0] for line in printed_again.splitlines()] == [
        "messages: 0",
        "transcripts: 0",
        "inline voices: 0",
        "claims: 0",
        "rate windows: 0",
        "daily usage: 0",
        "consent sentences: 0",
    ]
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    assert (current, revision) == (0, head)


def pool_settings(url: str, **pool: float) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        **{f"database_{name}": value for name, value in pool.items()},
    )


async def backend(connection: AsyncConnection) -> int:
    """Which server process serves `connection`: a new one means a new connection."""
    return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.mark.postgres
async def test_postgres_gets_the_pool_its_settings_ask_for(postgres_database_url: str) -> None:
    database_url = postgres_database_url
    settings = pool_settings(
        database_url,
        pool_size=1,
        max_overflow=0,
        pool_timeout_seconds=0.3,
        pool_recycle_seconds=1,
    )
    async with storage(settings, migrate=False) as store:
        engine = store.engine
        async with engine.connect() as first:
            served_by = await backend(first)
            started = asyncio.get_running_loop().time()
            with pytest.raises(exc.TimeoutError):
                async with engine.connect():
                    pass
            waited = asyncio.get_running_loop().time() - started
        async with engine.connect() as second:  # the one connection, given back, serves again
            reused = await backend(second)
        await asyncio.sleep(1.1)  # the recycle age is a time: it has to pass
        async with engine.connect() as third:  # older than the recycle age: replaced
            replaced = await backend(third)
        size = engine.pool.size()  # type: ignore[attr-defined]
    async with storage(pool_settings(database_url), migrate=False) as store:
        defaults = (store.engine.pool.size(), store.engine.pool.timeout())  # type: ignore[attr-defined]

    assert size == 1
    assert 0.25 < waited < 5
    assert reused == served_by != replaced
    assert defaults == (5, 30.0)


async def test_sqlite_keeps_its_own_pool_whatever_the_pool_settings(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'voicebridge.db'}"
    settings = pool_settings(url, pool_size=1, max_overflow=0, pool_timeout_seconds=0.3)
    async with (
        storage(settings) as store,
        store.engine.connect() as one,
        store.engine.connect() as two,
    ):
        both = []
        for connection in (one, two):  # both open; each transaction ended before the next
            both.append((await connection.execute(text("SELECT 1"))).scalar())
            await connection.commit()

    assert both == [1, 1]


async def test_what_db_purge_deletes_is_gone_from_find_at_once(
    database_url: str,
    operator_shell: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`voicebridge find` over the database, as /find reads it: the transcript purged for its
    age is no longer found, the one still kept is."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    await seeded(database_url, datetime.now(UTC))

    before = await asyncio.to_thread(main, ["find", f"telegram:{CHAT.chat_id}", "SAID"])
    found_before = capsys.readouterr().out
    await asyncio.to_thread(main, ["db", "purge"])
    capsys.readouterr()
    after = await asyncio.to_thread(main, ["find", f"telegram:{CHAT.chat_id}", "said"])
    found_after = capsys.readouterr().out
    elsewhere = await asyncio.to_thread(main, ["find", "telegram:-100888", "said"])
    found_elsewhere = capsys.readouterr().out
    wrong = await asyncio.to_thread(main, ["find", "irc:#chat", "said"])

    assert (before, after, elsewhere, wrong) == (0, 0, 0, 2)
    assert found_before.startswith("Where “said” was said, newest first (1–2;")
    assert "**" not in found_before  # no Markdown: a terminal shows it as it is
    assert "said 1" in found_before and "said 0" in found_before
    assert "said 1" in found_after and "said 0" not in found_after
    assert found_elsewhere.startswith("Nothing kept from this chat in the last 7 days has “said”")
