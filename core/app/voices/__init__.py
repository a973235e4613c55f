"""Voices and speech: designed from a description, cloned after spoken consent, and text spoken:
/say, Read aloud, inline mode.

Uses `core.app.recordings` (a sample's transcript), `rules` and `running`.

studio.py          the chat's own voices: designed, cloned, chosen, deleted
clone_consent.py   spoken consent before a voice is cloned: the sentence, the reading, the clone
speech.py          text as voice notes (/say, Read aloud) and audio files
streamed.py        speech played as it is made: MiMo's slices read as they come, held to play
inline.py          inline mode: `@bot text` as a voice note, rendered once and kept
"""
