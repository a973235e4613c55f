"""The Discord adapter (discord.py): slash commands, message menus, buttons and voice messages,
each parsed, handed to the core, and rendered. Its packages are those of `bots.telegram` where
they do the same job; each says what it may use, and no two import each other.

answers/              who asks and whom an answer is for, its acknowledgement, how it is shown
application/          the wiring: the bot, its cogs, its connection (may use every other part)
channel_reader/       the channel reader's cog: /read_channel, /skip, /stop, the members' choices
claims_and_redo/      the work in progress: claimed before it is handled, redone after a crash
commands/             what a command is before its cog runs: its names, where and by whom it is used
listening/            a listened call: /listen and its cog, the call's Discord side, its captions
                      and notices
memory/               /find, /forget, and /remember: a channel's past into the server's memory
recordings/           a voice message that arrived, /transcribe, /translate, /tldr and /ask, and
                      their replies
settings/             a server's settings and /usage
summaries/            /summary
voice_channels/       a server's voice call on Discord: joined, played in, its voice received; a
                      message as the channel reader reads it
voices/               the bot's voice: /say, the server's own voices, native voice messages, the
                      "Speak" button
discord_wording.py    what only the Discord adapter says
discordpy_internals.py  every undocumented part of discord.py we use, each checked by a test
global_request_limit.py  Discord's global limit kept: every request waits for room, typing from the
                      spare
place_access.py       the places the core keys (server, channel, user), and which a member may read
recording_attachments.py  the recording in a message, and what Discord declares about it
"""
