"""Adapters, named after their technology.

audio/                conversions, on ffmpeg
mimo/                 the MiMo client, over httpx
storage/              the database, on SQLAlchemy
health_check.py       the database check behind /healthz
local_settings.py     preferences held in the process: the command line's, with no database
log_redaction.py      logging, with every secret redacted
malloc_tuning.py      freed memory handed back to the system (set by the composition root)
prometheus_metrics.py  what the bot does, counted for Prometheus
recording_downloads.py  recordings downloaded from the platforms' file servers, over httpx

Each implements a port of `core.ports`; only the composition root builds them.
"""
