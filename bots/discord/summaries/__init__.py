"""Summaries on Discord: /summary, from the channel's history. Uses `bots.discord.recordings` (a
gist as Discord shows it), `voices`, `commands`, `answers` and the modules at the top.

discord_summary_commands.py  /summary
"""
