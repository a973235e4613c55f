"""The channel reader: /read_channel joins your voice channel and reads a text channel aloud
there, each member in their own voice; /skip, /stop; /myvoice and /read_me for how you are
read; /read_settings for whose messages are read besides the members' (Manage Server).

The reading itself is `bots.discord.readers` (the voice connection, the queue) and
`core.app.reading` (what of each message is said, in which voice). Answers are private.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.acks import PRIVATE, answers
from bots.discord.installs import in_servers
from bots.discord.locales import place_locale, reply_locale
from bots.discord.messages import text
from bots.discord.places import can_manage, for_interaction
from bots.discord.reader import Reader, TextChannel
from bots.discord.readers import Readers, Start
from bots.discord.replies import Interaction, followup_of
from core.app.preferences import ChatPreferences
from core.app.reader_choices import MemberReading, ReaderChoices
from core.chat.languages import resolve_locale
from core.domain import errors
from core.domain.reading import assignable_voices

Choice = app_commands.Choice


class ReaderCog(commands.Cog):
    """The channel reader's commands, and the events it follows."""

    def __init__(
        self, *, readers: Readers, choices: ReaderChoices, preferences: ChatPreferences
    ) -> None:
        self.readers = readers
        self.choices = choices
        self.preferences = preferences

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        self.readers.heard(message)

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        await self.readers.voice_state_changed(member, after)

    @in_servers
    @app_commands.command(
        description="Read a text channel aloud in your voice channel", extras=answers(PRIVATE)
    )
    @app_commands.describe(channel="The channel to read; empty: your voice channel's own chat")
    async def read_channel(
        self, interaction: Interaction, channel: TextChannel | None = None
    ) -> None:
        """/read_channel [channel]: join the member's voice channel and read it aloud."""
        locale = await reply_locale(interaction, self.preferences)
        guild_locale = interaction.guild_locale
        asked = Start(
            member=_member(interaction), text_channel=channel, locale=locale,
            server_locale=await place_locale(interaction, self.preferences),
            platform_locale=resolve_locale(None if guild_locale is None else guild_locale.value),
        )  # fmt: skip
        await _answer(interaction, await self.readers.start(asked))

    @in_servers
    @app_commands.command(description="Skip the message being read aloud", extras=answers(PRIVATE))
    async def skip(self, interaction: Interaction) -> None:
        locale = await reply_locale(interaction, self.preferences)
        reading = self._listened_to(interaction)
        key = "discord.reader.not_reading"
        if reading is not None:
            key = "discord.reader.skipped" if reading.skip() else "discord.reader.nothing_to_skip"
        await _answer(interaction, text(key, locale))

    @in_servers
    @app_commands.command(
        description="Stop reading aloud and leave the voice channel", extras=answers(PRIVATE)
    )
    async def stop(self, interaction: Interaction) -> None:
        locale = await reply_locale(interaction, self.preferences)
        reading = self._listened_to(interaction)
        if reading is None:
            await _answer(interaction, text("discord.reader.not_reading", locale))
            return
        channel = reading.place.voice_channel.mention
        await reading.stop()
        await _answer(interaction, text("discord.reader.stopped", locale, voice=channel))

    @in_servers
    @app_commands.command(
        description="Your voice when your messages are read aloud", extras=answers(PRIVATE)
    )
    @app_commands.describe(
        name="One of the model's voices, or auto (one is given to you); empty: show yours",
        own_voice="Let your own cloned voice in this server read your messages (True), or not",
    )
    async def myvoice(
        self, interaction: Interaction, name: str | None = None, own_voice: bool | None = None
    ) -> None:
        now = await self.choices.member(
            for_interaction(interaction), str(interaction.user.id), voice=name, own_voice=own_voice
        )
        locale = await reply_locale(interaction, self.preferences)
        await _answer(interaction, _myvoice_line(now, locale))

    @myvoice.autocomplete("name")
    async def voice_names(self, interaction: Interaction, typed: str) -> list[Choice[str]]:
        prefs = await self.preferences.get(for_interaction(interaction))
        voices = ["auto", *assignable_voices(self.preferences.tts_model(prefs))]
        found = [voice for voice in voices if typed.casefold() in voice.casefold()]
        return [Choice(name=voice, value=voice) for voice in found][:25]

    @in_servers
    @app_commands.command(
        description="Whether your messages are read aloud in voice channels",
        extras=answers(PRIVATE),
    )
    @app_commands.describe(allowed="True: they are (the default); False: never")
    async def read_me(self, interaction: Interaction, allowed: bool | None = None) -> None:
        now = await self.choices.member(
            for_interaction(interaction), str(interaction.user.id), read=allowed
        )
        locale = await reply_locale(interaction, self.preferences)
        key = "discord.read_me.on" if now.member.read else "discord.read_me.off"
        await _answer(interaction, text(key, locale))

    @in_servers
    @app_commands.command(
        description="Whose messages are read aloud besides the members'", extras=answers(PRIVATE)
    )
    @app_commands.describe(
        bots="Read other bots' messages", webhooks="Read webhooks' messages",
        commands="Read commands to other bots (!play, .help)",
    )  # fmt: skip
    async def read_settings(
        self,
        interaction: Interaction,
        bots: bool | None = None,
        webhooks: bool | None = None,
        commands: bool | None = None,
    ) -> None:
        server = for_interaction(interaction)
        if (bots, webhooks, commands) == (None, None, None):
            rules = await self.choices.rules(server)
        else:
            rules = await self.choices.set_rules(
                server, can_manage=can_manage(interaction), bots=bots, webhooks=webhooks,
                commands=commands,
            )  # fmt: skip
        locale = await reply_locale(interaction, self.preferences)
        await _answer(interaction, text(
            "discord.read_settings", locale, bots=_read(rules.bots, locale),
            webhooks=_read(rules.webhooks, locale), commands=_read(rules.commands, locale),
        ))  # fmt: skip

    def _listened_to(self, interaction: Interaction) -> Reader | None:
        """The server's reading, where the member may skip or stop it: they sit in its voice
        channel, or they manage the server."""
        reading = self.readers.of(interaction.guild_id or 0)
        if reading is None:
            return None
        state = _member(interaction).voice
        here = state is not None and state.channel == reading.place.voice_channel
        if not here and not can_manage(interaction):
            raise NotListening("not in the reading's voice channel")
        return reading


def _read(value: bool, locale: str) -> str:
    return text("discord.read_settings.on" if value else "discord.read_settings.off", locale)


def _myvoice_line(now: MemberReading, locale: str) -> str:
    """How the member's messages are read, and how to change it."""
    if now.own_voice is not None:
        line = text("discord.myvoice.own", locale, name=now.own_voice)
    elif now.member.voice is not None:
        line = text("discord.myvoice.chosen", locale, voice=now.member.voice)
    else:
        line = text("discord.myvoice.assigned", locale)
    return line if now.member.read else line + "\n" + text("discord.read_me.off", locale)


class NotListening(errors.UserInputError):
    key = "discord.reader.not_listening"


def _member(interaction: Interaction) -> discord.Member:
    user = interaction.user
    assert isinstance(user, discord.Member), "reader commands run in servers only"
    return user


async def _answer(interaction: Interaction, line: str) -> None:
    await followup_of(interaction, ephemeral=True)(content=line)
