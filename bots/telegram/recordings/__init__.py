"""Recordings and their transcripts: what becomes of a voice note, audio or video the chat sends
or points at. Uses `bots.telegram.answers`, `chat_log_entry` and `telegram_wording` below it.

arrivals.py           a recording that arrived, parsed once into the core's `Arrival`: what it is,
                      who sent it, what it may be (a consent reading, a question)
media_files.py        the recording in a message, and what Telegram declares about it
telegram_tldr_command.py  a gist as Telegram shows it; /tldr
telegram_transcribe_commands.py  a recording arrived (parsed once, handed to the core once, its
                      answer rendered), /transcribe and /ask as a reply to one
telegram_transcript_reply.py  the reply a transcript becomes: "Transcribing…", its progress, then
                      the transcript (an edit of it) or a file, as the core hands them over
telegram_translate_commands.py  /translate
transcript_status_notes.py  the "Transcribing…" reply's id kept in the claim, so a redo edits it
"""
