"""What a command is before its cog runs: its names in each language, where it can be used, who
may use it. Uses `bots.discord.answers`, `call` (the listen buttons) and the modules at the top.

localized_names.py  command names and descriptions in each user's language
installs.py    user installs: where the commands can be used, the interaction token's life
allowlist.py   who the bot serves, checked before any command, click or message is handled;
               the one answer a stranger gets
"""
