"""The Discord adapter (discord.py): slash commands, message menus, buttons and voice messages,
each parsed, handed to the core, and rendered. One cog per feature in `cogs/`.

bot.py              the wiring: the bot, its command tree, what it asks of discord.py
feature_cogs.py     the cogs, one per feature, built with the use cases each needs
connection.py       logged in, the gateway held while it runs, closed once work finished
client.py           the bot's own fields, typed, as the other modules read them
acks.py             an interaction acknowledged within Discord's 3 seconds (or adopted, redone)
claims.py           work in progress: what is claimed before it is handled, what a stop waits for
redo.py             the crash redo: a message, command, menu, modal or click its process died in
modals.py           modals whose submission runs once and that a restart can rebuild
installs.py         user installs: where the commands can be used, the interaction token's life
clicks.py           buttons that outlive the process (dynamic items)
arrivals.py         a voice message that arrived, parsed once for the core (`cogs/transcription`)
consent.py          what a voice message declares about itself, for spoken consent to cloning
transcript_replies.py  a transcript's message: progress, then the transcript or a file
gist_replies.py     a gist as Discord shows it, and the "Gist" button
speak_replies.py    the "Speak" button under a translation
replies.py          long answers and follow-ups
rate_limits.py      Discord's global limit kept: every request waits its turn, typing from the spare
voice_message.py    native voice messages, which discord.py cannot send on its own
permissions.py      the permissions a piece of work needs in a channel, the first missing named
media.py            the recording in a message, and what Discord declares about it
places.py           the places the core keys (server, channel, user) and who may change them
access.py           the allowlist, and who a voice message counts against, read off events
audiences.py        who asks and whom the answer is for: the interaction's request, read of
                    the core once and kept on it for its cog and its use case
translator.py       command names and descriptions in each user's language
error_handler.py    the one error handler
checks.py           `voicebridge doctor`'s checks: the token, its intents, the voice libraries
discordpy.py        every undocumented part of discord.py we use, each checked by a test
messages.py         what only the Discord adapter says
call/               a server's voice call: joined, played in, listened in, its captions
cogs/               one cog per feature
"""
