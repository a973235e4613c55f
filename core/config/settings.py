"""Settings: the configuration contract of DESIGN.md, read from the environment or `.env`.

Built in the entry point, never at import time, so tests and the command line each build their
own. `Settings` holds the connections' settings (`connection_settings.py`: the database's among
them) and the Discord bot's in voice channels (`voice_channel_settings.py`), and adds the rest:
the limits on work (MAX_AUDIO_MB also in bytes, `max_audio_bytes`), summaries, rate limits and
quotas (a cloned voice's among them), the allowlist, crash safety, logging, the webhook and the
ops endpoint.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from core.config.connection_settings import Connections
from core.config.machine_defaults import host_name
from core.config.setting_value_checks import LOG_LEVELS, SECRET_TOKEN, host_port
from core.config.voice_channel_settings import VoiceChannelSettings
from core.domain.rules.quotas_rules import parse_ids
from core.domain.url_secrets import url_secrets

__all__ = ["Settings", "misspelt_names", "unknown_names"]


class Settings(VoiceChannelSettings, Connections):
    """Every setting (see the module docstring): the connections' and the rest."""

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
    are worked on at once (downloaded, converted, sent); more wait for a slot, so a burst is
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
    (about 30 MB each; more wait for a slot). Unset: 3 per CPU core, at least 4."""
    ffmpeg_timeout_seconds: float = Field(default=120.0, gt=0)
    """How long one ffmpeg run may take, plus a second per second of audio it reads; one that
    runs over (a file that makes ffmpeg hang) is stopped and the file refused as unusable."""
    max_downloads: int = Field(default=4, ge=1)
    """Recordings downloaded from Telegram or Discord at once, all chats together; each streams
    to disk in chunks, and more wait for a slot."""
    ask_concurrency: int = Field(default=2, ge=1)
    """Questions about recordings (`/ask`) worked on at once, all chats together; each may send
    MiMo up to 50 MB, and more wait for a slot."""

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
    voice_sample_seconds: int = Field(default=30, ge=3, le=120)
    """Seconds of a voice note kept as a cloned voice's sample (`/voice clone`)."""
    voice_clone_attempts_per_day: int = Field(default=5, ge=1, le=100)
    """Consent sentences one person may ask for a day (`/voice clone NAME`, each one a try at
    cloning their voice, counted across all chats and shown in `/usage`)."""
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
    instance_name: str = Field(default_factory=lambda: host_name(), min_length=1, max_length=128)
    """This process's name on its claims of incoming work. Replicas sharing a database each need
    their own, kept across restarts: a process takes over its own name's work at once, another's
    only once the lease has lapsed."""
    work_lease_seconds: float = Field(default=30.0, ge=3.0, le=3600.0)
    """How long a claim's lease lasts; its process renews it every third of that while it works,
    and once it lapses (the process died) another process takes the work over and finishes it.
    An import of a chat's past claims each message it hears the same way: a killed import's
    message is transcribed by the next import once this has passed."""

    ignored_env_names: str = ""
    """Names in the `.env` file (or the `--env-file`) that are no voicebridge setting and are
    there on purpose, comma-separated (such as `POSTGRES_PASSWORD`, for docker compose), or `*`
    for any. Any other name that is no setting (a typo, say) is named by `voicebridge doctor`,
    with the closest setting, and stops `voicebridge run`. In the environment, which holds
    every program's variables, only a name that is almost a setting's is judged (one or two
    letters away from it, sharing its first word or the rest, as ALLOWED_USER for
    ALLOWED_USERS): a container started by compose receives `.env` there."""

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
        if level not in LOG_LEVELS:
            raise ValueError(f"use one of {', '.join(LOG_LEVELS)} (got {value[:20]!r})")
        return level

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
        if value is not None and not SECRET_TOKEN.match(value.get_secret_value()):
            raise ValueError("use 1 to 256 characters: letters, digits, _ and -")
        return value

    def webhook_secret(self) -> str:
        """TELEGRAM_WEBHOOK_SECRET, or one derived from the bot token (the same on every
        replica, and nothing an outsider can work out without the token)."""
        if self.telegram_webhook_secret is not None:
            return self.telegram_webhook_secret.get_secret_value()
        raw = self.telegram_bot_token
        token = raw.get_secret_value().strip() if raw is not None else ""
        return hashlib.sha256(b"voicebridge telegram webhook\0" + token.encode()).hexdigest()

    def max_audio_bytes(self) -> int:
        """MAX_AUDIO_MB in bytes, 1024 × 1024 to the MB."""
        return self.max_audio_mb * 1024 * 1024

    def secret_values(self) -> list[str]:
        """Every secret in force, for the log redaction filter."""
        secrets = (self.mimo_api_key, self.telegram_bot_token, self.discord_bot_token)
        values = [s.get_secret_value() for s in secrets if s and s.get_secret_value()]
        if self.telegram_webhook_url is not None:
            values.append(self.webhook_secret())
        # Its password and secret query parameters, as written and as they read decoded.
        return values + url_secrets(self.database_url)


