"""Listening: /listen joins your voice channel and posts in its chat what the members who said
yes say there, each under their name; /stop_listening ends it; /listen_me is a member's yes or
no to being transcribed in the server. The call is the core's from start to end
(`core.app.listening.call_lifecycle`: who is present, when it ends, through one end path), who is
transcribed and what it costs too (`core.app.listening.live_transcription`); this parses the
commands and the voice events, hands them over and renders what comes back. The Discord side of the
call is `bots.discord.listening.listened_call_side`. Answers are private.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.bot_permissions import BOT_IN_VOICE, first_missing
from bots.discord.answers.client_fields import voicebridge
from bots.discord.answers.discord_asker import answer_of
from bots.discord.answers.discord_replies import AnyBot, Interaction, followup_of
from bots.discord.answers.error_handler import on_app_command_error
from bots.discord.answers.interaction_acks import PRIVATE, acknowledge_and_claim, answers
from bots.discord.answers.listen_consent_buttons import ConsentAt, ConsentButton
from bots.discord.answers.persistent_buttons import Answerers
from bots.discord.commands.discord_allowlist import refuse_stranger
from bots.discord.commands.user_installs import in_servers
from bots.discord.discord_wording import text
from bots.discord.listening.bot_nickname import take_off_left_behind
from bots.discord.listening.listened_call_side import DiscordListenedCall
from bots.discord.place_access import for_interaction
from bots.discord.voice_channels.call_connection import DiscordVoiceChannels, server_of
from core.app.channel_reader.reading_control import ChannelReader
from core.app.listening.call_lifecycle import ListenedCalls
from core.app.listening.listened_call import ListenAsked
from core.app.rules.limits import Limiter

__all__ = ["ListeningCog"]


class ListeningCog(commands.Cog):
    """Listening's commands, and the voice events handed to the core."""

    def __init__(
        self,
        bot: AnyBot,
        *,
        listened: ListenedCalls,
        reader: ChannelReader,
        channels: DiscordVoiceChannels,
        voice_available: bool,
        limiter: Limiter,
        clicks: Answerers,
    ) -> None:
        self.bot, self.limiter, self.clicks = bot, limiter, clicks
        self.listened, self.channels, self.reader = listened, channels, reader
        self.listening = listened.listening
        self.voice_available = voice_available

    async def cog_load(self) -> None:
        # The yes and no buttons under every opening line ever posted, restarts included.
        self.clicks.register(ConsentButton, take=self.take_click, answer=self.consent_clicked)
        self.bot.add_dynamic_items(ConsentButton)

    @in_servers
    @app_commands.command(
        description="Whether what you say in voice channels here may be transcribed",
        extras=answers(PRIVATE),
    )
    @app_commands.describe(allowed="True: it may, when I listen; False: never (the default)")
    async def listen_me(self, interaction: Interaction, allowed: bool) -> None:
        await self._consent(interaction, allowed)

    async def take_click(self, interaction: Interaction) -> bool:
        """A click on a yes or no button, acknowledged privately."""
        if await refuse_stranger(self.limiter, interaction):
            return False
        return await acknowledge_and_claim(interaction, PRIVATE)

    async def consent_clicked(self, interaction: Interaction, at: ConsentAt) -> None:
        """The clicker's yes or no, as /listen_me; failures as a command's."""
        try:
            await self._consent(interaction, at.yes)
        except Exception as error:  # a button has no command tree to report to
            await on_app_command_error(interaction, error)
        finally:
            await voicebridge(interaction).work.finish_claimed(interaction)

    async def _consent(self, interaction: Interaction, allowed: bool) -> None:
        yes = await self.listening.consents.decide(
            for_interaction(interaction), str(interaction.user.id), allowed
        )
        locale = answer_of(interaction).locale
        await _answer(interaction, text(f"discord.listen_me.{'on' if yes else 'off'}", locale))

    @in_servers
    @app_commands.command(
        description="Post in your voice channel's chat what its members say (who said yes)",
        extras=answers(PRIVATE),
    )
    @app_commands.describe(
        translate="True: each caption in this server's language too, what was said under it",
        interpret="True: what is said in Chinese or English is also spoken in the other",
        cheaper="True: captions a few seconds later, for less audio billed",
    )
    async def listen(
        self,
        interaction: Interaction,
        translate: bool = False,
        interpret: bool = False,
        cheaper: bool = False,
    ) -> None:
        locale = answer_of(interaction).locale
        member = _member(interaction)
        refusal = self._not_possible(member, locale)
        if refusal is not None:
            await _answer(interaction, refusal)
            return
        assert member.voice is not None and isinstance(member.voice.channel, discord.VoiceChannel)
        channel = member.voice.channel
        asked = ListenAsked(
            server_of(member.guild), str(channel.id), str(member.id),
            locale=answer_of(interaction).chat_locale, translate=translate, interpret=interpret,
            cheaper=cheaper,
        )  # fmt: skip
        await self.listened.start(asked)
        await _answer(interaction, text("discord.listen.joined", locale, voice=channel.mention))

    @in_servers
    @app_commands.command(
        description="Stop posting what is said in a voice channel, and leave it",
        extras=answers(PRIVATE),
    )
    async def stop_listening(self, interaction: Interaction) -> None:
        locale = answer_of(interaction).locale
        member = _member(interaction)
        voice = await self.listened.stop(server_of(member.guild), str(member.id))
        await _answer(interaction, text("discord.listen.stopped", locale, voice=voice.mention))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Someone posted in the chat of a voice channel listened to: its captions go on in a
        new message below (`DiscordListenedCall.someone_posted`)."""
        if message.guild is None or message.author == self.bot.user:
            return
        call = self.listened.call_in(server_of(message.guild))
        side = None if call is None else call.side
        if isinstance(side, DiscordListenedCall) and message.channel.id == side.channel.id:
            side.someone_posted()

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        """Handed to the core (`ListenedCalls.voice_changed`), which decides whether the call
        ends and whom to tell that the bot listens."""
        await self.listened.voice_changed(
            server_of(member.guild), str(member.id), before=_channel_id(before),
            after=_channel_id(after), bot=member.bot, me=member == member.guild.me,
        )  # fmt: skip

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """A server this process serves from now on (its shard's): the reading and the call a
        restart cut short taken up, or ended (`ChannelReader.resume`, `ListenedCalls.resume`).
        Else what a process that died there left: the voice channel Discord still shows the
        bot in (until that process's session times out; a reading, or a call not taken up)
        is left, and the listening nickname comes off. One listener, so that nothing leaves
        the channel a call or a reading rejoins."""
        server = server_of(guild)
        read = self.voice_available and await self.reader.resume(server)
        if self.voice_available and await self.listened.resume(server):
            return
        if read:
            await take_off_left_behind(guild)
            return
        if self.listened.call_in(server) is None:
            await self.channels.leave_left_behind(guild)
            await take_off_left_behind(guild)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ConsentButton)
        await self.listened.close()

    def _not_possible(self, member: discord.Member, locale: str) -> str | None:
        """What Discord rules out, in one line: no voice libraries, no voice channel (a stage
        is not listened in yet: said so), or a permission the bot lacks there."""
        state = member.voice
        voice = state.channel if state is not None else None
        if not self.voice_available:
            return text("discord.voice.unavailable", locale)
        if not isinstance(voice, discord.VoiceChannel):
            key = "discord.reader.join_first" if voice is None else "discord.listen.no_stage"
            return text(key, locale)
        return first_missing([("discord.bot_needs", voice, voice.guild.me, BOT_IN_VOICE)], locale)


def _channel_id(state: discord.VoiceState) -> str | None:
    return None if state.channel is None else str(state.channel.id)


def _member(interaction: Interaction) -> discord.Member:
    user = interaction.user
    assert isinstance(user, discord.Member), "listening commands run in servers only"
    return user


async def _answer(interaction: Interaction, line: str) -> None:
    await followup_of(interaction, ephemeral=True)(content=line)
