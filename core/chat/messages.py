"""Every sentence the bot says to a chat, in one catalogue.

Handlers never write user-facing strings themselves: they ask `text(key, locale, **params)`.
English is complete; other locales fall back to English key by key, so a partial translation
is always safe to ship.

This catalogue holds what both platforms say. What only one of them says lives beside its
adapter (`bots/telegram/messages.py`, `bots/discord/messages.py`), which extends this one
(`Catalogue.extended`): the same keys, the same lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Sentences = Mapping[str, str]  # key -> English (or translated) template

EN: dict[str, str] = {
    # Overview
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
        "Current style: {style}\n\nPresets: {presets}.\nSet one with /style TEXT: a preset "
        "(/style happy, /style news anchor) or your own words (/style speak slowly like a "
        "storyteller); /style off clears it."
    ),
    # A chat's own voices (core.app.voices)
    "voices.own": "This chat's own voices:\n{voices}",
    "voices.own.designed": "• {name} — designed: {description}",
    "voices.own.cloned": "• {name} — cloned from a recording",
    "voices.none": (
        "This chat has no voices of its own yet: /voice design NAME DESCRIPTION makes one from a "
        "description, and /voice clone NAME, as a reply to your own voice note, clones yours."
    ),
    "voices.sample_text": "Hello! I am {name}, the voice you designed. This is how I sound.",
    "voices.designed": "Voice {name} is ready; the voice note is how it sounds. Choose it with /voice {name}.",
    "voices.cloned": (
        "Voice {name} is cloned from your recording. Choose it with /voice {name}; "
        "/voice delete {name} deletes it and its sample."
    ),
    "voices.deleted": "Voice {name} is deleted, with anything stored for it.",
    "style.set": "Style set to: {style}",
    "style.cleared": "Style cleared: I will speak naturally.",
    "language.current": "Transcript language: {language}\nChoices: auto (detect), zh, en.",
    "language.set": "Transcript language set to {language}.",
    "autotranscribe.current": "Auto-transcribe is {state}. Use /autotranscribe on or off.",
    "autotranscribe.set": "Auto-transcribe is now {state}.",
    # Results
    "transcript.empty": "I could not hear any speech in that recording.",
    "transcript.file_caption": "Transcript ({duration}) — too long for a message, so here it is as a file.",
    "transcript.srt_caption": "Subtitles for {duration} of audio (.srt).",
    "transcript.progress.start": "Transcribing {total} of audio…",
    "transcript.progress": "{done} of {total} transcribed…",
    "transcript.progress.heard": "{heard} …",
    # Summaries and questions
    "usage.summary": (
        "Usage: /summary [window] [voice]. The window is a time such as 30m, 2h or 3d, or a number of messages such as 200; "
        "without one, I summarise what was said since the last summary (or in the last 24 hours). "
        "Add voice to get it as a voice note too. Administrators: /summary off stops logging this chat, /summary on resumes it."
    ),
    "usage.digest": (
        "Usage: /digest HH:MM [time zone], for example /digest 18:00 Europe/Berlin: a summary of the last 24 hours "
        "every day at that time. /digest off stops it. Changing it is for administrators."
    ),
    "summary.header": "Summary of the messages since {since} ({count}):",
    "summary.file_caption": "The summary — too long for a few messages, so here it is as a file.",
    "summary.nothing": (
        "There is nothing to summarise in that window. I summarise what I saw in this group — texts, captions and "
        "the voice notes I transcribed — and keep it for {days} days."
    ),
    "summary.nothing_logging_off": "Logging is off in this chat, so I have nothing to summarise. An administrator can turn it back on with /summary on.",
    "digest.header": "Daily digest of the messages since {since} ({count}):",
    "digest.on": "Daily digest at {time} ({zone}); the next one is due {next}. /digest off stops it.",
    "digest.off": "No daily digest in this chat. An administrator can start one with /digest HH:MM [time zone], for example /digest 18:00 Europe/Berlin.",
    "error.admins_only_command": "Only administrators can use /{command} in this chat.",
    "error.unknown_time_zone": "“{value}” is not a time zone I know. Use a name such as Europe/Berlin, America/New_York, Asia/Shanghai or UTC.",
    "error.too_long_to_ask": "That recording is too long to ask about: I can listen to about {limit} of audio at once.",
    # Crash safety: the bot was stopped in the middle of a request
    "work.interrupted": "Sorry, I was restarted while I was working on this and could not finish it. Please send it again.",
    # Errors
    "error.generic": "Sorry, something went wrong. Please try again in a moment.",
    "error.bad_input": "I did not understand that request.",
    "error.empty_text": "There is no text to speak.",
    "error.text_too_long": "That text is {length} characters long; the limit is {limit}.",
    "error.bad_choice": "“{value}” is not a valid {setting}. Choose one of: {choices}.",
    "error.admins_only": "Only administrators can change settings in this chat.",
    "error.nothing_to_process": "Reply to a message with /{command} to use it.",
    "error.unknown_command": "I do not know the command /{value}. /help lists the ones I have.",
    "error.bad_voice_name": "“{value}” cannot be a voice name: use one word of at most {limit} letters, digits, - or _.",
    "error.voice_name_taken": "“{value}” is already a voice here (names ignore case, and built-in voices keep theirs). Pick another name.",
    "error.unknown_voice": "This chat has no voice of its own called “{value}”. /voice lists them.",
    "error.too_many_voices": "This chat already has {limit} voices of its own; delete one with /voice delete NAME first.",
    "error.bad_voice_description": "Describe the voice in at most {limit} characters, for example: a calm, low narrator with a slight smile.",
    "error.not_your_recording": "Only the person who recorded a voice note can clone its voice, by replying to it with /voice clone NAME themselves.",
    "error.audio": "I could not process that audio.",
    "error.undecodable_audio": "I could not read that file as audio. Is it corrupt or in an unusual format?",
    "error.empty_audio": "That file has no audio to transcribe.",
    "error.audio_too_large": "That recording is too large: the limit is {limit}.",
    "error.mimo": "The speech service failed. Please try again later.",
    "error.mimo_auth": "The speech service rejected the bot's API key. The bot's owner needs to check it.",
    "error.mimo_balance": "The MiMo balance is used up. The bot's owner needs to top it up.",
    "error.mimo_filtered": "The speech service declined this content.",
    "error.mimo_bad_request": "The speech service could not handle this request.",
    "error.mimo_rate_limited": "The speech service is busy right now. Please try again in a minute.",
    "error.mimo_unavailable": "The speech service is not responding right now. Please try again in a few minutes.",
    "error.mimo_circuit_open": "The speech service (MiMo) is having trouble right now, so I am giving it a short break. Please try again in about {seconds} seconds.",
    "error.mimo_bad_response": "The speech service sent an answer I could not use. Please try again.",
    # Limits that protect the owner (core.app.limits)
    "limits.private": "Sorry, this bot is private.",
    "limits.reached": "This chat has reached a usage limit. Please try again later.",
    "limits.slow_down": "Slow down: at most {limit} requests a minute per person. Try again in {seconds} s.",
    "limits.chat_slow_down": "This chat has made its {limit} requests for this minute. Try again in {seconds} s.",
    "limits.auto_paused": "Too many recordings in this chat right now ({limit} a minute): I skip automatic transcripts for the next {seconds} s.",
    "limits.quota": "This chat has used its daily quota; try again in {reset}.",
    "limits.audio_quota": "This chat has used its daily {limit} of transcription; try again in {reset}.",
    "limits.audio_quota_short": "That recording is {needed} long, but this chat has only {left} of transcription left today (its daily limit is {limit}); try again in {reset}, or send a shorter one.",
    "limits.audio_over_quota": "That recording is {needed} long, more than this chat's daily {limit} of transcription.",
    "limits.speech_quota": "This chat has used its daily {limit} characters of speech; try again in {reset}.",
    "limits.speech_quota_short": "That text is {needed} characters long, but this chat has only {left} characters of speech left today (its daily limit is {limit}); try again in {reset}, or send a shorter one.",
    "limits.speech_over_quota": "That text is {needed} characters long, more than this chat's daily {limit} characters of speech.",
    "limits.summary_quota": "This chat has used its daily {limit} summaries; try again in {reset}.",
    "limits.ask_quota": "This chat has used its daily {limit} of recordings to ask about; try again in {reset}.",
    "limits.ask_quota_short": "That recording is {needed} long, but this chat has only {left} of recordings to ask about left today (its daily limit is {limit}); try again in {reset}, or ask about a shorter one.",
    "limits.ask_over_quota": "That recording is {needed} long, more than this chat's daily {limit} of recordings to ask about.",
    "limits.usage": "Used in this chat today (the day ends at midnight UTC, in {reset}):",
    "limits.usage.audio": "• Transcription: {used} of {limit} ({left} left)",
    "limits.usage.audio_unlimited": "• Transcription: {used} (no daily limit)",
    "limits.usage.speech": "• Speech: {used} of {limit} characters ({left} left)",
    "limits.usage.speech_unlimited": "• Speech: {used} characters (no daily limit)",
    "limits.usage.summaries": "• Summaries: {used} of {limit} ({left} left)",
    "limits.usage.summaries_unlimited": "• Summaries: {used} (no daily limit)",
    "limits.usage.ask": "• Questions about recordings: {used} of {limit} of audio ({left} left)",
    "limits.usage.ask_unlimited": "• Questions about recordings: {used} of audio (no daily limit)",
    "limits.usage.tokens": "• MiMo tokens: {total} ({prompt} in, {completion} out)",
    "limits.usage.user_rate": "• At most {limit} requests a minute per person",
    "limits.usage.chat_rate": "• At most {limit} requests a minute in this chat",
}

CATALOGUES: dict[str, dict[str, str]] = {"en": EN}


class Catalogue:
    """Sentences by locale and key. Layers (the core's, then an adapter's own) hold different
    keys; a locale without a key falls back to its English sentence."""

    def __init__(self, *layers: Mapping[str, Sentences]) -> None:
        self._layers = layers

    def extended(self, layer: Mapping[str, Sentences]) -> Catalogue:
        """This catalogue with `layer`'s sentences (an adapter's own) added."""
        return Catalogue(*self._layers, layer)

    def text(self, key: str, locale: str = "en", **params: Any) -> str:
        """The sentence for `key` in `locale` (falling back to English), filled with `params`."""
        template = self._find(key, locale) or self._find(key, "en")
        if template is None:
            raise KeyError(key)
        return template.format(**params) if params else template

    def _find(self, key: str, locale: str) -> str | None:
        for layer in self._layers:
            found = layer.get(locale, {}).get(key)
            if found:
                return found
        return None


CORE = Catalogue(CATALOGUES)
text = CORE.text
