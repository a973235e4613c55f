"""Every sentence the bot says to a chat, in one catalogue.

Handlers never write user-facing strings themselves: they ask `text(key, locale, **params)`.
English is complete; other locales fall back to English key by key, so a partial translation
is always safe to ship.
"""

from __future__ import annotations

from typing import Any

EN: dict[str, str] = {
    # Overview
    "start": (
        "Hi! I turn voice notes into text and text into voice notes, powered by Xiaomi MiMo.\n\n"
        "• Send a voice note, audio, round video or video: I reply with the transcript.\n"
        "• /say TEXT (or /say as a reply to a message): I answer with a voice note.\n"
        "• /settings shows this chat's voice, style, language and auto-transcribe.\n\n"
        "/help lists every command."
    ),
    "help": (
        "Commands:\n"
        "/transcribe — as a reply to audio: its transcript\n"
        "/say TEXT — speak TEXT as a voice note (or reply to a message with /say)\n"
        "/ask QUESTION — as a reply to audio: answer a question about it\n"
        "/voice [NAME] — show or choose the voice\n"
        "/style [TEXT|off] — show or set the speaking style, e.g. /style happy\n"
        "/language [auto|zh|en] — the language of transcripts\n"
        "/autotranscribe [on|off] — transcribe every voice note automatically\n"
        "/settings — this chat's settings\n\n"
        "In groups, only administrators change settings."
    ),
    "settings": (
        "Settings for this chat:\n"
        "• Voice: {voice}\n"
        "• Style: {style}\n"
        "• Transcript language: {language}\n"
        "• Auto-transcribe: {auto_transcribe}\n"
        "• Speech model: {tts_model}"
    ),
    "value.none": "none",
    "value.on": "on",
    "value.off": "off",
    # Preferences
    "voice.current": "Current voice: {voice}\n\nAvailable voices:\n{choices}\n\nChoose one with /voice NAME.",
    "voice.set": "Voice set to {voice}.",
    "style.current": (
        "Current style: {style}\n\nSet one with /style TEXT, for example /style happy, "
        "/style whisper, /style speak slowly like a storyteller; /style off clears it."
    ),
    "style.set": "Style set to: {style}",
    "style.cleared": "Style cleared: I will speak naturally.",
    "language.current": "Transcript language: {language}\nChoices: auto (detect), zh, en.",
    "language.set": "Transcript language set to {language}.",
    "autotranscribe.current": "Auto-transcribe is {state}. Use /autotranscribe on or off.",
    "autotranscribe.set": "Auto-transcribe is now {state}.",
    # Results
    "transcript.empty": "I could not hear any speech in that recording.",
    "transcript.file_caption": "Transcript ({duration}) — too long for a message, so here it is as a file.",
    "usage.transcribe": "Reply to a voice note, audio or video with /transcribe.",
    "usage.say": "Tell me what to say: /say TEXT, or reply to a message with /say.",
    "usage.ask": "Reply to a voice note, audio or video with /ask QUESTION.",
    # Errors
    "error.generic": "Sorry, something went wrong. Please try again in a moment.",
    "error.bad_input": "I did not understand that request.",
    "error.empty_text": "There is no text to speak.",
    "error.text_too_long": "That text is {length} characters long; the limit is {limit}.",
    "error.bad_choice": "“{value}” is not a valid {setting}. Choose one of: {choices}.",
    "error.admins_only": "Only administrators can change settings in this chat.",
    "error.nothing_to_process": "Reply to a message with /{command} to use it.",
    "error.audio": "I could not process that audio.",
    "error.undecodable_audio": "I could not read that file as audio. Is it corrupt or in an unusual format?",
    "error.empty_audio": "That file has no audio to transcribe.",
    "error.audio_too_large": "That recording is too large: the limit is {limit}.",
    "error.file_too_big_to_download": (
        "That file is larger than the {limit} the Telegram Bot API lets bots download. "
        "The bot's owner can lift this by running a local Bot API server "
        "(TELEGRAM_API_URL with TELEGRAM_LOCAL_MODE=true)."
    ),
    "error.mimo": "The speech service failed. Please try again later.",
    "error.mimo_auth": "The speech service rejected the bot's API key. The bot's owner needs to check it.",
    "error.mimo_balance": "The MiMo balance is used up. The bot's owner needs to top it up.",
    "error.mimo_filtered": "The speech service declined this content.",
    "error.mimo_bad_request": "The speech service could not handle this request.",
    "error.mimo_rate_limited": "The speech service is busy right now. Please try again in a minute.",
    "error.mimo_unavailable": "The speech service is not responding right now. Please try again in a few minutes.",
    "error.mimo_bad_response": "The speech service sent an answer I could not use. Please try again.",
}

CATALOGUES: dict[str, dict[str, str]] = {"en": EN}


def text(key: str, locale: str = "en", **params: Any) -> str:
    """The sentence for `key` in `locale` (falling back to English), filled with `params`."""
    template = CATALOGUES.get(locale, EN).get(key) or EN[key]
    return template.format(**params) if params else template
