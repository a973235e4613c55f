"""What a command is before its cog runs: its names in each language, where it can be used, who
may use it. Uses `bots.discord.answers` (the listen buttons among them) and the modules at the
top.

discord_allowlist.py  who the bot serves, checked before any command, click or message is handled;
                      the one answer a stranger gets
localized_names.py    command names and descriptions in each user's language
user_installs.py      user installs: where the commands can be used, the interaction token's life
"""
