"""Use cases: what a chat can ask of voicebridge, grouped by capability, each group a package.

A group uses only those below it (`lint-imports` holds it), from the top down: the scheduler;
summaries; memory; the channel reader; listening and the voice note events; the interpreter and
the voice calls; voices; recordings; rules; the use cases' metrics.

channel_reader/       the channel reader: a text channel read aloud in a voice channel
interpreter/          a listened call interpreted: each turn spoken in the other of Chinese and
                      English, from its words or from its sound
listening/            a voice channel transcribed live, with each member's consent: captions,
                      their translations, kept for a restart, summarised afterwards
memory/               a chat's memory: /find across its kept transcripts, the past imported, what
                      expires, and /forget (what runs ended, everything kept deleted)
recordings/           voice notes and files: fetched, transcribed piece by piece and kept; /ask,
                      /tldr, /translate; Telegram Business
rules/                the chat's rules: who asks and in which language, preferences, limits and
                      spending, each message answered once, MiMo requests in flight
summaries/            a group chat logged and summarised: /summary, daily digests
voice_calls/          the bot's voice call in a server, shared by readings, listening and /say,
                      and what of it outlives a restart
voices/               designed and cloned voices (after spoken consent), and speech: /say, Read
                      aloud, inline mode
scheduler.py          the periodic loop behind daily digests and retention, one per process
use_case_metrics.py   @counted: each use case counted in the metrics (/metrics, not quotas)
voice_note_events.py  a recording arrived, or its transcript was asked for: what the chat sees, one
                      call per event (a consent reading is judged as such, anything else
                      transcribed)

A concept that spans the layers is named in each for its part of it (`summary_values`,
`chat_summaries`, `summary_wording`...): the list is in `core.domain`'s map.
"""
