"""Each update claimed once, before Telegram hears it arrived, and redone after a crash. Uses
`bots.telegram.business_and_guest_mode`, `recordings`, `answers` and `telegram_wording` below
it.

update_claims.py  each update claimed before Telegram hears it arrived; the redo after a crash
"""
