"""The platforms' side: adapters that turn each platform's events into calls on the core.

telegram/    the Telegram adapter (python-telegram-bot)
discord/     the Discord adapter (discord.py)
cli/         the `voicebridge` command
runner.py    every configured bot in one process, until asked to stop
plan.py      what `run` will start, read from the settings before anything slow loads
startup.py   reaching a platform at start-up, when the network may not be there yet, and a
             stop meanwhile giving start-up up at once
doctor_platforms.py  the platforms' checks of `voicebridge doctor`
checks.py    one check of `voicebridge doctor`, one line
http.py      the bot's own HTTP servers: Telegram's webhook, and the operations endpoint's
             /healthz and /metrics
update_catalogues.py  the catalogues kept in step with the code, with Babel's extract and update
version.py   which voicebridge runs: the release, and the commit where it is known
"""
