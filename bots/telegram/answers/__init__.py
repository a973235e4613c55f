"""Answers: who asks and whom an answer is for, in which language, who sees it, and how it is
shown in the chat. Uses nothing of the adapter but `bots.telegram.telegram_wording`.

destinations.py       where an answer can go (a reply in the chat, the member's private chat), and
                      what each offers; how long a message may be (`MESSAGE_LIMIT`; after how many
                      messages a long answer comes as a file is `core.domain.message_splitting`'s)
ephemeral_api.py      Bot API 10.2/10.3 ephemeral messages, which python-telegram-bot lacks: the
                      methods, whether the server has them, whether the bot administers a group
ephemeral_delivery.py  an answer for one member sent as an ephemeral message, what it shows once
                      sent, and where it goes when it cannot be one (the fallback)
group_visibility.py   who sees an answer in a group: everyone, or the asker alone (`answer_to`); the
                      commands the menu declares ephemeral (`PRIVATE_COMMANDS`)
message_drafts.py     a private chat's draft of an answer still being written, kept on screen
telegram_asker.py     which language an answer is in: that of whom it is for, else the chat's; a
                      command's request (who asks, where, their language, the chat's preferences),
                      read of the core once and handed to its handler; who asked (whose limits the
                      work counts against) and whom the answer is for, decided once for a command
                      (`for_command`) or a recording that arrived (`for_recording`); whether they
                      may change the chat's settings (`can_manage`); what every handler reads off an
                      update: its message, chat, command's words
telegram_progress_pace.py  how often chat actions, drafts and progress edits go
telegram_replies.py   long answers, chat actions, and the one error handler
"""
