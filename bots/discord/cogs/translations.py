"""Translations: /translate with a text or a recording, into the asker's language or another.
(Discord lets an app have five message menus, which the other features use, so there is no
"Translate" menu: see the README.)"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.acks import PRIVATE, PUBLIC, answers
from bots.discord.gate import asker_of
from bots.discord.locales import reply_locale
from bots.discord.media import remote, require_audio
from bots.discord.messages import text
from bots.discord.places import can_manage, for_interaction
from bots.discord.replies import Interaction, followup_of, send_long
from core.app.service import VoiceService
from core.chat.languages import translation_target
from core.domain import errors
from core.ports import Recording


class NothingToTranslate(errors.UserInputError):
    key = "discord.nothing_to_translate"


class TranslationsCog(commands.Cog):
    """/translate, and /autotranslate."""

    def __init__(self, service: VoiceService) -> None:
        self.service = service

    @app_commands.command(description="Translate a text or a recording", extras=answers(PUBLIC))
    @app_commands.describe(
        text="The text to translate",
        attachment="A voice message, audio or video file",
        language="The language to translate into, a code or a name (default: yours)",
    )
    async def translate(
        self,
        interaction: Interaction,
        text: str | None = None,
        attachment: discord.Attachment | None = None,
        language: str | None = None,
    ) -> None:
        """/translate [text] [attachment] [language]."""
        locale = await reply_locale(interaction, self.service)
        target = translation_target(language or "", reader=locale)
        source: Recording | str
        if attachment is not None:
            source = remote(require_audio(attachment))
        elif text and text.strip():
            source = text
        else:
            raise NothingToTranslate("neither a text nor a recording")
        translated = await self.service.translate(
            for_interaction(interaction), source, target=target, asker=asker_of(interaction)
        )
        await send_long(
            followup_of(interaction), translated, file_caption="", file_name="translation.txt"
        )

    @app_commands.command(
        description="Also translate every transcript here: a language, or off",
        extras=answers(PRIVATE),
    )
    @app_commands.describe(language="A code or a name (en, zh, Italian), or off; empty: show it")
    async def autotranslate(self, interaction: Interaction, language: str | None = None) -> None:
        """/autotranslate [language|off] (Manage Server; in DMs, your own)."""
        chat, locale = for_interaction(interaction), await reply_locale(interaction, self.service)
        if language:
            allowed = can_manage(interaction)
            now = await self.service.set_autotranslate(chat, language, can_manage=allowed)
        else:
            now = (await self.service.preferences(chat)).autotranslate
        sentence = (
            text("autotranslate.is_off", locale)
            if now is None
            else text("autotranslate.is_on", locale, language=now)
        )
        await followup_of(interaction, ephemeral=True)(content=sentence)
