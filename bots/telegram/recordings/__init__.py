"""Recordings and their transcripts: what becomes of a voice note, audio or video the chat sends
or points at. Uses `bots.telegram.answers`, `updates`, `chatlog` and `messages` below it.

handlers.py           a recording arrived (parsed once, handed to the core once, its answer
                      rendered), /transcribe and /ask as a reply to one
arrivals.py           a recording that arrived, parsed once into the core's `Arrival`: what it
                      is, who sent it, what it may be (a consent reading, a question)
media.py              the recording in a message, and what Telegram declares about it
transcript_replies.py  the reply a transcript becomes: "Transcribing…", its progress, then the
                      transcript (an edit of it) or a file, as the core hands them over
status_notes.py       the "Transcribing…" reply's id kept in the claim, so a redo edits it
gists.py              /tldr
gist_replies.py       a gist as Telegram shows it
translations.py       /translate
"""
