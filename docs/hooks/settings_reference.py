"""The configuration reference and `.env.example`, both made from `core.config.Settings`.

Every setting's meaning is its field's docstring in `core/config/`; its default, its type and
its bounds are read from the field. `python docs/hooks/settings_reference.py` writes
`.env.example` and, below the marker line of `reference/configuration.md`, every setting,
grouped, so the page reads whole in the repository too. MkDocs runs this module as a hook
(`hooks:` in mkdocs.yml) that fails the build, and `tests/unit/test_documented_settings.py`
fails, when a setting has no description or no group, or when either file is not what this
module writes.

A new setting joins a group by its name (the most specific pattern of `GROUPS` that matches it);
one that matches none is an error that names it.
"""

from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import annotated_types
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
PAGE = "reference/configuration.md"
MARKER = "<!-- settings: generated from core/config/ -->"
ENV_EXAMPLE = ROOT / ".env.example"

# What a person copying .env.example fills in; every other line stays commented out.
FILL_IN = ("MIMO_API_KEY", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN")
# Defaults computed at start, in words.
COMPUTED_DEFAULTS = {
    "INSTANCE_NAME": "the host name",
    "DATABASE_URL": "SQLite, `voicebridge.db` in the data folder (on Linux "
    "`~/.local/share/voicebridge`), or in the current folder where one is already there "
    "([where things live](../operations/database.md#where-the-database-lives))",
}


@dataclass(frozen=True)
class Group:
    title: str
    patterns: tuple[str, ...]
    about: str  # Markdown; links are relative to the reference page


GROUPS = (
    Group(
        "MiMo",
        ("MIMO_*", "VOICE_SAMPLE_SECONDS", "VOICE_CLONE_ATTEMPTS_PER_DAY"),
        "The speech provider: the key, the models, and how calls are retried when MiMo has a bad "
        "minute ([faults](../operations/monitoring.md#when-a-far-end-misbehaves)).",
    ),
    Group(
        "Telegram",
        ("TELEGRAM_*",),
        "The Telegram bot ([setting it up](../getting-started/telegram.md)).",
    ),
    Group(
        "Discord",
        ("DISCORD_*",),
        "The Discord bot ([setting it up](../getting-started/discord.md), "
        "[shards](../operations/shards.md)).",
    ),
    Group(
        "Database",
        ("DATABASE_*",),
        "Where preferences, voices, logged messages, claims and usage live "
        "([the database](../operations/database.md)).",
    ),
    Group(
        "Who may use the bot, and how much",
        ("ALLOWED_*", "RATE_LIMIT_*", "DAILY_*"),
        "The allowlist, the rate limits and the daily quotas that protect the owner's MiMo "
        "balance ([limits and costs](../operations/limits.md)).",
    ),
    Group(
        "Recordings and speech",
        ("MAX_*", "TTS_*", "ASR_*", "COMPACT_PAUSES", "FFMPEG_*", "ASK_*"),
        "How big one request may be, and how much work runs at once, all chats together.",
    ),
    Group(
        "Summaries and retention",
        ("SUMMARY_*",),
        "How much one summary request carries, and how long what chats left is kept "
        "([summaries and privacy](../using/summaries.md)).",
    ),
    Group(
        "Replicas, webhooks and restarts",
        (
            "INSTANCE_NAME",
            "WORK_*",
            "TELEGRAM_WEBHOOK_*",
            "TELEGRAM_MAX_PENDING_UPDATES",
            "STARTUP_*",
            "CALL_RESUME_WITHIN",
            "CALLS_END_ON_STOP",
        ),
        "Running more than one process, waiting at start for what is not there yet, and "
        "finishing work (and taking up calls) a restart cut short "
        "([replicas and webhooks](../operations/replicas.md)).",
    ),
    Group(
        "The settings file",
        ("IGNORED_ENV_NAMES",),
        "What the `.env` file may hold besides settings ([names that are no "
        "setting](../operations/running.md#names-that-are-no-setting)).",
    ),
    Group(
        "Logs and monitoring",
        ("LOG_*", "OPS_LISTEN"),
        "What the bot writes to stderr, and the health and metrics endpoint "
        "([what to monitor](../operations/monitoring.md)).",
    ),
)


@dataclass(frozen=True)
class Setting:
    name: str  # as written in the environment
    field: FieldInfo

    @property
    def description(self) -> str:
        return " ".join((self.field.description or "").split())

    @property
    def default(self) -> str:
        """The default as a person reads it: `120`, `true`, unset, empty, the host name."""
        if self.field.default_factory is not None:
            if self.name not in COMPUTED_DEFAULTS:
                raise LookupError(f"{self.name}'s default is computed: add it to COMPUTED_DEFAULTS")
            return COMPUTED_DEFAULTS[self.name]
        value = self.field.default
        if value is None:
            return "unset"
        return f"`{raw(value)}`" if raw(value) else "empty"

    @property
    def env_default(self) -> str:
        """The default as written after `NAME=` (nothing for unset and computed ones)."""
        value = None if self.field.default_factory else self.field.default
        return "" if value is None else raw(value)

    @property
    def kind(self) -> str:
        """What the setting takes: `wav` or `mp3`, a whole number from 3 to 120, a secret."""
        annotation = self.field.annotation
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        if get_origin(annotation) is Literal:
            return " or ".join(f"`{option}`" for option in get_args(annotation))
        base = options[0] if options else annotation
        if base is bool:
            return "`true` or `false`"
        if base is SecretStr:
            return "a secret (never logged)"
        if base is int:
            return f"a whole number{bounds(self.field.metadata)}"
        if base is float:
            return f"a number{bounds(self.field.metadata)}"
        return "text"

    @property
    def group(self) -> Group:
        scores = [
            (specificity(pattern), group)
            for group in GROUPS
            for pattern in group.patterns
            if fnmatchcase(self.name, pattern)
        ]
        if not scores:
            raise LookupError(
                f"{self.name} belongs to no group: add it to GROUPS in docs/hooks/"
                "settings_reference.py"
            )
        return max(scores, key=lambda scored: scored[0])[1]


def settings(cls: type[BaseSettings] = Settings) -> list[Setting]:
    """Every setting, in the order of the settings class."""
    return [Setting(name.upper(), field) for name, field in cls.model_fields.items()]


def problems(cls: type[BaseSettings] = Settings) -> list[str]:
    """What keeps a setting out of the reference: no description, no group, a default that
    cannot be shown. Empty when every setting can be documented."""
    found = []
    for setting in settings(cls):
        if len(setting.description) < 10:
            found.append(f"{setting.name} has no description: give its field a docstring")
        for part in ("group", "default"):
            try:
                getattr(setting, part)
            except LookupError as exc:
                found.append(str(exc).strip("'\""))
    return found


def grouped() -> list[tuple[Group, list[Setting]]]:
    everything = settings()
    return [(group, [s for s in everything if s.group is group]) for group in GROUPS]


def reference_markdown() -> str:
    """Every setting, grouped: a heading each (its anchor is its name in lower case), then its
    default, what it takes, and its description."""
    parts: list[str] = []
    for group, members in grouped():
        if not members:
            continue
        parts += [f"## {group.title}", "", group.about, ""]
        for setting in members:
            parts += [
                f"### `{setting.name}`",
                "",
                f"Default: {setting.default} · Takes: {setting.kind}",
                "",
                setting.description,
                "",
            ]
    return "\n".join(parts)


def env_example() -> str:
    """`.env.example`: every setting under its group, its description as a comment."""
    lines = [
        "# voicebridge settings. Copy this file to .env and fill in the key and at least one bot",
        "# token; every name can also be set in the environment. A line left commented out keeps",
        "# the default it shows. Generated from core/config/ by",
        "# `python docs/hooks/settings_reference.py`: change the descriptions there, not here.",
        "# More in the configuration reference: docs/reference/configuration.md",
    ]
    for group, members in grouped():
        if not members:
            continue
        lines += ["", f"# --- {group.title} ".ljust(99, "-")]
        for setting in members:
            lines += textwrap.wrap(
                setting.description.replace("`", ""),
                width=99,
                initial_indent="# ",
                subsequent_indent="# ",
                break_on_hyphens=False,
            )
            prefix = "" if setting.name in FILL_IN else "# "
            lines.append(f"{prefix}{setting.name}={setting.env_default}")
    return "\n".join(lines) + "\n"


def raw(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def bounds(metadata: list[Any]) -> str:
    """`, from 3 to 120`, `, at least 1`, `, above 0`, or nothing."""
    low = next((f"{m.ge:g}" for m in metadata if isinstance(m, annotated_types.Ge)), None)
    high = next((f"{m.le:g}" for m in metadata if isinstance(m, annotated_types.Le)), None)
    above = next((f"{m.gt:g}" for m in metadata if isinstance(m, annotated_types.Gt)), None)
    if low is not None and high is not None:
        return f", from {low} to {high}"
    words = [f"above {above}"] if above is not None else []
    words += [f"at least {low}"] if low is not None else []
    words += [f"at most {high}"] if high is not None else []
    return ", " + ", ".join(words) if words else ""


def specificity(pattern: str) -> tuple[bool, int]:
    """An exact name beats any wildcard; a longer prefix beats a shorter one."""
    return ("*" not in pattern, len(pattern.rstrip("*")))


def page_markdown(page: str) -> str:
    """The reference page as committed: what it says above its marker line, then every setting
    (`reference_markdown`), so the page reads whole in the repository as on the site."""
    head, found, _ = page.partition(MARKER)
    if not found:
        raise LookupError(f"{PAGE} lost its marker line {MARKER!r}")
    return f"{head}{MARKER}\n\n{reference_markdown()}"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """MkDocs hook: the build fails when a setting lacks a description or a group, or when the
    committed reference page is not what the settings make of it."""
    if page.file.src_uri != PAGE:
        return markdown
    from mkdocs.exceptions import PluginError

    if found := problems():
        raise PluginError("; ".join(found))
    try:
        current = page_markdown(markdown)
    except LookupError as exc:
        raise PluginError(str(exc)) from None
    if current != markdown:
        raise PluginError(f"{PAGE} is out of date: run python docs/hooks/settings_reference.py")
    return markdown


if __name__ == "__main__":
    ENV_EXAMPLE.write_text(env_example())
    reference_page = ROOT / "docs" / PAGE
    reference_page.write_text(page_markdown(reference_page.read_text()))
    for written in (ENV_EXAMPLE, reference_page):
        sys.stdout.write(f"wrote {written.relative_to(ROOT)}\n")
