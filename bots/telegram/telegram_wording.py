"""What only the Telegram adapter says: its start and help (the list of commands, followed by
the entries on gists and translations, on sharing a cloned voice and on recall, in that order:
`help_text`), its commands' descriptions and usage lines, automatic gists (/tldr auto),
logging, digests and /forget in groups, and the Bot API's download cap. What both platforms say
is the core's catalogue (`core.chat.message_catalogue`), which this one extends: the same keys,
the same lookup, the same translation files. The core's sentences that show how to type a
command are in Telegram's syntax already (`/voice NAME`); Discord says them in its own
(`bots.discord.discord_wording`).
"""

from __future__ import annotations

from core.chat.i18n import Plural, Source
from core.chat.message_catalogue import CORE

__all__ = ["CATALOGUE", "COMMAND_DESCRIPTIONS", "EN", "help_text", "text"]

# The command menu (setMyCommands), in its order; each description is translated as
# `telegram.command.<name>`.
COMMAND_DESCRIPTIONS: dict[str, str] = {
    "transcribe": "Transcript of the audio you reply to",
    "say": "Speak text as a voice note",
    "ask": "Ask about the audio you reply to",
    "find": "Find where something was said in voice notes and calls",
    "tldr": "The gist of the recording you reply to, with times",
    "translate": "Translate the message or recording you reply to",
    "autotranslate": "Also translate every transcript here: /autotranslate en, off",
    "voicetranslations": "Let your own cloned voice speak translations of your words: on, off",
    "voice": "Show or choose the voice",
    "style": "Show or set the speaking style",
    "language": "Transcript language: auto, zh, en",
    "botlanguage": "The language I post in for everyone here",
    "autotranscribe": "Transcribe voice notes automatically: on, off",
    "usage": "What this chat used today, and what is left",
    "summary": "Summary of this group's recent messages: /summary 2h, 3d, 200, voice",
    "digest": "Daily summary at a set time: /digest 18:00 Europe/Berlin, off",
    "forget": "Delete everything stored for this chat (administrators)",
    "business": "Transcripts of voice notes in your own chats (Telegram Business)",
    "settings": "This chat's settings",
    "help": "What I can do",
    "start": "Start: what this bot does",
}

