"""How a chat's settings read, the same on every platform: the overview and the voice list."""

from __future__ import annotations

from core.domain import Preferences
from core.messages import text
from core.service import VoiceService


def on_off(value: bool, locale: str = "en") -> str:
    return text("value.on", locale) if value else text("value.off", locale)


def settings_text(service: VoiceService, prefs: Preferences, locale: str = "en") -> str:
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


def voice_listing(service: VoiceService, prefs: Preferences, locale: str = "en") -> str:
    """`voice.current`: the chat's voice and every voice its speech model offers."""
    listing = "\n".join(f"• {v.description}" for v in service.voices(prefs))  # names lead them
    return text("voice.current", locale, voice=service.voice_of(prefs), choices=listing)
