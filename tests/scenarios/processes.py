"""`voicebridge run` as a process of its own, configured as an operator configures it (by the
environment alone: nothing from the developer's shell, no .env), against the stand-ins; when it
is ready, and its end (SIGTERM at the end of the block, or the SIGKILL the caller sent)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.standins.discord_api import FakeDiscord
from tests.standins.mimo import FakeMimo
from tests.voicebridge_process import Started, start


def discord_environment(
    discord_api: FakeDiscord, mimo: FakeMimo, database_url: str
) -> dict[str, str]:
    return operator_environment(mimo, database_url) | {
        "DISCORD_BOT_TOKEN": discord_api.token,
        "DISCORD_API_URL": discord_api.api_url,
    }


def operator_environment(mimo: FakeMimo, database_url: str) -> dict[str, str]:
    """What an operator sets for any platform: MiMo, the database, the instance's name."""
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "PYTHONPATH") if k in os.environ}
    return base | {
        "MIMO_API_KEY": mimo.api_key,
        "MIMO_BASE_URL": mimo.base_url,
        "DATABASE_URL": database_url,
        "INSTANCE_NAME": "voicebridge-kill-test",
    }


def identified(discord_api: FakeDiscord) -> Awaitable[object]:
    """Discord's bot is ready when its gateway session has identified."""
    return discord_api.wait_until_identified(len(discord_api.identify_payloads) + 1, timeout=60)


@asynccontextmanager
async def voicebridge_run(
    tmp_path: Path, env: dict[str, str], name: str, ready: Awaitable[object]
) -> AsyncIterator[Started]:
    """`voicebridge run`, from when `ready` is done; stopped with SIGTERM at the end of the
    block unless the block killed it."""
    log = tmp_path / f"{name}.log"
    with log.open("wb") as output:
        process = await start("run", cwd=tmp_path, env=env, stdout=output, stderr=output)
    try:
        await process_ready(process, ready, log)
        try:
            yield process
        except Exception as failure:  # what the bot logged is what explains it
            failure.add_note(f"--- {name}'s log (the end) ---\n{log.read_text()[-6000:]}")
            raise
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=60)
        assert code in (0, -signal.SIGKILL), log.read_text()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def process_ready(process: Started, ready: Any, log: Path) -> None:
    waiting = asyncio.ensure_future(ready)
    exited = asyncio.ensure_future(process.wait())
    await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
    if exited.done():
        waiting.cancel()
        raise AssertionError(f"voicebridge run ended at start-up:\n{log.read_text()}")
    exited.cancel()
    await waiting
