"""The chat's memory on Telegram: /find and its buttons, /ask without a reply, /forget. Uses
`bots.telegram.voices`, `answers` and `telegram_wording` below it.

telegram_memory_commands.py  /find and its buttons, /ask without a reply: what was said in the chat;
                      /forget
"""
