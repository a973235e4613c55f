"""The root of every error a chat hears, and how a value the user typed is quoted back."""

from __future__ import annotations

from typing import Any

__all__ = [
    "MAX_QUOTED_CHARS",
    "ConfigError",
    "MissingSetting",
    "StartupError",
    "VoicebridgeError",
    "quoted",
]

MAX_QUOTED_CHARS = 40


def quoted(value: object) -> str:
    """What a user typed, as a reply repeats it: one printable line of at most
    `MAX_QUOTED_CHARS` characters, so that a 5,000-character `/voice` argument cannot make the
    refusal itself too long to send."""
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in str(value)).split())
    return line if len(line) <= MAX_QUOTED_CHARS else line[: MAX_QUOTED_CHARS - 1] + "…"


class VoicebridgeError(Exception):
    """Base of every error with a user-facing message. A `value` param is what the user typed
    and is always shortened with `quoted`."""

    key = "error.generic"

    def __init__(self, detail: str = "", **params: Any) -> None:
        super().__init__(detail or self.key)
        if "value" in params:
            params["value"] = quoted(params["value"])
        self.detail = detail
        self.params = params


class StartupError(Exception):
    """The bot cannot start for a reason outside its settings (a platform that stays
    unreachable); the message says what to check in one line. Not for chats."""


class ConfigError(Exception):
    """A setting is missing or invalid; the message names it in one line. Not for chats."""


class MissingSetting(ConfigError):
    """A setting that must be given is not (the MiMo key, or every bot token), where a value
    given and wrong is a plain `ConfigError`: only a missing one can mean that no settings file
    was read at all, which the command line then says."""
