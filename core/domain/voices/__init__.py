"""Voices and speech: the preset voices and styles, which voices' language speaks a message, the
voice notes offered inline, and the consent reading under which a voice is cloned.

clone_consent_rules.py  a consent reading (to clone a voice): the sentence, how many a person may
                      ask for a day, and whether a voice note is its owner's reading of it
consent_digits.py     its random digits: drawn meaning nothing, shown each apart, read back however
                      they are written (checked by `clone_consent_rules.py`)
inline_voice_cache_key.py  voice notes offered inline, and the key each is kept under
preset_voices.py      the TTS models' preset voices (Mia, 冰糖...): who each is, which model
                      has them, the default voice, the voice a request names
speaking_style_rules.py  the TTS models' styles, how a request says a text, what a user's text may
                      carry
spoken_language.py    which voices' language reads a message: Chinese or English; which translations
                      can be spoken (`speaks`)
"""
