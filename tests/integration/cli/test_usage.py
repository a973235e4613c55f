"""`voicebridge usage` as the owner runs it to see what the bot spent: the whole bot's day and
month, every chat together, in MiMo's units, from the database the bots count in; and MiMo's
minute now, as the bots that send share it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from core.bootstrap import bootstrap
from core.config import Settings
from core.domain.mimo.account_minute_rules import Urgency, asking
from tests.integration.chatlog_db import query
from tests.integration.cli.process import clean_env, voicebridge
from tests.standins.mimo import FakeMimo


async def test_usage_shows_the_whole_bots_day_and_month_in_mimos_units(cwd: Path) -> None:
    database = cwd / "voicebridge.db"
    settings = clean_env(
        DATABASE_URL=f"sqlite+aiosqlite:///{database}", DAILY_BUDGET_AUDIO_SECONDS="7200"
    )
    assert (await voicebridge("db", "upgrade", cwd=cwd, env=settings)).code == 0
    today = datetime.now(UTC).date()
    rows = [  # two chats and a call today; a person's row is the same work counted again
        ("telegram", "-1001", 3600, 1200, 250),
        ("discord", "55", 1800, 0, 0),
        ("discord", "55/listen", 600, 0, 0),
        ("telegram", "person:42", 3600, 1200, 0),
    ]
    db = sqlite3.connect(database)
    with db:
        db.executemany(
            "INSERT INTO chat_usage (platform, chat_id, day, audio_seconds, tts_chars, "
            "prompt_tokens) VALUES (?, ?, ?, ?, ?, ?)",
            [(*row[:2], today.isoformat(), *row[2:]) for row in rows],
        )
    db.close()

    shown = await voicebridge("usage", cwd=cwd, env=settings)
    as_json = await voicebridge("usage", "--json", cwd=cwd, env=settings)

    assert (shown.code, shown.err) == (0, ""), shown.err
    lines = shown.text.splitlines()
    assert lines[0] == "MiMo use of the whole bot, every chat together (UTC days):"
    assert lines[1].split() == ["today", f"{today:%B}", f"{today:%Y}"]
    assert lines[2].split()[-2:] == ["6,000", "6,000"]  # audio transcribed, seconds
    assert lines[2].startswith("audio transcribed, seconds")
    assert lines[3].split()[-2:] == ["1,200", "1,200"]  # characters spoken
    assert lines[-3] == "The daily budget: 7,200 s of audio a day (DAILY_BUDGET_*)."
    assert lines[-1] == "MiMo's minute: nothing sent in the last minute (no bot sending)."
    used = json.loads(as_json.text)
    assert used["day"] == today.isoformat()
    assert used["today"]["audio_seconds"] == used["month"]["audio_seconds"] == 6000
    assert used["today"]["prompt_tokens"] == 250
    assert used["minute"] == []


# The bot's minute of the chat model in the next test: two requests in thirty seconds.
MINUTE = {"MIMO_MINUTE_SECONDS": "30", "MIMO_REQUESTS_PER_MINUTE": "2"}
MINUTE_HEAD = "MiMo's minute now, every replica together (waiting: live, people, background):"


async def test_usage_shows_mimos_minute_as_the_running_bot_holds_it(
    cwd: Path, database_url: str, mimo: FakeMimo
) -> None:
    """Two live requests took the chat model's minute, two more wait for it: `usage`, another
    process, sees them, from the replicas' shared minute (PostgreSQL) or from what the one bot
    writes of its own every few seconds (SQLite)."""
    mimo.minute.seconds, mimo.minute.others = 30.0, (2, 10_000_000)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mimo_api_key=mimo.api_key, mimo_base_url=mimo.base_url, database_url=database_url,
        mimo_minute_seconds=30, mimo_requests_per_minute=2,
    )  # fmt: skip
    async with bootstrap(settings) as bot:
        with asking(Urgency.LIVE, chat="call"):
            sent = [asyncio.create_task(bot.mimo.chat(f"caption {n}")) for n in range(4)]
        try:
            await asyncio.wait_for(asyncio.gather(*sent[:2]), timeout=30)
            await until_said_waiting(database_url, live=2)
            shown = await voicebridge(
                "usage", cwd=cwd, env=clean_env(DATABASE_URL=database_url, **MINUTE)
            )
            as_json = await voicebridge(
                "usage", "--json", cwd=cwd, env=clean_env(DATABASE_URL=database_url, **MINUTE)
            )
        finally:
            for waiting in sent[2:]:
                waiting.cancel()
            await asyncio.gather(*sent, return_exceptions=True)

    assert (shown.code, shown.err) == (0, ""), shown.err
    lines = shown.text.splitlines()
    at = lines.index(
        "MiMo's minute now, every replica together (waiting: live, people, background):"
    )
    assert lines[at + 1].split() == ["model", "requests", "tokens", "live", "people",
                                     "background", "longest", "429s"]  # fmt: skip
    row = lines[at + 2].split()
    assert row[:4] == [bot.mimo.models.chat, "2", "of", "2"]
    assert row[-6:-3] == ["2", "0", "0"] and row[-3:-1] != ["-"] and row[-1] == "0"
    minute = json.loads(as_json.text)["minute"]
    assert [
        (m["model"], m["requests"], m["requests_per_minute"], m["waiting"]) for m in minute
    ] == [(bot.mimo.models.chat, 2, 2, {"live": 2, "people": 0, "background": 0})]
    assert minute[0]["longest_wait_seconds"] > 0 and minute[0]["refused_today"] == 0
    assert mimo.minute.refused == 0


async def until_said_waiting(url: str, *, live: int) -> None:
    """Wait until the bot's queue of the minute says `live` requests wait (announced where the
    replicas share the minute, in a snapshot where the one bot keeps it)."""
    deadline = asyncio.get_running_loop().time() + 30
    while await query(url, "SELECT live FROM minute_lines") != [(live,)]:
        assert asyncio.get_running_loop().time() < deadline, "the waiting was never written"
        await asyncio.sleep(0.05)


async def test_usage_without_a_database_says_so_and_makes_none(cwd: Path) -> None:
    database = cwd / "nowhere" / "voicebridge.db"
    settings = clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{database}")

    done = await voicebridge("usage", cwd=cwd, env=settings)

    assert done.code == 2
    assert done.err == (
        f"voicebridge: no database at {database} (DATABASE_URL): voicebridge db upgrade (or run) "
        "creates it\n"
    )
    assert list(cwd.iterdir()) == []
