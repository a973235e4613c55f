"""The bot where it is no member of the chat. Uses `bots.telegram.voices`, `recordings`,
`answers` and `telegram_wording` below it.

business_handlers.py  Telegram Business: recordings in the owner's own chats, transcribed for them
guest_answers.py      Guest Mode: `@bot` as a reply to a recording in a chat the bot is not in; its
                      answers, posted once then edited, kept through a restart
"""
