"""The chat's rules: who asks and in which language, its preferences, the limits and what work
costs, each message answered once, MiMo requests in flight, and what leaves after a wait.

Uses the ports and the domain alone; every other group of `core.app` may use it.

chat_settings.py     a chat's preferences, read and changed
job_spending.py      one job's cost: reserved before, recorded or given back after; whom work is
                     counted against: the chat, its asker, a member's share, a server's listening,
                     the bot's budget
limits.py            the Limiter: the allowlist, rate limits and daily quotas, enforced and charged
outgoing_check.py    what is sent after a wait for MiMo, checked again as it leaves: nothing of what
                     was deleted, forgotten or taken back meanwhile
request_audience.py  the request of an event: who asks, where, in which language, and the chat's
                     choices, read once; every use case takes it and reads them no more
request_slots.py     the speech requests in flight: so many at once, fewer per chat; the recordings
                     worked on at once, so many per request in flight
work_claims.py       the Claims: each message answered once, interruptions reported
"""
