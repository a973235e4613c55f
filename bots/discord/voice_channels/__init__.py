"""A server's voice call on Discord: what the core (`core.app.voice_calls.seats`, the channel
reader, the listening) decides about it, done; /say's speech and the readings' clips played in
it; its voice received for listening; and a Discord message as the channel reader reads it. Uses
`bots.discord.answers` and the modules at the top.

The reading itself is the core's (`core.app.channel_reader`), and its cog is
`bots.discord.channel_reader.read_channel_commands`; a listened call's Discord side is
`bots.discord.listening`.

receive/              a call's voice received, member by member, for listening
call_connection.py    the port of the call: who sits where, what each may do; join, deafen, leave;
                      a voice channel, not a stage; the messages a reading missed while away
clip_audio_source.py  a clip as the Opus packets a voice channel gets, without the Ogg headers
reader_messages.py    a Discord message as the channel reader reads it (`ChannelMessage`)
speech_playback.py    /say's speech played in a voice channel, on the call the core gives it
"""
