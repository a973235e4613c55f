"""What `voicebridge run` will start, read from the settings alone, before anything slow loads:
the platforms whose token is set (checked), and the first log line, which says what the bot will
connect to without a secret in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from core.config import Settings
from core.domain.errors import MissingSetting

__all__ = ["STOPPED_WHILE_STARTING", "Plan", "database_named", "first_line", "plan"]

STOPPED_WHILE_STARTING = "voicebridge stopped while starting; nothing was running yet"


@dataclass(frozen=True)
class Plan:
    telegram_token: str | None
    discord_token: str | None
    shards: tuple[int | None, list[int] | None]  # (DISCORD_SHARD_COUNT, DISCORD_SHARD_IDS)

    @property
    def platforms(self) -> list[str]:
        named = ("Telegram", self.telegram_token), ("Discord", self.discord_token)
        return [name for name, token in named if token is not None]


def plan(settings: Settings) -> Plan:
    """The platforms to start; `MissingSetting` when there is none or the MiMo key is missing,
    `ConfigError` when a token is malformed or the shard ids do not fit their count."""
    telegram_token = settings.telegram_token()
    discord_token = settings.discord_token()
    if telegram_token is None and discord_token is None:
        raise MissingSetting("no bot to start: set TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN")
    settings.require_mimo_key()
    shards = settings.shards() if discord_token is not None else (None, None)
    return Plan(telegram_token, discord_token, shards)


def first_line(settings: Settings, chosen: Plan, *, version: str, settings_from: str) -> str:
    """`voicebridge 0.2.0 starting: Telegram (polling https://api.telegram.org), Discord
    (https://discord.com/api/v10); the database: SQLite at /var/lib/voicebridge/voicebridge.db;
    settings from /etc/voicebridge/voicebridge.env and the environment (which wins)`."""
    platforms = []
    if chosen.telegram_token is not None:
        webhook = settings.telegram_webhook_url
        how = f"webhook {webhook}" if webhook else f"polling {settings.telegram_api_url}"
        platforms.append(f"Telegram ({how})")
    if chosen.discord_token is not None:
        platforms.append(f"Discord ({settings.discord_api_url})")
    return (
        f"voicebridge {version} starting: {', '.join(platforms)}; the database: "
        f"{database_named(settings.database_url)}; settings {settings_from}"
    )


def database_named(url: str) -> str:
    """The database for a person, without SQLAlchemy (which is slow to load) and without its
    password: `SQLite at /absolute/path.db`, `PostgreSQL at host:5432/name`."""
    scheme = url.partition("://")[0].partition("+")[0]
    parts = urlsplit(url)
    if scheme == "sqlite":
        database = url.partition("://")[2].partition("/")[2].partition("?")[0]
        if database in ("", ":memory:") or "mode=memory" in parts.query:
            return "SQLite in memory"
        return f"SQLite at {Path(database).expanduser().resolve()}"
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    kind = "PostgreSQL" if scheme.startswith("postgres") else scheme
    return f"{kind} at {host}{port}{parts.path}"
