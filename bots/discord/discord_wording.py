"""What only the Discord adapter says: its help, its modals, playing in voice channels, and
Discord's own words for things ("Manage Server"). What both platforms say is the core's
catalogue (`core.chat.message_catalogue`), which this one extends: the same keys, the same lookup, the
same translation files. A core sentence that shows how to type a command is in Telegram's
syntax there (`/voice NAME`); Discord says it in its own (`/voice name:NAME`, option names
translated as each member's Discord shows them, a yes/no option True or False): `REWORDED`
maps the core's key to Discord's, so whatever Discord says under the core's key (a use case's
error, an overview the core composes) comes out in Discord's words. The names and
descriptions of the commands stay in the cogs' decorators
(`bots.discord.commands.localized_names` finds their translations).

Modal titles and labels (`discord.ask.*`, `discord.clone.*`) must stay within Discord's 45
characters, in every language, and the buttons' labels (`discord.gist.button`,
`discord.speak.button`) within 80.
"""

from __future__ import annotations

import discord

from core.chat.i18n import Plural, Source
from core.chat.message_catalogue import CORE

__all__ = ["CATALOGUE", "EN", "shown_name", "text"]

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
        "/language [value] — the language of transcripts: auto, zh or en\n"
        "/botlanguage [language] — the language I post in for everyone here (I answer you in yours)\n"
        "/autotranscribe [state] [scope] — transcribe voice messages unasked, or not, server-wide or in this channel\n"
        "/autotranslate [language] — translate every transcript here too (off stops it)\n"
        "/autogist [minutes] — also post the gist of recordings this long transcribed here (off stops it)\n"
        "/settings — the settings here\n"
        "/usage — what was used here today, and what is left\n"
        "/summary [window] [voice] — a summary of this channel's recent messages (window: 2h, 3d or 200 messages)\n"
        "/forget — delete everything I stored here\n"
        "\n"
        "Apps on any message: Transcribe, Read aloud, Ask about this audio, Translate; on your own voice message, Clone this voice. Discord allows five, so the gist of a recording is a Gist button under its transcript (a minute or longer).\n"
        "In a server, changing settings and /forget need Manage Server; in direct messages the settings are yours."
    ),
    "discord.help.memory": (
        "/find phrase — where something was said in this server's voice messages and calls, in the channels you may read, with a link to each moment\n"
        "/ask question — without an attachment: an answer from what was said in this channel's voice messages and calls lately, citing the moments\n"
        "/remember [days] — (Manage Server) transcribe this channel's voice messages of the last days, those from before I came too, so that /find knows them"
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
    "discord.ask.nothing_named": "Attach a voice message, audio or video file to ask about, or choose call:True to ask about the last call I listened to in this voice channel.",
    "discord.nothing_to_translate": "Give me a text or a recording to translate.",
    "discord.nothing_to_translate_there": "That message has no text, audio or video to translate.",
    "discord.gist.button": "Gist",
    "discord.gist.gone": "I cannot find that recording any more (its message was deleted, or I can no longer see it), so I cannot give its gist.",
    "discord.speak.button": "Speak",
    "discord.history.hidden": "That takes View Channel and Read Message History in this channel: I read only what you may read.",
    "discord.speak.gone": "I cannot find that message any more (it was deleted, or I can no longer see it), so I cannot speak its translation.",
    "discord.autogist.on": "Recordings here of {length} or longer also get their gist below the transcript. /autogist minutes:off stops it.",
    "discord.autogist.off": "Recordings here get no automatic gist. /autogist minutes:10, for example, gives one to every recording of 10 minutes or more transcribed here (in a server, it takes Manage Server).",
    "discord.ask.title": "Ask about this audio",
    "discord.voices.none": (
        "No voices of this server's own yet: /design_voice makes one from a description, and "
        "Apps → Clone this voice, on a voice message you recorded, clones yours."
    ),
    # The core's sentences that show how to type a command, as a member types it on Discord:
    # options by name (`name:NAME`), a yes/no option as True or False (REWORDED below).
    "discord.voice.current": "Current voice: {voice}\n\nAvailable voices:\n{choices}\n\nChoose one with /voice name:NAME.",
    "discord.style.current": (
        "Current style: {style}\n\nPresets: {presets}.\nSet one with /style text:TEXT: a preset "
        "(/style text:happy, /style text:news anchor) or your own words (/style text:speak slowly "
        "like a storyteller); /style text:off clears it."
    ),
    "discord.voices.designed": "Voice {name} is ready, and the voice message is a sample of how it sounds. Choose it with /voice name:{name}.",
    "discord.voices.consent.read": "To clone your voice, read this sentence aloud, the digits at its end one by one, and send it as a new voice message, here or in a DM to me, within {wait}:\n\n{sentence}",
    # The refusals of a reading, in Discord's word for what the prompt above asked for.
    "discord.error.consent.forwarded": "That voice message was forwarded: record the sentence yourself, as a new voice message.",
    "discord.error.consent.via_bot": "That voice message was sent through a bot: record the sentence yourself, as a new voice message.",
    "discord.error.consent.copied": "That voice message is a copy of someone else's recording: record the sentence yourself, as a new voice message.",
    "discord.error.consent.too_old": "That voice message is older than your request: record the sentence now, as a new voice message.",
    "discord.error.consent.sentence": "I did not hear the sentence in that voice message: read it as shown and send it again.",
    "discord.voices.cloned": (
        "Voice {name} is cloned from your recording. Choose it with /voice name:{name}; "
        "/delete_voice name:{name} deletes it and its sample."
    ),
    "discord.find.usage": "Find where something was said in this server's voice messages and calls: /find phrase:WORDS, for example /find phrase:invoice.",
    "discord.language.current": "Transcript language: {language}\nChange it with /language value:auto, zh or en (auto: detected for each recording).",
    "discord.autotranscribe.current": "Auto-transcribe is {state}. Use /autotranscribe state:on or state:off.",
    "discord.botlanguage.current": (
        "Bot language here: {language}.\n"
        "I answer each person in the language their Discord is set to; this one is for what I post for everyone "
        "(automatic transcripts, notices) and for people whose language I do not speak.\n"
        "Choices: {choices}.\n"
        "Change it with /botlanguage language:LANGUAGE, for example /botlanguage language:简体中文; /botlanguage language:auto makes it follow the server's language again."
    ),
    "discord.voices.translations_on": "Your own voice here now speaks translations of your words (/translate … voice:True). /voicetranslations allowed:False stops it.",
    "discord.autotranslate.is_on": "Transcripts here also get their translation into {language}. /autotranslate language:off stops it.",
    "discord.autotranslate.is_off": "Transcripts here get no automatic translation. Start it with /autotranslate language:LANGUAGE, for example /autotranslate language:en (in a server, it takes Manage Server).",
    "discord.error.too_many_voices": Plural(
        "This server already has {limit} voice of its own; delete one with /delete_voice name:NAME first.",
        "This server already has {limit} voices of its own; delete one with /delete_voice name:NAME first.",
        count="limit",
    ),
    "discord.error.not_your_recording": "Only the person who recorded a voice message can clone its voice, with Apps → Clone this voice on it.",
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
    "discord.remember.not_here": "I read the past of text channels, voice channels' chats and threads; run /remember in one of those.",
    "discord.remember.no_history": "I cannot read this channel's past: give me View Channel and Read Message History here, then try again.",
    "discord.remember.running": "This channel's past is being imported already; its progress is in the channel.",
    "discord.remember.found": Plural(
        "Members' voice messages here in the last day to transcribe: {count}, {minutes} of speech.",
        "Members' voice messages here in the last {days} days to transcribe: {count}, {minutes} of speech.",
        count="days",
    ),
    "discord.remember.kept_before": "Kept already, not transcribed again: {count}.",
    "discord.remember.too_old": Plural(
        "Older than the retention window (1 day), so not imported: {count}.",
        "Older than the retention window ({days} days), so not imported: {count}.",
        count="days",
    ),
    "discord.remember.left_out": "Of members who said no to being transcribed, left out: {count}.",
    "discord.remember.quota": "That is {share} of the server's daily audio quota of {limit} ({left} left today); past it, the import waits for the next day.",
    "discord.remember.quota_none": "The server has no daily audio quota.",
    "discord.remember.budget": "It is {share} of the bot's daily audio budget of {limit} ({left} left today).",
    "discord.remember.budget_none": "The bot has no daily audio budget.",
    "discord.remember.nothing": "Nothing to import.",
    "discord.remember.start": "Start",
    "discord.remember.cancel": "Cancel",
    "discord.remember.starting": "Started: the progress is in the channel.",
    "discord.remember.cancelled": "Nothing was imported.",
    # Under each line of an import's progress in the channel: who started it (a mention).
    "discord.remember.by": "-# Started by {member} with /remember",
    "discord.remember.started": "Transcribing this channel's past voice messages, so that /find knows them…",
    "discord.remember.progress": "Transcribing this channel's past voice messages: {done} of {total} ({minutes} of {of})…",
    "discord.remember.paused": "The day's audio quota or budget is used up: the import of this channel's past waits for the next UTC day (in {wait}).",
    "discord.remember.done": "This channel's past voice messages are in memory: {count} transcribed ({minutes} of speech), {failed} could not be. /find finds them.",
    "discord.remember.elsewhere": "Transcribed by another /remember of this channel running at the same time: {count}.",
    "discord.remember.failed": "The import of this channel's past stopped on an error; /remember again carries on where it stopped.",
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
    # The channel reader (channel_reader/read_channel_commands.py). Permission names as Discord's own settings
    # show them.
    "discord.help.reader": (
        "Reading aloud in voice channels:\n"
        "/read_channel [channel] — I join your voice channel and read a text channel aloud there (its own chat by default), each person in their own voice\n"
        "/skip — skip the message being read; /stop — I stop and leave\n"
        "/myvoice [name] [own_voice] — your voice when I read your messages: one of the model's voices, or your own cloned voice once you allow it\n"
        "/read_me [allowed] — whether I read your messages at all\n"
        "/read_settings [bots] [webhooks] [commands] — whose messages I also read (Manage Server)"
    ),
    # Listening (listening/listen_commands.py): sent with discord.help.reader, in the same message.
    "discord.help.listening": (
        "Listening in voice channels:\n"
        "/listen — I join your voice channel and post in its chat what the members who said yes say there\n"
        "/stop_listening — I stop and leave\n"
        "/listen_me [allowed] — whether I may transcribe what you say (not until you say yes)"
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
    # Listening: a voice channel's live transcript, of the members who said yes.
    "discord.listen.started": (
        "I am listening in {voice} and post here what is said, under each speaker's name.\n"
        "Transcribed: {transcribed}\n"
        "Not transcribed: {not_transcribed}\n"
        "I transcribe only members who said yes: /listen_me allowed:True. /listen_me allowed:False withdraws it at once; /stop_listening ends it."
    ),
    "discord.listen.nobody": "nobody",
    "discord.listen.no_stage": "I transcribe calls in voice channels only, not yet in stage channels: hold the call in a voice channel and run /listen there.",
    "discord.listen.line": "**{name}**: {said}",
    "discord.listen.line_translated": "**{name}**: {translated}\n-# {said}",
    "discord.listen.joined": "I am listening in {voice}: what members who said yes say is posted in its chat.",
    "discord.listen.stopped": "I stopped listening and left {voice}.",
    # A call taken up after the bot restarted (a deploy, a crash): said once, as it is back.
    "discord.listen.resumed": (
        "I was away for {away} (a restart) and am listening in {voice} again: the captions go on, and the transcript at the end covers the whole call, with the gap marked.\n"
        "Transcribed: {transcribed}\n"
        "Not transcribed: {not_transcribed}"
    ),
    # A call the bot was away from (a restart) for too long, or that everyone left meanwhile.
    "discord.listen.away_ended": "I was away for {away} (a restart) and did not come back to {voice}: the call had ended or I was gone too long. I stopped listening.",
    # The same when a rule kept the bot from coming back; {why} is the rule's own sentence, such
    # as the server's listening of the day being used up.
    "discord.listen.away_refused": "I was away for {away} (a restart) and did not come back to {voice}: {why} I stopped listening.",
    # /listen interpret:True: what is said in Chinese or English is spoken in the other language.
    "discord.listen.interpreting": "I also interpret: what members who said yes say in Chinese or English, I say in the other language sentence by sentence as they go on, in their own voice where they allowed it (/voicetranslations allowed:True).",
    "discord.listen.interpretation_late": "-# Not interpreted, the call had moved on: **{name}**: {said}",
    "discord.listen.interpreting_stopped": "I stopped interpreting in this call; the captions go on. {why}",
    # The buttons under the opening line: the clicker's yes or no, as /listen_me allowed:True/False.
    "discord.listen.button_yes": "Transcribe me",
    "discord.listen.button_no": "Don't transcribe me",
    # A member joining the call while the bot listens: told there, whether they are transcribed.
    "discord.listen.arrived_yes": "{name} joined {voice}, where I am listening: you said yes, so what you say is posted here under your name. /listen_me withdraws it at once.",
    "discord.listen.arrived_no": "{name} joined {voice}, where I am listening: I do not transcribe you, since you have not said yes (/listen_me).",
    "discord.listen.status": "🎙️ Transcribing what the members who said yes say",
    "discord.listen_me.on": "When I listen in a voice channel here, I transcribe what you say and post it under your name. /listen_me allowed:False stops that at once.",
    "discord.listen_me.off": "I do not transcribe what you say in voice channels here. /listen_me allowed:True allows it.",
    "discord.work.interrupted": "{user} Sorry, I was restarted while I was working on your command and could not finish it. Please run it again.",
}

# The core's sentences Discord says in its own words: commands as Discord types them, Discord's
# names for things (Manage Server for administrators), and what is done from a menu there.
REWORDED = {
    "error.admins_only": "discord.error.manage_server",
    "error.admins_only_command": "discord.error.manage_server_command",
    "usage.summary": "discord.usage.summary",
    "summary.nothing": "discord.summary.nothing",
    "error.no_own_voice": "discord.error.no_own_voice",  # cloned from a menu, not a reply
    "error.not_your_recording": "discord.error.not_your_recording",
    "error.too_many_voices": "discord.error.too_many_voices",
    "voices.none": "discord.voices.none",
    "voice.current": "discord.voice.current",
    "voices.designed": "discord.voices.designed",
    "voices.cloned": "discord.voices.cloned",
    "voices.consent.read": "discord.voices.consent.read",
    "error.consent.forwarded": "discord.error.consent.forwarded",
    "error.consent.via_bot": "discord.error.consent.via_bot",
    "error.consent.copied": "discord.error.consent.copied",
    "error.consent.too_old": "discord.error.consent.too_old",
    "error.consent.sentence": "discord.error.consent.sentence",
    "style.current": "discord.style.current",
    "language.current": "discord.language.current",
    "autotranscribe.current": "discord.autotranscribe.current",
    "botlanguage.current": "discord.botlanguage.current",
    "voices.translations_on": "discord.voices.translations_on",
    "autotranslate.is_on": "discord.autotranslate.is_on",
    "autotranslate.is_off": "discord.autotranslate.is_off",
    "gist.auto_on": "discord.autogist.on",
    "gist.auto_off": "discord.autogist.off",
    "find.usage": "discord.find.usage",
}

CATALOGUE = CORE.extended(EN, reworded=REWORDED)
text = CATALOGUE.text


def shown_name(name: str) -> str:
    """A member's name as it reads in a message the bot writes: what they typed, literally.
    Its markdown is escaped (a nickname `x** [Verify](https://…) **` is no link and no bold
    in the bot's words) and its mentions broken (the posts allow none anyway)."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(name))
