"""What long work keeps writing under (`Mandate`), read once as it begins and checked again at
each of its writes: the storage reads the counts anew in the write's own transaction
(`core.infra.storage.rules.mandates_in_database`), the mandate judges them (`forgotten_since`,
`speaker_allows`).

Work that lasts (an import, a long recording, a call's lines) writes many times; a `/forget` or
a member's no may land between any two of those writes, in this process or another. The work
reads, as it begins, how many times its chat was forgotten and, where it keeps someone's words,
how many times that person said no; a write whose counts moved since is not made. Counts, not
times: replicas' clocks need not agree, and a no followed at once by a yes still moved it.

What the bot sends after a wait (an answer, a summary, a gist) is checked against the same
counts as it leaves (`Sources`, `core.app.rules.outgoing_check`): read with the words it was made
from, they must not have moved by the time it goes, nor a message it holds been deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.domain.memory.search_rules import Said
from core.domain.shared_values import ChatRef

__all__ = ["Mandate", "Sources"]


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

    def forgotten_since(self, forgets: int) -> bool:
        """Whether the chat was forgotten since the work began: its count of forgets, now
        `forgets`, moved. A write under it is then not made."""
        return forgets != self.forgets

    def speaker_allows(self, noes: int, consents: bool) -> bool:
        """Whether the speaker, whose count of no's is now `noes` and whose yes stands or not
        (`consents`), still lets the work write their words: no no since it began (where
        compared), and their yes standing where one is needed."""
        if self.noes is not None and noes != self.noes:
            return False
        return consents or not self.yes_needed


@dataclass(frozen=True)
class Sources:
    """What words sent after a wait were made from, as it stood when they were read: the
    `mandates` of the chats and of the speakers whose words they hold (their counts of forgets
    and no's then), and the `messages` that carried them, each in its chat, where their platform
    tells the bot of a deletion. As the words leave, a count moved or a message deleted since
    keeps them from being sent (`core.app.rules.outgoing_check`)."""

    mandates: tuple[Mandate, ...] = ()
    messages: tuple[tuple[ChatRef, Said], ...] = ()

    def __add__(self, other: Sources) -> Sources:
        return Sources(
            tuple(dict.fromkeys((*self.mandates, *other.mandates))),
            tuple(dict.fromkeys((*self.messages, *other.messages))),
        )

    def __bool__(self) -> bool:
        return bool(self.mandates or self.messages)

    @staticmethod
    def carried(messages: Iterable[tuple[ChatRef, Said | None]]) -> Sources:
        """The messages that carried the words, each in its chat: those whose deletion the
        platform tells (`Said.deletable`)."""
        return Sources(messages=tuple(dict.fromkeys(
            (chat, said) for chat, said in messages if said is not None and said.deletable
        )))  # fmt: skip

    @staticmethod
    def of(mandate: Mandate | None) -> Sources:
        """The words of work begun under `mandate` (None: work nothing ends, the command
        line's)."""
        return Sources() if mandate is None else Sources((mandate,))
