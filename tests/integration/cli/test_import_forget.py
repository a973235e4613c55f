"""`/forget` in a Telegram group while `voicebridge import telegram` imports its past in a
process of its own: the import hears of it through the database, stops, keeps nothing more and
says so in one line; neither the group's `/find` nor the command line's `find` shows anything."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from core.infra.storage import create_engine
from tests.integration.cli.process import TIMEOUT, env, voicebridge
from tests.integration.cli.test_import_telegram import ANN, ASR, BOB, GROUP, SAID, make_export
from tests.integration.conftest import running, settings_for
from tests.integration.test_telegram_summaries import next_reply
from tests.standins.mimo import FakeMimo, hears_by_length
from tests.standins.telegram_api import FakeBotApi
from tests.voicebridge_process import start


async def test_a_forget_in_the_group_stops_an_import_running_in_another_process(
    cwd: Path, mimo: FakeMimo, bot_api: FakeBotApi, database_url: str
) -> None:
    export = make_export(cwd)
    settings = env(mimo, DATABASE_URL=database_url, SUMMARY_RETENTION_DAYS="30",
                   ASR_MAX_IN_FLIGHT="1")  # fmt: skip
    hears_by_length(mimo, SAID)
    # MiMo's check and the oldest message are answered; the next is held while the group
    # forgets, and answered after it.
    mimo.hold_after(2)
    process = await start(
        "import", "telegram", str(export), "--yes", cwd=cwd, env=settings,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await mimo.wait_for_requests(2, model=ASR, timeout=TIMEOUT)
    await until_whole(database_url, 1)
    bot = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url,
                       summary_retention_days=30)  # fmt: skip
    async with running(bot, bot_api):
        bot_api.set_member_status(GROUP, ANN, "administrator")
        bot_api.push(
            bot_api.text_message(chat_id=GROUP, user_id=ANN, text="/forget", chat_type="supergroup")
        )
        await next_reply(bot_api, GROUP)
        mimo.hold_after(None)  # the held message is answered after the forget
        out, err = await asyncio.wait_for(process.communicate(), timeout=TIMEOUT)
        find = "/find Friday"  # the held message's words
        bot_api.push(
            bot_api.text_message(chat_id=GROUP, user_id=BOB, text=find, chat_type="supergroup")
        )
        found = await next_reply(bot_api, GROUP)
    listed = await voicebridge("find", f"telegram:{GROUP}", "Friday", cwd=cwd, env=settings)

    assert process.returncode == 0, err.decode()
    said = out.decode().splitlines()
    assert said[-1] == (
        "The chat was forgotten (/forget) while it was imported: the import stopped, and "
        "nothing it heard is kept."
    )
    assert not any(line.startswith("Voice messages imported:") for line in said)
    assert len(mimo.calls(ASR)) == 2  # nothing sent to MiMo after the forget
    assert await kept_recordings(database_url) == 0
    assert found.startswith("Nothing I kept here from the last 30 days has “friday”")
    assert listed.code == 0, listed.err
    assert "paint" not in listed.text


async def kept_recordings(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(text("SELECT count(*) FROM recording_transcripts"))
        return int(count or 0)
    finally:
        await engine.dispose()


async def until_whole(database_url: str, count: int) -> None:
    """Wait until `count` recordings are kept whole."""

    async def whole() -> int:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                found = await connection.scalar(
                    text("SELECT count(*) FROM recording_transcripts WHERE duration IS NOT NULL")
                )
            return int(found or 0)
        finally:
            await engine.dispose()

    async def poll() -> None:
        while await whole() < count:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout=TIMEOUT)
