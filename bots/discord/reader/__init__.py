"""The channel reader's Discord side: a Discord message as the reader reads it. The reading
itself is the core's (`core.app.reader`); its cog is `bots.discord.cogs.channel_reader`, and the
call it plays in `bots.discord.call`.

channel_messages.py  a Discord message as the channel reader reads it (`ChannelMessage`)
"""
