"""The Telegram adapter (python-telegram-bot): parse an update, call the core, render the answer.

app.py            the Application: handlers registered, polling or the webhook, start-up
handlers.py       the commands and recordings of everyday use: transcripts, /say, /ask, settings
arrivals.py       a recording that arrived, parsed once for the core: what it is, who sent it,
                  what it may be (a consent reading, a question in its caption)
gists.py          /tldr
translations.py   /translate
summaries.py      /summary, digests, /forget and the chat-log listener
memory.py         /find and its buttons, /ask without a reply: what was said in the chat
business.py       Telegram Business: recordings in the owner's own chats
inline.py         inline mode: `@bot text` as a voice note in any chat
guest.py          Guest Mode: `@bot` as a reply to a recording in a chat the bot is not in;
                  its answers, posted once then edited, kept through a restart
transcript_replies.py  a transcript's reply: "Transcribing…", progress, then the transcript
                  (an edit of it) or a file
drafts.py         a private chat's draft of an answer still being written, kept on screen
gist_replies.py   a gist as Telegram shows it
replies.py        long answers, chat actions, and the one error handler
progress_pace.py  how often chat actions, drafts and progress edits go
media.py          the recording in a message, and what Telegram declares about it
access.py         the allowlist and who asked, read off updates
audiences.py      whom an answer is for: its language, read off updates
answers.py        who sees an answer in a group: everyone, or the asker alone (where it goes)
destinations.py   where an answer can go (a reply in the chat, the member's private chat), and
                  what each offers
ephemeral.py      Bot API 10.2/10.3 ephemeral messages, which python-telegram-bot lacks; an
                  answer for one member sent as one, and where it goes when Telegram refuses
                  it or it is too late (the fallback)
requests.py       a command's request (who asks, where, their language, the chat's
                  preferences), read of the core once and handed to its handler
chatlog.py        what of a group message goes into the chat log
claims.py         each update claimed before Telegram hears it arrived; the redo after a crash
status_notes.py   the "Transcribing…" reply a transcript becomes, its id kept in the claim, so
                  a redo edits it instead of answering twice
update_queue.py   the accepted, unfinished updates, bounded
rate_limits.py    Telegram's flood limits, chat actions after replies
polls.py          polling that fails and recovers, one log line each
checks.py         `voicebridge doctor`'s checks of the token and the inline cache chat
messages.py       what only the Telegram adapter says
"""
