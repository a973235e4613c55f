"""Listening: a server's voice channel transcribed live, of the members who said yes and nobody
else; the call joined, captioned, its captions translated, kept for a restart, and summarised
afterwards.

Uses `core.app.interpreter` (the call's interpreter), `recordings` (its transcript kept, its
gist, translations), `voice_calls` (the call's seat, what is kept for a restart), `rules` and
`core.app.use_case_metrics`.

call_consents.py      a listened call's consents (`CallConsents`): who in it is transcribed, each
                      one's answer during it and when each last said no, the no's that hold in it
                      alone, who was told so and when
call_lifecycle.py     a listened call from start to end (`ListenedCalls`): one teardown for its end
                      and its adjournment for a restart; taken up after a restart
call_piece_transcriber.py  one piece of a member's turn transcribed (`PieceTranscriber`), beside the
                      call and stateless; what it gives back is its `Caption`
call_turns.py         a listened call's turns, heard piece by piece, each kept as one line of its
                      transcript (`CallLines`), and handed to its interpreter part by part
caption_translation.py  a listened call's captions translated, piece by piece
kept_calls.py         the calls being listened to, kept in the database while they last (taken up
                      after a restart as readings are: `core.app.voice_calls.restart_recovery`)
listened_call.py      one listened call, one object (`ListenedCall`) in named states (`CallState`),
                      each change logged once; when it ends by itself. The only writer of its fields
listening_consents.py  members' yes or no to being transcribed in a server's calls, decided and
                      stored; the call in the server follows it
live_transcription.py  a voice channel transcribed live (`Listening`): the calls by server (one
                      map), who is transcribed, each piece handed over
past_calls.py         after a call: its kept transcript, its summary, questions about it
piece_stretching.py   the calls' speech against the account's minute: how far their pieces are
                      lengthened while it would take more than the minute holds

A listened call across the layers: its rules in `core.domain.listening` (`live_speech_rules`: a
turn cut in pieces, a `Piece` handed over and the `Caption` it gives; `kept_call_values`: the
call as kept for a restart); its ports in `core.ports` (`ListenedVoice`, `VoiceChannels`); its
storage in `core.infra.storage.voice_calls` (`listening_consents_in_database`,
`kept_calls_in_database`); its Discord side in `bots.discord.listening` (`listened_call_side`,
the same call's side, and `listen_commands`, its commands).
"""
