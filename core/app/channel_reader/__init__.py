"""The channel reader: a text channel read aloud in a voice channel, in each member's voice.

Uses `core.app.voice_calls` (the voice call, what is kept for a restart), `listening` (how often
what is kept says it is alive, how long it may wait), `voices` and `rules`.

message_speech.py     one message of a reading made into speech, in a voice of its language; a
                      reading's messages made into speech for the people there, a clip checked again
                      as it comes up, and the lines its chat hears once of one not read; who is in
                      the voice channel as a message is read, and the channels they may not see
reader_choices.py     what the server and each member chose for the channel reader
reading_clips.py      a reading's clips: the next made ahead while one plays (made, taken, let go,
                      closed); each checked as its message comes up, made again where it may no
                      longer play as made, played, or cut; own voices taken back while it runs
reading_control.py    start, switch, skip, stop; who may, who listens
reading_resumption.py  a reading taken up after a restart: whether it may be, the line its chat
                      hears either way, and what it reads first; the readings kept in the database
                      while they last: where each is, by the last message read, for a restart to
                      take up
reading_session.py    one running reading: its queue, suspended while a listener may not read
taken_back_relay.py   what they took back (a no, an own voice, a voice deleted), told to the
                      readings running as it is stored, whichever way it came in
"""
