"""A server's voice call on Discord: what the core (`core.app.calls.voice_call`, the channel
reader, the listening) decides about it, done; what it hears handed to the core; its captions shown.

voice_channels.py   the port of the call: who sits where, what each may do; join, deafen, leave;
                    the messages a reading missed while the bot was away
playback.py         /say's speech played in a voice channel, on the call the core gives it
clip_audio.py       a clip as the Opus packets a voice channel gets, without the Ogg headers
receive/            a call's voice received, member by member, for listening
listened_call.py    a listened call's Discord side (`DiscordListenedCall`): each piece handed to
                    the core's `ListenedCall` it was built for (`core.app.calls.listened_call`),
                    its caption posted
listened_call_sides.py  each listened call's Discord side built for the core as it joins; the
                    goodbye of a call a restart does not take up, without joining
captions.py         a listened call's captions: a line per speaker turn, edited while it goes on
listen_buttons.py   the yes and no buttons under a listened call's opening line
nicknames.py        the bot's nickname while it listens in a server ("🎙️ voicebridge")
notices.py          a listened call's notices of who joined: one message at a time, joins together
"""
