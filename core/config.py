"""Settings: the configuration contract of DESIGN.md, read from the environment or `.env`.

Built in the entry point, never at import time, so tests and the command line each build their own.
"""

from __future__ import annotations

import hashlib
import re
import socket
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.domain.errors import ConfigError
from core.domain.limits import parse_ids
from core.domain.secrets import url_secrets

# Values people leave in a copied .env; treating them as unset gives a clearer start-up error
# than a 401 from the provider a minute later.
_PLACEHOLDER = re.compile(r"^(|x+|\.+|<.*>|your[-_ ].*|change[-_ ]?me.*|todo|none|null)$", re.I)
_TELEGRAM_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", case_sensitive=False
    )

    mimo_api_key: SecretStr | None = None
    mimo_base_url: str = "https://api.xiaomimimo.com/v1"
    mimo_asr_model: str = "mimo-v2.5-asr"
    mimo_tts_model: str = "mimo-v2.5-tts"
    mimo_audio_model: str = "mimo-v2.5"
    mimo_chat_model: str = "mimo-v2.5"
    # A chat's own voices (`core.app.voices`): the first model designs them, the second speaks
    # them all from their sample, whatever MIMO_TTS_MODEL says; a clone keeps this many seconds
    # of its recording.
    mimo_voicedesign_model: str = "mimo-v2.5-tts-voicedesign"
    mimo_voiceclone_model: str = "mimo-v2.5-tts-voiceclone"
    voice_sample_seconds: int = Field(default=30, ge=3, le=120)
    # Both headers are accepted by MiMo; some gateways in front of it only pass one of them.
    mimo_auth_header: Literal["api-key", "bearer"] = "api-key"
    mimo_timeout_seconds: float = Field(default=120.0, gt=0)
    mimo_max_retries: int = Field(default=3, ge=0, le=10)
    # Faults (issue 5): the first wait before retrying a MiMo call (doubling each retry, up to
    # 8 s, plus up to as much again at random); and the circuit breaker: after this many calls in
    # a row failed because MiMo is unwell, calls fail at once for the cooldown (0: no breaker).
    mimo_retry_wait_seconds: float = Field(default=0.5, gt=0, le=10)
    mimo_breaker_failures: int = Field(default=5, ge=0)
    mimo_breaker_cooldown_seconds: float = Field(default=30.0, gt=0)

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_local_mode: bool = False
    # Inline mode (`@bot some text` in any chat) sends voice notes by file id: the bot first
    # stores each one it renders by sending it to this chat (a private channel or group the bot
    # may post in). Unset: inline mode is off, and the bot says so at start.
    telegram_inline_cache_chat: int | None = None

    discord_bot_token: SecretStr | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None
    # Sharding (issue 7): unset, one process runs as many shards as Discord recommends. To split a
    # bot across processes, give each the same DISCORD_SHARD_COUNT and its own DISCORD_SHARD_IDS
    # (comma-separated, each below the count).
    discord_shard_count: int | None = Field(default=None, ge=1)
    discord_shard_ids: str = ""
    # The channel reader (/read_channel): characters of one message read aloud (longer ones are
    # cut, with a word saying so), messages waiting per server (past it the oldest is dropped,
    # with one line in the channel), and seconds with nothing read before it leaves.
    discord_reader_max_chars: int = Field(default=300, ge=20, le=2000)
    discord_reader_queue: int = Field(default=10, ge=1, le=100)
    discord_reader_idle_seconds: float = Field(default=600.0, gt=0)

    database_url: str = "sqlite+aiosqlite:///voicebridge.db"
    # PostgreSQL connection pool of each process (SQLite ignores these): connections kept open,
    # extra ones allowed at busy times, how long a request waits for one, and the age after which
    # a connection is replaced (below any idle timeout of a proxy such as PgBouncer).
    database_pool_size: int = Field(default=5, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    database_pool_timeout_seconds: float = Field(default=30.0, gt=0)
    database_pool_recycle_seconds: int = Field(default=1800, ge=-1)

    # Limits that protect the owner's wallet and the chats' patience.
    max_say_chars: int = Field(default=5000, ge=1)
    tts_piece_chars: int = Field(default=1000, ge=50)  # per speech request (sentence-whole)
    max_audio_seconds: int = Field(default=3600, ge=1)
    max_audio_mb: int = Field(default=50, ge=1)
    asr_piece_seconds: int = Field(default=60, ge=10)
    asr_concurrency: int = Field(default=4, ge=1)
    asr_max_in_flight: int = Field(default=8, ge=1)  # speech requests of all chats together
    # Long pauses shortened before audio goes to MiMo, which bills the seconds it receives
    # (transcripts, /ask, clone samples); timings stay those of the original recording.
    compact_pauses: bool = True
    # What the pieces sent for transcripts are: 16 kHz WAV (lossless, no encoding) or MP3 (a
    # fifth of the bytes, for a slow or metered uplink). MiMo bills the seconds either way.
    asr_audio_format: Literal["wav", "mp3"] = "wav"
    # ffmpeg processes at once, all chats together (about 30 MB each); default: 3 per core, >= 4.
    ffmpeg_max_processes: int | None = Field(default=None, ge=1)
    # How long one ffmpeg run may take: this, plus a second per second of audio it reads; one
    # that runs over (a file that makes it hang) is stopped and the file refused as unusable.
    ffmpeg_timeout_seconds: float = Field(default=120.0, gt=0)
    # Recordings downloaded at once, all chats together (each streams to disk in chunks), and
    # questions about recordings (/ask) worked on at once, all chats together.
    max_downloads: int = Field(default=4, ge=1)
    ask_concurrency: int = Field(default=2, ge=1)

    # Summaries: how much one MiMo request may carry (longer windows go in parts), and how long
    # a group's logged messages are kept.
    summary_max_prompt_chars: int = Field(default=30_000, ge=2_000)
    summary_retention_days: int = Field(default=7, ge=1, le=365)

    # Limits that protect the owner (issue 5, `core.app.limits`): costly requests a minute per
    # person and per chat (0: no limit); what one chat may use in a UTC day (0: unlimited); and
    # who may use the bot at all: comma-separated ids, bare or prefixed telegram:/discord: (empty
    # lists: everyone).
    rate_limit_user_per_minute: int = Field(default=6, ge=0)
    rate_limit_chat_per_minute: int = Field(default=20, ge=0)
    daily_audio_seconds: int = Field(default=7200, ge=0)
    daily_tts_chars: int = Field(default=20_000, ge=0)
    daily_summaries: int = Field(default=20, ge=0)
    daily_ask_seconds: int = Field(default=3600, ge=0)  # of recordings asked about (/ask)
    allowed_chats: str = ""
    allowed_users: str = ""

    @field_validator("allowed_chats", "allowed_users")
    @classmethod
    def _ids(cls, value: str) -> str:
        parse_ids(value)  # raises ValueError naming the entry it cannot read
        return value

    # Crash safety: every message the bot starts working on is claimed in the database under
    # this name and a lease the process renews while it works; work whose lease lapsed (its
    # process died) is taken over and finished by any process sharing the database, at once by
    # the next start of the same name. Replicas must each have a name of their own.
    instance_name: str = Field(default_factory=lambda: _host_name(), min_length=1, max_length=128)
    work_lease_seconds: float = Field(default=30.0, ge=3.0, le=3600.0)

    log_level: str = "INFO"
    # `text`: one readable line per record; `json`: one JSON object per line, for log shippers.
    log_format: Literal["text", "json"] = "text"

    # Beyond one machine (issue 7). With a public https URL, Telegram pushes updates to it instead
    # of being polled: served on TELEGRAM_WEBHOOK_LISTEN (host:port) at the URL's path, each
    # request checked for the secret token (default: derived from the bot token, so every
    # replica agrees). OPS_LISTEN (host:port; unset: off) serves /healthz and /metrics.
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "0.0.0.0:8443"
    telegram_webhook_secret: SecretStr | None = None
    ops_listen: str | None = None
    # Telegram updates accepted and not yet handled, at most; past it the webhook answers 503
    # (Telegram delivers the update again later) and polling waits.
    telegram_max_pending_updates: int = Field(default=1000, ge=1)

    @field_validator("mimo_tts_model")
    @classmethod
    def _preset_voice_model(cls, value: str) -> str:
        if value.endswith(("-voicedesign", "-voiceclone")):
            raise ValueError(
                "use a preset-voice model such as mimo-v2.5-tts: designed and cloned voices pick "
                "their own model (MIMO_VOICEDESIGN_MODEL, MIMO_VOICECLONE_MODEL)"
            )
        return value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme != "https":
            raise ValueError("Telegram sends webhooks to https URLs only (https://host/path)")
        return value

    @field_validator("telegram_webhook_listen", "ops_listen")
    @classmethod
    def _listen(cls, value: str | None) -> str | None:
        if value is not None:
            host_port(value)  # raises ValueError saying what is wrong
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_TOKEN.match(value.get_secret_value()):
            raise ValueError("use 1 to 256 characters: letters, digits, _ and -")
        return value

    @field_validator("discord_shard_ids")
    @classmethod
    def _shard_ids(cls, value: str) -> str:
        parse_shard_ids(value)  # raises ValueError naming the entry it cannot read
        return value

    def shards(self) -> tuple[int | None, list[int] | None]:
        """(DISCORD_SHARD_COUNT, DISCORD_SHARD_IDS) as discord.py takes them; raises when the ids
        do not fit the count."""
        ids = parse_shard_ids(self.discord_shard_ids)
        count = self.discord_shard_count
        if ids and count is None:
            raise ConfigError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (all the bot's shards)")
        if ids and count is not None and max(ids) >= count:
            raise ConfigError(
                f"DISCORD_SHARD_IDS must be below DISCORD_SHARD_COUNT ({count}): shards are "
                f"numbered 0 to {count - 1}"
            )
        return count, ids or None

    def webhook_secret(self) -> str:
        """TELEGRAM_WEBHOOK_SECRET, or one derived from the bot token (the same on every
        replica, and nothing an outsider can work out without the token)."""
        if self.telegram_webhook_secret is not None:
            return self.telegram_webhook_secret.get_secret_value()
        raw = self.telegram_bot_token
        token = raw.get_secret_value().strip() if raw is not None else ""
        return hashlib.sha256(b"voicebridge telegram webhook\0" + token.encode()).hexdigest()

    def secret_values(self) -> list[str]:
        """Every secret in force, for the log redaction filter."""
        secrets = (self.mimo_api_key, self.telegram_bot_token, self.discord_bot_token)
        values = [s.get_secret_value() for s in secrets if s and s.get_secret_value()]
        if self.telegram_webhook_url is not None:
            values.append(self.webhook_secret())
        # Its password and secret query parameters, as written and as they read decoded.
        return values + url_secrets(self.database_url)

    def require_mimo_key(self) -> str:
        return _require(self.mimo_api_key, "MIMO_API_KEY")

    def telegram_token(self) -> str | None:
        """The Telegram token if the bot is enabled; raises when it is set but malformed."""
        if not _is_set(self.telegram_bot_token):
            return None
        token = _require(self.telegram_bot_token, "TELEGRAM_BOT_TOKEN")
        if not _TELEGRAM_TOKEN.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (expected 123456:ABC..., "
                "as BotFather gives it)"
            )
        return token

    def discord_token(self) -> str | None:
        if not _is_set(self.discord_bot_token):
            return None
        return _require(self.discord_bot_token, "DISCORD_BOT_TOKEN")


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


def _host_name() -> str:
    return socket.gethostname()[:128] or "voicebridge"


def _is_set(value: SecretStr | None) -> bool:
    return value is not None and not _PLACEHOLDER.match(value.get_secret_value().strip())


def _require(value: SecretStr | None, name: str) -> str:
    if value is None or not value.get_secret_value().strip():
        raise ConfigError(f"{name} is not set (put it in the environment or in .env)")
    if not _is_set(value):
        raise ConfigError(f"{name} still holds a placeholder value; set the real one")
    return value.get_secret_value().strip()