EN: dict[str, Source] = {
    "start": (
        "Hi! I turn voice notes into text and text into voice notes, powered by Xiaomi MiMo.\n\n"
        "• Send a voice note, audio, round video or video: I reply with the transcript.\n"
        "• /say TEXT (or /say as a reply to a message): I answer with a voice note.\n"
        "• /settings shows this chat's voice, style, language and auto-transcribe.\n\n"
        "/help lists every command."
    ),
    "help": (
        "Commands:\n"
        "/transcribe [txt|srt] — as a reply to audio: its transcript (txt: as a file, srt: as subtitles)\n"
        "/say TEXT — speak TEXT as a voice note (or reply to a message with /say)\n"
        "/ask QUESTION — as a reply to audio: answer a question about it (in a private chat, a voice note or audio with a caption asks that question)\n"
        "/voice [NAME] — show or choose the voice\n"
        "/voice design NAME DESCRIPTION — a voice of this chat's own, made from your description\n"
        "/voice clone NAME — a voice cloned from yours, once you read aloud the sentence I show\n"
        "/voice delete NAME — delete one of this chat's own voices\n"
        "/style [TEXT|off] — show or set the speaking style, e.g. /style happy\n"
        "/language [auto|zh|en] — the language of transcripts\n"
        "/botlanguage [LANGUAGE|auto] — the language I post in for everyone here (I answer each of you in your own)\n"
        "/autotranscribe [on|off] — transcribe every voice note automatically\n"
        "/settings — this chat's settings\n"
        "/usage — what this chat used today, and what is left\n"
        "/summary [2h|3d|200] [voice] — in a group: a summary of what was said, voice notes included\n"
        "/digest [HH:MM [time zone]|off] — a daily summary at that time\n"
        "/forget — delete everything stored for this chat\n\n"
        "In groups, only administrators change settings, start digests, turn logging off (/summary off) or use /forget."
    ),
    "usage.voice_design": (
        "Usage: /voice design NAME DESCRIPTION, for example "
        "/voice design Narrator a calm, low narrator with a slight smile."
    ),
    "usage.voice_clone": "Use /voice clone NAME: I show you a sentence to read aloud as a new voice note, and clone your voice from it.",
    "usage.voice_delete": "Usage: /voice delete NAME (/voice lists this chat's voices).",
    "usage.voice_share": "Usage: /voice share NAME or /voice unshare NAME, with NAME one of your own cloned voices (/voice lists this chat's voices).",
    "help.voice_share": "/voice share NAME, /voice unshare NAME — let your own cloned voice speak for this chat (the chat's voice, read aloud, summaries), or take that back: until you share it, it speaks only your own words",
    "usage.transcribe": "Reply to a voice note, audio or video with /transcribe (or /transcribe srt for subtitles).",
    "usage.say": "Tell me what to say: /say TEXT, or reply to a message with /say.",
    "usage.ask": "Reply to a voice note, audio or video with /ask QUESTION, or send /ask QUESTION alone to ask about what was said here in voice notes and calls lately.",
    "find.here": "Here, {at} into this recording.",
    "help.memory": (
        "/find WORDS — where something was said here, in voice notes, recordings and calls, with a link to each moment\n"
        "/ask QUESTION — without a reply: an answer from what was said here lately, citing the moments"
    ),
    "usage.translate": "Reply to a voice note, audio, video or text with /translate [LANGUAGE], for example /translate en or /translate Italian.",
    "help.more": (
        "/tldr — as a reply to a recording: its gist, with the time of each point (/tldr auto MINUTES|off: by itself for long recordings)\n"
        "/translate [LANGUAGE] [voice] — as a reply to a recording or a text: its translation (voice: spoken, in Chinese or English)\n"
        "/autotranslate [LANGUAGE|off] — every transcript here also gets its translation\n"
        "/voicetranslations [on|off] — let your own cloned voice speak translations of your words"
    ),
    "usage.voicetranslations": "Use /voicetranslations on to let your own voice in this chat (the one cloned from your voice note) speak translations of your words, or /voicetranslations off.",
    "usage.tldr": "Reply to a voice note, audio or video with /tldr to get its gist.",
    "summary.logging_on": Plural(
        "Done: logging is on. I keep this group's messages, captions and voice-note transcripts for {days} day, for /summary.",
        "Done: logging is on. I keep this group's messages, captions and voice-note transcripts for {days} days, for /summary.",
        count="days",
    ),
    "summary.logging_off": Plural(
        "Done: logging is off. I no longer store this group's messages. What is already stored is deleted after {days} day, or right away with /forget.",
        "Done: logging is off. I no longer store this group's messages. What is already stored is deleted after {days} days, or right away with /forget.",
        count="days",
    ),
    "summary.private_chat": "Summaries are for group chats: add me to a group (with privacy mode off, or as an administrator) and use /summary there.",
    "forget.done": Plural(
        "Done: I deleted everything I stored for this chat — {count} logged message or transcript, "
        "the summary settings and digest, the chat's preferences, its own voices with their samples and past days' usage counts (today's still count towards the daily limits).",
        "Done: I deleted everything I stored for this chat — {count} logged messages and transcripts, "
        "the summary settings and digest, the chat's preferences, its own voices with their samples and past days' usage counts (today's still count towards the daily limits).",
        count="count",
    ),
    "forget.logging_continues": "New messages in this group are logged again from now on; /summary off stops that.",
    "summary.nothing_logging_off": "Logging is off in this chat, so I have nothing to summarise. An administrator can turn it back on with /summary on.",
    "usage.digest": (
        "Usage: /digest HH:MM [time zone], for example /digest 18:00 Europe/Berlin: a summary of the last 24 hours "
        "every day at that time. /digest off stops it. Changing it is for administrators."
    ),
    "digest.on": "Daily digest at {time} ({zone}); the next one is due {next}. /digest off stops it.",
    "digest.off": "No daily digest in this chat. An administrator can start one with /digest HH:MM [time zone], for example /digest 18:00 Europe/Berlin.",
    "error.unknown_command": "I do not know the command /{value}. /help lists the ones I have.",
    # Telegram Business (`bots.telegram.business_and_guest_mode.business_handlers`): said to the owner, in their chat with the bot
    "business.connected": (
        "You connected me to your Telegram account. From now on I transcribe the voice notes, "
        "audio and round videos people send you in your private chats, and send the "
        "transcripts here, where only you see them. /business shows your choices."
    ),
    "business.disconnected": (
        "You disconnected me from your Telegram account: I no longer transcribe anything in "
        "your chats, and I deleted what I kept for that connection."
    ),
    "business.not_connected": (
        "Your Telegram account is not connected to me. To connect it: Settings → Telegram "
        "Business → Chatbots, then choose me."
    ),
    "business.cannot_reply": (
        "Your connection does not let me reply on your behalf. Allow it under Settings → "
        "Telegram Business → Chatbots, then try again."
    ),
    "business.status": (
        "Your chats (Telegram Business):\n"
        "• Transcripts: {state}\n"
        "• They go to: {destination}\n"
        "• Chats left alone: {skipped}\n"
        "• Transcript language: {language} (/language here changes it)\n\n"
        "/business on or off, /business private or reply, /business skip CHAT_ID, "
        "/business unskip CHAT_ID"
    ),
    "business.interrupted": (
        "I was restarted while transcribing a voice note from your chat {chat_id}, and could not "
        "finish it. Open that chat to listen to it."
    ),
    # The values in business.status: their own entries, as "Transcripts" and "Chats left alone"
    # are plural nouns in many languages where the auto-transcribe state (value.on) is not.
    "business.transcripts.on": "on",
    "business.transcripts.off": "off",
    "business.skipped.none": "none",
    "business.to_owner": "you, privately, in this chat",
    "business.to_reply": "a reply in the chat, sent on your behalf",
    "business.transcript_from": "Voice note from {sender} in your chat with {chat} (chat {chat_id}):",
    "business.private_only": "Use /business in your private chat with me: your choices are yours alone.",
    "usage.business": (
        "Usage: /business on or off, /business private or reply, /business skip CHAT_ID, "
        "/business unskip CHAT_ID."
    ),
    # The status a transcript's reply shows as the work starts, and then becomes the transcript
    # (`bots.telegram.recordings.telegram_transcript_reply`).
    "transcript.working": "Transcribing…",
    # Guest Mode (`bots.telegram.business_and_guest_mode.guest_answers`): said in a chat the bot is not in, to whoever called it
    "guest.transcribing": "Transcribing…",
    "guest.working": "Working on it…",
    "guest.cut": "(Cut here: the whole text is in your chat with me.)",
    "guest.cut_unsent": "(Cut here: start a chat with {bot} and ask again to get the whole text there.)",
    "guest.whole": "The whole text you asked for in another chat.",
    "guest.usage": "Reply to a voice note, audio or video with {bot}, optionally followed by tldr, translate [LANGUAGE] or ask QUESTION; or write {bot} say TEXT.",
    "guest.say_unavailable": "Voice notes are not available here: this bot's inline mode is off.",
    # An answer meant for one member of a group, sent to their private chat with the bot where
    # the Bot API server has no ephemeral messages (`bots.telegram.answers.group_visibility`): its first line.
    "answers.from_group": "For you alone, from “{group}”:",
    "error.file_too_big_to_download": (
        "That file is larger than the {limit} the Telegram Bot API lets bots download. "
        "The bot's owner can lift this by running a local Bot API server "
        "(TELEGRAM_API_URL with TELEGRAM_LOCAL_MODE=true)."
    ),
}

EN.update({f"telegram.command.{name}": about for name, about in COMMAND_DESCRIPTIONS.items()})

CATALOGUE = CORE.extended(EN)
text = CATALOGUE.text


def help_text(locale: str) -> str:
    """/help's answer: the list of commands, then the commands of recordings' gists and
    translations (an entry of their own), sharing a cloned voice, and recall (/find, /ask)."""
    return (
        f"{text('help', locale)}\n\n{text('help.more', locale)}\n"
        f"{text('help.voice_share', locale)}\n{text('help.memory', locale)}"
    )
