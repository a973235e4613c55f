"""The bot's command menu, as Telegram clients offer it when one types /: every command in the
order of the catalogue (`COMMAND_DESCRIPTIONS`), in English and in each language we speak, those
whose answer is the asker's own business declared ephemeral."""

from __future__ import annotations

from telegram import BotCommand
from telegram.ext import Application

from bots.telegram.answers import ephemeral_api
from bots.telegram.answers.who_sees import PRIVATE_COMMANDS
from bots.telegram.messages import COMMAND_DESCRIPTIONS, text
from core.chat.languages import DEFAULT_LOCALE

__all__ = ["COMMANDS", "MENU_LANGUAGES", "register_commands"]

COMMANDS: tuple[str, ...] = tuple(COMMAND_DESCRIPTIONS)  # in the order of the menu
# setMyCommands takes two-letter ISO 639-1 codes only: `zh` carries Simplified Chinese, which
# Traditional Chinese readers see too (or the English default, as their app decides).
MENU_LANGUAGES: dict[str, str] = {
    "zh": "zh_Hans", "ja": "ja", "ko": "ko", "ru": "ru", "uk": "uk", "es": "es",
    "pt": "pt_BR", "de": "de", "fr": "fr", "id": "id",
}  # fmt: skip


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Publish the command list so Telegram clients offer it as the user types /: in English
    for everyone, and in each of our languages for those who read it."""
    bot = application.bot
    await bot.set_my_commands(command_menu(DEFAULT_LOCALE))
    for code, locale in MENU_LANGUAGES.items():
        await bot.set_my_commands(command_menu(locale), language_code=code)


def command_menu(locale: str) -> list[BotCommand]:
    """The menu in `locale`; the commands whose answer is the asker's business are ephemeral
    (`PRIVATE_COMMANDS`), in every language's menu alike."""
    return [
        ephemeral_api.command(
            name, text(f"telegram.command.{name}", locale), private=name in PRIVATE_COMMANDS
        )
        for name in COMMANDS
    ]
