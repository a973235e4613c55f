"""Recordings and their transcripts: fetched, transcribed piece by piece and kept; /ask, /tldr and
/translate answer from them; Telegram Business recordings.

Uses `core.app.rules` and `core.app.running`.

fetching.py          recordings judged on what their platform declares, then downloaded
transcription.py     a recording's transcript, piece by piece, within the chat's limits
heard_pieces.py      its pieces heard by MiMo in the request gate's slots, kept and tallied
kept_transcripts.py  transcripts kept per recording, so MiMo never hears a piece twice
questions.py         /ask about a recording
gists.py             /tldr and `voicebridge summarise`: the gist of a recording
translations.py      /translate and /autotranslate: a transcript or a text in another language
business.py          Telegram Business: recordings in a connected user's own chats
"""
