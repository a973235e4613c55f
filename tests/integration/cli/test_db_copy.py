"""`voicebridge db copy URL` as an operator moving from SQLite to PostgreSQL runs it: what the
bot kept on SQLite (a group's voice note, its log for /summary, a preference) is there once the
bot starts on PostgreSQL, the bot goes on adding to it, and a second copy into a database that
holds data is refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from core.infra.storage import create_engine
from core.infra.storage.tables.chat_log_tables import ChatMessageRow
from tests.audio_factory import make_audio
from tests.integration.cli.process import clean_env, voicebridge
from tests.integration.conftest import running, settings_for
from tests.integration.test_telegram_find import send_text, voice_transcribed
from tests.integration.test_telegram_summaries import next_reply
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

pytestmark = pytest.mark.postgres
GROUP, ANN = -1001555, 21


async def logged_count(url: str) -> int:
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(ChatMessageRow)))
    finally:
        await engine.dispose()


async def test_what_the_bot_kept_on_sqlite_is_there_on_postgresql(
    cwd: Path,
    tmp_path: Path,
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    postgres_database_url: str,
) -> None:
    mimo.asr_text = lambda duration, body: "The deposit comes back on Friday."
    note = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        send_text(bot_api, GROUP, ANN, "Who has the key?")
        await voice_transcribed(bot_api, GROUP, ANN, note)
        bot_api.set_member_status(GROUP, ANN, "administrator")  # a group's settings are theirs
        send_text(bot_api, GROUP, ANN, "/style calm")
        await next_reply(bot_api, GROUP)
    before = await logged_count(sqlite_url)

    settings = clean_env(DATABASE_URL=sqlite_url)
    copied = await voicebridge("db", "copy", postgres_database_url, cwd=cwd, env=settings)
    again = await voicebridge("db", "copy", postgres_database_url, cwd=cwd, env=settings)

    assert (copied.code, copied.err) == (0, ""), copied.text
    assert copied.text.startswith("Copied ")
    assert copied.text.rstrip().endswith("; set DATABASE_URL to it, then start the bot.")
    assert await logged_count(postgres_database_url) == before >= 2
    assert again.code == 2
    assert "holds data already" in again.err and "copy into an empty database" in again.err

    on_postgres = settings_for(bot_api=bot_api, mimo=mimo, database_url=postgres_database_url)
    async with running(on_postgres, bot_api):
        send_text(bot_api, GROUP, ANN, "/find deposit")
        found = await next_reply(bot_api, GROUP)
        send_text(bot_api, GROUP, ANN, "/settings")
        shown = await next_reply(bot_api, GROUP)
        # A new line of the group's log takes an id of its own (the sequence moved past those
        # copied), or the database refuses it.
        send_text(bot_api, GROUP, ANN, "The keys are under the mat.")
        async with asyncio.timeout(30):
            while await logged_count(postgres_database_url) == before:
                await asyncio.sleep(0.05)

    assert "deposit" in found and "Friday" in found
    assert "calm" in shown
    assert await logged_count(postgres_database_url) == before + 1
