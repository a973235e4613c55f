"""Adapters, named after their technology: MiMo over httpx, storage on SQLAlchemy, audio on
ffmpeg, metrics on Prometheus, logs and the health check."""
