"""The channel reader: /read_channel joins your voice channel and reads a text channel aloud
there, each member in their own voice; /skip, /stop; /myvoice and /read_me for how you are
read; /read_settings for whose messages are read besides the members' (Manage Server).

The reading itself is the core's (`core.app.channel_reader.reading_control`): who may start, switch
and stop it, who listens, what is said in whose voice. This cog turns Discord's commands and events
into calls on it: the messages of a server as they are posted, edited and deleted (the raw events:
the bot keeps no message cache), who joins, leaves or moves in voice, and every member, role and
channel update (each can change what a listener may read). What it checks itself is Discord's own:
the voice libraries, a voice channel to join (not a stage), and the permissions the bot needs and
the member's own in the text channel, each named in one line when missing. Answers are private.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.bot_permissions import BOT_IN_VOICE, READING_TEXT, first_missing
from bots.discord.answers.discord_asker import answer_of, answer_to, can_manage
from bots.discord.answers.discord_replies import MAX_CHOICES, Interaction, followup_of
from bots.discord.answers.interaction_acks import PRIVATE, answers
from bots.discord.commands.user_installs import in_servers
from bots.discord.discord_wording import text
from bots.discord.place_access import for_interaction, place_of
from bots.discord.voice_channels.call_connection import (
    DiscordVoiceChannels,
    Readable,
    server_of,
    voice_id_of,
)
from bots.discord.voice_channels.reader_messages import channel_message, read_aloud
from core.app.channel_reader.reader_choices import MemberReading, ReaderChoices, voices_suggested
from core.app.channel_reader.reading_control import ChannelReader, ReadingAsked, Started
from core.chat.answer_languages import resolve_locale

__all__ = ["ChannelReaderCog"]

Choice = app_commands.Choice


class ChannelReaderCog(commands.Cog):
    """The channel reader's commands, and the events it follows."""

    def __init__(
        self,
        *,
        reader: ChannelReader,
        channels: DiscordVoiceChannels,
        choices: ReaderChoices,
    ) -> None:
        self.reader = reader
        self.channels = channels
        self.choices = choices

    # -- Discord's events ------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A message: read in order where a reading reads its channel (those it reads at all:
        `read_aloud`)."""
        guild, author = message.guild, message.author
        if guild is None or not read_aloud(message):
            return
        if isinstance(author, discord.Member):
            self.channels.saw(author)
        server, channel_id = server_of(guild), str(message.channel.id)
        reading = self.reader.reading_in(server)
        if reading is None or reading.reads.text_id != channel_id:
            self.reader.posted(server, channel_id, channel_message(message))
            return
        async with self.channels.as_they_are(guild) as changed:  # the intent's updates missing
            if changed:
                self.reader.changed(server)
            self.reader.posted(server, channel_id, channel_message(message))

    @commands.Cog.listener()
    async def on_raw_message_edit(self, event: discord.RawMessageUpdateEvent) -> None:
        """A message edited: read as it now stands, where it waits to be read."""
        message = event.message
        guild, author = message.guild, message.author
        if guild is None or not read_aloud(message):
            return
        if isinstance(author, discord.Member):
            self.channels.saw(author)
        self.reader.edited(server_of(guild), str(message.channel.id), channel_message(message))

    @commands.Cog.listener()
    async def on_raw_message_delete(self, event: discord.RawMessageDeleteEvent) -> None:
        """A message deleted: never read, where it waits to be read."""
        if event.guild_id is not None:
            server = place_of(guild_id=event.guild_id)
            self.reader.deleted(server, str(event.channel_id), str(event.message_id))

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, event: discord.RawBulkMessageDeleteEvent) -> None:
        """Messages deleted at once (a moderator's purge): none of them is read."""
        if event.guild_id is not None:
            server = place_of(guild_id=event.guild_id)
            for message_id in event.message_ids:
                self.reader.deleted(server, str(event.channel_id), str(message_id))

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        """Someone joined, left or moved (a server mute too), perhaps the bot itself: it reads
        on where it sits (`voice_id_of`: moved to a stage, the reading ends)."""
        server = server_of(member.guild)
        if member != member.guild.me:
            self.reader.changed(server)
            return
        await self.reader.moved(server, voice_id_of(after.channel))

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        self.reader.changed(server_of(after.guild))  # roles, a timeout

    @commands.Cog.listener()
    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        self.reader.changed(server_of(after.guild))

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        self.reader.changed(server_of(role.guild))

    @commands.Cog.listener()
    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        self.reader.changed(server_of(after.guild))  # permission overwrites, age restriction

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        self.reader.changed(server_of(channel.guild))

    # -- commands ---------------------------------------------------------------------------

    @in_servers
    @app_commands.command(
        description="Read a text channel aloud in your voice channel", extras=answers(PRIVATE)
    )
    @app_commands.describe(channel="The channel to read; empty: your voice channel's own chat")
    async def read_channel(self, interaction: Interaction, channel: Readable | None = None) -> None:
        """/read_channel [channel]: join the member's voice channel and read it aloud."""
        locale = answer_of(interaction).locale
        member = self._member(interaction)
        refusal = self._not_possible(member, channel, locale)
        if refusal is not None:
            await _answer(interaction, refusal)
            return
        guild_locale = interaction.guild_locale
        assert member.voice is not None and member.voice.channel is not None
        asked = ReadingAsked(
            server=server_of(member.guild), member_id=str(member.id),
            voice_id=str(member.voice.channel.id),
            text_id=None if channel is None else str(channel.id),
            locale=answer_of(interaction).chat_locale,
            platform_locale=resolve_locale(None if guild_locale is None else guild_locale.value),
        )  # fmt: skip
        await _answer(interaction, _reading_line(await self.reader.start(asked), locale))

    @in_servers
    @app_commands.command(description="Skip the message being read aloud", extras=answers(PRIVATE))
    async def skip(self, interaction: Interaction) -> None:
        locale = answer_of(interaction).locale
        member = self._member(interaction)
        skipped = await self.reader.skip(server_of(member.guild), str(member.id))
        key = "discord.reader.skipped" if skipped else "discord.reader.nothing_to_skip"
        await _answer(interaction, text(key, locale))

    @in_servers
    @app_commands.command(
        description="Stop reading aloud and leave the voice channel", extras=answers(PRIVATE)
    )
    async def stop(self, interaction: Interaction) -> None:
        locale = answer_of(interaction).locale
        member = self._member(interaction)
        voice = await self.reader.stop(server_of(member.guild), str(member.id))
        await _answer(interaction, text("discord.reader.stopped", locale, voice=voice.mention))

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
        server, member = for_interaction(interaction), str(interaction.user.id)
        now = await self.choices.member(server, member, voice=name, own_voice=own_voice)
        locale = answer_of(interaction).locale
        await _answer(interaction, _myvoice_line(now, locale))

    @myvoice.autocomplete("name")
    async def voice_names(self, interaction: Interaction, typed: str) -> list[Choice[str]]:
        found = voices_suggested((await answer_to(interaction)).tts_model, typed)
        return [Choice(name=voice, value=voice) for voice in found][:MAX_CHOICES]

    @in_servers
    @app_commands.command(
        description="Whether your messages are read aloud in voice channels",
        extras=answers(PRIVATE),
    )
    @app_commands.describe(allowed="True: they are (the default); False: never")
    async def read_me(self, interaction: Interaction, allowed: bool | None = None) -> None:
        server, member = for_interaction(interaction), str(interaction.user.id)
        now = await self.choices.member(server, member, read=allowed)
        locale = answer_of(interaction).locale
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
        locale = answer_of(interaction).locale
        await _answer(interaction, text(
            "discord.read_settings", locale, bots=_read(rules.bots, locale),
            webhooks=_read(rules.webhooks, locale), commands=_read(rules.commands, locale),
        ))  # fmt: skip

    def _member(self, interaction: Interaction) -> discord.Member:
        user = interaction.user
        assert isinstance(user, discord.Member), "reader commands run in servers only"
        self.channels.saw(user)
        return user

    def _not_possible(
        self, member: discord.Member, chosen: Readable | None, locale: str
    ) -> str | None:
        """What Discord itself rules out, in one line: no voice libraries, no voice channel to
        join (a stage is not read into: there a moderator must invite the bot to speak, every
        time), or a permission missing for the bot, or the member's own in the text channel
        (nobody has a channel read aloud that they may not read themselves)."""
        state = member.voice
        voice = state.channel if state is not None else None
        if self.channels.client is None:
            return text("discord.voice.unavailable", locale)
        if not isinstance(voice, discord.VoiceChannel):
            key = "discord.reader.join_first" if voice is None else "discord.voice.no_stage"
            return text(key, locale)
        chosen = chosen or voice
        me = voice.guild.me
        return first_missing([
            ("discord.bot_needs", voice, me, BOT_IN_VOICE),
            ("discord.bot_needs", chosen, me, READING_TEXT),
            ("discord.reader.you_need", chosen, member, READING_TEXT),
        ], locale)  # fmt: skip


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


def _reading_line(started: Started, locale: str) -> str:
    voice = started.voice.mention
    if started.own_chat:
        return text("discord.reader.started_own_chat", locale, voice=voice)
    return text("discord.reader.started", locale, channel=started.text.mention, voice=voice)


async def _answer(interaction: Interaction, line: str) -> None:
    await followup_of(interaction, ephemeral=True)(content=line)
