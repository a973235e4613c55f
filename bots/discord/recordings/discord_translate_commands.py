"""Translations: /translate with a text or a recording, into the asker's language or another, and
the message menu "Translate" on any message: its recording's transcript, or its text, in the asker's
language, with a "Speak" button (`bots.discord.voices.speak_button`), labelled in the asker's
language, where the speech model speaks that language. (The menu took the fifth of Discord's five
message-menu slots from "Summarise": a recording's gist is a button under its transcript,
`bots.discord.recordings.discord_tldr_command`.)"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.client_fields import voicebridge
from bots.discord.answers.discord_asker import answer_of
from bots.discord.answers.discord_replies import AnyBot, Interaction, followup_of, send_long
from bots.discord.answers.error_handler import on_app_command_error
from bots.discord.answers.interaction_acks import PRIVATE, PUBLIC, acknowledge_and_claim, answers
from bots.discord.answers.persistent_buttons import Answerers
from bots.discord.commands.discord_allowlist import refuse_stranger
from bots.discord.commands.localized_names import translatable
from bots.discord.discord_wording import text as catalogue_text  # `text` is /translate's option
from bots.discord.place_access import for_interaction, reaches_channel, require_history
from bots.discord.recording_attachments import recording_in, remote, require_audio
from bots.discord.voices.native_voice_messages import send_voice_message
from bots.discord.voices.speak_button import SpeakButton, SpokenAt, speak_view
from core.app.recordings.translations import Translations
from core.app.rules.limits import Limiter
from core.app.voices.own_voices import VoiceStudio
from core.app.voices.text_to_speech import TextToSpeech
from core.chat.answer_languages import translation_target
from core.domain import errors
from core.domain.voices.spoken_language import speaks
from core.ports import Recording

__all__ = ["TranslationsCog"]


class NothingToTranslate(errors.UserInputError):
    key = "discord.nothing_to_translate"


class NothingToTranslateThere(errors.UserInputError):
    key = "discord.nothing_to_translate_there"


class OriginalGone(errors.UserInputError):
    """The message a Speak button would translate is no longer where the button says."""

    key = "discord.speak.gone"


class TranslationsCog(commands.Cog):
    """/translate, "Translate" on any message and its Speak button, and /voicetranslations
    (/autotranslate: `discord_settings_commands.py`)."""

    def __init__(
        self,
        bot: AnyBot,
        *,
        translations: Translations,
        speech: TextToSpeech,
        studio: VoiceStudio,
        limiter: Limiter,
        clicks: Answerers,
    ) -> None:
        self.bot = bot
        self.translations = translations
        self.speech = speech
        self.studio = studio
        self.limiter = limiter
        self.clicks = clicks
        self.menu = app_commands.ContextMenu(
            name=translatable("Translate", "discord.menu.translate"),
            callback=self.translate_message,
            extras=answers(PUBLIC),
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)
        # Every Speak button ever posted, restarts included: the click names its message.
        self.clicks.register(SpeakButton, take=self.take_click, answer=self.speak_clicked)
        self.bot.add_dynamic_items(SpeakButton)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        self.bot.remove_dynamic_items(SpeakButton)

    @app_commands.command(description="Translate a text or a recording", extras=answers(PUBLIC))
    @app_commands.describe(
        text="The text to translate",
        attachment="A voice message, audio or video file",
        language="The language to translate into, a code or a name (default: yours)",
        voice="Speak the translation as a voice message (Chinese or English)",
    )
    async def translate(
        self,
        interaction: Interaction,
        text: str | None = None,
        attachment: discord.Attachment | None = None,
        language: str | None = None,
        voice: bool = False,
    ) -> None:
        """/translate [text] [attachment] [language] [voice]: the words are the asker's own (they
        typed or uploaded them), so their own voice speaks them where they allowed it."""
        source: Recording | str
        if attachment is not None:
            source = remote(require_audio(attachment))
        elif text and text.strip():
            source = text
        else:
            raise NothingToTranslate("neither a text nor a recording")
        voice_of = interaction.user.id if voice else None
        await self._answer(interaction, source, language=language, voice_of=voice_of)

    async def translate_message(self, interaction: Interaction, message: discord.Message) -> None:
        """Message menu "Translate": the message's audio or video (its transcript; a kept one is
        reused), else its text, in the asker's language, as the interaction carries it; with
        the Speak button where the bot can fetch the message again for a click."""
        about = message if reaches_channel(interaction) else None
        await self._answer(interaction, _source(message), language=None, about=about)

    async def take_click(self, interaction: Interaction) -> bool:
        """A click on a Speak button, acknowledged with a "thinking…" for the channel."""
        if await refuse_stranger(self.limiter, interaction):
            return False
        return await acknowledge_and_claim(interaction, PUBLIC)

    async def speak_clicked(self, interaction: Interaction, at: SpokenAt) -> None:
        """The Speak button: the message fetched again and translated again, spoken in its
        author's voice where they allowed it (else the server's), for whoever clicked (against
        their limits); failures as a command's, in the clicker's language."""
        try:
            message = await self._original(at, interaction)
            source, author = _source(message), message.author.id
            await self._answer(interaction, source, language=at.language, voice_of=author)
        except Exception as error:  # a button has no command tree to report to
            await on_app_command_error(interaction, error)
        finally:
            await voicebridge(interaction).work.finish_claimed(interaction)

    async def _answer(
        self,
        interaction: Interaction,
        source: Recording | str,
        *,
        language: str | None,
        voice_of: int | None = None,
        about: discord.Message | None = None,
    ) -> None:
        """`source` translated into `language` (default: the asker's): spoken where `voice_of`
        (whose words they are) is given, else as text, with a Speak button when it is `about`
        a message."""
        request = answer_of(interaction)
        locale = request.locale
        target = translation_target(language or "", reader=locale)
        if isinstance(source, str):
            translated = await self.translations.text(request, source, target=target)
        else:
            translated = await self.translations.recording(request, source, target=target)
        if voice_of is not None:
            note = await self.speech.spoken_translation(
                request, translated, language=target, speaker_id=str(voice_of)
            )
            if note is not None:
                await send_voice_message(interaction, note)
                return
            translated = f"{catalogue_text('translate.not_spoken', locale)}\n\n{translated}"
        speak = None
        if about is not None and speaks(target):  # labelled in the reader's language
            speak = speak_view(SpokenAt.of(about, language or locale), locale=locale)
        await send_long(
            followup_of(interaction),
            translated,
            file_caption="",
            file_name="translation.txt",
            view=speak,
        )

    async def _original(self, at: SpokenAt, interaction: Interaction) -> discord.Message:
        """The message a Speak button is about, as its channel holds it now."""
        if at.channel_id != interaction.channel_id:  # a button answers for its own channel
            raise OriginalGone(f"a button of channel {at.channel_id} clicked elsewhere")
        require_history(interaction)  # the button's channel is the interaction's
        channel = self.bot.get_partial_messageable(at.channel_id)
        try:
            return await channel.fetch_message(at.message_id)
        except (discord.NotFound, discord.Forbidden) as exc:
            raise OriginalGone(f"message {at.message_id} is gone") from exc

    @app_commands.command(
        description="Let your own cloned voice here speak translations of your words",
        extras=answers(PRIVATE),
    )
    @app_commands.describe(
        allowed="True: /translate … voice:True speaks in your own voice; False: in the one set here"
    )
    async def voicetranslations(self, interaction: Interaction, allowed: bool) -> None:
        """/voicetranslations allowed: the per-person switch, off by default."""
        await self.studio.let_speak_translations(
            for_interaction(interaction), person=str(interaction.user.id), allowed=allowed
        )
        locale = answer_of(interaction).locale
        key = "voices.translations_on" if allowed else "voices.translations_off"
        await followup_of(interaction, ephemeral=True)(content=catalogue_text(key, locale))


def _source(message: discord.Message) -> Recording | str:
    """What of `message` is translated: its audio or video (as a recording, its transcript
    kept under the attachment's id, said in `message`), else its text."""
    recording = recording_in(message)
    if recording is None and not message.content.strip():
        raise NothingToTranslateThere("neither a text nor a recording in the message")
    return message.content if recording is None else remote(recording, message=message)
