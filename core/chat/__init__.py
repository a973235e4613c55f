"""Chat text: every sentence the bot says and how results read in a chat, on any platform.

messages.py   the catalogue of what both platforms say: keys and English
voice_channel_messages.py  its layer of what is said in and about a voice channel
i18n.py       the catalogue's machinery: translations (locales/*.po) read, plural forms, lookup
languages.py  our languages, which one a reader gets, and their names
locale_formats.py  numbers, durations, lists, times and dates as each language writes them
overview.py   /settings, /voice and /style as they read
style_presets.py  a style preset's name, typed in any of our languages, read back as the preset
status_messages.py  status messages that follow long work and become the transcript
transcript_files.py  transcripts as .txt, .srt and .vtt files
subtitles.py  SubRip and WebVTT cues from a transcript's parts
gists.py      a gist's card, and the timed transcript behind it
autotranslate.py  an automatic translation under its transcript
usage.py      /usage as it reads
summaries.py  summaries and digest schedules as they read
memory.py     /find's moments as they read: who, when, where in the recording, the words marked
consent_reading.py  a consent reading's random digits as its sentence shows them (drawn in
                    `core.domain.consent_digits`, checked in `core.domain.consent_reading`)

A module named as one of another layer holds this layer's part of the same concept
(`summaries.py`, `claims.py`, `gists.py`...): the list is in `core.domain`'s map.
"""
