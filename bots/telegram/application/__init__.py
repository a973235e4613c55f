"""The application's wiring: python-telegram-bot's Application around the use cases the runtime
built. May use every other part of the adapter.

flood_limits.py       Telegram's flood limits, chat actions after replies, how often a request
                      Telegram answered 429 is sent again (`MAX_RETRIES`)
pending_updates.py    the accepted, unfinished updates, bounded; how many are handled at once
polling_outages.py    polling that fails and recovers, one log line each
telegram_doctor_checks.py  `voicebridge doctor`'s checks of the token and the inline cache chat
update_delivery.py    polling or the webhook, started patiently, stopped cleanly
update_filters.py     the Application built: every handler registered on its use cases
"""
