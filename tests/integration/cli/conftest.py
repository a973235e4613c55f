"""The shell commands' world: MiMo's stand-in, an empty working folder the command runs in, and a
folder of recordings beside it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.standins.discord_api import FakeDiscord
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi


@pytest_asyncio.fixture
async def mimo() -> AsyncIterator[FakeMimo]:
    async with FakeMimo(answer_text="Two people talk about the weather.") as server:
        yield server


@pytest_asyncio.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    """The Bot API's stand-in, for the commands that check or start the Telegram bot."""
    async with FakeBotApi() as server:
        yield server


@pytest_asyncio.fixture
async def discord_api() -> AsyncIterator[FakeDiscord]:
    """Discord's stand-in, for the commands that check or start the Discord bot."""
    async with FakeDiscord() as server:
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
