"""A chat's settings on Telegram, and what the bot says about itself: /settings and the choices,
/usage, /start, /help. Uses `bots.telegram.answers` and `telegram_wording` below it.

telegram_settings_commands.py  the chat's own choices (/settings, /language, /botlanguage,
                      /autotranscribe, /autotranslate, /tldr auto), /usage, /start, /help
"""
