"""Chat text: every sentence the bot says and how results read in a chat, on any platform.

answer_languages.py   our languages, which one a reader gets, and their names
find_results_wording.py  /find's moments as they read: who, when, where in the recording, the words
                      marked
i18n.py               the catalogue's machinery: translations (locales/*.po) read, plural forms,
                      lookup
locale_formats.py     numbers, durations, lists, times and dates as each language writes them
message_catalogue.py  the catalogue of what both platforms say: keys and English
settings_wording.py   a consent reading's random digits as its sentence lists them (drawn and
                      spaced apart in `core.domain.voices.consent_digits`, checked in
                      `core.domain.voices.clone_consent_rules`); /settings, /voice and /style as
                      they read
status_messages.py    an automatic translation under its transcript; status messages that follow
                      long work and become the transcript
style_preset_names.py  a style preset's name, typed in any of our languages, read back as the preset
summary_wording.py    a gist's card, and the timed transcript behind it; summaries and digest
                      schedules as they read
transcript_files.py   SubRip and WebVTT cues from a transcript's parts; transcripts as .txt, .srt
                      and .vtt files, a call's lines after their speaker's name
usage_wording.py      /usage as it reads
voice_channel_wording.py  the catalogue's layer of what is said in and about a voice channel

A concept that spans the layers is named in each for its part of it (`summary_wording`,
`summary_values`, `chat_summaries`...): the list is in `core.domain`'s map.
"""
