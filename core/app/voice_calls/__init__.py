"""The bot's voice call in a server, the one its occupants share (a reading, a listening, /say),
and what of a call or a reading outlives a restart.

Uses the ports and the domain alone; the channel reader and listening use it.

restart_recovery.py  what outlives a restart, for calls and readings alike
                     (`core.app.listening.kept_calls`,
                     `core.app.channel_reader.reading_resumption`): stored or logged, which
                     servers hold any, and the one way each is taken up (`take_up`), within
                     one window for both (`RESUME_WITHIN`, CALL_RESUME_WITHIN)
seats.py             the bot's voice call in a server: its seats (reading, listening, /say), who may
                     stop, join, deafen, one clip at a time, leave
"""
