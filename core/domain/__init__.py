"""Domain: plain values, errors and rules, with no I/O and nothing else of ours imported.

values.py           chats, preferences, transcripts, voice notes, answers, voices
errors/             every error a chat user can cause or should hear about
limits.py           what the owner allows: request limits, allowlist, rates, quotas, counts
pacing.py           MiMo's minute for the whole account: its limits per model, who asks (live,
                    a person, the background; which chat), whether a use has room, what the
                    minute holds, who is told while a request waits
estimates.py        what a request will count in tokens of that minute, before MiMo says
claims.py           claims on incoming work
mandates.py         what work under way writes under: a /forget or a no since it began ends it
consent_reading.py  a consent reading (to clone a voice): the sentence, and whether a voice note
                    is its owner's reading of it
consent_digits.py   its random digits: drawn meaning nothing, read back however they are written
                    (shown by `core.chat.consent_reading`, checked by `consent_reading.py`)
business.py         Telegram Business connections, and what may be answered in them
inline.py           voice notes offered inline, and the key each is kept under
gists.py            the gist of a recording: headline and timed points
mimo_models.py      the MiMo models used unless the settings name others: today's ids
tts.py              the TTS models' styles, how a request says a text, what a user's text may carry
preset_voices.py    the TTS models' preset voices (Mia, 冰糖...): who each is, which model has them
reading.py          the channel reader: whose messages, which voice, names, the queue
reading_audience.py  the channel reader: who hears a reading, and what may be said to them
live_speech.py      a call's turn cut into pieces while it lasts; a piece handed to the core
                    (`Piece`) and what it heard (`Caption`); the call itself is
                    `core.app.calls.listened_call`
piece_words.py      ...and the pieces' words put back together, each word once
live_calls.py       a listened call and a channel reading as kept while they last, for the
                    next start to take up
interpreting.py     the interpreter's rules: which turns are spoken across, in which voice
spoken_language.py  which voices' language reads a message: Chinese or English; which
                    translations can be spoken (`speaks`)
sayable.py          what of a typed message is said aloud
transcripts.py      a transcript's timed parts, progress and missing stretches
memory.py           /find: words folded, moments found, the words marked where they were said
pauses.py           where to cut a long recording
summaries.py        the chat log's messages, summary state, summaries and digests
summary_windows.py  the windows a summary covers (the first: 24 h), `/summary 2h` read and
                    bounded, `/summary on|off`
digest_times.py     `/digest 18:00 Europe/Berlin`: times read, the next one due
text.py             long text split at natural boundaries; positions as a clock reads them
quantities.py       what a sentence shows in the reader's language: durations, sizes, terms
prompt_fences.py    chat text fenced in a prompt so that it cannot close its own fence
                    (each prompt is written beside its use case: `core.app.recordings.gists`...)
url_secrets.py      where secrets sit in a database URL, to keep them out of every log line

One concept, one name in every layer: a module here and its namesakes in the other layers hold
the same concept's parts, this one its values and rules. `summaries.py`: a group's chat log and
summaries, as use cases in `core.app.summaries`, a port in `core.ports.storage.summaries`,
tables and queries in `core.infra.storage` (`summaries.py`, `models/summaries.py`), sentences
in `core.chat.summaries`, and each platform's commands (`bots/telegram/summaries.py`,
`bots/discord/cogs/summaries.py`). Likewise `claims`, `mandates`, `gists`, `business`,
`inline`, `memory`, `transcripts`, `reading` and `live_calls`. Two consents: a cloned voice's is
read here (`consent_reading`, `consent_digits`), shown by `core.chat.consent_reading`, asked for
and checked by `core.app.voices.clone_consent`, stored by `core.infra.storage.clone_consent`; a
member's yes or no to being transcribed in a call is `listening_consents` in storage and
`core.app.calls.listening_consents` in the call.
"""
