"""A listened call's rules: its turns cut into pieces while they last and their words put back
together, the interpreter's rules, and a call (or a channel reading) as kept for a restart.

interpreter_rules.py  the interpreter's rules: which turns are spoken across, in which voice
kept_call_values.py   a listened call and a channel reading as kept while they last, for the next
                      start to take up
live_speech_rules.py  a call's turn cut into pieces while it lasts; a piece handed to the core
                      (`Piece`) and what it heard (`Caption`); the call itself is
                      `core.app.listening.listened_call`
piece_words.py        ...and the pieces' words put back together, each word once
"""
