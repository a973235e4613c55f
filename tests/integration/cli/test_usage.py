"""`voicebridge usage` as the owner runs it to see what the bot spent: the whole bot's day and
month, every chat together, in MiMo's units, from the database the bots count in."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from tests.integration.cli.process import clean_env, voicebridge


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
    assert lines[-1] == "The daily budget: 7,200 s of audio a day (DAILY_BUDGET_*)."
    used = json.loads(as_json.text)
    assert used["day"] == today.isoformat()
    assert used["today"]["audio_seconds"] == used["month"]["audio_seconds"] == 6000
    assert used["today"]["prompt_tokens"] == 250


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
