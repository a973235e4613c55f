"""What `voicebridge doctor` reports: one check, one line, ✓ or ✗ and what to fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str  # what was checked: "MiMo", "Telegram", "the database"
    ok: bool
    said: str  # what was found; after a failure, what to fix

    @property
    def line(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.name}: {self.said}"


def passed(name: str, said: str) -> Check:
    return Check(name, True, said)


def failed(name: str, said: str) -> Check:
    return Check(name, False, said)


def reason(error: BaseException) -> str:
    """An error in a few words on one line: its type, and its message when it has one."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
