"""The server's memory on Discord: /find and /forget, and /remember, a channel's past voice
messages into it. Uses `bots.discord.commands`, `answers` and the modules at the top.

discord_memory_commands.py  /find: where something was said in voice messages and calls; /forget
remember_command.py   /remember: a channel's past voice messages, into the server's memory
"""
