"""Where an export is read: a chat's history as a platform exports it to a file, read as the
chat's past for `voicebridge import` (`core.app.memory.imports`).

    telegram_desktop.py  a Telegram Desktop export (JSON: one chat's, or a whole account's)
                         read as a chat's past, what it left out counted
    telegram_fields.py   its fields, each read and checked: ids, senders, dates, files, lengths

Here, in the command line, because it is the one reader and says what it refuses in the command
line's words; a Discord channel's history is read by the bot itself (`/remember`), from the
API, not from a file.
"""
