"""Preferences: /voice, /style, /language, /autotranscribe, /settings and /help, and the
server's own voices: /design_voice, /delete_voice and the message menu "Clone this voice".
(/botlanguage, /autogist and /autotranslate: `automatic_posts.py`.)

Answers are ephemeral: settings are nobody else's business (a designed voice's sample is the
exception: the channel hears it). In a server, changing them takes Manage Server
(`who_asks.can_manage`); in DMs they are the user's own.

Cloning is a message menu rather than an upload option: on a voice message (recorded in
Discord, not an uploaded file) whose author is the person using the menu, Discord itself
vouches that the voice is theirs. A modal asks for the new voice's name.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.acks import PRIVATE, PUBLIC, answers
from bots.discord.answers.error_handler import on_app_command_error
from bots.discord.answers.modals import ClaimedModal
from bots.discord.answers.replies import AnyBot, Interaction, followup_of, send_lines
from bots.discord.answers.who_asks import answer_of, answer_to, asker_of, can_manage, quick_locale
from bots.discord.commands.installs import server_only
from bots.discord.commands.translator import translatable, translatable_choices
from bots.discord.media import voice_message_in
from bots.discord.messages import CATALOGUE, shown_name, text
from bots.discord.places import for_interaction, override_of, place_of
from bots.discord.voices.voice_message import send_voice_message
from bots.discord.work.redo import ModalRebuilder
from core.app.rules.preferences import ChatPreferences
from core.app.rules.requests import Request
from core.app.voices.clone_consent import ConsentAsk, VoiceConsents
from core.app.voices.studio import MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, VoiceStudio
from core.chat.overview import (
    catalogue_text,
    consent_sentence_text,
    on_off,
    settings_text,
    style_set_text,
    style_text,
    transcript_language,
)
from core.domain import errors
from core.domain.quantities import Duration

__all__ = ["PreferencesCog"]

Choice = app_commands.Choice

LANGUAGES = translatable_choices(
    "discord.choice.language", auto="auto (detect)", zh="zh (Chinese)", en="en (English)"
)
STATES = translatable_choices(
    "discord.choice.autotranscribe.state",
    on="on",
    off="off",
    inherit="inherit (this channel follows the server)",
)
SCOPES = translatable_choices(
    "discord.choice.autotranscribe.scope", server="the whole server", channel="this channel only"
)


class NoVoiceMessage(errors.UserInputError):
    key = "discord.clone.no_voice_message"


class PreferencesCog(commands.Cog):
    """Show or change where the command runs: the server's settings, or the user's in DMs."""

    def __init__(
        self,
        *,
        preferences: ChatPreferences,
        studio: VoiceStudio,
        consents: VoiceConsents,
        bot: AnyBot | None = None,
    ) -> None:
        self.preferences = preferences
        self.studio = studio
        self.consents = consents
        self.bot = bot  # for the message menu, added to `bot.tree` in `cog_load`
        self.menu = app_commands.ContextMenu(
            name=translatable("Clone this voice", "discord.menu.clone"), callback=self.clone_voice
        )

    async def cog_load(self) -> None:
        if self.bot is not None:
            self.bot.tree.add_command(self.menu)

    def modal_rebuilders(self) -> dict[str, ModalRebuilder]:
        return {CloneModal.kind: self.rebuild_modal}

    async def cog_unload(self) -> None:
        if self.bot is not None:
            self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(description="Show or choose the voice", extras=answers(PRIVATE))
    @app_commands.describe(
        name="The voice to use; leave empty to list them",
        share="Your own cloned voice NAME: share it with this server (True), or stop (False)",
    )
    async def voice(
        self, interaction: Interaction, name: str | None = None, share: bool | None = None
    ) -> None:
        chat, studio = for_interaction(interaction), self.studio
        request = answer_of(interaction)
        locale = request.locale
        user = str(interaction.user.id)
        if name is None:
            catalogue = await studio.catalogue(request)
            listing = catalogue_text(catalogue, locale, wording=CATALOGUE)
            usage = "" if share is None else text("discord.usage.voice_share", locale) + "\n\n"
            await _answer(interaction, usage + listing)
        elif share is not None:
            shared = await studio.share(chat, name, owner=user, shared=share)
            key = "voices.shared" if share else "voices.unshared"
            await _answer(interaction, text(key, locale, name=shared))
        else:
            chosen = await studio.choose(
                chat, name, can_manage=can_manage(interaction), chooser=user
            )
            await _answer(interaction, text("voice.set", locale, voice=chosen))

    @voice.autocomplete("name")
    async def voice_names(self, interaction: Interaction, typed: str) -> list[Choice[str]]:
        """The voices (the model's and the server's own) whose name or description matches."""
        catalogue = await self.studio.catalogue(await answer_to(interaction))
        locale = quick_locale(interaction)
        offered = [(v.name, text(v.key, locale)) for v in catalogue.built_in]
        offered += [(v.name, own_label(v.name, v.kind, locale)) for v in catalogue.own]
        found = [(name, label) for name, label in offered if typed.casefold() in label.casefold()]
        return [Choice(name=label[:100], value=name) for name, label in found][:25]

    @app_commands.command(
        description="Design a voice of this server's own from a description", extras=answers(PUBLIC)
    )
    @app_commands.describe(
        name=f"One word of at most {MAX_NAME_CHARS} letters, digits, - or _",
        description="What the voice sounds like, e.g. a calm, low narrator with a slight smile",
    )
    async def design_voice(
        self,
        interaction: Interaction,
        name: app_commands.Range[str, 1, MAX_NAME_CHARS],
        description: app_commands.Range[str, 1, MAX_DESCRIPTION_CHARS],
    ) -> None:
        """/design_voice name description: store it, and let the channel hear a sample."""
        locale = answer_of(interaction).locale
        note = await self.studio.design(
            for_interaction(interaction), name, description,
            can_manage=can_manage(interaction), designer=str(interaction.user.id),
            locale=locale, asker=asker_of(interaction),
        )  # fmt: skip
        await send_voice_message(interaction, note)
        await followup_of(interaction)(content=text("voices.designed", locale, name=name))

    @app_commands.command(
        description="Delete one of this server's own voices", extras=answers(PRIVATE)
    )
    @app_commands.describe(name="The voice to delete, with its sample")
    async def delete_voice(self, interaction: Interaction, name: str) -> None:
        chat = for_interaction(interaction)
        deleted = await self.studio.delete(
            chat, name, can_manage=can_manage(interaction), requested_by=str(interaction.user.id)
        )
        locale = answer_of(interaction).locale
        await _answer(interaction, text("voices.deleted", locale, name=deleted))

    @delete_voice.autocomplete("name")
    async def own_voice_names(self, interaction: Interaction, typed: str) -> list[Choice[str]]:
        catalogue = await self.studio.catalogue(await answer_to(interaction))
        found = [v for v in catalogue.own if typed.casefold() in v.name.casefold()]
        locale = quick_locale(interaction)
        labels = [(own_label(v.name, v.kind, locale)[:100], v.name) for v in found]
        return [Choice(name=label, value=name) for label, name in labels][:25]

    async def clone_voice(self, interaction: Interaction, message: discord.Message) -> None:
        """Message menu "Clone this voice": only on your own voice message; a modal asks for
        the name (a modal must be the first response, so the checks come before it)."""
        recording = voice_message_in(message)
        if recording is None:
            raise NoVoiceMessage("no voice message to clone")
        if message.author.id != interaction.user.id:
            raise errors.NotYourRecording("someone else's voice message")
        modal = CloneModal(self, message, recording, locale=quick_locale(interaction))
        await interaction.response.send_modal(modal)

    async def rebuild_modal(
        self, message: discord.Message, user_id: int, locale: str
    ) -> CloneModal | None:
        """The modal a submission answered, made again after a restart
        (`bots.discord.work.redo`)."""
        recording = voice_message_in(message)
        if recording is None or message.author.id != user_id:
            return None
        return CloneModal(self, message, recording, locale=locale)

    async def clone(
        self, interaction: Interaction, message: discord.Message, recording: discord.Attachment,
        name: str,
    ) -> None:  # fmt: skip
        """The sentence to read aloud, as a new voice message here or in DMs, for consent to
        cloning the user's voice as `name` (the voice message the menu was on proves nothing
        about whose voice it is)."""
        user = interaction.user
        asked = ConsentAsk(
            chat=for_interaction(interaction), name=name, person=str(user.id),
            person_name=user.display_name, asked_in=for_interaction(interaction).chat_id,
            private_chat=place_of(user_id=user.id).chat_id, locale=answer_of(interaction).locale,
            in_server=interaction.guild_id is not None, asker=asker_of(interaction),
        )  # fmt: skip
        asked_to = await self.consents.ask(asked)
        lifetime = Duration(int(self.consents.lifetime.total_seconds()))
        # The sentence names the member as they call themselves: shown as typed, not as markdown.
        english = None if asked_to.english is None else shown_name(asked_to.english)
        shown = consent_sentence_text(
            shown_name(asked_to.sentence), english, asked.locale, wait=lifetime, wording=CATALOGUE
        )
        await _answer(interaction, shown)

    @app_commands.command(description="Show or set the speaking style", extras=answers(PRIVATE))
    @app_commands.describe(
        words="A style such as happy, whisper or a calm storyteller; off clears it"
    )
    @app_commands.rename(words="text")
    async def style(self, interaction: Interaction, words: str | None = None) -> None:
        chat, locale = (
            for_interaction(interaction),
            answer_of(interaction).locale,
        )
        if words is None:
            prefs = answer_of(interaction).prefs
            await _answer(interaction, style_text(prefs, locale, wording=CATALOGUE))
            return
        style = await self.preferences.set_style(chat, words, can_manage=can_manage(interaction))
        await _answer(interaction, style_set_text(style, locale))

    @app_commands.command(
        description="Show or set the language of transcripts", extras=answers(PRIVATE)
    )
    @app_commands.describe(value="auto detects the language")
    @app_commands.choices(value=LANGUAGES)
    async def language(self, interaction: Interaction, value: Choice[str] | None = None) -> None:
        chat, locale = (
            for_interaction(interaction),
            answer_of(interaction).locale,
        )
        if value is None:
            shown = transcript_language(answer_of(interaction).prefs.language, locale)
            await _answer(interaction, text("language.current", locale, language=shown))
            return
        chosen = await self.preferences.set_language(
            chat, value.value, can_manage=can_manage(interaction)
        )
        shown = transcript_language(chosen, locale)
        await _answer(interaction, text("language.set", locale, language=shown))

    @server_only  # voice messages reach the bot only where it is
    @app_commands.command(
        description="Transcribe voice messages automatically, or not",
        extras=answers(PRIVATE, channel=True),  # shows this channel's own choice
    )
    @app_commands.describe(state="on, off, or inherit (a channel follows the server)",
                           scope="The whole server (default) or this channel only")  # fmt: skip
    @app_commands.choices(state=STATES, scope=SCOPES)
    async def autotranscribe(
        self,
        interaction: Interaction,
        state: Choice[str] | None = None,
        scope: Choice[str] | None = None,
    ) -> None:
        chat, channel = for_interaction(interaction), override_of(interaction)
        channel_only = scope is not None and scope.value == "channel"
        answer = answer_of(interaction)
        locale = answer.locale
        if state is None:
            await _answer(interaction, _auto_transcribe_now(answer, channel is not None))
        elif channel is not None and (channel_only or state.value == "inherit"):
            override = await self.preferences.set_channel_auto_transcribe(
                channel, state.value, can_manage=can_manage(interaction)
            )
            await _answer(interaction, _channel_set(override, locale))
        else:
            enabled = await self.preferences.set_auto_transcribe(
                chat, state.value, can_manage=can_manage(interaction)
            )
            state_now = on_off(enabled, locale)
            await _answer(interaction, text("autotranscribe.set", locale, state=state_now))

    @app_commands.command(
        description="The settings here",
        extras=answers(PRIVATE, channel=True),  # shows this channel's own auto-transcribe
    )
    async def settings(self, interaction: Interaction) -> None:
        answer = answer_of(interaction)
        prefs, locale = answer.prefs, answer.locale
        own = (await self.studio.catalogue(answer)).own
        overview = settings_text(
            prefs, locale, chat_language=answer.chat_locale, own=own,
            voice=answer.voice, tts_model=answer.tts_model,
        )  # fmt: skip
        if override_of(interaction) is not None:
            own_choice = answer.channel_auto_transcribe
            overview += "\n" + _channel_line(own_choice, prefs.auto_transcribe, locale)
        await _answer(interaction, overview)

    @app_commands.command(description="What I can do", extras=answers(PRIVATE))
    async def help(self, interaction: Interaction) -> None:
        locale = answer_of(interaction).locale
        await _answer(interaction, text("discord.help", locale))
        voice = (
            text("discord.help.reader", locale) + "\n\n" + text("discord.help.listening", locale)
            + "\n\n" + text("discord.help.memory", locale)
        )  # fmt: skip
        await _answer(interaction, voice)  # a message of its own


async def _answer(interaction: Interaction, sentence: str) -> None:
    """A private answer; a list too long for one message goes in several."""
    await send_lines(followup_of(interaction, ephemeral=True), sentence)


def _auto_transcribe_now(request: Request, in_channel: bool) -> str:
    """How auto-transcribe stands, as the request read it: the server's, and in a channel, the
    channel's own or the server's it follows."""
    server, locale = request.prefs.auto_transcribe, request.locale
    current = text("autotranscribe.current", locale, state=on_off(server, locale))
    if not in_channel:
        return current
    return current + "\n" + _channel_line(request.channel_auto_transcribe, server, locale)


def _channel_line(override: bool | None, server: bool, locale: str) -> str:
    """How auto-transcribe stands in this channel, and why."""
    state = on_off(server if override is None else override, locale)
    source = "discord.source.server" if override is None else "discord.source.channel"
    return text("discord.settings.channel", locale, state=state, source=text(source, locale))


def _channel_set(override: bool | None, locale: str) -> str:
    if override is None:
        return text("discord.autotranscribe.channel_inherit", locale)
    return text("discord.autotranscribe.channel_set", locale, state=on_off(override, locale))


def own_label(name: str, kind: str, locale: str) -> str:
    """How one of the server's own voices reads among the choices."""
    return text(f"discord.voice.own_{kind}", locale, name=name)


class CloneModal(ClaimedModal):
    """The name of the voice cloned from one voice message."""

    kind = "clone"

    def __init__(
        self,
        cog: PreferencesCog,
        message: discord.Message,
        recording: discord.Attachment,
        *,
        locale: str,
    ) -> None:
        # Only the author clones their own voice message: the modal is theirs.
        super().__init__(
            title=text("discord.clone.title", locale), message=message, user_id=message.author.id
        )
        self.cog, self.message, self.recording = cog, message, recording
        self.voice_name: discord.ui.TextInput[CloneModal] = discord.ui.TextInput(
            label=text("discord.clone.label", locale),
            max_length=MAX_NAME_CHARS,
            custom_id="name",  # fixed, so a rebuilt modal reads a stored submission
        )
        self.add_item(self.voice_name)

    async def submitted(self, interaction: Interaction, /) -> None:
        await self.cog.clone(interaction, self.message, self.recording, self.voice_name.value)

    async def on_error(  # type: ignore[override]  # discord.py types it as a view's
        self, interaction: Interaction, error: Exception, /
    ) -> None:
        # Modals report to themselves, not to the command tree: route them to the one handler.
        await on_app_command_error(interaction, error)
