"""A server's settings on Discord, and what it used: /voice, /style, /language, /autotranscribe,
/settings and /help, and what the bot posts here unasked, for everyone: in which language
(/botlanguage), and what comes with an automatic transcript (/autogist: the gist of a long
recording; /autotranslate: its translation); and /usage, what a server (or, in direct messages, a
user) used today, and what is left. (The server's own voices:
`bots.discord.voices.own_voice_commands`.)

/botlanguage is the language of automatic transcripts and their notices, which replies also
fall back to for people whose Discord language the bot does not speak; `auto` follows the
server's own language (`core.chat.answer_languages`).

Answers are ephemeral: settings and usage are nobody else's business. In a server, changing the
settings takes Manage Server (`discord_asker.can_manage`); in DMs they are the user's own.
"""

from __future__ import annotations

from dataclasses import replace

from discord import app_commands
from discord.ext import commands

from bots.discord.answers.discord_asker import (
    answer_of,
    answer_to,
    asker_of,
    can_manage,
    interaction_audience,
    quick_locale,
)
from bots.discord.answers.discord_replies import MAX_CHOICES, Interaction, followup_of, send_lines
from bots.discord.answers.interaction_acks import PRIVATE, answers
from bots.discord.commands.localized_names import translatable_choices
from bots.discord.commands.user_installs import server_only
from bots.discord.discord_wording import CATALOGUE, text
from bots.discord.place_access import for_interaction, override_of, reaches_channel
from bots.discord.voices.own_voice_commands import own_label
from core.app.rules.chat_settings import ChatPreferences, auto_transcribes, shown_or_set
from core.app.rules.limits import Limiter
from core.app.rules.request_audience import Audiences, Request
from core.app.voices.clone_consent import VoiceConsents
from core.app.voices.own_voices import VoiceStudio
from core.chat.answer_languages import LOCALES, native_name
from core.chat.settings_wording import (
    auto_gist_text,
    autotranslate_text,
    bot_language_text,
    catalogue_text,
    on_off,
    settings_text,
    style_set_text,
    style_text,
    transcript_language,
)
from core.chat.usage_wording import clone_attempts_line, listening_line, usage_text
from core.domain.shared_values import Preferences

__all__ = ["PreferencesCog", "UsageCog"]

Choice = app_commands.Choice

# Each language by its own name, which needs no translating; "auto" in the reader's.
BOT_LANGUAGES = [
    *translatable_choices(
        "discord.choice.botlanguage.language", auto="auto (the server's language)"
    ),
    *(Choice(name=native_name(locale), value=locale) for locale in LOCALES),
]

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


class PreferencesCog(commands.Cog):
    """Show or change where the command runs: the server's settings, or the user's in DMs."""

    def __init__(
        self, *, preferences: ChatPreferences, studio: VoiceStudio, audiences: Audiences
    ) -> None:
        self.preferences = preferences
        self.studio = studio
        self.audiences = audiences

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
        return [Choice(name=label[:100], value=name) for name, label in found][:MAX_CHOICES]

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
            overview += "\n" + _channel_line(own_choice, prefs, locale)
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
    return current + "\n" + _channel_line(request.channel_auto_transcribe, request.prefs, locale)


def _channel_line(override: bool | None, prefs: Preferences, locale: str) -> str:
    """How auto-transcribe stands in this channel (`chat_settings.auto_transcribes`), and why."""
    state = on_off(auto_transcribes(prefs, override), locale)
    source = "discord.source.server" if override is None else "discord.source.channel"
    return text("discord.settings.channel", locale, state=state, source=text(source, locale))


def _channel_set(override: bool | None, locale: str) -> str:
    if override is None:
        return text("discord.autotranscribe.channel_inherit", locale)
    return text("discord.autotranscribe.channel_set", locale, state=on_off(override, locale))


class UsageCog(commands.Cog):
    """What a server (or, in direct messages, a user) used today, and what is left."""

    def __init__(self, limiter: Limiter, consents: VoiceConsents | None = None) -> None:
        self.limiter = limiter
        self.consents = consents  # the member's own attempts at cloning their voice

    @app_commands.command(
        description="What this server used today, and what is left", extras=answers(PRIVATE)
    )
    async def usage(self, interaction: Interaction) -> None:
        """The server's usage today; in a server, also its calls listened to, and what the
        member's own messages took of it in channel readings (their share:
        `DISCORD_READER_MEMBER_SHARE`)."""
        chat = for_interaction(interaction)
        report = await self.limiter.today(chat, asker_of(interaction))
        locale = answer_of(interaction).locale
        lines = usage_text(report, locale)
        if self.consents is not None:
            tried = await self.consents.attempts_today("discord", str(interaction.user.id))
            limit = self.consents.attempts_per_day
            lines += "\n" + clone_attempts_line(tried, limit, locale)
        in_server = interaction.guild_id is not None and reaches_channel(interaction)
        if in_server:
            listened = await self.limiter.listened_today(chat)
            lines += "\n" + listening_line(listened, self.limiter.policy.listen_seconds, locale)
        cap = self.limiter.share_cap()
        if in_server and cap:
            used = await self.limiter.share_today(chat, str(interaction.user.id))
            lines += "\n" + text("discord.usage.reader_share", locale, used=used, limit=cap)
        await send_lines(followup_of(interaction, ephemeral=True), lines)
