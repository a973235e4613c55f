"""The bot's voice. Uses `bots.discord.answers` and the modules at the top.

voice_message.py  native voice messages, which discord.py cannot send on its own
speak_replies.py  the "Speak" button under a translation
"""
