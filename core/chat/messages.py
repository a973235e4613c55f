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
        "/transcribe [srt] — as a reply to audio: its transcript (srt: as subtitles)\n"
        "/say TEXT — speak TEXT as a voice note (or reply to a message with /say)\n"
        "/ask QUESTION — as a reply to audio: answer a question about it (in a private chat, a voice note or audio with a caption asks that question)\n"
        "/voice [NAME] — show or choose the voice\n"
        "/voice design NAME DESCRIPTION — a voice of this chat's own, made from your description\n"
        "/voice clone NAME — as a reply to your own voice note: a voice cloned from it\n"
        "/voice delete NAME — delete one of this chat's own voices\n"
        "/style [TEXT|off] — show or set the speaking style, e.g. /style happy\n"
        "/language [auto|zh|en] — the language of transcripts\n"
        "/autotranscribe [on|off] — transcribe every voice note automatically\n"
        "/settings — this chat's settings\n"
        "/usage — what this chat used today, and what is left\n"
        "/summary [2h|3d|200] [voice] — in a group: a summary of what was said, voice notes included\n"
        "/digest [HH:MM [time zone]|off] — a daily summary at that time\n"
        "/forget — delete everything stored for this chat\n\n"
        "In groups, only administrators change settings, start digests, turn logging off (/summary off) or use /forget."
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
    "usage.voice_design": (
        "Usage: /voice design NAME DESCRIPTION, for example "
        "/voice design Narrator a calm, low narrator with a slight smile."
    ),
    "usage.voice_clone": "Reply to a voice note you recorded yourself with /voice clone NAME.",
    "usage.voice_delete": "Usage: /voice delete NAME (/voice lists this chat's voices).",
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
    "usage.transcribe": "Reply to a voice note, audio or video with /transcribe (or /transcribe srt for subtitles).",
    "usage.say": "Tell me what to say: /say TEXT, or reply to a message with /say.",
    "usage.ask": "Reply to a voice note, audio or video with /ask QUESTION.",
    # Discord
    "discord.help": (
        "Commands:\n"
        "/say text — speak the text as a voice message (in_voice_channel: also play it in your voice channel)\n"
        "/transcribe attachment [format] — the transcript of an audio or video file (as text or .srt subtitles)\n"
        "/ask attachment question — answer a question about a recording\n"
        "/voice [name] — show or choose the voice\n"
        "/design_voice name description — a voice of this server's own, made from your description\n"
        "/delete_voice name — delete one of this server's own voices\n"
        "/style [text] — show or set the speaking style, e.g. happy or whisper; off clears it\n"
        "/language [auto|zh|en] — the language of transcripts\n"
        "/autotranscribe [on|off|inherit] [scope] — transcribe voice messages automatically, in the whole server or in this channel only\n"
        "/settings — the settings here\n"
        "/usage — what this server (or you, in direct messages) used today, and what is left\n"
        "/summary [window] [voice] — a summary of this channel's recent messages (window: 2h, 3d or 200 messages)\n"
        "/forget — delete everything I stored for this server (or for you, in direct messages)\n\n"
        "On any message: Apps → Transcribe (its audio or video), Read aloud (its text) or Ask about this audio; "
        "on your own voice message, Apps → Clone this voice.\n"
        "Changing a server's settings or using /forget needs the Manage Server permission; in direct messages the settings are yours."
    ),
    "discord.settings.channel": "• Auto-transcribe in this channel: {state} ({source})",
    "discord.source.channel": "set for this channel",
    "discord.source.server": "follows the server",
    "discord.autotranscribe.channel_set": "Auto-transcribe in this channel is now {state}, whatever the server setting.",
    "discord.autotranscribe.channel_inherit": "This channel follows the server's auto-transcribe setting again.",
    "discord.error.manage_server": "Changing this server's settings needs the Manage Server permission.",
    "discord.not_recording": "That message has no audio or video attachment to transcribe.",
    "discord.not_audio": "That file is not audio or video.",
    "discord.nothing_to_ask": "That message has no audio or video attachment to ask about.",
    "discord.ask.title": "Ask about this audio",
    "discord.voices.none": (
        "No voices of this server's own yet: /design_voice makes one from a description, and "
        "Apps → Clone this voice, on a voice message you recorded, clones yours."
    ),
    "discord.clone.title": "Clone this voice",
    "discord.clone.label": "A name for the voice",
    "discord.clone.no_voice_message": (
        "That message has no voice message to clone. Record one in Discord, then use "
        "Apps → Clone this voice on it."
    ),
    "discord.ask.label": "Your question",
    "discord.ask.placeholder": "What is agreed in this recording?",
    "discord.usage.summary": (
        "Usage: /summary [window] [voice]. The window is a time such as 30m, 2h or 3d, or a number of messages such as 200; "
        "without one, I summarise this channel since the last summary (or the last 24 hours). "
        "Set voice to get it as a voice message too."
    ),
    "discord.summary.nothing": "There is nothing to summarise in that window of this channel.",
    "discord.error.manage_server_command": "/{command} in a server needs the Manage Server permission.",
    "discord.forget.done": (
        "Done: I deleted everything I stored here — the settings, the channels' own settings, "
        "where the last summary ended, the server's own voices with their samples and past days' usage counts (today's still count towards the daily limits). I keep no copy of your messages: /summary reads them from Discord each time."
    ),
    "discord.voice.unavailable": (
        "Playing speech in voice channels is not enabled on this bot. Its owner can enable it by "
        "installing the voice extra (pip install 'voicebridge[voice]', which adds PyNaCl and davey) "
        "and restarting the bot."
    ),
    "discord.voice.join_first": "Join a voice channel first, then ask again with in_voice_channel.",
    "discord.voice.busy": "I am already speaking in a voice channel in this server; try again when I have finished.",
    "discord.voice.played": "Played in {channel}.",
    "discord.voice.failed": "I could not play it in {channel}: the voice connection failed.",
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
    "summary.logging_on": "Logging is on: I keep this group's messages, captions and voice-note transcripts for {days} days, for /summary.",
    "summary.logging_off": "Logging is off: I no longer store this group's messages. What is already stored is deleted after {days} days, or right away with /forget.",
    "summary.private_chat": "Summaries are for group chats: add me to a group (with privacy mode off, or as an administrator) and use /summary there.",
    "digest.header": "Daily digest of the messages since {since} ({count}):",
    "digest.on": "Daily digest at {time} ({zone}); the next one is due {next}. /digest off stops it.",
    "digest.off": "No daily digest in this chat. An administrator can start one with /digest HH:MM [time zone], for example /digest 18:00 Europe/Berlin.",
    "forget.done": (
        "Done: I deleted everything I stored for this chat — the logged messages and transcripts ({count}), "
        "the summary settings and digest, the chat's preferences, its own voices with their samples and past days' usage counts (today's still count towards the daily limits)."
    ),
    "forget.logging_continues": "New messages in this group are logged again from now on; /summary off stops that.",
    "error.admins_only_command": "Only administrators can use /{command} in this chat.",
    "error.unknown_time_zone": "“{value}” is not a time zone I know. Use a name such as Europe/Berlin, America/New_York, Asia/Shanghai or UTC.",
    "error.too_long_to_ask": "That recording is too long to ask about: I can listen to about {limit} of audio at once.",
    # Crash safety: the bot was stopped in the middle of a request
    "work.interrupted": "Sorry, I was restarted while I was working on this and could not finish it. Please send it again.",
    "discord.work.interrupted": "{user} Sorry, I was restarted while I was working on your command and could not finish it. Please run it again.",
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
    "limits.usage": "Used in this chat today (the day ends at midnight UTC, in {reset}):",
    "limits.usage.audio": "• Transcription: {used} of {limit} ({left} left)",
    "limits.usage.audio_unlimited": "• Transcription: {used} (no daily limit)",
    "limits.usage.speech": "• Speech: {used} of {limit} characters ({left} left)",
    "limits.usage.speech_unlimited": "• Speech: {used} characters (no daily limit)",
    "limits.usage.summaries": "• Summaries: {used} of {limit} ({left} left)",
    "limits.usage.summaries_unlimited": "• Summaries: {used} (no daily limit)",
    "limits.usage.tokens": "• MiMo tokens: {total} ({prompt} in, {completion} out)",
    "limits.usage.user_rate": "• At most {limit} requests a minute per person",
    "limits.usage.chat_rate": "• At most {limit} requests a minute in this chat",
}

CATALOGUES: dict[str, dict[str, str]] = {"en": EN}


def text(key: str, locale: str = "en", **params: Any) -> str:
    """The sentence for `key` in `locale` (falling back to English), filled with `params`."""
    template = CATALOGUES.get(locale, EN).get(key) or EN[key]
    return template.format(**params) if params else template
