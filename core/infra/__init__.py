"""Adapters, named after their technology: mimo/, storage/, audio/, downloads, metrics, logs,
health; local_preferences, preferences kept in the process for the command line; and memory,
how the process hands freed memory back (set by the composition root).

MiMo over httpx, storage on SQLAlchemy, audio on ffmpeg, recordings downloaded over httpx,
metrics on Prometheus, logs through python-json-logger, and the database check behind /healthz.
Each implements a port of `core.ports`; only the composition root builds them.
"""
