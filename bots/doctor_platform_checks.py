"""The platforms' part of `voicebridge doctor` (`bots.cli.setup.doctor_command`): the one other
place, beside the runner, where the command line meets Telegram and Discord."""

from __future__ import annotations

from bots.doctor_check_lines import Check, Person

__all__ = ["discord", "discord_owner", "telegram", "telegram_senders"]


async def telegram(*, token: str, api_url: str, inline_cache_chat: int | None) -> list[Check]:
    from bots.telegram.application.telegram_doctor_checks import telegram_checks

    return await telegram_checks(token=token, api_url=api_url, inline_cache_chat=inline_cache_chat)


async def discord(*, token: str, api_url: str, members_intent: bool) -> list[Check]:
    from bots.discord.application.discord_doctor_checks import discord_checks

    return await discord_checks(token=token, api_url=api_url, members_intent=members_intent)


async def telegram_senders(*, token: str, api_url: str) -> list[Person]:
    """Who wrote to the Telegram bot in private, newest first (`voicebridge init`)."""
    from bots.telegram.application.telegram_doctor_checks import private_senders

    return await private_senders(token=token, api_url=api_url)


async def discord_owner(*, token: str, api_url: str) -> Person | None:
    """The Discord application's owner (`voicebridge init`)."""
    from bots.discord.application.discord_doctor_checks import discord_owner as owner

    return await owner(token=token, api_url=api_url)
