"""Limits that protect the owner: who may use the bot, how often, and how much a day.

    allowlist   adapters ask `Limiter.admits` before anything else: a stranger's message is
                neither processed nor stored (commands get one short "this bot is private")
    rates       `admit` counts a costly request (transcribe, say, ask, summary) against its
                person's and its chat's requests this clock minute, or refuses it: "try again
                in N s". A refused request counts against neither. `admit_search` counts a
                search (`/find`, each page) in a minute of the person's own, apart
    quotas      `job_spending` reserves what work will cost from the chat's UTC day before it starts
                (characters, a summary; a recording's seconds, transcribed or asked about,
                through `Spend.reserve`: at the length its platform declares before it is
                downloaded, then at the length measured), refuses what does not fit ("try again
                in 5 h 12 min"), and afterwards records what MiMo reported instead (or gives the
                reservation back when the work failed)

    caps        the same reservation also draws on the asker's own day, all chats together (a
                person's cap: DAILY_PERSON_*, transcription and speech), and on the whole bot's
                (the budget: DAILY_BUDGET_*); all of them fit or the work is refused, naming
                the first that did not: the chat's quota, the person's cap, or the budget
                ("I rest until tomorrow")
    shares      `share` holds what one member's messages read aloud by the channel reader cost
                against their share of the chat's daily speech (READER_MEMBER_SHARE of it),
                besides the chat's own quota: one member posting steadily cannot spend the
                whole server's speech
    listening   what a server's calls listened to have transcribed (`spending(calls=True)`)
                counts in its listening quota of the day (DAILY_LISTEN_SECONDS) and the
                budget, instead of its transcription quota: a long call leaves the server its
                voice notes; and in the day of the member who started the listening (the
                asker: their cap, all chats together), so that one person in many servers
                has no more listening than their cap; `check_listening` refuses a new call
                once the server's day, or the starter's, is used up

Automatic transcripts (nobody asked) count against the chat and, when its sender is known
(`sent_by`), against the sender's rate and caps; when they are refused, the chat hears it once
a minute (rates) or once a day (quotas, the budget), and the sender once a minute or a day (their
rate, their caps), never once per voice note and never not at all. Digests (scheduled, `asker`
None) are counted but never refused. The command line is not limited.

Whom work is counted against (the chat, the person, a member's share, a server's listening, the
budget) is `core.app.rules.job_spending`; one job's reservation,
`core.app.rules.job_spending.Spend`.

State lives in the database (`core.infra.storage.rules.usage_in_database`), changed by single atomic
statements, so replicas sharing PostgreSQL share every limit.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta

from core.app.rules.job_spending import (
    Spend,
    Tally,
    listen_row,
    listen_tallies,
    person_row_of,
    share_of,
    work_tallies,
)
from core.domain import errors
from core.domain.quantities import Duration, waiting
from core.domain.rules.quotas_rules import (
    Asker,
    BotUsage,
    Counts,
    LimitPolicy,
    UsageReport,
    Whose,
    pairs,
    refusal,
    seconds_left,
    until_reset,
    utc_day,
    window_start,
)
from core.domain.shared_values import ChatRef, Platform
from core.ports import Clock, SystemClock, UsageUnitOfWork

logger = logging.getLogger(__name__)
__all__ = ["KEEP_WINDOWS", "Limiter"]
KEEP_WINDOWS = timedelta(hours=1)


class Limiter:
    """The allowlist, rate limits and daily quotas of one policy (see the module docstring).

    Without a unit of work (`Limiter.off()`) nothing is counted and nothing refused.
    """

    def __init__(
        self,
        *,
        uow: Callable[[], UsageUnitOfWork] | None,
        clock: Clock,
        policy: LimitPolicy,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self.policy = policy

    @classmethod
    def off(cls) -> Limiter:
        return cls(uow=None, clock=SystemClock(), policy=LimitPolicy())

    def admits(
        self,
        platform: Platform,
        *,
        chats: list[object],
        user: object | None,
        withdrawal: bool = False,
    ) -> bool:
        """The allowlist: whether a request from `user` in the chat known by `chats` is served;
        a `withdrawal` (a no to being transcribed) always is."""
        allowlist = self.policy.allowlist
        return allowlist.admits(platform, chats=chats, user=user, withdrawal=withdrawal)

    async def admit(self, chat: ChatRef, asker: Asker | None) -> None:
        """Count one costly request of `asker` in `chat` this minute, or refuse it: `SlowDown` or
        `ChatSlowDown`; automatic: `AutoTranscriptsPaused` (or its person's), then `AlreadyTold`."""
        if asker is None or self._exempt(chat):
            return
        rates, now = self.policy.rates, self._clock.now()
        window = window_start(now)
        subjects = [(f"chat:{chat.chat_id}", rates.chat_per_minute)]
        if asker.user_id is not None:  # automatic transcripts too: the sender's minute
            subjects.append((f"user:{asker.user_id}", rates.user_per_minute))
        counted = [(subject, limit) for subject, limit in subjects if limit > 0]
        async with self._store() as uow:
            hits = await uow.usage.hits(chat.platform, [subject for subject, _ in counted], window)
            over = [(subject, limit) for subject, limit in counted if hits[subject] > limit]
            if not over:
                await uow.commit()
                return
        # Rolled back: a refused request uses up neither the person's minute nor the chat's.
        subject, limit = over[-1]  # the person's limit, when both are reached
        wait = Duration(seconds_left(window, now))
        persons = subject.startswith("user:")
        if not asker.automatic:
            raise (errors.SlowDown if persons else errors.ChatSlowDown)(wait=wait, limit=limit)
        # Automatic: said once a window to the chat or sender, by the first replica to `tell`.
        async with self._store() as uow:
            first = await uow.usage.tell(chat.platform, subject, window)
            await uow.commit()
        if not first:
            raise errors.AlreadyTold(f"automatic transcripts over the limit of {subject}")
        paused = errors.PersonAutoTranscriptsPaused if persons else errors.AutoTranscriptsPaused
        raise paused(wait=wait, limit=limit)

    async def admit_search(self, chat: ChatRef, asker: Asker | None) -> None:
        """Count one search of `asker` this minute, or refuse it (`errors.SlowDown`)."""
        limit, now = self.policy.rates.searches_per_minute, self._clock.now()
        if asker is None or asker.user_id is None or limit <= 0 or self._exempt(chat):
            return
        subject, window = f"search:{asker.user_id}", window_start(now)
        async with self._store() as uow:
            if (await uow.usage.hits(chat.platform, [subject], window))[subject] <= limit:
                await uow.commit()
                return
        raise errors.SlowDown(wait=Duration(seconds_left(window, now)), limit=limit)

    @asynccontextmanager
    async def spending(
        self,
        chat: ChatRef,
        asker: Asker | None,
        *,
        tts_chars: int = 0,
        summaries: int = 0,
        calls: bool = False,
    ) -> AsyncIterator[Spend]:
        """Reserve `tts_chars` and `summaries` from the chat's day (refusing what does not fit),
        run the block, then record what it used (`Spend.used`), or give the reservation back
        when the block fails. A recording's seconds are reserved inside the block, as declared
        and once measured (`Spend.reserve`). `calls`: what a call listened to said, counted in
        the server's listening quota (and the day of `asker`, who started the listening)
        instead of its transcription quota."""
        policy = self.policy
        tallies = (
            listen_tallies(policy, server=chat, starter=asker)
            if calls
            else work_tallies(policy, chat, asker)
        )
        reserve = None if self._exempt(chat) else self._reserve
        spend = Spend(chat, asker, utc_day(self._clock.now()), tallies, reserve=reserve)
        await spend.reserve(Counts(tts_chars=tts_chars, summaries=summaries))
        try:
            yield spend
        except BaseException:
            await self._record(spend, spend.given_back())
            raise
        await self._record(spend, spend.settled())

    @asynccontextmanager
    async def share(self, chat: ChatRef, member: str, *, tts_chars: int) -> AsyncIterator[None]:
        """Reserve `tts_chars` from `member`'s share of the chat's daily speech for the block
        (given back when it fails); `errors.ReadingShareUsed` when they do not fit."""
        cap = self.share_cap()
        if self._exempt(chat) or not cap or tts_chars <= 0:
            yield
            return
        key, day = share_of(chat, member), utc_day(self._clock.now())
        amounts = Counts(tts_chars=tts_chars)
        async with self._store() as uow:
            fits = tts_chars <= cap and await uow.usage.reserve(
                key, day, amounts, Counts(tts_chars=cap)
            )
            await uow.commit()
        if not fits:
            raise errors.ReadingShareUsed(f"{member}: {tts_chars} characters past a share of {cap}")
        try:
            yield
        except BaseException:
            await self._add(day, [(key, Counts() - amounts)])
            raise

    def share_cap(self) -> int:
        """The characters of speech one member's messages may take in a day (0: no cap)."""
        quota = self.policy.quotas.tts_chars
        fraction = self.policy.reader_member_share
        return 0 if not quota or fraction >= 1 else max(1, int(quota * fraction))

    async def share_today(self, chat: ChatRef, member: str) -> int:
        """The characters of speech `member`'s messages took today (`/usage`)."""
        if self._exempt(chat):
            return 0
        async with self._store() as uow:
            used = await uow.usage.day(share_of(chat, member), utc_day(self._clock.now()))
        return used.tts_chars

    async def listened_today(self, server: ChatRef) -> int:
        """The seconds the server's calls listened to had transcribed today (`/usage`)."""
        if self._exempt(server):
            return 0
        async with self._store() as uow:
            used = await uow.usage.day(listen_row(server), utc_day(self._clock.now()))
        return used.audio_seconds

    async def check_listening(self, server: ChatRef, starter: Asker) -> None:
        """Refuse to start listening in a server whose listening of the day is used up, or for
        a `starter` whose own transcription of the day is (the call is charged to them)."""
        if self._exempt(server):
            return
        day, whole = utc_day(self._clock.now()), Counts(audio_seconds=1)
        checked: list[tuple[ChatRef, int, Whose]] = [
            (listen_row(server), self.policy.listen_seconds, "listen")
        ]
        mine = person_row_of(self.policy, server, starter)
        if mine is not None:
            checked.append((mine, self.policy.person.audio_seconds, "person"))
        async with self._store() as uow:
            for row, limit, whose in checked:
                used = (await uow.usage.day(row, day)).audio_seconds
                if limit and used >= limit:
                    limits, spent = Counts(audio_seconds=limit), Counts(audio_seconds=used)
                    reset = waiting(until_reset(self._clock.now()))
                    raise refusal(whole, limits, spent, reset=reset, of=whose)

    async def today(self, chat: ChatRef, asker: Asker | None = None) -> UsageReport:
        """The chat's usage today and the limits it is measured against (`/usage`); with the
        asker's own share of the day, all chats together, while persons have caps."""
        now, policy = self._clock.now(), self.policy
        used, person = Counts(), None
        if not self._exempt(chat):
            mine = person_row_of(self.policy, chat, asker)
            async with self._store() as uow:
                used = await uow.usage.day(chat, utc_day(now))
                if mine is not None:
                    person = await uow.usage.day(mine, utc_day(now))
        return UsageReport(
            used, policy.quotas, policy.rates, until_reset(now),
            person_used=person, person_caps=policy.person,
        )  # fmt: skip

    async def warn_if_open(self, platform: Platform, *, chats: int | None = None) -> bool:
        """At start: one warning line when the allowlist is open while the bot is in more than
        a few chats: `chats` where the platform says (Discord's servers), else the chats that
        used it in the days whose usage is kept (Telegram tells a bot nothing of its chats)."""
        if not self.policy.allowlist.is_open or self._uow is None:
            return False
        if chats is None:
            async with self._store() as uow:
                chats = await uow.usage.chats(platform)
        return self.open_to_many(chats)

    def open_to_many(self, chats: int) -> bool:
        """Whether the allowlist is open while the bot is in more than a few chats (`chats`):
        logged, as a stranger's group could then spend the owner's balance."""
        if not self.policy.allowlist.is_open or chats <= FEW_CHATS:
            return False
        logger.warning(
            "the bot is in %d chats and serves everyone (ALLOWED_CHATS and ALLOWED_USERS are "
            "empty): anyone who adds it spends your MiMo balance; set them, or mind the daily "
            "quotas, the person caps and DAILY_BUDGET_*",
            chats,
        )
        return True

    async def purge(self) -> int:
        """Delete rate windows older than an hour (any replica may; it is idempotent)."""
        if self._uow is None:
            return 0
        async with self._store() as uow:
            deleted = await uow.usage.delete_windows_before(self._clock.now() - KEEP_WINDOWS)
            await uow.commit()
        return deleted

    async def purge_days(self, *, keep_days: int) -> int:
        """Retention: delete every chat's usage of the days more than `keep_days` before today.
        Today's, which the quotas run on, always stays."""
        if self._uow is None:
            return 0
        cutoff = utc_day(self._clock.now()) - timedelta(days=max(keep_days, 0))
        async with self._store() as uow:
            deleted = await uow.usage.delete_days_before(cutoff)
            await uow.commit()
        if deleted:
            logger.info("retention: deleted %d days of usage before %s", deleted, cutoff)
        return deleted

    async def whole_bot(self) -> BotUsage:
        """What every chat used today and this month so far, together (UTC days): what the
        owner pays MiMo for (`voicebridge usage`)."""
        today = utc_day(self._clock.now())
        async with self._store() as uow:
            day = await uow.usage.bot_day(today)
            month = await uow.usage.bot_month(today.replace(day=1), today)
        return BotUsage(day=today, today=day, month=month)

    # Quotas, for `Spend`

    async def _reserve(self, spend: Spend, amounts: Counts) -> None:
        """Add `amounts` to what `spend` holds in each of its days, or refuse them together:
        one transaction, so a refusal by the person's cap or the budget leaves nothing reserved
        in the chat's day either. Every transaction locks its rows in one order (its chat's,
        its person's, the budget's), so two can never each wait for a row the other holds."""
        enforced = spend.asker is not None
        whole = spend.reserved + amounts
        async with self._store() as uow:
            for tally in spend.tallies:
                part, limits = tally.part(amounts), tally.limits if enforced else Counts()
                if part == Counts():
                    continue
                too_big = any(0 < limit < n for n, limit in pairs(tally.part(whole), limits))
                if too_big or not await uow.usage.reserve(tally.row, spend.day, part, limits):
                    # Read in the transaction that was refused: the refused statement locked
                    # the day's row, so another request giving its share back meanwhile cannot
                    # make the refusal read as if it fit. Left without commit: rolled back.
                    used = await uow.usage.day(tally.row, spend.day)
                    break
            else:
                await uow.commit()
                return
        await self._refuse(spend, tally, whole, used - tally.part(spend.reserved))

    async def _refuse(self, spend: Spend, tally: Tally, whole: Counts, used: Counts) -> None:
        """Raise the refusal of `whole` by `tally`'s limits; automatic work hears it once a
        day: the chat (its quota, the budget), or the sender (their cap)."""
        if spend.asker is not None and spend.asker.automatic:
            told = spend.chat if tally.whose in ("chat", "budget") else tally.row
            async with self._store() as uow:
                first = await uow.usage.tell_today(told, spend.day)
                await uow.commit()
            if not first:
                raise errors.AlreadyTold(f"automatic transcripts over the {tally.whose}'s day")
        # Said of the whole, as if what `spend` already holds were not spent yet.
        reset = waiting(until_reset(self._clock.now()))
        raise refusal(tally.part(whole), tally.limits, used, reset=reset, of=tally.whose)

    async def _record(self, spend: Spend, amounts: Counts) -> None:
        if self._exempt(spend.chat):
            return
        await self._add(spend.day, spend.rows(amounts))

    async def _add(self, day: date, changes: list[tuple[ChatRef, Counts]]) -> None:
        """Best effort: the work is done (or failed) either way; a lost count is logged."""
        changes = [(row, amounts) for row, amounts in changes if amounts != Counts()]
        if not changes:
            return
        try:
            async with self._store() as uow:
                for row, amounts in changes:
                    await uow.usage.add(row, day, amounts)
                await uow.commit()
        except Exception:
            logger.exception("could not record the usage of %s", changes)

    def _exempt(self, chat: ChatRef) -> bool:
        # The owner at the command line is not someone to protect the balance from.
        return self._uow is None or chat.platform == "cli"

    def _store(self) -> UsageUnitOfWork:
        assert self._uow is not None, "a Limiter.off() stores nothing"
        return self._uow()


FEW_CHATS = 3  # more chats than this with an open allowlist: a warning at start
