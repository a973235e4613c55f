"""Recordings and their transcripts: fetched, transcribed piece by piece and kept; /ask, /tldr and
/translate answer from them; Telegram Business recordings.

Uses `core.app.rules` and `core.app.use_case_metrics`.

business_chats.py     Telegram Business: recordings in a connected user's own chats
gists.py              /tldr and `voicebridge summarise`: the gist of a recording
kept_transcripts.py   transcripts kept per recording, so MiMo never hears a piece twice
piece_transcriber.py  a recording's pieces heard by MiMo in the request gate's slots, kept and
                      tallied
questions.py          /ask about a recording
transcription.py      recordings judged on what their platform declares, then downloaded; a
                      recording's transcript, piece by piece, within the chat's limits
translations.py       /translate and /autotranslate: a transcript or a text in another language
"""
