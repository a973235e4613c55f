"""What a job costs, and whom it is counted against.

A job is counted in rows of the daily usage (`core.app.rules.limits`): the chat's day, its
asker's own (all chats together, while persons have caps), a member's share of a chat's readings,
a server's calls listened to, and the whole bot's (while it has a budget), each held to its
limits (`Tally`).

What one job costs (`Spend`, from `core.app.rules.limits.Limiter.spending`) is reserved from each
day it is counted in before it runs, then recorded as MiMo reported it, or given back when it
failed.

A recording heard in one piece is recorded as MiMo billed it in the transaction that keeps its
transcript (`Spend.charge`, written by `core.app.recordings.kept_transcripts`), whether the
transcript is kept or its checks refuse it: one transaction the fewer per voice note, and no
moment when the transcript is kept and what MiMo billed for it is not. What the spend records
as the work ends is then only what that charge left out (nothing, when the work succeeded);
a charge whose transaction failed is recorded then, as it was before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import cast

from core.domain.rules.quotas_rules import (
    LISTEN_ROW,
    PERSON_ROW,
    READER_SHARE_ROW,
    Asker,
    Counts,
    LimitPolicy,
    Whose,
    capped_part,
    pairs,
)
from core.domain.shared_values import Answer, ChatRef, Platform, Usage
from core.ports import ChatApi, UsageStore

__all__ = [
    "Charge",
    "Spend",
    "Tally",
    "listen_row",
    "listen_tallies",
    "person_row_of",
    "share_of",
    "work_tallies",
]

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


class Spend:
    """What one job costs its chat (and its asker's day, and the bot's): reserved
    before, recorded after."""

    def __init__(
        self,
        chat: ChatRef,
        asker: Asker | None,
        day: date,
        tallies: list[Tally],
        *,
        reserve: Callable[[Spend, Counts], Awaitable[None]] | None,
    ) -> None:
        self.chat = chat
        self.asker = asker
        self.day = day
        self.tallies = tallies
        self.reserved = Counts()
        # Recorded already, in the transaction that kept the transcript (`Charge`).
        self.recorded = Counts()
        self.charged = False  # a charge recorded what MiMo billed for the whole work
        self._reserve = reserve  # None: not limited (the command line)
        self._audio_seconds: int | None = None  # as MiMo billed it, when known
        self._tts_chars: int | None = None  # what MiMo was asked to speak, when less was
        self._tokens = Counts()
        # What MiMo answered so far, piece by piece: its bill stands however the work ends.
        self._heard = Counts()

    async def reserve(self, amounts: Counts) -> None:
        """Hold at least `amounts` for this work: take what the reservation lacks of them from
        the chat's day (a recording reserved at its declared length, then at its measured
        one), or raise the quota's refusal of `amounts` as a whole."""
        missing = Counts(*(max(0, a - r) for a, r in pairs(amounts, self.reserved)))
        if missing == Counts() or self._reserve is None:
            return
        await self._reserve(self, missing)
        self.reserved += missing

    def used(
        self,
        *,
        audio_seconds: int | None = None,
        tts_chars: int | None = None,
        usage: Usage | None = None,
    ) -> None:
        """What the work really used: the seconds MiMo bills for the audio it heard, each
        request's as `core.domain.rules.quotas_rules.billed_seconds` counts them (replacing the
        reservation, which went by the measured length), the characters MiMo was asked to
        speak (replacing the reservation: speech cut before all its pieces were asked for),
        and MiMo's token counts."""
        if audio_seconds is not None:
            self._audio_seconds = audio_seconds
        if tts_chars is not None:
            self._tts_chars = tts_chars
        if usage is not None:
            self._tokens += Counts.of_tokens(usage)

    def heard(self, *, audio_seconds: int, usage: Usage) -> None:
        """MiMo answered a piece of this work (`audio_seconds` as it bills them): counted
        whatever becomes of the work, as `used` counts it once the work succeeded. A recording
        deleted, forgotten or refused by a no after MiMo heard some of it, or cancelled, keeps the
        bill of the pieces heard, and gives back the rest of its reservation."""
        self._heard += Counts(audio_seconds=audio_seconds) + Counts.of_tokens(usage)

    def metered(self, api: ChatApi) -> ChatApi:
        """`api`, counting the tokens of every answer into this spend."""
        return _MeteredChat(api, self)

    def charge(self, *, audio_seconds: int, usage: Usage) -> Charge | None:
        """What to record if the work used just this (a recording of one piece, as MiMo
        answered it), written where its transcript is kept (`Charge`); None when there is
        nothing to write (the command line). `used` is told the same afterwards, as ever:
        what the charge recorded is not recorded again."""
        if self._reserve is None:
            return None
        tokens = self._tokens + Counts.of_tokens(usage)
        # Written even where it adds nothing: once it committed, the bill stands (`given_back`).
        return Charge(self, self._settled(audio_seconds, self._tts_chars, tokens) - self.recorded)

    def settled(self) -> Counts:
        """What to add once the work succeeded: the tokens, and corrections to the reservation,
        less what was recorded already."""
        return self._settled(self._audio_seconds, self._tts_chars, self._tokens) - self.recorded

    def given_back(self) -> Counts:
        """What to add once the work failed: the reservation back, what MiMo answered already
        (`heard`) and the tokens already spent, less what was recorded already; nothing once a
        charge recorded what MiMo billed (the work failed after MiMo answered it: cancelled,
        say, as its transcript was kept, and the bill stands)."""
        if self.charged:
            return Counts()
        return self._heard - self.reserved + self._tokens - self.recorded

    def rows(self, amounts: Counts) -> list[tuple[ChatRef, Counts]]:
        """`amounts` as each day's row counts them (`Tally.part`), those with nothing left out."""
        parts = [(tally.row, tally.part(amounts)) for tally in self.tallies]
        return [(row, part) for row, part in parts if part != Counts()]

    def _settled(self, audio_seconds: int | None, tts_chars: int | None, tokens: Counts) -> Counts:
        audio = self.reserved.audio_seconds
        heard = audio if audio_seconds is None else audio_seconds
        chars = self.reserved.tts_chars
        spoken = chars if tts_chars is None else min(chars, tts_chars)
        return Counts(audio_seconds=heard - audio, tts_chars=spoken - chars) + tokens


@dataclass(frozen=True)
class Charge:
    """What a spend adds to its days, written in another use case's transaction (the one that
    keeps a recording's transcript), then noted as recorded once that transaction committed:
    recorded with it, or, when it failed, as the work ends."""

    spend: Spend
    amounts: Counts

    async def write(self, usage: UsageStore) -> None:
        for row, part in self.spend.rows(self.amounts):
            await usage.add(row, self.spend.day, part)

    def written(self) -> None:
        """Its transaction committed."""
        self.spend.recorded += self.amounts
        self.spend.charged = True


class _MeteredChat:
    def __init__(self, api: ChatApi, spend: Spend) -> None:
        self._api = api
        self._spend = spend

    async def chat(
        self, prompt: str, *, system: str | None = None, max_tokens: int | None = None
    ) -> Answer:
        answer = await self._api.chat(prompt, system=system, max_tokens=max_tokens)
        self._spend.used(usage=answer.usage)
        return answer
