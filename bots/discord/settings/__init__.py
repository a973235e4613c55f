"""A server's settings on Discord, and what it used (/usage). Uses `bots.discord.voices` (the
server's own voices' names), `commands`, `answers` and the modules at the top.

discord_settings_commands.py  /voice, /style, /language, /autotranscribe, /settings, /help; what the
                      bot posts here unasked: /botlanguage, /autogist, /autotranslate; /usage
"""
