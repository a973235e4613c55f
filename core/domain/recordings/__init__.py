"""Recordings: a transcript's timed parts, a recording's gist, where a long one is cut; and
Telegram Business connections, where recordings arrive in the owner's own chats.

business_choices.py   Telegram Business connections, and what may be answered in them
gist_format.py        the gist of a recording: headline and timed points, as its card lists them
pause_cut_rules.py    where to cut a long recording
transcript_values.py  a transcript's timed parts, progress and missing stretches
"""
