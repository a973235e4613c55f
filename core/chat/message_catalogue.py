"""Every sentence the bot says to a chat, in one catalogue: keys and English.

Handlers never write user-facing strings themselves: they ask `text(key, locale, **params)`,
and the translations in `core/chat/locales` do the rest (`core.chat.i18n`). A sentence whose
words depend on a number is a `Plural` naming that number's parameter; parameters are values
(`int`, `core.domain.quantities`), formatted for the reader.

This catalogue holds what both platforms say, the built-in voices' descriptions and the style
presets' names; what the bot says in and about a voice channel (the channel reader, a listened
call) is its own layer (`core.chat.voice_channel_wording`). What only one platform says lives beside its adapter
(`bots/telegram/telegram_wording.py`, `bots/discord/discord_wording.py`), which extends this one
(`Catalogue.extended`): the same keys, the same lookup, the same translation files.
"""

from __future__ import annotations

from core.chat.i18n import Catalogue, Plural, Source
from core.chat.voice_channel_wording import VOICE_CHANNELS
from core.domain.voices.preset_voices import ALL_VOICES
from core.domain.voices.speaking_style_rules import STYLE_PRESETS

__all__ = ["CORE", "EN", "text"]

EN: dict[str, Source] = {
    # Overview
    "settings": (
        "Settings for this chat:\n"
        "• Voice: {voice}\n"
        "• Style: {style}\n"
        "• Transcript language: {language}\n"
        "• Bot language: {bot_language}\n"
        "• Auto-transcribe: {auto_transcribe}\n"
        "• Speech model: {tts_model}"
    ),
    # value.none: a chat's style when it has none; value.on/off: the auto-transcribe state, in
    # every place it is shown. A value shown where its grammar differs gets its own entry
    # (business.transcripts.on), not this one.
    "value.none": "none",
    "value.on": "on",
    "value.off": "off",
    "value.language": "{name} ({code})",
    "value.language_auto": "detected automatically (auto)",
    "value.bot_language_auto": "auto (now {language})",
    # What a setting is called in error.bad_choice
    "setting.voice": "voice",
    "setting.language": "transcript language",
    "setting.auto_transcribe": "auto-transcribe value",
    "setting.transcript_format": "transcript format",
    "setting.bot_language": "bot language",
    "setting.gist_minutes": "length for automatic gists, in minutes",
    # Preferences
    "voice.current": "Current voice: {voice}\n\nAvailable voices:\n{choices}\n\nChoose one with /voice NAME.",
    "voice.set": "Voice set to {voice}.",
    "style.current": (
        "Current style: {style}\n\nPresets: {presets}.\nSet one with /style TEXT: a preset "
        "(/style happy, /style news anchor) or your own words (/style speak slowly like a "
        "storyteller); /style off clears it."
    ),
    # A chat's own voices (core.app.voices.own_voices)
    "voices.own": "This chat's own voices:\n{voices}",
    "voices.own.designed": "• {name} — designed: {description}",
    "voices.own.cloned_shared": "• {name} — cloned from a recording, shared with this chat by its owner",
    "voices.own.cloned_unshared": "• {name} — cloned from a recording, not shared: it speaks only its owner's own words",
    "voices.shared": (
        "Your voice {name} is now shared with this chat: it can be the chat's voice, and read "
        "messages and summaries aloud. Stop sharing it whenever you like: the chat's default "
        "voice speaks instead at once."
    ),
    "voices.unshared": (
        "Your voice {name} is no longer shared: it speaks only your own words again, and "
        "wherever it was this chat's voice, everyone else hears the default voice instead."
    ),
    "settings.cloned": "• Cloned voices: {voices}",
    "value.shared": "{name} (shared)",
    "value.unshared": "{name} (not shared)",
    "error.not_your_voice": "Only the person a voice was cloned from can share it or stop sharing it, and “{value}” is not one of your cloned voices here.",
    "error.voice_not_shared": "“{value}” is cloned from someone's own voice, and they have not shared it with this chat: only its owner can share it, and until then it cannot be the chat's voice.",
    "voices.none": (
        "This chat has no voices of its own yet: /voice design NAME DESCRIPTION makes one from a "
        "description, and /voice clone NAME clones yours once you read aloud the sentence I show."
    ),
    "voices.sample_text": "Hello! I am {name}, the voice you designed. This is how I sound.",
    "voices.designed": "Voice {name} is ready, and the voice note is a sample of how it sounds. Choose it with /voice {name}.",
    "voices.cloned": (
        "Voice {name} is cloned from your recording. Choose it with /voice {name}; "
        "/voice delete {name} deletes it and its sample."
    ),
    "voices.deleted": "Voice {name} and everything stored with it are deleted.",
    # Spoken consent (core.app.voices.clone_consent)
    "voices.consent.read": "To clone your voice, read this sentence aloud, the digits at its end one by one, and send it as a new voice note, here or in our private chat, within {wait}:\n\n{sentence}",
    "voices.consent.sentence": "I am {name}, and I agree that voicebridge may speak in my voice in this chat. {words}",
    "voices.consent.sentence_server": "I am {name}, and I agree that voicebridge may speak in my voice on this server. {words}",
    # The random digits that end the sentence ({words}, drawn by core.domain.voices.consent_digits):
    # three groups, each one's digits apart ("6 2 9 0"), separated as the language separates
    # the items of a list.
    "voices.consent.digit_groups": "{first}, {second}, {third}",
    "voices.consent.english": "MiMo's speech recognition is made for Chinese and English. If it does not hear your language well, read this English sentence instead; either one counts:\n\n{sentence}",
    "voices.own.cloned_unverified": "• {name} — cloned before spoken consent, not verified: it speaks only its owner's own words until they clone it again under this name, reading the sentence I show",
    "error.consent.refused": "That voice note cannot be used to clone a voice.",
    "error.consent.forwarded": "That voice note was forwarded: record the sentence yourself, as a new voice note.",
    "error.consent.via_bot": "That voice note was sent through a bot: record the sentence yourself, as a new voice note.",
    "error.consent.copied": "That voice note is a copy of someone else's recording: record the sentence yourself, as a new voice note.",
    "error.consent.too_old": "That voice note is older than your request: record the sentence now, as a new voice note.",
    "error.consent.sentence": "I did not hear the sentence in that voice note: read it as shown and send it again.",
    "error.consent.digits": "The digits at the end were incomplete, wrong or out of order: read them one by one, as shown, and send the sentence again.",
    "error.voice_not_verified": "“{value}” was cloned before voices needed their owner's spoken consent, so it speaks only your own words: clone it again under the same name, reading the sentence I show, to verify it; then you can share it.",
    "error.anonymous_caller": "Please send that from your own account, not as the group's anonymous administrator: I need to know which person is asking.",
    "error.clone_attempts_used": Plural(
        "You have asked to clone a voice {limit} time today, the most a day allows; try again in {wait}.",
        "You have asked to clone a voice {limit} times today, the most a day allows; try again in {wait}.",
        count="limit",
    ),
    "usage.clone_attempts": "• Your attempts at cloning your voice today: {used} of {limit}",
    "style.set": "Style set to: {style}",
    "style.cleared": "Style cleared: I will speak naturally.",
    "language.current": "Transcript language: {language}\nChange it with /language auto, zh or en (auto: detected for each recording).",
    "language.set": "Transcript language set to {language}.",
    "autotranscribe.current": "Auto-transcribe is {state}. Use /autotranscribe on or off.",
    "autotranscribe.set": "Auto-transcribe is now {state}.",
    "botlanguage.current": (
        "Bot language here: {language}.\n"
        "I answer each person in their own app's language; this one is for what I post for everyone "
        "(automatic transcripts, digests, notices) and for people whose language I do not speak.\n"
        "Choices: {choices}.\n"
        "Change it with /botlanguage LANGUAGE, for example /botlanguage 简体中文; /botlanguage auto makes it automatic again."
    ),
    "botlanguage.set": "Bot language here is now {language}: what I post for everyone is in it. I still answer each person in their own app's language.",
    "botlanguage.cleared": "Bot language here is automatic again (now {language}). I answer each person in their own app's language either way.",
    # Results
    "transcript.empty": "I could not hear any speech in that recording.",
    "transcript.deleted": "That message was deleted while I was transcribing it, so its transcript is neither shown nor kept.",
    # What was made from words that went away while MiMo wrote it is not sent (core.app.rules.outgoing_check):
    # a message deleted, what the chat keeps forgotten with /forget, or a member's no.
    "gone.answer": (
        "Part of what I was answering from was deleted, forgotten with /forget or taken back by its speaker "
        "while I wrote the answer, so I have not sent it. Ask again to be answered from what is still kept."
    ),
    "gone.summary": (
        "Part of what I was summarising was deleted, forgotten with /forget or taken back by its speaker "
        "while I wrote the summary, so I have not sent it. Ask again for a summary of what is still here."
    ),
    "gone.recording": (
        "That recording was deleted, or what I keep here was forgotten with /forget, while I worked on it, "
        "so I have not sent what I made of it."
    ),
    "transcript.file_caption": "Transcript ({duration}) — too long for a message, so here it is as a file.",
    "transcript.srt_caption": "Subtitles (.srt) of the recording ({duration}).",
    "transcript.progress.start": "Transcribing the recording ({total})…",
    "transcript.progress": "{done} of {total} transcribed…",
    "transcript.progress.heard": "{heard} …",
    # A status while the work waits for its use of the account's minute at MiMo (`core.chat.
    # status_messages.waiting_line`): how many requests go before it, and once none does.
    "mimo.waiting": Plural(
        "Waiting for MiMo: {count} request ahead…",
        "Waiting for MiMo: {count} requests ahead…",
        count="count",
    ),
    "mimo.waiting.next": "Waiting for MiMo: yours goes next…",
    # The gist of one recording (/tldr)
    "gist.headline": "In short: {headline}",
    "gist.points": "Points",
    "gist.decisions": "Decisions",
    "gist.actions": "Action items",
    "gist.transcript_caption": "The whole transcript ({duration}), with the time of each part.",
    # Translations (/translate, /autotranslate)
    "autotranslate.marker": "Translation ({language}):",
    "translate.not_spoken": "I can speak translations only in Chinese or English, so here it is as text.",
    "voices.translations_on": "Your own voice in this chat now speaks translations of your words (/translate LANGUAGE voice). /voicetranslations off stops it.",
    "voices.translations_off": "Translations of your words are spoken in the chat's voice again, not in yours.",
    "error.no_own_voice": "You have no voice of your own in this chat yet: /voice clone NAME makes one once you read aloud the sentence I show.",
    "autotranslate.is_on": "Transcripts here also get their translation into {language}. /autotranslate off stops it.",
    "autotranslate.is_off": "Transcripts here get no automatic translation. An administrator can start it with /autotranslate LANGUAGE, for example /autotranslate en.",
    "gist.auto_on": "Recordings here of {length} or longer also get their gist below the transcript. /tldr auto off stops it.",
    "gist.auto_off": "Recordings here get no automatic gist. An administrator can start it with /tldr auto MINUTES, for example /tldr auto 10.",
    "translate.unknown_language": "“{value}” is not a language I can translate into. Use a code such as en, zh or it, or a language's name.",
    # Summaries and questions
    "usage.summary": (
        "Usage: /summary [window] [voice]. The window is a time such as 30m, 2h or 3d, or a number of messages such as 200; "
        "without one, I summarise what was said since the last summary (or in the last 24 hours). "
        "Add voice to get it as a voice note too. Administrators: /summary off stops logging this chat, /summary on resumes it."
    ),
    "summary.header": Plural(
        "Summary of {count} message since {since}:",
        "Summary of {count} messages since {since}:",
        count="count",
    ),
    "summary.file_caption": "The summary — too long for a few messages, so here it is as a file.",
    # Voice memory (core.app.memory.chat_search): /find WORDS, and /ask QUESTION without a recording. In
    # find.moment*, {who} is a name, {when} a date and time, {at} a time inside a recording or
    # call (0:42), {channel} a voice channel, {said} the sentence found; find.open labels a link.
    "find.usage": "Find where something was said here, in voice notes, recordings and calls: /find WORDS, for example /find invoice.",
    "find.heading": "Where “{words}” was said, newest first ({first}–{last}; times in {zone}):",
    "find.none": Plural(
        "Nothing I kept here from the last {days} day has “{words}”. I keep the transcripts of voice notes, recordings and calls for {days} day.",
        "Nothing I kept here from the last {days} days has “{words}”. I keep the transcripts of voice notes, recordings and calls for {days} days.",
        count="days",
    ),
    "find.no_more": "Nothing more has “{words}”.",
    "find.moment": "{who}, {when}: {said}",
    "find.moment_at": "{who}, {when}, {at} into the recording: {said}",
    "find.moment_call": "{who}, {when}, {at} into the call in {channel}: {said}",
    "find.someone": "someone",
    "find.open": "open",
    "find.next": "Next ›",
    "find.previous": "‹ Previous",
    "memory.nothing_kept": Plural(
        "Nothing I kept here from the last {days} day speaks of that, so I cannot answer it. I keep the transcripts of voice notes, recordings and calls for {days} day.",
        "Nothing I kept here from the last {days} days speaks of that, so I cannot answer it. I keep the transcripts of voice notes, recordings and calls for {days} days.",
        count="days",
    ),
    "memory.cited": "Said here:",
    "summary.nothing": Plural(
        "There is nothing to summarise in that window. I summarise what I saw in this group — texts, captions and "
        "the voice notes I transcribed — and keep it for {days} day.",
        "There is nothing to summarise in that window. I summarise what I saw in this group — texts, captions and "
        "the voice notes I transcribed — and keep it for {days} days.",
        count="days",
    ),
    "digest.header": Plural(
        "Daily digest of {count} message since {since}:",
        "Daily digest of {count} messages since {since}:",
        count="count",
    ),
    "error.admins_only_command": "Only administrators can use /{command} in this chat.",
    "error.unknown_time_zone": "“{value}” is not a time zone I know. Use a name such as Europe/Berlin, America/New_York, Asia/Shanghai or UTC.",
    "error.too_long_to_ask": "That recording is too long to ask about: I can listen to about {limit} of audio at once.",
    # Crash safety: the bot was stopped in the middle of a request
    "work.interrupted": "Sorry, I was restarted while I was working on this and could not finish it. Please send it again.",
    # Errors
    "error.generic": "Sorry, something went wrong. Please try again in a moment.",
    "error.bad_input": "I did not understand that request.",
    "error.empty_text": "There is no text to speak.",
    "error.text_too_long": Plural(
        "That text is {length} character long; the limit is {limit}, set by the bot's owner ({setting}).",
        "That text is {length} characters long; the limit is {limit}, set by the bot's owner ({setting}).",
        count="length",
    ),
    "error.style_too_long": Plural(
        "That style is {length} character long; the limit is {limit}.",
        "That style is {length} characters long; the limit is {limit}.",
        count="length",
    ),
    "error.bad_choice": "“{value}” is not a valid {setting}. Choose one of: {choices}.",
    "error.admins_only": "Only administrators can change settings in this chat.",
    "error.nothing_to_process": "Reply to a message with /{command} to use it.",
    "error.bad_voice_name": Plural(
        "“{value}” cannot be a voice name: use one word of at most {limit} letter, digit, - or _.",
        "“{value}” cannot be a voice name: use one word of at most {limit} letters, digits, - or _.",
        count="limit",
    ),
    "error.voice_name_taken": "“{value}” is taken: this chat or the speech service already has a voice of that name (names ignore case). Pick another name.",
    "error.unknown_voice": "This chat has no voice of its own called “{value}”. /voice lists them.",
    "error.too_many_voices": Plural(
        "This chat already has {limit} voice of its own; delete one with /voice delete NAME first.",
        "This chat already has {limit} voices of its own; delete one with /voice delete NAME first.",
        count="limit",
    ),
    "error.bad_voice_description": Plural(
        "Describe the voice in at most {limit} character, for example: a calm, low narrator with a slight smile.",
        "Describe the voice in at most {limit} characters, for example: a calm, low narrator with a slight smile.",
        count="limit",
    ),
    "error.not_your_recording": "Only the person who recorded a voice note can clone its voice, by replying to it with /voice clone NAME themselves.",
    "error.audio": "I could not process that audio.",
    "error.undecodable_audio": "I could not read that file as audio. Is it corrupt or in an unusual format?",
    "error.empty_audio": "That file has no audio to transcribe.",
    "error.audio_too_large": "That recording is too large: the limit is {limit}.",
    # Over a limit the operator sets ({setting}: MAX_AUDIO_SECONDS, MAX_AUDIO_MB), named for them.
    "error.audio_too_long": "That recording is longer than {limit}, the limit set by the bot's owner ({setting}).",
    "error.file_too_large": "That file is larger than {limit}, the limit set by the bot's owner ({setting}).",
    "error.mimo": "The speech service failed. Please try again later.",
    "error.mimo_auth": "The speech service rejected the bot's API key. The bot's owner needs to check it.",
    "error.mimo_balance": "The MiMo balance is used up. The bot's owner needs to top it up.",
    "error.mimo_filtered": "The speech service declined this content.",
    "error.mimo_bad_request": "The speech service could not handle this request.",
    "error.mimo_model_refused": "The speech service no longer accepts the model this bot is set to use ({model}). The bot's owner needs to change {setting}.",
    "error.mimo_rate_limited": "The speech service is busy right now. Please try again in a minute.",
    "error.mimo_unavailable": "The speech service is not responding right now. Please try again in a few minutes.",
    "error.mimo_circuit_open": "The speech service (MiMo) is having trouble right now, so I am giving it a short break. Please try again in about {wait}.",
    "error.mimo_bad_response": "The speech service sent an answer I could not use. Please try again.",
    # Limits that protect the owner (core.app.rules.limits)
    "limits.private": "Sorry, this bot is private.",
    # Why a call or a reading kept through a restart was not taken up: the operator changed
    # who the bot serves (ALLOWED_CHATS, ALLOWED_USERS) meanwhile.
    "limits.no_longer_served": "Neither this server nor the member who started it is among those I serve any more.",
    "limits.reached": "This chat has reached a usage limit. Please try again later.",
    "limits.slow_down": Plural(
        "Slow down: at most {limit} request a minute per person. Try again in {wait}.",
        "Slow down: at most {limit} requests a minute per person. Try again in {wait}.",
        count="limit",
    ),
    "limits.chat_slow_down": Plural(
        "This chat has made its {limit} request for this minute. Try again in {wait}.",
        "This chat has made its {limit} requests for this minute. Try again in {wait}.",
        count="limit",
    ),
    "limits.auto_paused": "Too many recordings in this chat right now (more than {limit} a minute): I skip automatic transcripts for the next {wait}.",
    "limits.auto_paused_person": "You send more recordings than I transcribe for one person (more than {limit} a minute): I skip your automatic transcripts for the next {wait}.",
    "limits.quota": "This chat has used its daily quota; try again in {reset}.",
    "limits.audio_quota": "This chat has used all of today's transcription time (its daily limit is {limit}); try again in {reset}.",
    "limits.audio_quota_short": "That recording is {needed} long, but this chat has only {left} of transcription left today (its daily limit is {limit}); try again in {reset}, or send a shorter one.",
    "limits.audio_over_quota": "That recording is {needed} long, more than this chat may transcribe in a day ({limit}).",
    "limits.speech_quota": Plural(
        "This chat has used all of today's speech (its daily limit is {limit} character); try again in {reset}.",
        "This chat has used all of today's speech (its daily limit is {limit} characters); try again in {reset}.",
        count="limit",
    ),
    "limits.speech_quota_short": Plural(
        "That text is {needed} character long, but this chat can speak only {left} more today (its daily limit is {limit}); try again in {reset}, or send a shorter one.",
        "That text is {needed} characters long, but this chat can speak only {left} more today (its daily limit is {limit}); try again in {reset}, or send a shorter one.",
        count="needed",
    ),
    "limits.speech_over_quota": Plural(
        "That text is {needed} character long, more than this chat may speak in a day ({limit}).",
        "That text is {needed} characters long, more than this chat may speak in a day ({limit}).",
        count="needed",
    ),
    "limits.summary_quota": Plural(
        "This chat has used all of today's summaries (its daily limit is {limit} summary); try again in {reset}.",
        "This chat has used all of today's summaries (its daily limit is {limit} summaries); try again in {reset}.",
        count="limit",
    ),
    "limits.ask_quota": "This chat has used all of today's time for questions about recordings (its daily limit is {limit} of audio); try again in {reset}.",
    "limits.ask_quota_short": "That recording is {needed} long, but this chat can ask about only {left} more today (its daily limit is {limit} of audio); try again in {reset}, or ask about a shorter one.",
    "limits.ask_over_quota": "That recording is {needed} long, more than this chat may ask about in a day ({limit}).",
    "limits.person_audio_quota": "You have used all of your transcription time for today, all chats together (each person may have {limit} a day); try again in {reset}.",
    "limits.person_audio_quota_short": "That recording is {needed} long, but you have only {left} of transcription left today, all chats together (each person may have {limit} a day); try again in {reset}, or send a shorter one.",
    "limits.person_speech_quota": Plural(
        "You have used all of your speech for today, all chats together (each person may have {limit} character a day); try again in {reset}.",
        "You have used all of your speech for today, all chats together (each person may have {limit} characters a day); try again in {reset}.",
        count="limit",
    ),
    "limits.person_speech_quota_short": Plural(
        "That text is {needed} character long, but you can have only {left} more spoken today, all chats together (each person may have {limit} a day); try again in {reset}, or send a shorter one.",
        "That text is {needed} characters long, but you can have only {left} more spoken today, all chats together (each person may have {limit} a day); try again in {reset}, or send a shorter one.",
        count="needed",
    ),
    "limits.budget_audio": "I have transcribed all I may today, every chat together: I rest until tomorrow (in {reset}).",
    "limits.budget_speech": "I have spoken all I may today, every chat together: I rest until tomorrow (in {reset}).",
    "limits.listen_quota": "This server has used all of today's listening in voice channels (its daily limit is {limit}); I listen again in {reset}.",
    "limits.listen_starter": "The member who started this listening has used all of their transcription time for today, all chats together (each person may have {limit} a day), so I stop listening here. Someone else may start it again.",
    "limits.usage": "Used in this chat today (the day ends at midnight UTC, in {reset}):",
    "limits.usage.audio": "• Transcription: {used} of {limit} ({left} left)",
    "limits.usage.audio_unlimited": "• Transcription: {used} (no daily limit)",
    "limits.usage.listen": "• Listening in voice channels: {used} of {limit} ({left} left)",
    "limits.usage.listen_unlimited": "• Listening in voice channels: {used} (no daily limit)",
    "limits.usage.speech": Plural(
        "• Speech: {used} of {limit} character ({left} left)",
        "• Speech: {used} of {limit} characters ({left} left)",
        count="limit",
    ),
    "limits.usage.speech_unlimited": Plural(
        "• Speech: {used} character (no daily limit)",
        "• Speech: {used} characters (no daily limit)",
        count="used",
    ),
    "limits.usage.summaries": "• Summaries: {used} of {limit} ({left} left)",
    "limits.usage.summaries_unlimited": "• Summaries: {used} (no daily limit)",
    "limits.usage.ask": "• Questions about recordings: {used} of {limit} of audio ({left} left)",
    "limits.usage.ask_unlimited": "• Questions about recordings: {used} of audio (no daily limit)",
    "limits.usage.person_audio": "• Yours, all chats together: {used} of {limit} of transcription",
    "limits.usage.person_speech": Plural(
        "• Yours, all chats together: {used} of {limit} character of speech",
        "• Yours, all chats together: {used} of {limit} characters of speech",
        count="limit",
    ),
    "limits.usage.tokens": "• MiMo tokens: {total} ({prompt} in, {completion} out)",
    "limits.usage.user_rate": Plural(
        "• At most {limit} request a minute per person",
        "• At most {limit} requests a minute per person",
        count="limit",
    ),
    "limits.usage.chat_rate": Plural(
        "• At most {limit} request a minute in this chat",
        "• At most {limit} requests a minute in this chat",
        count="limit",
    ),
}

# What the preset voices are like (core.domain.voices.preset_voices), and the style presets' names
# (core.domain.voices.speaking_style_rules), shown in the reader's language (a user may type a style preset's name in
# any of them: `core.chat.style_preset_names.preset_named`).
VOICE_DESCRIPTIONS: dict[str, Source] = {voice.key: voice.description for voice in ALL_VOICES}
PRESET_NAMES: dict[str, Source] = {f"style.preset.{name}": name for name in STYLE_PRESETS}

CORE = Catalogue(EN, VOICE_CHANNELS, VOICE_DESCRIPTIONS, PRESET_NAMES)
text = CORE.text
