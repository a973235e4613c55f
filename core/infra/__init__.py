"""Adapters, named after their technology: MiMo over httpx, storage on SQLAlchemy, audio on
ffmpeg, metrics on Prometheus, logs, the health check and the system clock."""
