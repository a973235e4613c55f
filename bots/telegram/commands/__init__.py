"""What a command is before its handler runs: the command menu, in each language, and a command
the bot does not have; who the bot serves. Uses `bots.telegram.business_and_guest_mode`,
`recordings`, `answers` and `telegram_wording` below it.

menu.py               the command menu, in each language, its private commands ephemeral; a command
                      the bot does not have
telegram_allowlist.py  who the bot serves: a stranger's update stopped before any handler
"""
