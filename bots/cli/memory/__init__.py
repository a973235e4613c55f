"""A chat's memory from a shell: `voicebridge find` over the database, and `voicebridge import`
of a chat's past (`core.app.memory.importer`), read from the file a platform exports the chat's
history to.

find_command.py       `find CHAT WORDS...`: /find over the database
import_command.py     `import telegram PATH`: a group's past voice messages, from its export
telegram_export.py    a Telegram Desktop export (JSON: one chat's, or a whole account's) read as a
                      chat's past, what it left out counted
telegram_export_fields.py  its fields, each read and checked: ids, senders, dates, files, lengths;
                           which media are transcribed

An export is read here, in the command line, because it is the one reader and says what it
refuses in the command line's words; a Discord channel's history is read by the bot itself
(`/remember`), from the API, not from a file.
"""
