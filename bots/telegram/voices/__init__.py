"""The bot's voice. Uses `bots.telegram.answers`, `updates` and `messages` below it.

handlers.py   /say, /voice (choose, design, clone after spoken consent, delete, share), /style
inline.py     inline mode: `@bot text` as a voice note in any chat, its cache chat
"""
