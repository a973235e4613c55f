"""The chat's rules: who asks and in which language, its preferences, the limits and what work
costs, each message answered once, MiMo requests in flight, and what leaves after a wait.

Uses `core.app.running`, the ports and the domain; every other group of `core.app` may use it.

requests.py     the request of an event: who asks, where, in which language, and the chat's
                choices, read once; every use case takes it and reads them no more
preferences.py  a chat's preferences, read and changed
limits.py       the Limiter: the allowlist, rate limits and daily quotas, enforced and charged
tallies.py      whom work is counted against: the chat, its asker, a member's share, a
                server's listening, the bot's budget
spending.py     one job's cost: reserved before, recorded or given back after
claims.py       the Claims: each message answered once, interruptions reported
in_flight.py    the speech requests in flight: so many at once, fewer per chat
leaving.py      what is sent after a wait for MiMo, checked again as it leaves: nothing of
                what was deleted, forgotten or taken back meanwhile
"""
