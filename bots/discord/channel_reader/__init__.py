"""The channel reader's cog: a text channel read aloud in a voice channel. Uses
`bots.discord.voice_channels` (the call, a message as the reader reads it), `commands`, `answers`
and the modules at the top.

read_channel_commands.py  /read_channel, /skip, /stop, /myvoice, /read_me, /read_settings; the
                      events
"""
