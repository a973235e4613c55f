"""The application's wiring: the discord.py bot around the use cases the runtime built. May use
every other part of the adapter.

bot.py            the bot, its command tree, its events, what it asks of discord.py
feature_cogs.py   the cogs, one per feature, built with the use cases each needs
connection.py     logged in, the gateway held while it runs, closed once work finished
doctor_checks.py  `voicebridge doctor`'s checks: the token, its intents, the voice libraries
invite.py         the link that invites the bot, with the permissions its features use
"""
