"""What the bot posts here unasked, for everyone: in which language (/botlanguage), and what
comes with an automatic transcript (/autogist: the gist of a long recording; /autotranslate:
its translation).

/botlanguage is the language of automatic transcripts and their notices, which replies also
fall back to for people whose Discord language the bot does not speak; `auto` follows the
server's own language (`core.chat.languages`)."""

from __future__ import annotations

from dataclasses import replace

from discord import app_commands
from discord.ext import commands

from bots.discord.answers.acks import PRIVATE, answers
from bots.discord.answers.replies import Interaction, followup_of
from bots.discord.answers.who_asks import answer_of, can_manage, interaction_audience
from bots.discord.commands.installs import server_only
from bots.discord.commands.translator import translatable_choices
from bots.discord.messages import CATALOGUE
from bots.discord.places import for_interaction
from core.app.rules.preferences import ChatPreferences, shown_or_set
from core.app.rules.requests import Audiences
from core.chat.languages import LOCALES, native_name
from core.chat.overview import auto_gist_text, autotranslate_text, bot_language_text

__all__ = ["AutomaticPostsCog"]

Choice = app_commands.Choice

# Each language by its own name, which needs no translating; "auto" in the reader's.
BOT_LANGUAGES = [
    *translatable_choices(
        "discord.choice.botlanguage.language", auto="auto (the server's language)"
    ),
    *(Choice(name=native_name(locale), value=locale) for locale in LOCALES),
]


class AutomaticPostsCog(commands.Cog):
    """Show or change where the command runs: the server's settings, or the user's in DMs."""

    def __init__(self, preferences: ChatPreferences, *, audiences: Audiences) -> None:
        self.preferences = preferences
        self.audiences = audiences

    @server_only  # what the bot posts unasked: only where it is
    @app_commands.command(
        description="Show or set the language I post in for everyone here", extras=answers(PRIVATE)
    )
    @app_commands.describe(language="auto follows the server's language")
    @app_commands.choices(language=BOT_LANGUAGES)
    async def botlanguage(
        self, interaction: Interaction, language: Choice[str] | None = None
    ) -> None:
        chat, answer = for_interaction(interaction), answer_of(interaction)
        if language is not None:
            await self.preferences.set_interface_language(
                chat, language.value, can_manage=can_manage(interaction)
            )
            # What the place gets now, as the change left it; the answer stays in the asker's.
            answer = replace(
                await self.audiences.request(chat, interaction_audience(interaction)),
                locale=answer.locale,
            )
        changed = language is not None
        reply = bot_language_text(
            answer.prefs, answer.locale, chat_language=answer.chat_locale, wording=CATALOGUE,
            changed=changed,
        )  # fmt: skip
        await followup_of(interaction, ephemeral=True)(content=reply)

    @server_only  # what the bot posts unasked: only where it is
    @app_commands.command(
        description="Give long recordings transcribed here their gist too: minutes, or off",
        extras=answers(PRIVATE),
    )
    @app_commands.describe(minutes="At least this long, 1 to 600 minutes; off or 0 stops it")
    async def autogist(self, interaction: Interaction, minutes: str | None = None) -> None:
        """/autogist [minutes|off] (Manage Server; in DMs, your own)."""
        chat, answer = for_interaction(interaction), answer_of(interaction)
        now = await shown_or_set(
            chat, minutes, shown=answer.prefs.gist_minutes,
            change=self.preferences.set_gist_minutes, allowed=can_manage(interaction),
        )  # fmt: skip
        sentence = auto_gist_text(now, answer.locale, wording=CATALOGUE)
        await followup_of(interaction, ephemeral=True)(content=sentence)

    @app_commands.command(
        description="Also translate every transcript here: a language, or off",
        extras=answers(PRIVATE),
    )
    @app_commands.describe(language="A code or a name (en, zh, Italian), or off; empty: show it")
    async def autotranslate(self, interaction: Interaction, language: str | None = None) -> None:
        """/autotranslate [language|off] (Manage Server; in DMs, your own)."""
        chat, answer = for_interaction(interaction), answer_of(interaction)
        now = await shown_or_set(
            chat, language, shown=answer.prefs.autotranslate,
            change=self.preferences.set_autotranslate, allowed=can_manage(interaction),
        )  # fmt: skip
        sentence = autotranslate_text(now, answer.locale, wording=CATALOGUE)
        await followup_of(interaction, ephemeral=True)(content=sentence)
