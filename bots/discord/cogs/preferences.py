"""Preferences: /voice, /style, /language, /autotranscribe, /settings and /help.

Answers are ephemeral: settings are nobody else's business. In a server, changing them takes
Manage Server (`places.can_manage`); in DMs they are the user's own.
"""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bots.discord.places import can_manage, channel_of, for_interaction
from bots.discord.replies import Interaction, followup_of
from core.domain import ChatRef
from core.messages import text
from core.overview import on_off, settings_text, voice_listing
from core.service import VoiceService

Choice = app_commands.Choice

LANGUAGES = [Choice(name="auto (detect)", value="auto"), Choice(name="zh (Chinese)", value="zh"),
             Choice(name="en (English)", value="en")]  # fmt: skip
STATES = [Choice(name="on", value="on"), Choice(name="off", value="off"),
          Choice(name="inherit (this channel follows the server)", value="inherit")]  # fmt: skip
SCOPES = [Choice(name="the whole server", value="server"),
          Choice(name="this channel only", value="channel")]  # fmt: skip


class PreferencesCog(commands.Cog):
    """Show or change where the command runs: the server's settings, or the user's in DMs."""

    def __init__(self, service: VoiceService) -> None:
        self.service = service

    @app_commands.command(description="Show or choose the voice")
    @app_commands.describe(name="The voice to use; leave empty to list them")
    async def voice(self, interaction: Interaction, name: str | None = None) -> None:
        await interaction.response.defer(ephemeral=True)
        chat = for_interaction(interaction)
        if name is None:
            prefs = await self.service.preferences(chat)
            await _answer(interaction, voice_listing(self.service, prefs))
            return
        chosen = await self.service.set_voice(chat, name, can_manage=can_manage(interaction))
        await _answer(interaction, text("voice.set", voice=chosen))

    @voice.autocomplete("name")
    async def voice_names(self, interaction: Interaction, typed: str) -> list[Choice[str]]:
        """The voices of the chat's speech model whose name or description matches."""
        prefs = await self.service.preferences(for_interaction(interaction))
        found = [
            v for v in self.service.voices(prefs) if typed.casefold() in v.description.casefold()
        ]
        return [Choice(name=v.description[:100], value=v.name) for v in found][:25]

    @app_commands.command(description="Show or set the speaking style")
    @app_commands.describe(
        words="A style such as happy, whisper or a calm storyteller; off clears it"
    )
    @app_commands.rename(words="text")
    async def style(self, interaction: Interaction, words: str | None = None) -> None:
        await interaction.response.defer(ephemeral=True)
        chat = for_interaction(interaction)
        if words is None:
            prefs = await self.service.preferences(chat)
            await _answer(
                interaction, text("style.current", style=prefs.style or text("value.none"))
            )
            return
        style = await self.service.set_style(chat, words, can_manage=can_manage(interaction))
        await _answer(
            interaction, text("style.set", style=style) if style else text("style.cleared")
        )

    @app_commands.command(description="Show or set the language of transcripts")
    @app_commands.describe(value="auto detects the language")
    @app_commands.choices(value=LANGUAGES)
    async def language(self, interaction: Interaction, value: Choice[str] | None = None) -> None:
        await interaction.response.defer(ephemeral=True)
        chat = for_interaction(interaction)
        if value is None:
            prefs = await self.service.preferences(chat)
            await _answer(interaction, text("language.current", language=prefs.language))
            return
        chosen = await self.service.set_language(
            chat, value.value, can_manage=can_manage(interaction)
        )
        await _answer(interaction, text("language.set", language=chosen))

    @app_commands.command(description="Transcribe voice messages automatically, or not")
    @app_commands.describe(state="on, off, or inherit (a channel follows the server)",
                           scope="The whole server (default) or this channel only")  # fmt: skip
    @app_commands.choices(state=STATES, scope=SCOPES)
    async def autotranscribe(
        self,
        interaction: Interaction,
        state: Choice[str] | None = None,
        scope: Choice[str] | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        chat, channel = for_interaction(interaction), _server_channel(interaction)
        channel_only = scope is not None and scope.value == "channel"
        if state is None:
            await _answer(interaction, await self._auto_transcribe_now(chat, channel))
        elif channel is not None and (channel_only or state.value == "inherit"):
            override = await self.service.set_channel_auto_transcribe(
                channel, state.value, can_manage=can_manage(interaction)
            )
            await _answer(interaction, _channel_set(override))
        else:
            enabled = await self.service.set_auto_transcribe(
                chat, state.value, can_manage=can_manage(interaction)
            )
            await _answer(interaction, text("autotranscribe.set", state=on_off(enabled)))

    @app_commands.command(description="The settings here")
    async def settings(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        prefs = await self.service.preferences(for_interaction(interaction))
        overview = settings_text(self.service, prefs)
        channel = _server_channel(interaction)
        if channel is not None:
            override = await self.service.channel_auto_transcribe(channel)
            overview += "\n" + _channel_line(override, prefs.auto_transcribe)
        await _answer(interaction, overview)

    @app_commands.command(description="What I can do")
    async def help(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        await _answer(interaction, text("discord.help"))

    async def _auto_transcribe_now(self, chat: ChatRef, channel: ChatRef | None) -> str:
        server = (await self.service.preferences(chat)).auto_transcribe
        current = text("autotranscribe.current", state=on_off(server))
        if channel is None:
            return current
        override = await self.service.channel_auto_transcribe(channel)
        return current + "\n" + _channel_line(override, server)


async def _answer(interaction: Interaction, sentence: str) -> None:
    await followup_of(interaction, ephemeral=True)(content=sentence)


def _channel_line(override: bool | None, server: bool) -> str:
    """How auto-transcribe stands in this channel, and why."""
    state = on_off(server if override is None else override)
    source = text("discord.source.server" if override is None else "discord.source.channel")
    return text("discord.settings.channel", state=state, source=source)


def _channel_set(override: bool | None) -> str:
    if override is None:
        return text("discord.autotranscribe.channel_inherit")
    return text("discord.autotranscribe.channel_set", state=on_off(override))


def _server_channel(interaction: Interaction) -> ChatRef | None:
    """The channel of a command run in a server (DMs have no channel overrides)."""
    if interaction.guild_id is None or interaction.channel_id is None:
        return None
    return channel_of(interaction.channel_id)
