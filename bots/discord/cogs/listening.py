"""Listening: /listen joins your voice channel and posts in its chat what the members who said
yes say there, each under their name; /stop_listening ends it; /listen_me is a member's yes or
no to being transcribed in the server. Who is transcribed, and what it costs, is the core's
(`core.app.listening`); the call is wired in `bots.discord.call.listening`. Answers are private.
When the listening ends, the call's transcript (`core.app.calls`) is posted with the goodbye,
as text and subtitles with each line's speaker.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.access import turn_away
from bots.discord.acks import PRIVATE, acknowledge_and_claim, answers
from bots.discord.audiences import answer_of
from bots.discord.call.captions import TURN_GAP
from bots.discord.call.listen_buttons import ConsentAt, ConsentButton, consent_view
from bots.discord.call.nicknames import take_off_left_behind
from bots.discord.call.notices import Notices
from bots.discord.call.voice_channels import server_of
from bots.discord.clicks import Answerers
from bots.discord.client import voicebridge
from bots.discord.error_handler import on_app_command_error
from bots.discord.installs import in_servers
from bots.discord.messages import shown_name, text
from bots.discord.permissions import BOT_IN_VOICE, first_missing
from bots.discord.places import for_interaction
from bots.discord.replies import AnyBot, Interaction, followup_of
from core.app.calls import Calls
from core.app.interpreting import News
from core.app.limits import Limiter
from core.app.listening import Listening, Roll
from core.app.voice_calls import VoiceCalls
from core.chat.exports import call_files
from core.domain import errors
from core.domain.values import ChatRef

if TYPE_CHECKING:  # the voice extras: imported once a call is listened to
    from bots.discord.call.listening import ListenedCall
    from bots.discord.call.receive import ReceiveSettings


class ListeningCog(commands.Cog):
    """Listening's commands, and who leaves the call."""

    def __init__(
        self,
        bot: AnyBot,
        *,
        listening: Listening,
        calls: Calls,
        voice_available: bool,
        limiter: Limiter,
        clicks: Answerers,
        voice_calls: VoiceCalls,
    ) -> None:
        self.bot, self.limiter, self.clicks = bot, limiter, clicks
        self.voice_calls = voice_calls  # the call, where the bot reads aloud in it too
        self.listening = listening
        self.kept_calls = calls
        self.voice_available = voice_available
        self.receive: ReceiveSettings | None = None  # None: the defaults (tests change them)
        self.turn_gap = TURN_GAP  # seconds between one member's utterances of one caption
        self.calls: dict[ChatRef, ListenedCall] = {}
        self._kept_as: dict[ChatRef, str] = {}  # each call's transcript, by `Roll.call`
        self._notices: dict[ChatRef, Notices] = {}  # who joined each call, told in its chat

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
        if await turn_away(self.limiter, interaction):
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
    )
    async def listen(
        self, interaction: Interaction, translate: bool = False, interpret: bool = False
    ) -> None:
        locale = answer_of(interaction).locale
        member = _member(interaction)
        refusal = self._not_possible(member, locale)
        if refusal is not None:
            await _answer(interaction, refusal)
            return
        assert member.voice is not None and isinstance(member.voice.channel, discord.VoiceChannel)
        channel, server = member.voice.channel, server_of(member.guild)
        self.voice_calls.refuse_listening(server, str(channel.id))  # in voice already
        from bots.discord.call.listening import ListenedCall  # the voice extras, present (above)

        place = answer_of(interaction).chat_locale
        roll = await self.listening.begin(
            server, _people(channel), channel=str(channel.id),
            starter=str(member.id), translate_to=place if translate else None,
            interpret=(lambda news: self._interpreting_news(server, news)) if interpret else None,
            on_forget=lambda: self._stop(server, with_transcript=False),
            on_end=lambda: self._stop(server),
        )  # fmt: skip
        call = ListenedCall(
            server=server, channel=channel, listening=self.listening,
            locale=place, settings=self.receive, turn_gap=self.turn_gap,
            calls=self.voice_calls,
        )  # fmt: skip
        try:
            await call.join()
        except BaseException:
            await self.listening.end(server)
            raise
        self.calls[server], self._kept_as[server] = call, roll.call
        self._notices[server] = Notices(call.post)
        self.listening.joined(server, call.held)
        if not self.listening.listening(server):  # /forget while it joined: ended at once
            await self._stop(server, with_transcript=False)
            raise errors.NotListening()
        opening = _started_line(roll, channel, call.locale)
        if interpret:
            opening += "\n" + text("discord.listen.interpreting", call.locale)
        await call.post(opening, view=consent_view(call.locale))
        await _answer(interaction, text("discord.listen.joined", locale, voice=channel.mention))

    @in_servers
    @app_commands.command(
        description="Stop posting what is said in a voice channel, and leave it",
        extras=answers(PRIVATE),
    )
    async def stop_listening(self, interaction: Interaction) -> None:
        locale = answer_of(interaction).locale
        member = _member(interaction)
        server = server_of(member.guild)
        call = self.calls.get(server)
        if call is None:
            raise errors.NotListening()
        self.listening.stoppable_by(
            server, str(member.id), present=_people(call.channel),
            moderator=call.channel.permissions_for(member).move_members,
        )  # fmt: skip
        await self._stop(server)
        await _answer(
            interaction, text("discord.listen.stopped", locale, voice=call.channel.mention)
        )

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        """Told to the core: the bot taken out of the call, or who is left in it (the core
        decides whether the listening ends). A member who joins is told, in the channel's chat,
        that the bot listens and whether they are transcribed (once in a while: the core's
        `arrived`; joins together in one message: `Notices`)."""
        server = server_of(member.guild)
        call = self.calls.get(server)
        if call is None:
            return
        left = before.channel == call.channel != after.channel
        if (member == member.guild.me and after.channel != call.channel) or call.ended:
            await self.listening.taken_out(server)
        else:
            await self.listening.changed(server, _people(call.channel), left=left)
        if not self.listening.listening(server):  # ended: tidied up here too
            await self._stop(server)
        elif after.channel == call.channel != before.channel and not member.bot:
            yes = self.listening.arrived(server, str(member.id))
            notices = self._notices.get(server)
            if yes is not None and notices is not None:
                notices.add(text(
                    f"discord.listen.arrived_{'yes' if yes else 'no'}", call.locale,
                    name=shown_name(member.display_name), voice=call.channel.mention,
                ))  # fmt: skip

    async def _interpreting_news(self, server: ChatRef, news: News) -> None:
        """The core's interpreter has news for the call's chat (`core.app.interpreting`)."""
        call = self.calls.get(server)
        if call is not None:
            await call.tell(news)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """A server this process serves from now on: the listening nickname a process that
        died there left on the bot comes off."""
        if server_of(guild) not in self.calls:
            await take_off_left_behind(guild)

    async def _stop(self, server: ChatRef, *, with_transcript: bool = True) -> None:
        """Stop listening, and post the goodbye with the call's transcript as files (without
        them for /forget, which deletes it)."""
        call = self.calls.pop(server, None)
        kept_as = self._kept_as.pop(server, None)
        notices = self._notices.pop(server, None)
        if call is None:
            return
        if notices is not None:
            await notices.close()
        await call.stop()
        bye = text("discord.listen.stopped", call.locale, voice=call.channel.mention)
        said = None
        if kept_as is not None and with_transcript:
            said = await self.kept_calls.kept(server, kept_as)
        if said is None:
            await call.post(bye)
            return
        caption, made = call_files(said, call.locale)
        files = [discord.File(io.BytesIO(file.data), filename=file.name) for file in made]
        await call.post(f"{bye}\n{caption}", files)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ConsentButton)
        for server in list(self.calls):
            await self._stop(server)

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


def _started_line(roll: Roll, channel: discord.VoiceChannel, locale: str) -> str:
    def names(ids: list[str]) -> str:
        found = [channel.guild.get_member(int(i)) for i in ids]
        shown = [shown_name(m.display_name) for m in found if m is not None]
        return ", ".join(shown) or text("discord.listen.nobody", locale)

    return text(
        "discord.listen.started", locale, voice=channel.mention,
        transcribed=names(roll.transcribed), not_transcribed=names(roll.not_transcribed),
    )  # fmt: skip


def _people(channel: discord.VoiceChannel) -> list[str]:
    """Who sits in the voice channel, bots left out, by id."""
    return [str(m.id) for m in channel.members if not m.bot]


def _member(interaction: Interaction) -> discord.Member:
    user = interaction.user
    assert isinstance(user, discord.Member), "listening commands run in servers only"
    return user


async def _answer(interaction: Interaction, line: str) -> None:
    await followup_of(interaction, ephemeral=True)(content=line)
