"""What the bot says in and about a voice channel, in the server's language: the channel
reader's words read aloud and what it posts, a listened call's lines. A layer of the core's
catalogue (`core.chat.message_catalogue.CORE`): the same lookup, the same translation files."""

from __future__ import annotations

from core.chat.i18n import Plural, Source

__all__ = ["VOICE_CHANNELS"]

VOICE_CHANNELS: dict[str, Source] = {
    # The channel reader (core.app.channel_reader.reading_control): what is said in a voice channel, in the
    # server's language. reader.said names a member before their words; reader.channel is said
    # for a channel someone listening may not see.
    "reader.said": "{name} says: {words}",
    "reader.channel": "a channel",
    "reader.someone": "someone",
    "reader.code": "a code block",
    "reader.spoiler": "a spoiler",
    "reader.link": "a link to {site}",
    "reader.attachments": Plural("an attachment", "{count} attachments", count="count"),
    "reader.cut": "and so on",
    # ...and what it posts in the voice channel's chat, and answers to its commands.
    "reader.behind": "Messages are coming faster than I can read them aloud, so I skip the oldest.",
    "reader.suspended": "I stopped reading {channel} aloud: someone here may not read it. I go on once everyone here may.",
    "reader.suspended_age_restricted": "I stopped reading {channel} aloud: it is age-restricted and this voice channel is not.",
    "reader.back": "I was away for {away} (a restart) and am reading {channel} aloud in {voice} again, from the first message I had not read.",
    # The same for a voice channel's own chat, read aloud in it: named once.
    "reader.back_own_chat": "I was away for {away} (a restart) and am reading the chat of {voice} aloud there again, from the first message I had not read.",
    "reader.away_ended": "I was away for {away} (a restart) and did not come back to {voice}: everyone had left or I was gone too long. I stopped reading aloud.",
    # The same when a rule kept the bot from coming back; {why} is the rule's own sentence.
    "reader.away_refused": "I was away for {away} (a restart) and did not come back to {voice}: {why} I stopped reading aloud.",
    "reader.play_failed": "I could not play a message aloud, so I went on with the next one.",
    "reader.share_used": "I read no more of {name}'s messages aloud today: they have used their share of this server's read-aloud characters.",
    "reader.may_not_speak": "You may not speak in {voice}, so I read nothing aloud there for you.",
    "reader.listener_may_not_read": "Someone in {voice} may not read {channel}, so I do not read it aloud there.",
    "reader.age_restricted": "{channel} is age-restricted and {voice} is not, so I do not read it aloud there.",
    "reader.busy": "I am already speaking in a voice channel in this server; try again when I have finished.",
    "reader.not_reading": "I am not reading anything aloud in this server.",
    "listen.busy": "I am already in a voice channel in this server; try again when I have left it.",
    "listen.not_listening": "I am not listening in this server.",
    "listen.not_yours": "Only the member who started the listening, someone allowed to move members out of the voice channel, or anyone once its starter has left, can do that.",
    # A member's no to being transcribed holds in the call at once, but the database did not take it.
    "listen.no_not_saved": "I stopped transcribing you in this call at once, but I could not save your no, so it holds only until this call ends. Please say it again in a moment.",
    "call.files_caption": "The call's transcript ({duration}), with who said what: as text, and as subtitles.",
    # A line of a call's transcript where the bot was away (a restart): nothing said then was heard.
    "call.away": "(I was away for {away}, restarting: nothing said meanwhile was heard)",
    "listen.no_call": "I keep no call of this voice channel: I have not listened to one here lately, or it was deleted.",
    "reader.not_yours": "Only the member who started the reading, someone allowed to move members out of the voice channel, or anyone once its starter has left, can do that.",
    "reader.voice_taken": "Another member chose the voice {voice}; choose another one, or auto.",
    "reader.could_not_join": "I could not join {channel}: the voice connection failed.",
}
