"""Recordings and their transcripts: what becomes of a voice message or audio file a channel
sends or points at. Uses `bots.discord.answers`, `commands` and the modules at the top.

arrivals.py            a voice message that arrived, parsed once for the core (`cogs/transcription`)
consent_reading.py     what a voice message declares about itself, for spoken consent to cloning
transcript_replies.py  a transcript's message: progress, then the transcript or a file
gist_replies.py        a gist as Discord shows it, and the "Gist" button
"""
