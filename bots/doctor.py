"""The platforms' part of `voicebridge doctor` (`bots.cli.doctor`): the one other place, beside
the runner, where the command line meets Telegram and Discord."""

from __future__ import annotations

from bots.checks import Check


async def telegram(*, token: str, api_url: str, inline_cache_chat: int | None) -> list[Check]:
    from bots.telegram.checks import telegram_checks

    return await telegram_checks(token=token, api_url=api_url, inline_cache_chat=inline_cache_chat)


async def discord(*, token: str, api_url: str) -> list[Check]:
    from bots.discord.checks import discord_checks, voice_check

    return [*await discord_checks(token=token, api_url=api_url), voice_check()]
