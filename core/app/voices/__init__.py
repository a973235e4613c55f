"""Voices and speech: designed from a description, cloned after spoken consent, and text spoken:
/say, Read aloud, inline mode.

Uses `core.app.recordings` (a sample's transcript), `rules` and `core.app.use_case_metrics`.

clone_consent.py    spoken consent before a voice is cloned: the sentence, the reading, the clone
inline_mode.py      inline mode: `@bot text` as a voice note, rendered once and kept
own_voices.py       the chat's own voices: designed, cloned, chosen, deleted
streamed_speech.py  speech played as it is made: MiMo's slices read as they come, held to play
text_to_speech.py   text as voice notes (/say, Read aloud) and audio files
"""
