"""The shell commands' world: MiMo's stand-in, an empty working folder the command runs in, and a
folder of recordings beside it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.standins.mimo import FakeMimo


@pytest_asyncio.fixture
async def mimo() -> AsyncIterator[FakeMimo]:
    async with FakeMimo(answer_text="Two people talk about the weather.") as server:
        yield server


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    """The empty folder the command runs in: whatever it leaves there, the test sees."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    folder = tmp_path / "recordings"
    folder.mkdir()
    return folder


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
