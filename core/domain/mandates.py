"""What long work keeps writing under (`Mandate`), read once as it begins and checked again by the
storage at each of its writes, in the write's own transaction (`core.infra.storage.mandates`).

Work that lasts (an import, a long recording, a call's lines) writes many times; a `/forget` or
a member's no may land between any two of those writes, in this process or another. The work
reads, as it begins, how many times its chat was forgotten and, where it keeps someone's words,
how many times that person said no; a write whose counts moved since is not made. Counts, not
times: replicas' clocks need not agree, and a no followed at once by a yes still moved it.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.values import ChatRef


@dataclass(frozen=True)
class Mandate:
    """The chat's `forgets` and its `speaker`'s `noes` as the work began. `noes` None: not
    compared (a call's line, whose call follows each no as it is said); `yes_needed`: the
    speaker's yes must stand as each write is made (a call transcribes only who said yes)."""

    chat: ChatRef
    forgets: int = 0
    speaker: str | None = None
    noes: int | None = 0
    yes_needed: bool = False

    def of(self, speaker: str | None, noes: int | None) -> Mandate:
        """The same work's mandate for the words of `speaker`, whose no's were `noes`."""
        return Mandate(self.chat, self.forgets, speaker, noes, self.yes_needed)
