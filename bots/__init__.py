"""The platforms' side: adapters that turn each platform's events into calls on the core.

cli/                  the `voicebridge` command
discord/              the Discord adapter (discord.py)
telegram/             the Telegram adapter (python-telegram-bot)
doctor_check_lines.py  one check of `voicebridge doctor`, one line
doctor_platform_checks.py  the platforms' checks of `voicebridge doctor`
http_endpoints.py     the bot's own HTTP servers: Telegram's webhook, and the operations endpoint's
                      /healthz and /metrics
platform_runner.py    every configured bot in one process, until asked to stop
run_plan.py           what `run` will start, read from the settings before anything slow loads
startup_retries.py    reaching a platform at start-up, when the network may not be there yet, and a
                      stop meanwhile giving start-up up at once
update_catalogues.py  the catalogues kept in step with the code, with Babel's extract and update
version.py            which voicebridge runs: the release, and the commit where it is known
"""
