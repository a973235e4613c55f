"""How a chat's settings read, the same on every platform: the overview and the voice list."""

from __future__ import annotations

from typing import Protocol

from core.chat.messages import text
from core.domain.tts import STYLE_PRESETS
from core.domain.values import ChatVoice, Preferences, VoiceCatalogue


class SpeechDefaults(Protocol):
    """The chat's voice and speech model with the configured defaults filled in
    (`core.app.service.VoiceService` answers)."""

    def voice_of(self, prefs: Preferences) -> str: ...

    def tts_model(self, prefs: Preferences) -> str: ...


def on_off(value: bool, locale: str = "en") -> str:
    return text("value.on", locale) if value else text("value.off", locale)


def settings_text(service: SpeechDefaults, prefs: Preferences, locale: str = "en") -> str:
    """The `settings` overview: what the chat chose, with the defaults filled in."""
    return text(
        "settings",
        locale,
        voice=service.voice_of(prefs),
        style=prefs.style or text("value.none", locale),
        language=prefs.language,
        auto_transcribe=on_off(prefs.auto_transcribe, locale),
        tts_model=service.tts_model(prefs),
    )


def catalogue_text(catalogue: VoiceCatalogue, *, none: str | None = None,
                   locale: str = "en") -> str:  # fmt: skip
    """`/voice`: the chosen voice, the model's voices with a line each, then the chat's own, or
    `none` (an adapter's own sentence; by default the core's) when it has none."""
    listing = "\n".join(f"• {v.description}" for v in catalogue.built_in)  # names lead them
    shown = text("voice.current", locale, voice=catalogue.chosen, choices=listing)
    if not catalogue.own:
        return f"{shown}\n\n{none or text('voices.none', locale)}"
    own = "\n".join(own_voice_line(v, locale) for v in catalogue.own)
    return f"{shown}\n\n{text('voices.own', locale, voices=own)}"


def own_voice_line(voice: ChatVoice, locale: str = "en") -> str:
    if voice.kind == "designed":
        return text("voices.own.designed", locale, name=voice.name, description=voice.description)
    return text("voices.own.cloned", locale, name=voice.name)


def style_text(prefs: Preferences, locale: str = "en") -> str:
    """`/style` without an argument: the chat's style and the presets."""
    style = prefs.style or text("value.none", locale)
    return text("style.current", locale, style=style, presets=", ".join(STYLE_PRESETS))
