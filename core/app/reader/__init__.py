"""The channel reader: a text channel read aloud in a voice channel, in each member's voice.

Uses `core.app.calls` (the voice channel, what is kept for a restart), `voices`, `rules`, `running`.

channel_reader.py  start, switch, skip, stop; who may, who listens
reading.py         one running reading: its queue, suspended while a listener may not read
reading_speech.py  a reading's messages made into speech for the people there, a clip checked
                   again as it comes up, and the lines its chat hears once of one not read
clips.py           a reading's clips: the next made ahead while one plays (made, taken, let go,
                   closed); each checked as its message comes up, made again where it may no
                   longer play as made, played, or cut; own voices taken back while it runs
room.py            who is in the voice channel as a message is read, and the channels they
                   may not see
message_speech.py  one message of a reading made into speech, in a voice of its language
choices.py         what the server and each member chose for the channel reader
taken_back.py      what they took back (a no, an own voice, a voice deleted), told to the
                   readings running as it is stored, whichever way it came in
after_restart.py   a reading taken up after a restart: whether it may be, the line its chat
                   hears either way, and what it reads first
kept_for_restart.py  the readings kept in the database while they last: where each is, by
                   the last message read, for a restart to take up
"""
