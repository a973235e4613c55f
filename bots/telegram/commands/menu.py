"""The bot's command menu, as Telegram clients offer it when one types /: every command in the
order of the catalogue (`COMMAND_DESCRIPTIONS`), in English and in each language we speak, those
whose answer is the asker's own business declared ephemeral; and what a command the bot does
not have is answered (`UnknownCommands`)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import BotCommand, Update
from telegram.constants import ChatType
from telegram.ext import Application, ContextTypes

from bots.telegram.answers import ephemeral_api
from bots.telegram.answers.group_visibility import PRIVATE_COMMANDS
from bots.telegram.answers.telegram_asker import chat_of, message_of, person_locale
from bots.telegram.telegram_wording import COMMAND_DESCRIPTIONS, text
from core.app.rules.chat_settings import ChatPreferences
from core.chat.answer_languages import DEFAULT_LOCALE
from core.domain import errors

__all__ = ["COMMANDS", "MENU_LANGUAGES", "UnknownCommands", "register_commands"]

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


@dataclass(frozen=True)
class UnknownCommands:
    """A /command this bot does not have, the handler after every other: said so where it was
    surely meant for this bot (a private chat, or /name@thisbot); in a group, another bot may
    own it. Raises `errors.UnknownCommand` there."""

    preferences: ChatPreferences

    async def answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = message_of(update)
        typed = message.parse_entity(message.entities[0]).removeprefix("/")
        name, _, addressee = typed.partition("@")
        # Whoever runs a command, any bot's, leads the chat's language
        # (`ChatPreferences.note_commander`); /forget leaves nothing of the chat behind, not
        # even that.
        locale = person_locale(update)
        if locale is not None and name.casefold() != "forget":
            await self.preferences.note_commander(chat_of(update), locale)
        if addressee.casefold() == context.bot.username.casefold() or (
            not addressee and message.chat.type == ChatType.PRIVATE
        ):
            raise errors.UnknownCommand(value=name)
