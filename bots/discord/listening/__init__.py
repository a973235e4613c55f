"""Listening on Discord: the commands, each listened call's Discord side (the pieces it hears
handed to the core, its captions posted), the bot's nickname and the notices of who joined.
Uses `bots.discord.voice_channels` (the call, its voice received), `commands`, `answers` and the
modules at the top.

bot_nickname.py       the bot's nickname while it listens in a server ("🎙️ voicebridge")
call_side_factory.py  each listened call's Discord side built for the core as it joins; the goodbye
                      of a call a restart does not take up, without joining
caption_messages.py   a listened call's captions: a line per speaker turn, edited while it goes on
join_notices.py       a listened call's notices of who joined: one message at a time, joins together
listen_commands.py    /listen, /stop_listening, /listen_me; who leaves the call
listened_call_side.py  a listened call's Discord side (`DiscordListenedCall`): each piece handed to
                      the core's `ListenedCall` it was built for
                      (`core.app.listening.listened_call`), its caption posted
"""
