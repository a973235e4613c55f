"""How a chat's settings read, the same on every platform: the overview, the voice list, the
style and the languages, and what a person reads and hears to clone their own voice, each in the
reader's language (`locale`). An answer that ends by showing how to change the setting takes the
answering platform's catalogue (`wording`): the command is typed the way that platform types it.

The drawn digits of spoken consent (`core.domain.voices.consent_digits` draws them, and spaces
each group's digits apart: `consent_digits.apart`) show their groups as the language separates
them in a list (`voices.consent.digit_groups`: "6 2 9 0, 7 3 5 1, 5 8 0";
「6 2 9 0、7 3 5 1、5 8 0」).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.chat.answer_languages import LOCALES, language_name, native_name, target_name
from core.chat.i18n import Catalogue
from core.chat.locale_formats import joined
from core.chat.message_catalogue import text
from core.domain import errors
from core.domain.quantities import Duration
from core.domain.shared_values import ChatVoice, Preferences, VoiceCatalogue
from core.domain.voices.consent_digits import apart
from core.domain.voices.speaking_style_rules import STYLE_PRESETS

__all__ = [
    "auto_gist_text",
    "autotranslate_text",
    "bot_language_text",
    "catalogue_text",
    "consent_sentence_text",
    "consent_verdict_text",
    "on_off",
    "own_voice_line",
    "settings_text",
    "shown_digits",
    "style_set_text",
    "style_text",
    "transcript_language",
]


def on_off(value: bool, locale: str) -> str:
    return text("value.on", locale) if value else text("value.off", locale)


def settings_text(
    prefs: Preferences,
    locale: str,
    *,
    chat_language: str,
    voice: str,
    tts_model: str,
    own: tuple[ChatVoice, ...] = (),
) -> str:
    """The `settings` overview: what the chat chose, with the defaults filled in (`voice` and
    `tts_model`: `ChatPreferences.voice_of` and `tts_model`). `chat_language` is the language
    the chat's posts are in now (`answer_languages.chat_locale`); `own`, the chat's own voices,
    whose cloned ones are listed shared or not."""
    cloned = [v for v in own if v.kind == "cloned"]
    overview = text(
        "settings",
        locale,
        voice=voice,
        style=style_name(prefs.style, locale),
        language=transcript_language(prefs.language, locale),
        bot_language=bot_language(prefs, locale, chat_language=chat_language),
        auto_transcribe=on_off(prefs.auto_transcribe, locale),
        tts_model=tts_model,
    )
    if not cloned:
        return overview
    voices = joined([sharing(v, locale) for v in cloned], locale)
    return f"{overview}\n{text('settings.cloned', locale, voices=voices)}"


def sharing(voice: ChatVoice, locale: str) -> str:
    """A cloned voice's name, and whether its owner shared it with the chat."""
    key = "value.shared" if voice.shared else "value.unshared"
    return text(key, locale, name=voice.name)


def catalogue_text(catalogue: VoiceCatalogue, locale: str, *, wording: Catalogue) -> str:
    """`/voice`: the chosen voice, the model's voices with a line each, then the chat's own, or
    how to make one when it has none."""
    listing = "\n".join(f"• {text(v.key, locale)}" for v in catalogue.built_in)  # names lead
    shown = wording.text("voice.current", locale, voice=catalogue.chosen, choices=listing)
    if not catalogue.own:
        return f"{shown}\n\n{wording.text('voices.none', locale)}"
    own = "\n".join(own_voice_line(v, locale) for v in catalogue.own)
    return f"{shown}\n\n{text('voices.own', locale, voices=own)}"


def own_voice_line(voice: ChatVoice, locale: str) -> str:
    if voice.kind == "designed":
        return text("voices.own.designed", locale, name=voice.name, description=voice.description)
    if not voice.verified:
        return text("voices.own.cloned_unverified", locale, name=voice.name)
    key = "voices.own.cloned_shared" if voice.shared else "voices.own.cloned_unshared"
    return text(key, locale, name=voice.name)


