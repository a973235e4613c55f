"""Killing the bot mid-transcription and starting it again loses no preference and no stored
message, and the interrupted voice note's chat hears, once, that it should send it again.

The real `voicebridge run` in a subprocess, configured by environment alone, against the
stand-ins, on a real SQLite file and on PostgreSQL; SIGKILL, so nothing gets to clean up.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bots.discord.messages import text
from core.app.claims import WorkLedger
from core.domain.claims import Claim
from core.infra.storage import SqlAlchemyUnitOfWork, create_engine, session_factory
from core.ports import SystemClock
from tests.audio_factory import make_audio
from tests.integration.chatlog_db import until_logged
from tests.integration.conftest import discord_settings, running_discord
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

USER = 4242
GROUP = -1004242
ALICE, BOB = 5001, 5002
SAID_IN_GROUP = [
    (ALICE, "Shall we move the launch to Friday?"),
    (BOB, "Friday works, I will tell the designers."),
    (ALICE, "Great, then the demo is on Thursday."),
]
HELD_SECONDS = 10  # MiMo sits on the transcription this long: the kill comes long before


async def test_killed_mid_transcription_the_bot_keeps_everything_and_says_so_once(
    tmp_path: Path, database_url: str
) -> None:
    voice_note = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    async with FakeBotApi() as bot_api, FakeMimo() as mimo:
        env = environment(bot_api, mimo, database_url)
        async with voicebridge(tmp_path, env, bot_api, "first") as first:
            await command(bot_api, USER, "/voice Chloe")
            for author, words in SAID_IN_GROUP:
                bot_api.push(group_message(bot_api, author, words))
            await until_logged(database_url, GROUP, len(SAID_IN_GROUP), timeout=60)
            mimo.delay = HELD_SECONDS
            note = bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_note)
            bot_api.push(note)
            await mimo_received(mimo, "mimo-v2.5-asr")
            first.kill()
            await first.wait()
        mimo.delay = 0

        async with voicebridge(tmp_path, env, bot_api, "second"):
            overview = await command(bot_api, USER, "/settings")
            summary = await command(bot_api, GROUP, "/summary", user_id=ALICE)
        async with voicebridge(tmp_path, env, bot_api, "third"):
            await command(bot_api, USER, "/help")  # it has looked for leftovers by now

    notices = [
        c for c in bot_api.sent("sendMessage") if c.params["text"] == text("work.interrupted", "en")
    ]
    assert len(notices) == 1
    assert notices[0].params["chat_id"] == USER
    assert notices[0].params["reply_parameters"]["message_id"] == note["message_id"]
    assert "Voice: Chloe" in overview
    assert "a fake answer" in summary
    [asked] = [body for body in mimo.requests if body.get("model") == "mimo-v2.5"]
    prompt = json.dumps(asked["messages"], ensure_ascii=False)
    assert all(words in prompt for _, words in SAID_IN_GROUP)
    assert len(mimo.calls("mimo-v2.5-asr")) == 1  # it was not quietly retried either


async def test_after_a_crash_discord_hears_of_its_interrupted_requests_once(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """What a killed Discord bot leaves behind (claims still 'started' under its name) is
    reported by its next start: a reply to the voice message, a line naming who ran the
    command."""
    alice = discord_api.add_member(server, "alice")
    voice = make_audio(tmp_path, fmt="ogg", seconds=1).read_bytes()
    note = await discord_api.post_voice_message(server.general, alice, voice, duration=1)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=database_url, instance_name="crashed"
    )
    await left_unfinished(
        settings.database_url,
        settings.instance_name,
        Claim("discord", f"channel:{server.general}", note["id"]),
        Claim("discord", f"channel:{server.random}", "1234", "command", requester=str(alice)),
    )

    async with running_discord(settings, discord_api):
        await discord_api.wait_for_messages(server.random)
    async with running_discord(settings, discord_api):
        pass  # a second start finds nothing left to report

    [reply] = discord_api.messages_in(server.general)
    assert reply.content == text("work.interrupted", "en")
    assert reply.reply_to == int(note["id"])
    [line] = discord_api.messages_in(server.random)
    assert line.content == text("discord.work.interrupted", "en", user=f"<@{alice}>")
    assert line.allowed_mentions == {"parse": []}  # names, never pings
    assert reply.allowed_mentions == {"parse": [], "replied_user": False}


async def left_unfinished(url: str, instance: str, *claims: Claim) -> None:
    """The claims a process of `instance` made before it was killed."""
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        work = WorkLedger(
            uow=lambda: SqlAlchemyUnitOfWork(sessions),
            instance=instance,
            clock=SystemClock(),
            retention=timedelta(days=1),
        )
        for claim in claims:
            assert await work.claim(claim)
    finally:
        await engine.dispose()


def environment(bot_api: FakeBotApi, mimo: FakeMimo, database_url: str) -> dict[str, str]:
    """What an operator sets: nothing from the developer's shell, no .env."""
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return base | {
        "TELEGRAM_BOT_TOKEN": bot_api.token,
        "TELEGRAM_API_URL": bot_api.root,
        "MIMO_API_KEY": mimo.api_key,
        "MIMO_BASE_URL": mimo.base_url,
        "DATABASE_URL": database_url,
        "INSTANCE_NAME": "voicebridge-kill-test",
    }


@asynccontextmanager
async def voicebridge(
    tmp_path: Path, env: dict[str, str], bot_api: FakeBotApi, name: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`voicebridge run`, from when it is ready (it publishes its commands once it has reported
    leftovers, just before it polls); stopped with SIGTERM at the end of the block unless the
    block killed it. Not from its first poll: a killed process's last poll may still end."""
    installed = Path(sys.executable).parent / "voicebridge"
    program = [str(installed)] if installed.exists() else [sys.executable, "-m", "bots.cli"]
    starts = len(bot_api.sent("setMyCommands"))
    log = tmp_path / f"{name}.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *program, "run", cwd=tmp_path, env=env, stdout=output, stderr=output
        )
    try:
        await started(process, bot_api.wait_for("setMyCommands", count=starts + 1, timeout=60), log)
        yield process
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=60)
        assert code in (0, -signal.SIGKILL), log.read_text()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def started(process: asyncio.subprocess.Process, ready: Any, log: Path) -> None:
    waiting = asyncio.ensure_future(ready)
    exited = asyncio.ensure_future(process.wait())
    await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
    if exited.done():
        waiting.cancel()
        raise AssertionError(f"voicebridge run ended at start-up:\n{log.read_text()}")
    exited.cancel()
    await waiting


async def command(bot_api: FakeBotApi, chat_id: int, words: str, *, user_id: int = USER) -> str:
    """Send a command and return the bot's answer."""
    answered = len(bot_api.sent("sendMessage", chat_id=chat_id))
    chat_type = "private" if chat_id > 0 else "supergroup"
    bot_api.push(
        bot_api.text_message(chat_id=chat_id, user_id=user_id, text=words, chat_type=chat_type)
    )
    calls = await bot_api.wait_for("sendMessage", count=answered + 1, chat_id=chat_id, timeout=60)
    return str(calls[answered].params["text"])


def group_message(bot_api: FakeBotApi, author: int, words: str) -> dict[str, object]:
    return bot_api.text_message(chat_id=GROUP, user_id=author, text=words, chat_type="supergroup")


async def mimo_received(mimo: FakeMimo, model: str) -> None:
    for _ in range(6000):
        if mimo.calls(model):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {model} request reached MiMo")
