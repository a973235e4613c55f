"""The server's own voices: /design_voice, /delete_voice and the message menu "Clone this
voice" (choosing among them is /voice, `discord_settings_commands.py`).

A designed voice's sample is for the channel to hear; the rest is answered privately. In a
server, designing takes Manage Server (`discord_asker.can_manage`), and so does deleting, but for a
cloned voice, which its owner may delete too (`VoiceStudio.delete` decides); in DMs the voices
are the user's own.

Cloning is a message menu rather than an upload option: on a voice message (recorded in
Discord, not an uploaded file) whose author is the person using the menu, Discord itself
vouches that the voice is theirs. A modal asks for the new voice's name; then the person reads
a sentence aloud, their consent (`core.app.voices.clone_consent`).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.discord_asker import (
    answer_of,
    answer_to,
    asker_of,
    can_manage,
    quick_locale,
)
from bots.discord.answers.discord_replies import (
    MAX_CHOICES,
    AnyBot,
    Interaction,
    followup_of,
    send_lines,
)
from bots.discord.answers.error_handler import on_app_command_error
from bots.discord.answers.interaction_acks import PRIVATE, PUBLIC, answers
from bots.discord.answers.modals import ClaimedModal
from bots.discord.claims_and_redo.crash_redo import ModalRebuilder
from bots.discord.commands.localized_names import translatable
from bots.discord.discord_wording import CATALOGUE, shown_name, text
from bots.discord.place_access import for_interaction, place_of
from bots.discord.recording_attachments import voice_message_in
from bots.discord.voices.native_voice_messages import send_voice_message
from core.app.voices.clone_consent import ConsentAsk, VoiceConsents
from core.app.voices.own_voices import MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, VoiceStudio
from core.chat.settings_wording import (
    consent_sentence_text,
)
from core.domain import errors
from core.domain.quantities import Duration

__all__ = ["VoicesCog", "own_label"]

Choice = app_commands.Choice


class NoVoiceMessage(errors.UserInputError):
    key = "discord.clone.no_voice_message"


class VoicesCog(commands.Cog):
    """Design, clone and delete the voices of the place the command runs in."""

    def __init__(
        self, *, studio: VoiceStudio, consents: VoiceConsents, bot: AnyBot | None = None
    ) -> None:
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
        await send_lines(
            followup_of(interaction, ephemeral=True), text("voices.deleted", locale, name=deleted)
        )

    @delete_voice.autocomplete("name")
    async def own_voice_names(self, interaction: Interaction, typed: str) -> list[Choice[str]]:
        catalogue = await self.studio.catalogue(await answer_to(interaction))
        found = [v for v in catalogue.own if typed.casefold() in v.name.casefold()]
        locale = quick_locale(interaction)
        labels = [(own_label(v.name, v.kind, locale)[:100], v.name) for v in found]
        return [Choice(name=label, value=name) for label, name in labels][:MAX_CHOICES]

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
        (`bots.discord.claims_and_redo.crash_redo`)."""
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
        await send_lines(followup_of(interaction, ephemeral=True), shown)


def own_label(name: str, kind: str, locale: str) -> str:
    """How one of the server's own voices reads among the choices."""
    return text(f"discord.voice.own_{kind}", locale, name=name)


class CloneModal(ClaimedModal):
    """The name of the voice cloned from one voice message."""

    kind = "clone"

    def __init__(
        self,
        cog: VoicesCog,
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
