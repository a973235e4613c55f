"""The application's wiring: the discord.py bot around the use cases the runtime built. May use
every other part of the adapter.

bot_intents.py        the bot, its command tree, its events, what it asks of discord.py
discord_doctor_checks.py  `voicebridge doctor`'s checks: the token, its intents, the voice libraries
feature_cogs.py       the cogs, one per feature, built with the use cases each needs
gateway_connection.py  logged in, the gateway held while it runs, closed once work finished
invite_link.py        the link that invites the bot, with the permissions its features use
"""
