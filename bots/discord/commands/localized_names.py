"""Slash commands, their options and choices, and the message menus, in each Discord user's
language: discord.py asks a `Translator` for every name and description when the commands are
synced, and sends what it answers as `name_localizations` / `description_localizations`.

The English stays in the code (the decorators); each string's catalogue key comes from where it
is (`discord.command.<command>.name|description`, `discord.option.<command>.<option>.name|...`)
or, for choices and menus, which discord.py cannot place, from the key given to its
`locale_str` (`translatable`). Only what differs from the English is sent: a command name that
stays English in a language (most do, so that help texts naming `/say` stay true) gets no
localisation there.
"""

from __future__ import annotations

from typing import Any

from discord import Locale, app_commands
from discord.app_commands import TranslationContextLocation as Where

from core.chat.answer_languages import DEFAULT_LOCALE, resolve_locale
from core.chat.i18n import translated

__all__ = ["CatalogueTranslator", "key_of", "translatable", "translatable_choices"]

KEY = "key"
"""The `locale_str` extra naming the catalogue key of a choice or a menu."""


def translatable(english: str, key: str) -> app_commands.locale_str:
    """A choice's or a menu's name, with the catalogue key it is translated under."""
    return app_commands.locale_str(english, **{KEY: key})


def translatable_choices(key: str, **names: str) -> list[app_commands.Choice[str]]:
    """Choices by value (`on="on"`), each name translated as `<key>.<value>`."""
    return [app_commands.Choice(name=translatable(name, f"{key}.{value}"), value=value)
            for value, name in names.items()]  # fmt: skip


def key_of(
    string: app_commands.locale_str, context: app_commands.TranslationContextTypes
) -> str | None:
    """The catalogue key of `string`, or None for strings that are not translated (a choice
    that is a language's own name)."""
    given = string.extras.get(KEY)
    if isinstance(given, str):
        return given
    data: Any = context.data
    if context.location is Where.command_name and isinstance(data, app_commands.Command):
        return f"discord.command.{data.qualified_name}.name"
    if context.location is Where.command_description:
        return f"discord.command.{data.qualified_name}.description"
    if context.location is Where.parameter_name:
        return f"discord.option.{data.command.qualified_name}.{data.name}.name"
    if context.location is Where.parameter_description:
        return f"discord.option.{data.command.qualified_name}.{data.name}.description"
    return None


class CatalogueTranslator(app_commands.Translator):
    """Names and descriptions from the message catalogue (`core/chat/locales`)."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        ours, key = resolve_locale(locale.value), key_of(string, context)
        if ours is None or ours == DEFAULT_LOCALE or key is None:
            return None
        return translated(ours, key, string.message)
