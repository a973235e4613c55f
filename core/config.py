"""Settings: the configuration contract of DESIGN.md, read from the environment or `.env`.

Built in the entry point, never at import time, so tests and the command line each build their own.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import socket
import sys
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.domain.errors import ConfigError
from core.domain.limits import parse_ids
from core.domain.secrets import url_secrets

# Values people leave in a copied .env; treating them as unset gives a clearer start-up error
# than a 401 from the provider a minute later.
_PLACEHOLDER = re.compile(r"^(|x+|\.+|<.*>|your[-_ ].*|change[-_ ]?me.*|todo|none|null)$", re.I)
_TELEGRAM_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
# A Discord bot token: the bot's id, a timestamp and a signature, each base64url, joined by dots.
_DISCORD_TOKEN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")

# Every setting that is a URL, with what one looks like: a value without its scheme
# (`api.xiaomimimo.com`) would otherwise be met as a strange answer from the service.
URL_EXAMPLES = {
    "mimo_base_url": "https://api.xiaomimimo.com/v1",
    "telegram_api_url": "https://api.telegram.org",
    "discord_api_url": "https://discord.com/api/v10",
    "discord_gateway_url": "wss://gateway.discord.gg",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=False,
        # Each field's docstring is its description: the configuration reference (docs/) and
        # .env.example are generated from them.
        use_attribute_docstrings=True,
    )

    mimo_api_key: SecretStr | None = None
    """The MiMo API key (`sk-...`, from the MiMo console's API Keys page; a Token Plan key is
    `tp-...`). Required for any speech work."""
    mimo_base_url: str = "https://api.xiaomimimo.com/v1"
    """The MiMo API's base URL. A Token Plan key works only with its region's host:
    `https://token-plan-cn.xiaomimimo.com/v1`, `token-plan-sgp` or `token-plan-ams`."""
    mimo_asr_model: str = "mimo-v2.5-asr"
    """The speech recognition model: transcripts."""
    mimo_tts_model: str = "mimo-v2.5-tts"
    """The speech model of the preset voices: `mimo-v2.5-tts` or `mimo-v2-tts`. A voicedesign or
    voiceclone model is refused at start: a chat's own voices choose their model themselves."""
    mimo_audio_model: str = "mimo-v2.5"
    """The audio understanding model: questions about a recording (`/ask`)."""
    mimo_chat_model: str = "mimo-v2.5"
    """The text model: summaries, digests, gists and translations."""
    mimo_voicedesign_model: str = "mimo-v2.5-tts-voicedesign"
    """The model that designs a chat's own voices from a description (`/voice design`) and makes
    their sample."""
    mimo_voiceclone_model: str = "mimo-v2.5-tts-voiceclone"
    """The model a chat's own voices, designed and cloned alike, speak with, from their sample,
    whatever `MIMO_TTS_MODEL` says."""
    voice_sample_seconds: int = Field(default=30, ge=3, le=120)
    """Seconds of a voice note kept as a cloned voice's sample (`/voice clone`)."""
    voice_clone_attempts_per_day: int = Field(default=5, ge=1, le=100)
    """Consent sentences one person may ask for a day (`/voice clone NAME`, each one a try at
    cloning their voice, counted across all chats and shown in `/usage`)."""
    mimo_auth_header: Literal["api-key", "bearer"] = "api-key"
    """How the key is sent: `api-key` (an `api-key: KEY` header) or `bearer` (`Authorization:
    Bearer KEY`). MiMo takes both; some gateways in front of it pass only one."""
    mimo_timeout_seconds: float = Field(default=120.0, gt=0)
    """Deadline of one MiMo call, its retries included."""
    mimo_max_retries: int = Field(default=3, ge=0, le=10)
    """Retries of a MiMo call that failed with 429, a 5xx, a timeout or a broken connection; a
    refusal (400, 401, 402, 403, 421) is never retried."""
    mimo_retry_wait_seconds: float = Field(default=0.5, gt=0, le=10)
    """Wait before the first retry; each later one doubles (at most 8 s), plus up to as much
    again at random. A `Retry-After` from MiMo wins."""
    mimo_breaker_failures: int = Field(default=5, ge=0)
    """MiMo calls in a row that end unavailable or unreadable (after their retries) before the
    circuit breaker opens and calls fail at once for the cooldown. `0` turns the breaker off."""
    mimo_breaker_cooldown_seconds: float = Field(default=30.0, gt=0)
    """How long an open circuit breaker answers at once instead of calling MiMo; then one trial
    call decides whether it closes."""

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
    discord_reader_max_chars: int = Field(default=300, ge=20, le=2000)
    """The channel reader (`/read_channel`): characters of one message read aloud; a longer one
    is cut at a word, with a word saying so."""
    discord_reader_queue: int = Field(default=10, ge=1, le=100)
    """The channel reader: messages waiting to be read, per server; past it the oldest is
    dropped, with one line in the channel."""
    discord_reader_idle_seconds: float = Field(default=600.0, gt=0)
    """The channel reader: seconds with nothing read before the bot leaves the voice channel."""
    discord_listen_idle_seconds: float = Field(default=600.0, gt=0)
    """Listening (`/listen`): seconds without anything said by a member who is transcribed
    before the bot stops listening and leaves the voice channel."""
    call_resume_within: float = Field(default=600.0, ge=0)
    """Listening (`/listen`) and the channel reader (`/read_channel`): a call the bot was
    listening to, or a channel it was reading aloud, when it stopped (a deploy) or crashed is
    taken up by its next start if this many seconds at most have passed and someone is still in
    the voice channel (a reading goes on from the first message it had not read); otherwise it
    is ended there, a call with its transcript posted. `0`: never taken up."""
    calls_end_on_stop: bool = False
    """Listening (`/listen`) and the channel reader: `true` ends every call listened to and
    every channel reading when the bot stops (for good, not for a deploy), each call with its
    goodbye and transcript, as `/stop_listening` does; `false` (the default) keeps them for the
    next start to take up."""
    discord_reader_member_share: float = Field(default=0.25, gt=0, le=1)
    """The channel reader: the most of a server's daily speech (`DAILY_TTS_CHARS`) one member's
    messages may take in a day (0.25: a quarter); past it their messages are not read, said
    once. 1: no share of their own, only the server's quota."""

    database_url: str = Field(default_factory=lambda: default_database_url())
    """SQLAlchemy async URL of the database: `sqlite+aiosqlite:////absolute/path.db` (a relative
    path is taken from the current folder) or
    `postgresql+asyncpg://user:password@host:5432/voicebridge`. Its password never reaches a log
    line; the start logs where the database is."""
    database_pool_size: int = Field(default=5, ge=1)
    """PostgreSQL connections each process keeps open (SQLite ignores the four pool settings)."""
    database_max_overflow: int = Field(default=10, ge=0)
    """Further PostgreSQL connections a process may open at busy times, closed once given back.
    Pool size plus overflow, times the processes, must stay below the server's `max_connections`."""
    database_pool_timeout_seconds: float = Field(default=30.0, gt=0)
    """How long a request waits for a free database connection before it fails."""
    database_pool_recycle_seconds: int = Field(default=1800, ge=-1)
    """Age in seconds at which a database connection is replaced; keep it below any idle timeout
    of a proxy (PgBouncer) or firewall. `-1`: never."""

    max_say_chars: int = Field(default=5000, ge=1)
    """Longest text `/say` and Read aloud speak, in characters."""
    tts_piece_chars: int = Field(default=1000, ge=50)  # per speech request (sentence-whole)
    """Longer texts are cut at sentence ends into speech requests of at most this many
    characters, spoken a few at once and joined into one voice note."""
    max_audio_seconds: int = Field(default=3600, ge=1)
    """Longest recording accepted, in seconds, whatever its metadata claims."""
    max_audio_mb: int = Field(default=50, ge=1)
    """Largest file accepted, in MB; a download stops just past it, whatever was declared."""
    asr_piece_seconds: int = Field(default=60, ge=10)
    """Long recordings are cut in pauses into pieces of at most this many seconds (capped so each
    fits MiMo's 10 MB request limit); shorter pieces mean earlier first text and finer progress."""
    asr_concurrency: int = Field(default=4, ge=1)
    """Speech recognition requests in flight for one chat."""
    asr_max_in_flight: int = Field(default=8, ge=1)  # speech requests of all chats together
    """Speech recognition requests in flight for all chats together. Twice as many recordings
    are worked on at once (downloaded, converted, sent); more wait their turn, so a burst is
    worked through a few at a time, each to its end. The pieces of the calls listened to
    (`/listen`) count too, and go first when every slot is taken: captions are read live."""
    compact_pauses: bool = True
    """Shorten pauses longer than half a second to about half a second in what MiMo is sent
    (transcripts, `/ask` when the recording is converted anyway, clone samples): MiMo bills the
    seconds it receives. Timestamps stay those of the original recording. A voice note of a
    minute or less is compacted in Python; a longer recording by ffmpeg 6.1 or later (the
    bundled build; an older one named by `FFMPEG_BINARY` leaves it uncompacted)."""
    asr_audio_format: Literal["wav", "mp3"] = "wav"
    """What a transcript's audio is sent as: `wav` (16 kHz mono, lossless, not encoded: the
    quickest conversion) or `mp3` (48 kbps: a fifth of the bytes, about 29 MB of requests for an
    hour instead of 154 MB, for a slow or metered uplink). MiMo bills the seconds either way."""
    ffmpeg_binary: str | None = None
    """The ffmpeg to run: a path, or a name on `PATH` (`ffmpeg` for your system's). Unset, the
    static build from the `imageio-ffmpeg` wheel runs: it starts in a fifth of the CPU a
    distribution's build needs (a voice note is one ffmpeg run), and it can compact the pauses
    of long recordings, which needs ffmpeg 6.1 or later."""
    ffmpeg_max_processes: int | None = Field(default=None, ge=1)
    """ffmpeg processes at once, all chats together, playing in Discord voice channels included
    (about 30 MB each; more wait their turn). Unset: 3 per CPU core, at least 4."""
    ffmpeg_timeout_seconds: float = Field(default=120.0, gt=0)
    """How long one ffmpeg run may take, plus a second per second of audio it reads; one that
    runs over (a file that makes ffmpeg hang) is stopped and the file refused as unusable."""
    max_downloads: int = Field(default=4, ge=1)
    """Recordings downloaded from Telegram or Discord at once, all chats together; each streams
    to disk in chunks, and more wait their turn."""
    ask_concurrency: int = Field(default=2, ge=1)
    """Questions about recordings (`/ask`) worked on at once, all chats together; each may send
    MiMo up to 50 MB, and more wait their turn."""

    summary_max_prompt_chars: int = Field(default=30_000, ge=2_000)
    """Characters one summary or gist request to MiMo may carry; a longer window or transcript is
    summarised in parts that are then merged."""
    summary_retention_days: int = Field(default=7, ge=1, le=365)
    """Days the bot keeps what chats left: a group's logged messages, the transcripts kept per
    recording, the claims on handled messages, past days' usage counts and inline mode's
    renderings. An hourly job deletes what is older."""

    rate_limit_user_per_minute: int = Field(default=6, ge=0)
    """Costly requests (transcripts, `/say`, `/ask`, summaries, gists, translations) one person
    may make per clock minute, all chats together. `0`: no limit."""
    rate_limit_chat_per_minute: int = Field(default=20, ge=0)
    """Costly requests per clock minute in one chat (a Discord server), automatic transcripts
    included. `0`: no limit."""
    rate_limit_searches_per_minute: int = Field(default=10, ge=0)
    """Searches (`/find`, each page of it) one person may make per clock minute, all chats
    together; counted apart from the costly requests, so searching never holds up anyone's
    transcripts. `0`: no limit."""
    daily_audio_seconds: int = Field(default=7200, ge=0)
    """Seconds of audio one chat may have transcribed per UTC day. `0`: unlimited."""
    daily_tts_chars: int = Field(default=20_000, ge=0)
    """Characters one chat may have spoken (`/say`, Read aloud, voice summaries, designed voices'
    samples) per UTC day. `0`: unlimited."""
    daily_summaries: int = Field(default=20, ge=0)
    """Summaries one chat may have per UTC day, gists and translations included (digests are
    counted, never refused). `0`: unlimited."""
    daily_ask_seconds: int = Field(default=3600, ge=0)  # of recordings asked about (/ask)
    """Seconds of recordings one chat may ask about (`/ask`, Ask about this audio, a caption
    question) per UTC day. `0`: unlimited."""
    daily_person_audio_seconds: int = Field(default=3600, ge=0)
    """Seconds of audio one person may have transcribed per UTC day, all their chats together
    (their voice notes transcribed automatically in groups included, and the calls listened to
    that they started), besides each chat's `DAILY_AUDIO_SECONDS`. `0`: unlimited."""
    daily_person_tts_chars: int = Field(default=10_000, ge=0)
    """Characters one person may have spoken per UTC day, all their chats together, besides
    each chat's `DAILY_TTS_CHARS`. `0`: unlimited."""
    daily_listen_seconds: int = Field(default=7200, ge=0)
    """Seconds of speech one Discord server's calls listened to (`/listen`) may have transcribed
    per UTC day, counted instead of its `DAILY_AUDIO_SECONDS` (voice notes keep theirs), and in
    the `DAILY_PERSON_AUDIO_SECONDS` of the member who started the listening; once either is
    used up, the bot says so in the call's chat and stops listening. `0`: unlimited."""
    daily_budget_audio_seconds: int = Field(default=0, ge=0)
    """Seconds of audio the whole bot may transcribe per UTC day, every chat and replica
    together; past it the bot says it rests until tomorrow. `0`: no budget."""
    daily_budget_tts_chars: int = Field(default=0, ge=0)
    """Characters the whole bot may speak per UTC day, every chat and replica together; past
    it the bot says it rests until tomorrow. `0`: no budget."""
    allowed_chats: str = ""
    """Chats the bot serves, everyone in them: comma-separated ids, bare (`-100123`) or for one
    platform (`telegram:-100123`, `discord:456`: a server or a channel). Empty, with
    `ALLOWED_USERS` empty too: everyone."""
    allowed_users: str = ""
    """Users the bot serves in any chat, comma-separated ids written as for `ALLOWED_CHATS`."""

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
    """This process's name on its claims of incoming work. Replicas sharing a database each need
    their own, kept across restarts: a process takes over its own name's work at once, another's
    only once the lease has lapsed."""
    work_lease_seconds: float = Field(default=30.0, ge=3.0, le=3600.0)
    """How long a claim's lease lasts; its process renews it every third of that while it works,
    and once it lapses (the process died) another process takes the work over and finishes it.
    An import of a chat's past claims each message it hears the same way: a killed import's
    message is heard by the next import once this has passed."""

    ignored_env_names: str = ""
    """Names in the `.env` file (or the `--env-file`) that are no voicebridge setting and are
    there on purpose, comma-separated (such as `POSTGRES_PASSWORD`, for docker compose), or `*`
    for any. Any other name that is no setting (a typo, say) is named by `voicebridge doctor`,
    with the closest setting, and stops `voicebridge run`. Names in the environment are never
    judged."""

    log_level: str = "INFO"
    """`DEBUG`, `INFO`, `WARNING` or `ERROR`. Secrets are redacted from every line; a failure's
    traceback is logged at `DEBUG` (or with `-v`)."""
    startup_patience_seconds: float = Field(default=60.0, gt=0, le=3600)
    """How long `voicebridge run` (and the `db` commands) keep trying to reach the database,
    Telegram and Discord at start, waiting longer between tries up to 15 s, before giving up
    with one line naming the setting to check (exit code 6) for a service manager to restart
    it. A signal stops the waiting at once."""
    # `text`: one readable line per record; `json`: one JSON object per line, for log shippers.
    log_format: Literal["text", "json"] = "text"
    """`text` (one readable line per record) or `json` (one JSON object per line with `time`,
    `level`, `logger`, `message` and, after an error, `exc_info`, for log shippers)."""

    # Beyond one machine (issue 7). With a public https URL, Telegram pushes updates to it instead
    # of being polled: served on TELEGRAM_WEBHOOK_LISTEN (host:port) at the URL's path, each
    # request checked for the secret token (default: derived from the bot token, so every
    # replica agrees). OPS_LISTEN (host:port; unset: off) serves /healthz and /metrics.
    telegram_webhook_url: str | None = None
    """The public `https://` URL Telegram sends updates to. Set: webhook mode, for several
    replicas behind a reverse proxy; unset: polling."""
    telegram_webhook_listen: str = "0.0.0.0:8443"
    """`host:port` the webhook is served on, at the URL's path (`[::]:8443` for IPv6)."""
    telegram_webhook_secret: SecretStr | None = None
    """The secret token Telegram sends with every update (1 to 256 of `A-Z a-z 0-9 _ -`); a
    request without it gets 403. Unset: derived from the bot token, so every replica agrees."""
    ops_listen: str | None = None
    """`host:port` serving `/healthz` and `/metrics`; may equal `TELEGRAM_WEBHOOK_LISTEN`, then
    one server carries both. Keep it off the public internet. Unset: off."""
    # Telegram updates accepted and not yet handled, at most; past it the webhook answers 503
    # (Telegram delivers the update again later) and polling waits.
    telegram_max_pending_updates: int = Field(default=1000, ge=1)
    """Telegram updates accepted and not yet handled, at most; past it the webhook answers 503
    (Telegram delivers the update again later) and polling waits for room."""

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"use one of {', '.join(_LOG_LEVELS)} (got {value[:20]!r})")
        return level

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        check_database_url(value)  # raises ValueError saying what to write instead
        return value

    @field_validator(*URL_EXAMPLES)
    @classmethod
    def _scheme(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            check_url(value, example=URL_EXAMPLES[info.field_name or ""])
        return value

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
        """The Discord token if the bot is enabled; raises when it is set but malformed, so a
        pasted half is named here rather than met as a refusal over the network."""
        if not _is_set(self.discord_bot_token):
            return None
        token = _require(self.discord_bot_token, "DISCORD_BOT_TOKEN")
        if token.lower().startswith("bot "):
            raise ConfigError("DISCORD_BOT_TOKEN: write the token alone, without 'Bot ' before it")
        if not _DISCORD_TOKEN.match(token):
            raise ConfigError(
                "DISCORD_BOT_TOKEN does not look like a bot token (expected three parts joined "
                "by dots, such as MTk4NjIy.Cl2FMQ.ZnCjm1XV..., as the developer portal's Bot → "
                "Reset Token gives it)"
            )
        return token


DATABASE_FILE = "voicebridge.db"


def data_folder() -> Path:
    """Where voicebridge keeps its data unless told otherwise, the same from any current folder:
    `$XDG_DATA_HOME/voicebridge` (`~/.local/share/voicebridge`) on Linux and the BSDs,
    `~/Library/Application Support/voicebridge` on macOS, `%LOCALAPPDATA%\\voicebridge` on
    Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / "voicebridge"


def default_database_url() -> str:
    """SQLite in `data_folder()`; or `./voicebridge.db` where there is one, the default of
    releases before 0.2 (so nobody's data is left behind when upgrading). A file there that is
    no SQLite database is none: `sqlite3 voicebridge.db ...` run in the wrong folder leaves an
    empty one, which no release ever wrote."""
    earlier = Path(DATABASE_FILE)
    path = earlier.resolve() if _is_sqlite(earlier) else data_folder() / DATABASE_FILE
    return f"sqlite+aiosqlite:///{path}"


def _is_sqlite(path: Path) -> bool:
    """Whether `path` is an SQLite database file: it starts with SQLite's header."""
    try:
        with path.open("rb") as file:
            return file.read(16) == b"SQLite format 3\0"
    except OSError:
        return False


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
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


def unknown_names(env_file: Path, *, ignored: str = "") -> list[str]:
    """One line for each name in `env_file` that is no setting (and not in `ignored`, the
    IGNORED_ENV_NAMES list), with the closest setting when one is close: a typo in a .env would
    otherwise be ignored as if the line were not there. Only the file's names are judged: the
    environment holds every other program's variables too."""
    if not env_file.is_file() or ignored.strip() == "*":
        return []
    from dotenv import dotenv_values

    known = [name.upper() for name in Settings.model_fields]
    skipped = {name.strip().upper() for name in ignored.split(",")}
    found = (name.upper() for name in dotenv_values(env_file, interpolate=False))
    return [_not_a_setting(name, known) for name in found if name not in known + list(skipped)]


def _not_a_setting(name: str, known: list[str]) -> str:
    closest = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    guess = f": did you mean {closest[0]}?" if closest else ""
    return f"{name} is not a setting{guess}"