def style_text(prefs: Preferences, locale: str, *, wording: Catalogue) -> str:
    """`/style` without an argument: the chat's style and the presets."""
    presets = joined([text(f"style.preset.{name}", locale) for name in STYLE_PRESETS], locale)
    style = style_name(prefs.style, locale)
    return wording.text("style.current", locale, style=style, presets=presets)


def style_set_text(style: str | None, locale: str) -> str:
    """The answer to `/style TEXT`: the style now set, or that it was cleared."""
    if style is None:
        return text("style.cleared", locale)
    return text("style.set", locale, style=style_name(style, locale))


def style_name(style: str | None, locale: str) -> str:
    """A chat's style as it reads: a preset in the reader's language, other words as written."""
    if not style:
        return text("value.none", locale)
    if style.casefold() in STYLE_PRESETS:
        return text(f"style.preset.{style.casefold()}", locale)
    return style


def transcript_language(code: str, locale: str) -> str:
    """ "Chinese (zh)", "中文 (zh)", or that it is detected (`auto`)."""
    if code == "auto":
        return text("value.language_auto", locale)
    return text("value.language", locale, name=language_name(code, locale), code=code)


def bot_language(prefs: Preferences, locale: str, *, chat_language: str) -> str:
    """The chat's bot language as `/settings` and `/botlanguage` show it: the one chosen, by its
    own name ("Español"), or automatic and what that is now."""
    chosen = prefs.interface_language
    if chosen is not None and chosen in LOCALES:
        return native_name(chosen)
    return text("value.bot_language_auto", locale, language=native_name(chat_language))


def bot_language_text(
    prefs: Preferences,
    locale: str,
    *,
    chat_language: str,
    wording: Catalogue,
    changed: bool = False,
) -> str:
    """`/botlanguage`'s answer: without an argument the chat's and the choices, by their own
    names; after a change (`changed`), what it is now."""
    if changed:
        key = "botlanguage.cleared" if prefs.interface_language is None else "botlanguage.set"
        return text(key, locale, language=native_name(chat_language))
    choices = joined(["auto", *(native_name(each) for each in LOCALES)], locale)
    shown = bot_language(prefs, locale, chat_language=chat_language)
    return wording.text("botlanguage.current", locale, language=shown, choices=choices)


def autotranslate_text(language: str | None, locale: str, *, wording: Catalogue) -> str:
    """Whether transcripts here get their translation, and into what (/autotranslate)."""
    if language is None:
        return wording.text("autotranslate.is_off", locale)
    return wording.text("autotranslate.is_on", locale, language=target_name(language, locale))


def auto_gist_text(minutes: int | None, locale: str, *, wording: Catalogue) -> str:
    """Whether long recordings here get their gist, and from what length (/autogist, /tldr
    auto)."""
    if minutes is None:
        return wording.text("gist.auto_off", locale)
    return wording.text("gist.auto_on", locale, length=Duration(minutes * 60))


def consent_sentence_text(
    sentence: str, english: str | None, locale: str, *, wait: Duration, wording: Catalogue
) -> str:
    """The sentence a person is to read for their clone, and the English one beside it where
    MiMo's recognition does not document their language (`core.app.voices.clone_consent`)."""
    asked = wording.text("voices.consent.read", locale, sentence=sentence, wait=wait)
    if english is None:
        return asked
    return f"{asked}\n\n{wording.text('voices.consent.english', locale, sentence=english)}"


def shown_digits(groups: Sequence[str], locale: str) -> str:
    """`groups` (three, as `consent_digits.GROUPS` draws them, each `consent_digits.apart`) as
    the sentence in `locale` lists them."""
    first, second, third = (apart(group) for group in groups)
    return text("voices.consent.digit_groups", locale, first=first, second=second, third=third)


def consent_verdict_text(
    name: str, locale: str, *, refused: errors.ConsentRefused | None, wording: Catalogue
) -> str:
    """What a person hears once their reading cloned voice `name`, or why it did not."""
    if refused is not None:
        return wording.text(refused.key, locale, **refused.params)
    return wording.text("voices.cloned", locale, name=name)
