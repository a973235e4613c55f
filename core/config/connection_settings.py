"""The settings of the services the bot talks to: MiMo (the key, its host, the models, the
retries and the circuit breaker), Telegram's Bot API and Discord (the tokens, the servers'
URLs, shards), and the database (its URL, and the PostgreSQL connections each process holds
open: the pool). `Settings` (`settings.py`) adds the rest on top of them, what the Discord bot
does in voice channels among it (`voice_channel_settings.py`); each field's docstring is its
description in the configuration reference and `.env.example`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.config.machine_defaults import default_database_url
from core.config.setting_value_checks import (
    DISCORD_TOKEN,
    TELEGRAM_TOKEN,
    URL_EXAMPLES,
    check_database_url,
    check_url,
    is_set,
    parse_shard_ids,
    required,
)
from core.domain.errors import ConfigError
from core.domain.mimo import default_models

__all__ = ["SETTINGS_CONFIG", "Connections"]

SETTINGS_CONFIG = SettingsConfigDict(
    env_file=".env",
    env_ignore_empty=True,
    extra="ignore",
    case_sensitive=False,
    # Each field's docstring is its description: the configuration reference (docs/) and
    # .env.example are generated from them.
    use_attribute_docstrings=True,
)


class Connections(BaseSettings):
    """What the bot connects to (see the module docstring)."""

    model_config = SETTINGS_CONFIG

    mimo_api_key: SecretStr | None = None
    """The MiMo API key (`sk-...`, from the MiMo console's API Keys page; a Token Plan key is
    `tp-...`). Required for any speech work."""
    mimo_base_url: str = "https://api.xiaomimimo.com/v1"
    """The MiMo API's base URL. A Token Plan key works only with its region's host:
    `https://token-plan-cn.xiaomimimo.com/v1`, `token-plan-sgp` or `token-plan-ams`."""
    # The models' defaults are `core.domain.mimo.default_models`', as every other default model is.
    mimo_asr_model: str = default_models.ASR
    """The speech recognition model: transcripts (voice notes, recordings, calls listened to) and
    spoken consent to a cloned voice. Billed by the second of audio; MiMo's pages publish no
    price for it (read 2026-11-28)."""
    mimo_tts_model: str = default_models.TTS
    """The speech model of the preset voices: `mimo-v2.5-tts` or `mimo-v2-tts` (which MiMo
    routes to the v2.5 models). A voicedesign or voiceclone model is refused at start: a chat's
    own voices choose their model themselves. Billed by the character spoken; MiMo's pages
    publish no price for it (read 2026-11-28)."""
    mimo_audio_model: str = default_models.AUDIO
    """The audio understanding model: questions about a recording (`/ask`, Ask about this audio,
    a question in a caption), and the interpreter's translations from a sentence's sound
    (DISCORD_INTERPRET_FROM=audio), asked with thinking off. `mimo-v2.6-flash` takes text, image,
    audio and video (`mimo-v2.5` and `mimo-v2-omni`, which did before it, are retired); MiMo
    publishes $0.14 per million input tokens and $0.28 per million output tokens for it (read
    2026-11-28), a recording's audio counted at about 6.25 tokens a second."""
    mimo_chat_model: str = default_models.CHAT
    """The text model: summaries, digests, gists (`/tldr`), translations (`/translate`,
    translated captions, the interpreter from text) and `/ask` across a chat's voice notes,
    asked with thinking off. `mimo-v2.6-flash` replaced `mimo-v2.5`, which MiMo retired on
    2026-10-21; MiMo publishes $0.14 per million input tokens and $0.28 per million output
    tokens for it (read 2026-11-28)."""
    mimo_voicedesign_model: str = default_models.VOICEDESIGN
    """The model that designs a chat's own voices from a description (`/voice design`) and makes
    their sample. Billed by the character; MiMo's pages publish no price for it (read
    2026-11-28)."""
    mimo_voiceclone_model: str = default_models.VOICECLONE
    """The model a chat's own voices, designed and cloned alike, speak with, from their sample,
    whatever `MIMO_TTS_MODEL` says. Billed by the character; MiMo's pages publish no price for
    it (read 2026-11-28)."""
    mimo_auth_header: Literal["api-key", "bearer"] = "api-key"
    """How the key is sent: `api-key` (an `api-key: KEY` header) or `bearer` (`Authorization:
    Bearer KEY`). MiMo takes both; some gateways in front of it pass only one."""
    mimo_timeout_seconds: float = Field(default=120.0, gt=0)
    """Deadline of one MiMo call, its retries included."""
    mimo_max_retries: int = Field(default=3, ge=0, le=10)
    """Retries of a MiMo call that failed with 429, a 5xx, a timeout or a broken connection; a
    refusal (400, 401, 402, 403, 404, 421) is never retried."""
    mimo_retry_wait_seconds: float = Field(default=0.5, gt=0, le=10)
    """Wait before the first retry; each later one doubles (at most 8 s), plus up to as much
    again at random. A `Retry-After` from MiMo wins."""
    mimo_breaker_failures: int = Field(default=5, ge=0)
    """MiMo calls in a row that end unavailable or unreadable (after their retries) before the
    circuit breaker opens and calls fail at once for the cooldown. `0` turns the breaker off."""
    mimo_breaker_cooldown_seconds: float = Field(default=30.0, gt=0)
    """How long an open circuit breaker answers at once instead of calling MiMo; then one trial
    call decides whether it closes."""
    mimo_paced: bool = True
    """Pace every MiMo request to the account's minute (below), live work first, then a person
    waiting, then the background, chat by chat; one minute for every replica sharing the
    database. `false` sends each request at once and lets MiMo answer 429 past its limits."""
    mimo_asr_requests_per_minute: int = Field(default=100, ge=1)
    """Speech recognition requests MiMo takes from the whole account a minute, every key and
    replica together (MiMo's published figure, 2026-06-11). Raise it only if MiMo raised your
    account's limit."""
    mimo_asr_tokens_per_minute: int = Field(default=10_000, ge=1)
    """Speech recognition tokens MiMo takes from the whole account a minute (a second of audio is
    about 6.25, and its words and prompt add some: about 12 to 16 minutes of speech a minute)."""
    mimo_requests_per_minute: int = Field(default=100, ge=1)
    """Requests MiMo takes a minute for each of the other models (speech, voices, the text and
    audio models), every key and replica together."""
    mimo_tokens_per_minute: int = Field(default=10_000_000, ge=1)
    """Tokens MiMo takes a minute for each of the other models, every key and replica together."""
    mimo_minute_seconds: float = Field(default=60.0, gt=0, le=60)
    """The length of MiMo's minute. Leave it at 60: a shorter one is for a benchmark's stand-in
    that keeps a shorter minute at the same ratios."""

    telegram_bot_token: SecretStr | None = None
    """The Telegram bot's token, from @BotFather (`123456789:AAE...`). Set, the Telegram bot
    runs."""
    telegram_api_url: str = "https://api.telegram.org"
    """Root of the Bot API server, such as a self-hosted one (`/bot<token>/...` and
    `/file/bot<token>/...` are appended)."""
    telegram_local_mode: bool = False
    """`true` when the Bot API server above runs with `--local`: no 20 MB download cap, files
    read from its disk, which this machine must see at the same path."""
    telegram_inline_cache_chat: int | None = None
    """Id of the chat (a private channel with the bot as an administrator, `-100...`) where
    inline mode stores the voice notes it renders, so it can offer them by file id. Unset, inline
    mode is off and the log says so at start."""

    discord_bot_token: SecretStr | None = None
    """The Discord bot's token (developer portal: your application, Bot, Reset Token). Set, the
    Discord bot runs."""
    discord_api_url: str = "https://discord.com/api/v10"
    """Discord's REST API base, API version included; point it at a rate-limit proxy (such as
    nirn-proxy) when several processes share a token."""
    discord_gateway_url: str | None = None
    """The gateway websocket URL, for a gateway proxy. Unset: the one Discord names (`GET
    /gateway/bot`)."""
    discord_shard_count: int | None = Field(default=None, ge=1)
    """The Discord bot's shards in all, when several processes share them. Unset: as many as
    Discord recommends, all in this process."""
    discord_shard_ids: str = ""
    """The shards this process runs, comma-separated, each below `DISCORD_SHARD_COUNT` (such as
    `0,1`). Empty: all of them."""
    discord_members_intent: bool = True
    """Whether the Discord bot asks for the Server Members intent, a privileged intent Discord
    must grant the application (developer portal → Bot; an application in many servers has it
    once Discord approves it, reviewed each year past 10,000 users). `false` while it is not
    granted: the bot runs without it, a private
    thread's voice messages found with `/find` only by those who manage its threads or search
    within it, and the channel reader asks Discord for everyone in its voice channel with each
    message (their roles and timeout, which Discord no longer sends; `voicebridge doctor` says
    so)."""

    database_url: str = Field(default_factory=lambda: default_database_url())
    """SQLAlchemy async URL of the database: `sqlite+aiosqlite:////absolute/path.db` (a relative
    path is taken from the current folder) or
    `postgresql+asyncpg://user:password@host:5432/voicebridge`. Its password never reaches a log
    line; the start logs where the database is."""
    database_pool_size: int = Field(default=5, ge=1)
    """PostgreSQL connections each process holds open (SQLite ignores the four pool settings)."""
    database_max_overflow: int = Field(default=10, ge=0)
    """Further PostgreSQL connections a process may open at busy times, closed once given back.
    Pool size plus overflow, times the processes, must stay below the server's `max_connections`."""
    database_pool_timeout_seconds: float = Field(default=30.0, gt=0)
    """How long a request waits for a free database connection before it fails."""
    database_pool_recycle_seconds: int = Field(default=1800, ge=-1)
    """Age in seconds at which a database connection is replaced; keep it below any idle timeout
    of a proxy (PgBouncer) or firewall. `-1`: never."""

    @field_validator(*URL_EXAMPLES)
    @classmethod
    def _scheme(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            check_url(value, example=URL_EXAMPLES[info.field_name or ""])
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        check_database_url(value)  # raises ValueError saying what to write instead
        return value

    @field_validator("mimo_tts_model")
    @classmethod
    def _preset_voice_model(cls, value: str) -> str:
        if value.endswith(("-voicedesign", "-voiceclone")):
            raise ValueError(
                f"use a preset-voice model such as {default_models.TTS}: designed and cloned "
                "voices pick their own model (MIMO_VOICEDESIGN_MODEL, MIMO_VOICECLONE_MODEL)"
            )
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

    def require_mimo_key(self) -> str:
        return required(self.mimo_api_key, "MIMO_API_KEY")

    def telegram_token(self) -> str | None:
        """The Telegram token if the bot is enabled; raises when it is set but malformed."""
        if not is_set(self.telegram_bot_token):
            return None
        token = required(self.telegram_bot_token, "TELEGRAM_BOT_TOKEN")
        if not TELEGRAM_TOKEN.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (expected 123456:ABC..., "
                "as BotFather gives it)"
            )
        return token

    def discord_token(self) -> str | None:
        """The Discord token if the bot is enabled; raises when it is set but malformed, so a
        pasted half is named here rather than met as a refusal over the network."""
        if not is_set(self.discord_bot_token):
            return None
        token = required(self.discord_bot_token, "DISCORD_BOT_TOKEN")
        if token.lower().startswith("bot "):
            raise ConfigError("DISCORD_BOT_TOKEN: write the token alone, without 'Bot ' before it")
        if not DISCORD_TOKEN.match(token):
            raise ConfigError(
                "DISCORD_BOT_TOKEN does not look like a bot token (expected three parts joined "
                "by dots, such as MTk4NjIy.Cl2FMQ.ZnCjm1XV..., as the developer portal's Bot → "
                "Reset Token gives it)"
            )
        return token
