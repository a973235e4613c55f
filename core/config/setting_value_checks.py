"""What a setting's value must look like, checked as the settings are read (`Settings`'
validators) or as a value is used: a placeholder left in a copied .env, a token's shape, a
database URL naming a driver the project ships, a URL with its scheme, shard ids, `host:port`.
Each says in its error how the value is written."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import SecretStr

from core.domain.errors import ConfigError, MissingSetting

__all__ = [
    "DISCORD_TOKEN",
    "LOG_LEVELS",
    "SECRET_TOKEN",
    "TELEGRAM_TOKEN",
    "URL_EXAMPLES",
    "check_database_url",
    "check_url",
    "host_port",
    "is_set",
    "parse_shard_ids",
    "required",
]

# Values people leave in a copied .env; treating them as unset gives a clearer start-up error
# than a 401 from the provider a minute later.
PLACEHOLDER = re.compile(r"^(|x+|\.+|<.*>|your[-_ ].*|change[-_ ]?me.*|todo|none|null)$", re.I)
TELEGRAM_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
# A Discord bot token: the bot's id, a timestamp and a signature, each base64url, joined by dots.
DISCORD_TOKEN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")

# Every setting that is a URL, with what one looks like: a value without its scheme
# (`api.xiaomimimo.com`) would otherwise be met as a strange answer from the service.
URL_EXAMPLES = {
    "mimo_base_url": "https://api.xiaomimimo.com/v1",
    "telegram_api_url": "https://api.telegram.org",
    "discord_api_url": "https://discord.com/api/v10",
    "discord_gateway_url": "wss://gateway.discord.gg",
}

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The async drivers the project ships, by what people write instead: a libpq, Heroku or
# SQLAlchemy-sync URL names the right database in the wrong dialect.
_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_SPELLINGS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "postgresql+psycopg": "postgresql",
    "postgresql+psycopg2": "postgresql",
    "pgsql": "postgresql",
}


def check_database_url(url: str) -> None:
    """ValueError unless `url` names one of the drivers voicebridge ships (aiosqlite, asyncpg),
    saying how to write it. The message never repeats the URL's password."""
    scheme, sep, _ = url.strip().partition("://")
    scheme = scheme.lower()
    if scheme in _DRIVERS.values() and sep:
        return
    if not sep:
        raise ValueError(
            "expected a URL such as sqlite+aiosqlite:////home/me/voicebridge.db or "
            "postgresql+asyncpg://USER:PASSWORD@HOST:5432/voicebridge"
        )
    kind = _SPELLINGS.get(scheme)
    if kind is None:
        raise ValueError(
            f"{scheme}:// is not a database voicebridge can use: use sqlite+aiosqlite:// or "
            "postgresql+asyncpg://"
        )
    driver = _DRIVERS[kind]
    raise ValueError(f"write {driver}://... instead of {scheme}://... (the installed driver)")


_SCHEMES = {"wss://": ("ws", "wss")}


def check_url(url: str, *, example: str) -> None:
    """ValueError unless `url` is an absolute URL of `example`'s kind (http or https; ws or
    wss for a websocket), with a host, saying what one looks like."""
    kinds = _SCHEMES.get(example[: example.index("://") + 3], ("http", "https"))
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in kinds and parts.netloc:
        return
    raise ValueError(f"expected a URL with its scheme, such as {example} (got {url[:60]!r})")


def parse_shard_ids(value: str) -> list[int]:
    """`0,2, 4` as [0, 2, 4], sorted and without repeats; ValueError naming a bad entry."""
    ids: set[int] = set()
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        if not entry.isdigit():
            raise ValueError(f"shard ids are whole numbers from 0, got {entry[:20]!r}")
        ids.add(int(entry))
    return sorted(ids)


def host_port(listen: str) -> tuple[str, int]:
    """`host:port` (`[::1]:9090` for IPv6) as a pair; ValueError when it is not one."""
    host, sep, port = listen.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected host:port, such as 0.0.0.0:8443, got {listen!r}")
    return host, int(port)


def is_set(value: SecretStr | None) -> bool:
    return value is not None and not PLACEHOLDER.match(value.get_secret_value().strip())


def required(value: SecretStr | None, name: str) -> str:
    if value is None or not value.get_secret_value().strip():
        raise MissingSetting(f"{name} is not set (put it in the environment or in .env)")
    if not is_set(value):
        raise ConfigError(f"{name} still holds a placeholder value; set the real one")
    return value.get_secret_value().strip()
