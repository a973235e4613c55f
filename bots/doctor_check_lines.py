"""What `voicebridge doctor` reports: one check, one line, ✓ or ✗ and what to fix, or ! for
what works but should not stay so (a bot everyone may use)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Check", "NoSenders", "Person", "failed", "passed", "reason", "warned"]


@dataclass(frozen=True)
class Check:
    name: str  # what was checked: "MiMo", "Telegram", "the database"
    ok: bool
    words: str  # what was found; after a failure or a warning, what to fix
    warning: bool = False  # it works, but the setting named should change: ! (exit code 0)

    @property
    def line(self) -> str:
        mark = "!" if self.warning else "✓" if self.ok else "✗"
        return f"{mark} {self.name}: {self.words}"


def passed(name: str, words: str) -> Check:
    return Check(name, True, words)


def failed(name: str, words: str) -> Check:
    return Check(name, False, words)


def warned(name: str, words: str) -> Check:
    return Check(name, True, words, warning=True)


def reason(error: BaseException) -> str:
    """An error in a few words on one line: its type, and its message when it has one."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


@dataclass(frozen=True)
class Person:
    """Someone a platform names: the owner of a Discord application, the sender of a message
    to a Telegram bot (`voicebridge init` offers them as who may use the bot)."""

    platform: str  # "telegram" or "discord"
    user_id: int
    name: str

    @property
    def entry(self) -> str:
        """As ALLOWED_USERS lists them: `telegram:123`."""
        return f"{self.platform}:{self.user_id}"


class NoSenders(Exception):
    """A Telegram bot's updates cannot be read (a webhook is set, the bot runs elsewhere): the
    message says why, in a few words."""
