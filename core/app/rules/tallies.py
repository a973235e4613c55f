"""Whom a job is counted against, each in a row of the daily usage
(`core.app.rules.limits`): the chat's day, its asker's own (all chats together, while persons have
caps), a member's share of a chat's readings, a server's calls listened to, and the whole bot's
(while it has a budget), each held to its limits (`Tally`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from core.domain.limits import (
    LISTEN_ROW,
    PERSON_ROW,
    READER_SHARE_ROW,
    Asker,
    Counts,
    LimitPolicy,
    Whose,
    capped_part,
)
from core.domain.values import ChatRef, Platform

__all__ = ["Tally", "listen_row", "listen_tallies", "person_row_of", "share_of", "work_tallies"]

# The rows beside the chats' in the daily usage, deleted with the other days by retention:
# a member's share of a chat's readings, a server's calls listened to, a person's day across
# chats, the whole bot's day.


def share_of(chat: ChatRef, member: str) -> ChatRef:
    """Where a member's share of `chat`'s speech is counted."""
    return ChatRef(chat.platform, f"{chat.chat_id}{READER_SHARE_ROW}{member}")


def listen_row(server: ChatRef) -> ChatRef:
    """Where a server's calls listened to are counted."""
    return ChatRef(server.platform, f"{server.chat_id}{LISTEN_ROW}")


def person_row(platform: Platform, user_id: str) -> ChatRef:
    """Where one person's day is counted, every chat of theirs on `platform` together."""
    return ChatRef(platform, f"{PERSON_ROW}{user_id}")


# Every platform's chats together, under a platform name no chat has.
BUDGET_ROW = ChatRef(cast(Platform, "all"), "budget")


@dataclass(frozen=True)
class Tally:
    """One day's row a job is counted in, and the limits it is held to there."""

    row: ChatRef
    limits: Counts
    whose: Whose

    def part(self, amounts: Counts) -> Counts:
        """What of `amounts` this row counts: all of it for the chat and for a server's
        listening (its captions' translations and interpretations cost chat tokens too),
        transcription and speech for a person's cap and the budget."""
        return amounts if self.whose in ("chat", "listen") else capped_part(amounts)


def work_tallies(policy: LimitPolicy, chat: ChatRef, asker: Asker | None) -> list[Tally]:
    """The days work in `chat` for `asker` is counted in: the chat's, the asker's own (all
    chats together, while persons have caps), the whole bot's (while it has a budget)."""
    tallies = [Tally(chat, policy.quotas.as_counts(), "chat")]
    mine = person_row_of(policy, chat, asker)
    if mine is not None:
        tallies.append(Tally(mine, policy.person.as_counts(), "person"))
    if policy.budget.any:
        tallies.append(Tally(BUDGET_ROW, policy.budget.as_counts(), "budget"))
    return tallies


def listen_tallies(policy: LimitPolicy, *, server: ChatRef, starter: Asker | None) -> list[Tally]:
    """The days a call's transcription is counted in: the server's listening, the day of the
    member who started it (while persons have caps), the bot's."""
    tallies = [Tally(listen_row(server), Counts(audio_seconds=policy.listen_seconds), "listen")]
    theirs = person_row_of(policy, server, starter)
    if theirs is not None:
        tallies.append(Tally(theirs, policy.person.as_counts(), "starter"))
    if policy.budget.any:
        tallies.append(Tally(BUDGET_ROW, policy.budget.as_counts(), "budget"))
    return tallies


def person_row_of(policy: LimitPolicy, chat: ChatRef, asker: Asker | None) -> ChatRef | None:
    """Where `asker`'s own day is counted, while persons have caps; else None."""
    if asker is None or asker.user_id is None or not policy.person.any:
        return None
    return person_row(chat.platform, asker.user_id)
