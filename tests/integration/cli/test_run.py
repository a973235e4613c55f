"""`voicebridge run` as a service manager runs it: a real process, stopped by a signal or failing
to start, each time with one line and an exit code a supervisor can act on."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.integration.cli.process import TIMEOUT, command, env
from tests.standins.mimo import FakeMimo

TOKEN = "123456:" + "A" * 35


class Silent:
    """A server that accepts connections and never answers: a Bot API behind a firewall that
    drops packets, or a host whose service hangs. `connected` is set by the first one."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self._held: list[asyncio.StreamWriter] = []
        self.url = ""

    async def _hold(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._held.append(writer)
        self.connected.set()

    async def __aenter__(self) -> Silent:
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        for writer in self._held:
            writer.close()
        self._server.close()


@pytest_asyncio.fixture
async def silent() -> AsyncIterator[Silent]:
    async with Silent() as server:
        yield server


async def started(cwd: Path, settings: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *command(),
        "run",
        cwd=cwd,
        env=settings,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
async def test_a_signal_while_telegram_never_answers_stops_the_bot_at_once(
    mimo: FakeMimo, silent: Silent, cwd: Path, sent: signal.Signals
) -> None:
    settings = env(
        mimo,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=silent.url,
        DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
    )
    process = await started(cwd, settings)
    try:
        await asyncio.wait_for(silent.connected.wait(), TIMEOUT)  # asking Telegram who it is
        process.send_signal(sent)
        # Without the fix it waits for Telegram a minute (the safety net is far below that).
        _, err = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    lines = err.decode().splitlines()
    assert process.returncode == 0, lines
    assert "Traceback" not in err.decode()
    assert lines[-1].endswith("voicebridge stopped while starting; nothing was running yet")
