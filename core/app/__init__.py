"""Use cases: what a chat can ask of voicebridge, grouped by capability, each group a package.

From the top down; a group uses only those below it (`lint-imports` holds it):

scheduler.py   the periodic loop behind daily digests and retention, one per process
summaries/     a group chat logged and summarised: /summary, daily digests
memory/        a chat's memory: /find across its kept transcripts, the past imported,
               what expires, and /forget (what runs ended, everything kept deleted)
reader/        the channel reader: a text channel read aloud in a voice channel
voice_notes.py  a recording arrived, or its transcript was asked for: what the chat sees, one
                call per event (a consent reading is judged as such, anything else transcribed)
calls/         a server's voice call: joined, listened to with consent, captions, the
               interpreter, kept for a restart, summarised afterwards
voices/        designed and cloned voices (after spoken consent), and speech: /say,
               Read aloud, inline mode
recordings/    voice notes and files: fetched, transcribed piece by piece and kept; /ask,
               /tldr, /translate; Telegram Business
rules/         the chat's rules: who asks and in which language, preferences, limits and
               spending, each message answered once, MiMo requests in flight
running/       how use cases run: counted in the metrics

A module named as one of another layer holds this layer's part of the same concept
(`summaries.py`, `claims.py`, `gists.py`...): the list is in `core.domain`'s map.
"""
