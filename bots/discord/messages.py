"""What only the Discord adapter says: its help, its modals, playing in voice channels, and
Discord's own words for things ("Manage Server"). What both platforms say is the core's
catalogue (`core.chat.messages`), which this one extends: the same keys, the same lookup, the
same translation files. The names and descriptions of the commands stay in the cogs' decorators
(`bots.discord.translator` finds their translations).

Modal titles and labels (`discord.ask.*`, `discord.clone.*`) must stay within Discord's 45
characters, in every language, and the buttons' labels (`discord.gist.button`,
`discord.speak.button`) within 80.
"""

from __future__ import annotations

from core.chat.i18n import Source
from core.chat.messages import CORE

EN: dict[str, Source] = {
    "discord.help": (
        "Commands:\n"
        "/say text — speak the text as a voice message (in_voice_channel: also play it in your voice channel)\n"
        "/transcribe attachment [format] — the transcript of an audio or video file (in the chat, .txt or .srt)\n"
        "/ask attachment question — answer a question about a recording\n"
        "/translate [text] [attachment] [language] — a text or a recording in your language or another\n"
        "/tldr attachment — the gist of a recording, with times\n"
        "/voice [name] — show or choose the voice\n"
        "/design_voice name description — design a voice of this server's own\n"
        "/delete_voice name — delete one of this server's own voices\n"
        "/style [text] — the speaking style, e.g. happy or whisper; off clears it\n"
        "/language [auto|zh|en] — the language of transcripts\n"
        "/botlanguage [language] — the language I post in for everyone here (I answer you in yours)\n"
        "/autotranscribe [on|off|inherit] [scope] — transcribe voice messages unasked, server-wide or in this channel\n"
        "/autotranslate [language|off] — translate every transcript here too\n"
        "/autogist [minutes|off] — also post the gist of recordings this long transcribed here\n"
        "/settings — the settings here\n"
        "/usage — what was used here today, and what is left\n"
        "/summary [window] [voice] — a summary of this channel's recent messages (window: 2h, 3d or 200 messages)\n"
        "/forget — delete everything I stored here\n"
        "\n"
        "Apps on any message: Transcribe, Read aloud, Ask about this audio, Translate; on your own voice message, Clone this voice. Discord allows five, so the gist of a recording is a Gist button under its transcript (a minute or longer).\n"
        "In a server, changing settings and /forget need Manage Server; in direct messages the settings are yours."
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
    "discord.nothing_to_translate": "Give me a text or a recording to translate.",
    "discord.nothing_to_translate_there": "That message has no text, audio or video to translate.",
    "discord.gist.button": "Gist",
    "discord.gist.gone": "I cannot find that recording any more (its message was deleted, or I can no longer see it), so I cannot give its gist.",
    "discord.speak.button": "Speak",
    "discord.history.hidden": "That takes View Channel and Read Message History in this channel: I read only what you may read.",
    "discord.speak.gone": "I cannot find that message any more (it was deleted, or I can no longer see it), so I cannot speak its translation.",
    "discord.autogist.on": "Recordings here of {length} or longer also get their gist below the transcript. /autogist off stops it.",
    "discord.autogist.off": "Recordings here get no automatic gist. /autogist 10, for example, gives one to every recording of 10 minutes or more transcribed here (in a server, it takes Manage Server).",
    "discord.ask.title": "Ask about this audio",
    "discord.voices.none": (
        "No voices of this server's own yet: /design_voice makes one from a description, and "
        "Apps → Clone this voice, on a voice message you recorded, clones yours."
    ),
    "discord.usage.voice_share": "Name the cloned voice to share: /voice name:NAME share:True, or share:False to stop sharing it.",
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
    "discord.voice.no_stage": "I speak in voice channels, not in stage channels: there a moderator would have to invite me to speak each time.",
    "discord.voice.played": "Played in {channel}.",
    "discord.voice.not_here": "I can play in voice channels only in servers that added me.",
    "discord.voice.failed": "I could not play it in {channel}: the voice connection failed.",
    "discord.voice.own_designed": "{name} — a voice designed for this server",
    "discord.voice.own_cloned": "{name} — a voice cloned for this server",
    "discord.voice_message.refused": "Voice messages are not allowed here, so here it is as an audio file.",
    "discord.install.too_long": (
        "This is taking longer than Discord lets me answer here (15 minutes), so I stopped. "
        "Send the recording to me in a direct message, where I can take as long as it needs."
    ),
    # The channel reader (cogs/channel_reader.py). Permission names as Discord's own settings
    # show them.
    "discord.help.reader": (
        "Reading aloud in voice channels:\n"
        "/read_channel [channel] — I join your voice channel and read a text channel aloud there (its own chat by default), each person in their own voice\n"
        "/skip — skip the message being read; /stop — I stop and leave\n"
        "/myvoice [name] [own_voice] — your voice when I read your messages: one of the model's voices, or your own cloned voice once you allow it\n"
        "/read_me [allowed] — whether I read your messages at all\n"
        "/read_settings [bots] [webhooks] [commands] — whose messages I also read (Manage Server)"
    ),
    "discord.error.no_own_voice": "You have no voice of your own in this server yet: use Apps → Clone this voice on a voice message you recorded to make one.",
    "discord.reader.join_first": "Join a voice channel first, then ask again.",
    "discord.bot_needs": "I need the {permission} permission in {channel} for that.",
    "discord.reader.you_need": "That takes the {permission} permission in {channel}: I read aloud only what you may read.",
    "discord.permission.connect": "Connect",
    "discord.permission.speak": "Speak",
    "discord.permission.view_channel": "View Channel",
    "discord.permission.read_message_history": "Read Message History",
    "discord.reader.started": "I am reading {channel} aloud in {voice}: every new message, each person in their own voice. /skip skips one, /stop ends it.",
    "discord.reader.started_own_chat": "I am reading the chat of {voice} aloud there: every new message, each person in their own voice. /skip skips one, /stop ends it.",
    "discord.reader.skipped": "Skipped.",
    "discord.reader.nothing_to_skip": "I am not reading a message aloud right now.",
    "discord.reader.stopped": "I stopped reading aloud and left {voice}.",
    "discord.usage.reader_share": "Your messages read aloud in voice channels today: {used} of the {limit} characters one member may take.",
    "discord.myvoice.own": "When I read your messages aloud here, I use your own voice, {name}. /myvoice own_voice:False stops that.",
    "discord.myvoice.chosen": "When I read your messages aloud here, I use the voice {voice}. /myvoice name:auto lets me pick one for you.",
    "discord.myvoice.assigned": "When I read your messages aloud here, I pick a voice for you that nobody else in the voice channel has. Choose one with /myvoice name:NAME, or let your own cloned voice read them with /myvoice own_voice:True.",
    "discord.read_me.on": "I read your messages aloud in voice channels here. /read_me allowed:False stops that.",
    "discord.read_me.off": "I do not read your messages aloud in voice channels here. /read_me allowed:True turns it back on.",
    "discord.read_settings": (
        "Besides the members' messages, I read aloud:\n"
        "• other bots' messages: {bots}\n"
        "• webhooks' messages: {webhooks}\n"
        "• commands to other bots (!play, .help): {commands}"
    ),
    # The values in discord.read_settings: entries of their own, since value.on agrees with
    # auto-transcription (Russian "включена", Spanish "activada") and these with messages.
    "discord.read_settings.on": "on",
    "discord.read_settings.off": "off",
    "discord.work.interrupted": "{user} Sorry, I was restarted while I was working on your command and could not finish it. Please run it again.",
}

text = CORE.extended(EN).text
