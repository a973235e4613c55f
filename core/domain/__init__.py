"""Domain: plain values, errors and rules, with no I/O and nothing else of ours imported.

channel_reader/       the channel reader's rules: whose messages, which voice, who hears a reading,
                      what of a message is said aloud
errors/               every error a chat user can cause or should hear about
listening/            a listened call's rules: its turns cut into pieces and their words, the
                      interpreter's, what is kept for a restart
memory/               /find's words and moments; what work under way writes under
mimo/                 MiMo's models, and the account's minute: its limits, what a request counts
recordings/           a recording's transcript and gist, where a long one is cut; Telegram
                      Business
rules/                what the owner allows, and claims on incoming work
summaries/            the chat log's summaries and digests: their windows and times
voices/               voices and speech: preset voices, styles, a message's spoken language, the
                      consent reading that clones a voice, voice notes offered inline
message_splitting.py  long text split at natural boundaries; positions as a clock reads them
prompt_fences.py      chat text fenced in a prompt so that it cannot close its own fence (each
                      prompt is written beside its use case: `core.app.recordings.gists`...)
quantities.py         what a sentence shows in the reader's language: durations, sizes, terms;
                      a wait rounded up to be shown
shared_values.py      chats, preferences, transcripts, voice notes, answers, voices
url_secrets.py        where secrets sit in a database URL, to keep them out of every log line

One concept across the layers, each of its modules named for the part it holds: its values and
rules here, its use cases, port, storage, sentences and commands in the other layers. A group's
chat log and summaries: `summaries/summary_values.py` here, use cases in `core.app.summaries`
(`chat_summaries`), a port in `core.ports.storage.chat_log_store_port`, tables and queries in
`core.infra.storage` (`chats/chat_log_in_database.py`, `tables/chat_log_tables.py`), sentences
in `core.chat.summary_wording`, and each platform's commands
(`bots/telegram/summaries/telegram_summary_commands.py`,
`bots/discord/summaries/discord_summary_commands.py`). Likewise the claims, the mandates, the
gists, Business connections, inline voice notes, memory, transcripts, the channel reader and the
calls kept for a restart. Two consents: a cloned voice's is read here
(`voices/clone_consent_rules.py`, `voices/consent_digits.py`), shown by
`core.chat.settings_wording`, asked for and checked by `core.app.voices.clone_consent`, stored by
`core.infra.storage.voices.clone_consent_in_database`; a member's yes or no to being transcribed
in a call is `core.infra.storage.voice_calls.listening_consents_in_database` in storage and
`core.app.listening.listening_consents` in the call.
"""
