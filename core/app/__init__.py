"""Use cases: what a chat can ask of voicebridge, and the limits, claims and schedules around it.

voice_notes.py    a voice note (any recording) arrived, or its transcript was asked for: what
                  the chat sees, one call per event, preferences read once
transcription.py  a recording's transcript, piece by piece, within the chat's limits
speech.py         text as voice notes (/say, Read aloud) and audio files
gists.py          /tldr and `voicebridge summarise`: the gist of a recording
translations.py   /translate and /autotranslate: a transcript or a text in another language
kept.py           transcripts kept per recording, so MiMo never hears a piece twice
business.py       Telegram Business: recordings in a connected user's own chats
inline.py         inline mode: `@bot text` as a voice note, rendered once and kept
gate.py           the speech requests in flight: so many at once, fewer per chat
questions.py      /ask about a recording
recordings.py     recordings judged on what their platform declares, then downloaded
preferences.py    a chat's preferences, read and changed
audiences.py      the request of an event: who asks, where, in which language, and the chat's
                  choices, read once; every use case takes it and reads them no more
voices.py         the chat's own voices: designed, cloned, chosen, deleted
consents.py       spoken consent before a voice is cloned: the sentence, the reading, the clone
voice_calls.py    a server's voice call, held by reading and listening: join, deafen, leave
channel_reader.py  the channel reader: start, switch, skip, stop; who may, who listens
reading_turns.py  one running reading: its queue and turns, held while a listener may not read
spoken_messages.py  one message of a reading made into speech, in a voice of its language
reader_choices.py  what the server and each member chose for the channel reader
listened_calls.py  a listened call from start to end: its one end path; taken up after a restart
listening.py      a voice channel transcribed live: who is transcribed, each utterance
live_call.py      one call listened to: its turns kept, and when it ends by itself
live_calls.py     the calls being listened to, kept in the database while they last
kept_readings.py  the channel readings, kept likewise: where each is, by the last message read
caption_translations.py  a listened call's captions translated, piece by piece
interpreting.py   /listen interpret:True: each turn spoken in the other of Chinese and English
listening_consents.py  listening consent: members' yes or no to being transcribed, kept
calls.py          after a call listened to: its kept transcript, its summary, questions about it
memory.py         /find and /ask across a chat's kept transcripts
imports.py        a chat's past voice messages imported into its memory (an export, a history)
limits.py         the Limiter: the allowlist, rate limits and daily quotas, enforced and charged
tallies.py        whom work is counted against: the chat, its asker, a member's share, a
                  server's listening, the bot's budget
spend.py          one piece of work's cost: reserved before, recorded or given back after
claims.py         the Claims: each message answered once, interruptions reported
retention.py      what expires, and the jobs that delete it
scheduler.py      the periodic loop behind digests and retention
rounds.py         background loops that stop between rounds, never inside one
metrics_counted.py  @counted: each use case counted in the metrics (/metrics, not quotas)
summaries/        logging a group, summaries, daily digests
"""
