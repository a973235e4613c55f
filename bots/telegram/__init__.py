"""The Telegram adapter (python-telegram-bot): parse an update, call the core, render the answer.

Grouped by capability, as the use cases are (`core.app`). A group uses only those below it
(`lint-imports` holds it), from the top down: the application; claims and redo, and the
commands; memory, summaries and settings; Business and Guest Mode; voices; recordings; answers;
then `chat_log_entry` and `telegram_wording`.

answers/              who asks, which language, who sees an answer (ephemeral messages included),
                      where it goes and how it is shown
application/          the Application: handlers registered, polling or the webhook, the updates
                      pending, flood limits, `voicebridge doctor`'s checks
business_and_guest_mode/  the bot where it is no member: Telegram Business (the owner's own chats)
                      and Guest Mode (`@bot` as a reply in a chat the bot is not in)
claims_and_redo/      each update claimed once, before Telegram hears it arrived; the redo after a
                      crash
commands/             the command menu and a command the bot lacks; the allowlist, before any
                      handler
memory/               /find and its buttons, /ask without a reply, /forget
recordings/           recordings and their transcripts: a voice note parsed once for the core,
                      /transcribe, /ask, /tldr, /translate, the reply a transcript becomes
settings/             the chat's own choices, /usage, /start, /help
summaries/            /summary, digests and the chat-log listener
voices/               the bot's voice: /say, /voice, /style, and inline mode (`@bot text`)
chat_log_entry.py     what of a group message goes into the chat log (`LOGGED`, `log_entry`)
telegram_wording.py   what only the Telegram adapter says

A concept that spans the layers keeps its capability's name in each, and each module says its
part: `summaries/`, `memory/`, `voices/`, `recordings/` here render what `core.app`'s packages of
the same name decide (`summaries/telegram_summary_commands.py`, `core.app.summaries`).
"""
