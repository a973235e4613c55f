"""Adapters, named after their technology.

mimo/                 the MiMo client, over httpx
storage/              the database, on SQLAlchemy
audio/                conversions, on ffmpeg
downloads.py          recordings downloaded from the platforms' file servers, over httpx
local_preferences.py  preferences held in the process: the command line's, with no database
metrics.py            what the bot does, counted for Prometheus
logs.py               logging, with every secret redacted
health.py             the database check behind /healthz
malloc.py             freed memory handed back to the system (set by the composition root)

Each implements a port of `core.ports`; only the composition root builds them.
"""
