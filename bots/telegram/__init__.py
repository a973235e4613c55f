"""The Telegram adapter (python-telegram-bot): parse an update, call the core, render the answer.

Grouped by capability, as the use cases are (`core.app`). From the top down; a group uses only
those below it (`lint-imports` holds it):

application/    the Application: handlers registered, polling or the webhook, the menu and a
                command the bot lacks, the allowlist, each update claimed once, flood limits,
                `voicebridge doctor`'s checks
summaries.py    /summary, digests and the chat-log listener
memory.py       /find and its buttons, /ask without a reply: what was said in the chat; /forget
preferences.py  the chat's own choices (/settings, /language, /botlanguage, /autotranscribe,
                /autotranslate, /tldr auto), /usage, /start, /help
elsewhere/      the bot where it is no member: Telegram Business (the owner's own chats) and
                Guest Mode (`@bot` as a reply in a chat the bot is not in)
voices/         the bot's voice: /say, /voice, /style, and inline mode (`@bot text`)
recordings/     recordings and their transcripts: a voice note parsed once for the core,
                /transcribe, /ask, /tldr, /translate, the reply a transcript becomes
answers/        who asks, which language, who sees an answer (ephemeral messages included),
                where it goes and how it is shown
updates.py      what every handler reads off an update: its message, chat, command's words
chatlog.py      what of a group message goes into the chat log (`LOGGED`, `log_entry`)
messages.py     what only the Telegram adapter says

A concept that spans the layers keeps its name in each: `summaries.py`, `memory.py`,
`voices/`, `recordings/` here render what `core.app`'s packages of the same name decide.
"""
