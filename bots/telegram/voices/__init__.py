"""The bot's voice. Uses `bots.telegram.answers` and `telegram_wording` below it.

inline_queries.py  inline mode: `@bot text` as a voice note in any chat, its cache chat
voice_commands.py  /say, /voice (choose, design, clone after spoken consent, delete, share), /style
"""
