"""The Discord adapter (discord.py): slash commands, message menus, buttons and voice messages,
each parsed, handed to the core, and rendered. Its packages are those of `bots.telegram` where
they do the same job; each says what it may use, and no two import each other.

application/   the wiring: the bot, its cogs, its connection (may use every other part)
cogs/          one cog per feature: each command parsed, handed to the core, rendered
call/          a server's voice call: joined, played in, listened in, its captions
reader/        the channel reader's side of Discord: a message as the reader reads it
recordings/    a voice message that arrived, its transcript's and its gist's replies
voices/        the bot's voice: native voice messages, the "Speak" button
commands/      what a command is before its cog runs: its names, where and by whom it is used
answers/       who asks and whom an answer is for, its acknowledgement, how it is shown
work/          the work in progress: claimed before it is handled, redone after a crash
client.py      the bot's own fields, typed, as the other modules read them
media.py       the recording in a message, and what Discord declares about it
places.py      the places the core keys (server, channel, user), and which a member may read
request_pace.py  Discord's global limit kept: every request waits for room, typing from the spare
discordpy.py   every undocumented part of discord.py we use, each checked by a test
messages.py    what only the Discord adapter says
"""
