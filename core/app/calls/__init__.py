"""A server's voice call: joined, listened to with each member's consent, captioned,
interpreted, kept for a restart, and summarised afterwards.

Uses `core.app.voices`, `recordings`, `rules` and `running`; never the reader or memory.

voice_call.py     the bot's voice call in a server: its seats (reading, listening, /say), who
                  may stop, join, deafen, one clip at a time, leave
listening.py      a voice channel transcribed live (`Listening`): the calls by server (one
                  map), who is transcribed, each piece handed over
listened_calls.py  a listened call from start to end (`ListenedCalls`): one teardown for its
                  end and its adjournment for a restart; taken up after a restart
listened_call.py  one listened call, one object (`ListenedCall`) in named states (`CallState`),
                  each change logged once; when it ends by itself. The only writer of its
                  fields
call_consents.py  a listened call's consents (`CallConsents`): who in it is transcribed, each
                  one's answer during it and when each last said no, the no's that hold in it
                  alone, who was told so and when
turns.py          a listened call's turns, heard piece by piece, each kept as one line of its
                  transcript (`CallLines`), and handed to its interpreter part by part
pieces.py         one piece of a member's turn transcribed (`PieceTranscriber`), beside the
                  call and stateless; what it gives back is its `Caption`
stretching.py     the calls' speech against the account's minute: how far their pieces are
                  lengthened while it would take more than the minute holds
listening_consents.py  members' yes or no to being transcribed in a server's calls, decided
                  and stored; the call in the server follows it
caption_translations.py  a listened call's captions translated, piece by piece
interpreting.py   /listen interpret:True: each turn spoken in the other of Chinese and English,
                  part by part (`CallInterpreter`): what is spoken, when, and what it costs
interpretation_queue.py  the interpretations in a queue, played one at a time in the order their
                  parts ended; one too late dropped
interpretation_clips.py  each interpretation made into its clip: its words, in whose voice
interpreting_news.py  what the interpreter has the adapter say: an interpretation dropped, or
                  interpreting stopped
translations_from_audio.py  each part of a turn translated from its sound for the interpreter
                  (DISCORD_INTERPRET_FROM=audio): asked for, handed to its caption, called off
held_sound.py     the sound of a call's turns, held in memory for the translations from their
                  sound until each part is handed over
kept_for_restart.py  the calls being listened to, kept in the database while they last (taken
                  up after a restart as readings are: `core.app.running.restarts`)
past_calls.py     after a call: its kept transcript, its summary, questions about it

A listened call across the layers: its rules in `core.domain` (`live_speech`: a turn cut in
pieces, a `Piece` handed over and the `Caption` it gives; `live_calls`: the call as kept for
a restart); its ports in `core.ports`
(`ListenedVoice`, `VoiceChannels`); its storage in `core.infra.storage` (`listening_consents`,
`live_calls`); its Discord side in `bots.discord.call` (`listened_call`, the same call's side)
and its commands in `bots.discord.cogs.listening`.
"""