def unknown_names(env_file: Path, *, ignored: str = "") -> list[str]:
    """One line for each name in `env_file` that is no setting (and not in `ignored`, the
    IGNORED_ENV_NAMES list), with the closest setting when one is close: a typo in a .env would
    otherwise be ignored as if the line were not there."""
    if not env_file.is_file() or ignored.strip() == "*":
        return []
    from dotenv import dotenv_values

    known = _setting_names()
    skipped = _ignored(ignored)
    found = (name.upper() for name in dotenv_values(env_file, interpolate=False))
    return [_not_a_setting(name, known) for name in found if name not in {*known, *skipped}]


def misspelt_names(environ: Iterable[str], *, ignored: str = "") -> list[str]:
    """One line for each name of `environ` (the process's environment) that is almost a
    setting's name, said as `unknown_names` says a name of the file. Only those are judged: the
    environment holds every other program's variables too, and a container started by compose
    receives its `.env` there, typos included. Almost: one or two letters away from a setting's
    name (added, left out or changed), and sharing its first word (`ALLOWED_USER`) or all the
    rest (`ALOWED_USERS`)."""
    if ignored.strip() == "*":
        return []
    known = _setting_names()
    skipped = _ignored(ignored)
    found = dict.fromkeys(name.upper() for name in environ)
    return [
        _not_a_setting(name, known)
        for name in found
        if name not in {*known, *skipped} and _almost_a_setting(name, known)
    ]


def _setting_names() -> tuple[str, ...]:
    """Every setting's name, in the order of the fields (the closest of two equally close is
    the first)."""
    return tuple(name.upper() for name in Settings.model_fields)


def _ignored(ignored: str) -> frozenset[str]:
    return frozenset(name.strip().upper() for name in ignored.split(","))


def _almost_a_setting(name: str, known: Iterable[str]) -> bool:
    first, _, rest = name.partition("_")
    for setting in known:
        its_first, _, its_rest = setting.partition("_")
        shared = first == its_first or (rest != "" and rest == its_rest)
        if shared and _letters_apart(name, setting) <= _ALMOST:
            return True
    return False


# Letters added, left out or changed that still make a name in the environment a setting's.
_ALMOST = 2


def _letters_apart(a: str, b: str) -> int:
    """How many letters must be added, left out or changed to make `a` into `b` (Levenshtein's
    distance, row by row)."""
    before = list(range(len(b) + 1))
    for i, letter in enumerate(a, start=1):
        row = [i]
        for j, other in enumerate(b, start=1):
            row.append(min(before[j] + 1, row[j - 1] + 1, before[j - 1] + (letter != other)))
        before = row
    return before[-1]


def _not_a_setting(name: str, known: Sequence[str]) -> str:
    closest = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    guess = f": did you mean {closest[0]}?" if closest else ""
    return f"{name} is not a setting{guess}"
