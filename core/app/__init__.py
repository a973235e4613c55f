"""Use cases: what a chat can ask of voicebridge, and the limits, claims and schedules around it.

service.py        VoiceService: the one object the adapters hold, a method per command
transcription.py  a recording's transcript, piece by piece, within the chat's limits
speech.py         text as voice notes (/say, Read aloud) and audio files
questions.py      /ask about a recording
recordings.py     recordings judged on what their platform declares, then downloaded
preferences.py    a chat's preferences, read and changed
voices.py         the chat's own voices: designed, cloned, chosen, deleted
limits.py         the Limiter: the allowlist, rate limits and daily quotas, enforced
claims.py         the WorkLedger: each message answered once, interruptions reported
retention.py      what expires, and the jobs that delete it
scheduler.py      the periodic loop behind digests and retention
metering.py       @counted: each use case counted in the metrics
summaries/        logging a group, summaries, daily digests
"""
