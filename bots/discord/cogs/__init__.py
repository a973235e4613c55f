"""One cog per feature; `bots.discord.application.feature_cogs` builds them all, and the bot adds
them.

transcription.py  voice messages transcribed unasked, /transcribe on request
speech.py         /say and "Read aloud"
questions.py      /ask and "Ask about this audio"
memory.py         /find: where something was said in voice messages and calls; /forget
remember.py       /remember: a channel's past voice messages, into the server's memory
gists.py          /tldr, the "Gist" button
translations.py   /translate and "Translate", the "Speak" button, /voicetranslations
summaries.py      /summary
preferences.py    /voice, /style, /language, /autotranscribe, /settings, /help; what the bot
                  posts here unasked: /botlanguage, /autogist, /autotranslate
voices.py         the server's own voices: /design_voice, /delete_voice, "Clone this voice"
channel_reader.py  /read_channel, /skip, /stop, /myvoice, /read_me, /read_settings; the events
listening.py      /listen, /stop_listening, /listen_me; who leaves the call
usage.py          /usage
"""
