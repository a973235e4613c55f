"""Chat text: every sentence the bot says and how results read in a chat, on any platform.

messages.py   the catalogue of what both platforms say, and its lookup
overview.py   /settings, /voice and /style as they read
live.py       status messages that follow long work and become the transcript
exports.py    transcripts as .txt and .srt files (subtitles.py: .srt and .vtt cues)
usage.py      /usage as it reads
summaries.py  summaries and digest schedules as they read
"""
