"""What `voicebridge run` refuses before starting anything."""

from __future__ import annotations

import asyncio

import pytest

from bots.platform_runner import run_bots
from core.config import Settings
from core.domain.errors import ConfigError


async def test_without_any_token_the_error_names_both() -> None:
    settings = Settings(_env_file=None, mimo_api_key="key")  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN"):
        await run_bots(settings, asyncio.Event())


async def test_a_discord_token_alone_still_needs_the_mimo_key() -> None:
    settings = Settings(_env_file=None, discord_bot_token="MTA0.abc.def")  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="MIMO_API_KEY"):
        await run_bots(settings, asyncio.Event())
