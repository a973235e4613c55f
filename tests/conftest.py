"""Shared test set-up: database fixtures for SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

pytest_plugins = ["tests.db_fixtures"]
