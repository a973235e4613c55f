"""The application's wiring: python-telegram-bot's Application around the use cases the runtime
built. May use every other part of the adapter.

app.py            the Application built: every handler registered on its use cases
menu.py           the command menu, in each language, its private commands ephemeral; a
                  command the bot does not have
running.py        polling or the webhook, started patiently, stopped cleanly
allowlist.py      who the bot serves: a stranger's update stopped before any handler
claims.py         each update claimed before Telegram hears it arrived; the redo after a crash
update_queue.py   the accepted, unfinished updates, bounded
flood_limits.py   Telegram's flood limits, chat actions after replies, how often a request
                  Telegram answered 429 is sent again (`MAX_RETRIES`)
polling.py        polling that fails and recovers, one log line each
doctor_checks.py  `voicebridge doctor`'s checks of the token and the inline cache chat
"""
