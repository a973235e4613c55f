"""Answers: who asks, in which language, who sees the answer, and how it is shown in the chat.
Uses nothing of the adapter but `bots.telegram.messages`.

who_asks.py       who asked for a piece of work (whose limits it counts against)
languages.py      which language an answer is in: the person's, else the chat's
requests.py       a command's request (who asks, where, their language, the chat's
                  preferences), read of the core once and handed to its handler
who_sees.py       who sees an answer in a group: everyone, or the asker alone (`answer_to`)
destinations.py   where an answer can go (a reply in the chat, the member's private chat), and
                  what each offers
ephemeral.py      Bot API 10.2/10.3 ephemeral messages, which python-telegram-bot lacks; an
                  answer for one member sent as one, and where it goes when Telegram refuses
                  it or it is too late (the fallback)
replies.py        long answers, chat actions, and the one error handler
drafts.py         a private chat's draft of an answer still being written, kept on screen
progress_pace.py  how often chat actions, drafts and progress edits go
"""
