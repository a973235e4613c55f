"""Rate limits, daily quotas and the allowlist, on a clock the tests move by hand.

The limiter runs against `FakeUsage`, which keeps the repository's rules in memory; the same
rules on SQLite and PostgreSQL (and across two processes) are tested in
tests/integration/test_limits.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.app.rules.job_spending import Spend
from core.app.rules.limits import Limiter
from core.app.voices.streamed_speech import SpeechFeed
from core.app.voices.text_to_speech import SayAsked
from core.bootstrap import UseCases
from core.chat.locale_formats import duration_words
from core.chat.message_catalogue import text
from core.chat.usage_wording import usage_text
from core.config import Settings
from core.domain import errors
from core.domain.quantities import Duration, waiting
from core.domain.rules.quotas_rules import (
    ANYONE,
    AUTOMATIC,
    Allowlist,
    Asker,
    Counts,
    DailyCaps,
    DailyQuotas,
    LimitPolicy,
    RateLimits,
    UsageReport,
    asked_by,
    billed_seconds,
    sent_by,
)
from core.domain.shared_values import ChatRef, Preferences, Usage
from core.infra.local_settings import LocalUnitOfWork
from core.ports import RemoteRecording
from tests.fakes import (
    FakeAudio,
    FakeSpeech,
    FakeUsageUnitOfWork,
    UsageRows,
    asked,
    fake_use_cases,
)

# 5 h 12 min before the UTC day ends, 20 s into a minute.
NOW = datetime(2026, 11, 21, 18, 48, 20, tzinfo=UTC)
CHAT = ChatRef("telegram", "-100")
OTHER = ChatRef("telegram", "-200")
POLICY = LimitPolicy(
    rates=RateLimits(user_per_minute=2, chat_per_minute=3),
    quotas=DailyQuotas(audio_seconds=60, tts_chars=100, summaries=2, ask_seconds=60),
)


class SetClock:
    """A `core.ports.Clock` standing still until the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at

    async def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)

    def move_to(self, at: datetime) -> None:
        self.at = at


@pytest.fixture
def set_clock() -> SetClock:
    return SetClock(NOW)


@pytest.fixture
def rows() -> UsageRows:
    return UsageRows({}, {})


def limiter_for(set_clock: SetClock, rows: UsageRows, policy: LimitPolicy = POLICY) -> Limiter:
    return Limiter(uow=lambda: FakeUsageUnitOfWork(rows), clock=set_clock, policy=policy)


@pytest.fixture
def limiter(set_clock: SetClock, rows: UsageRows) -> Limiter:
    return limiter_for(set_clock, rows)


def sentence_of(error: errors.VoicebridgeError) -> str:
    return text(error.key, "en", **error.params)


async def spend(
    limiter: Limiter, chat: ChatRef = CHAT, asker: Asker | None = ANYONE, **amounts: int
) -> None:
    async with limiter.spending(chat, asker, **amounts):
        pass


# --- rates -----------------------------------------------------------------------------------


async def test_a_person_past_their_minute_is_told_how_long_to_wait(
    limiter: Limiter, set_clock: SetClock
) -> None:
    await limiter.admit(CHAT, asked_by(1))
    await limiter.admit(CHAT, asked_by(1))
    with pytest.raises(errors.SlowDown) as refused:
        await limiter.admit(CHAT, asked_by(1))

    assert sentence_of(refused.value) == (
        "Slow down: at most 2 requests a minute per person. Try again in 40 sec."
    )
    set_clock.move_to(NOW + timedelta(seconds=40))  # the next minute
    await limiter.admit(CHAT, asked_by(1))


async def test_the_chat_limit_covers_everyone_in_it_and_no_other_chat(limiter: Limiter) -> None:
    await limiter.admit(CHAT, asked_by(1))
    await limiter.admit(CHAT, asked_by(1))
    await limiter.admit(CHAT, asked_by(2))
    with pytest.raises(errors.ChatSlowDown) as refused:
        await limiter.admit(CHAT, asked_by(2))
    await limiter.admit(OTHER, asked_by(2))

    assert sentence_of(refused.value) == (
        "This chat has made its 3 requests for this minute. Try again in 40 sec."
    )


async def test_a_refused_request_counts_against_nothing(limiter: Limiter) -> None:
    await limiter.admit(CHAT, asked_by(1))
    await limiter.admit(CHAT, asked_by(1))
    for _ in range(5):
        with pytest.raises(errors.SlowDown):
            await limiter.admit(CHAT, asked_by(1))

    await limiter.admit(CHAT, asked_by(2))  # the chat's third: the refusals took none
    with pytest.raises(errors.ChatSlowDown):
        await limiter.admit(CHAT, asked_by(3))


async def test_automatic_transcripts_past_the_chat_limit_are_refused_aloud_once_a_minute(
    limiter: Limiter, set_clock: SetClock
) -> None:
    for _ in range(3):
        await limiter.admit(CHAT, AUTOMATIC)
    with pytest.raises(errors.AutoTranscriptsPaused) as first:
        await limiter.admit(CHAT, AUTOMATIC)
    for _ in range(3):
        with pytest.raises(errors.AlreadyTold):
            await limiter.admit(CHAT, AUTOMATIC)
    with pytest.raises(errors.ChatSlowDown) as asked:  # someone asking is always answered
        await limiter.admit(CHAT, asked_by(1))
    assert not isinstance(asked.value, errors.AutoTranscriptsPaused)

    set_clock.move_to(NOW + timedelta(minutes=1))
    for _ in range(3):
        await limiter.admit(CHAT, AUTOMATIC)
    with pytest.raises(errors.AutoTranscriptsPaused) as next_minute:
        await limiter.admit(CHAT, AUTOMATIC)

    assert sentence_of(first.value) == (
        "Too many recordings in this chat right now (more than 3 a minute): "
        "I skip automatic transcripts for the next 40 sec."
    )
    assert next_minute.value.params == {"wait": Duration(40), "limit": 3}


async def test_automatic_transcripts_of_no_known_sender_use_up_no_persons_minute(
    limiter: Limiter,
) -> None:
    for _ in range(3):  # the chat's limit, one more than a person's: nobody's minute is used
        await limiter.admit(OTHER, AUTOMATIC)
    await limiter.admit(CHAT, asked_by(1))
    await limiter.admit(CHAT, asked_by(1))  # the automatic ones were the chat's, not user 1's


async def test_automatic_transcripts_count_against_their_senders_minute_who_hears_it_once(
    limiter: Limiter,
) -> None:
    await limiter.admit(CHAT, sent_by(1))
    await limiter.admit(CHAT, sent_by(1))
    with pytest.raises(errors.PersonAutoTranscriptsPaused) as paused:
        await limiter.admit(CHAT, sent_by(1))
    with pytest.raises(errors.AlreadyTold):
        await limiter.admit(OTHER, sent_by(1))  # their minute, whichever chat
    with pytest.raises(errors.SlowDown):  # asking, they hear it every time
        await limiter.admit(OTHER, asked_by(1))
    await limiter.admit(CHAT, sent_by(2))  # another sender, the chat's third

    assert sentence_of(paused.value) == (
        "You send more recordings than I transcribe for one person (more than 2 a minute): "
        "I skip your automatic transcripts for the next 40 sec."
    )


async def test_requests_of_unknown_people_share_no_persons_minute(limiter: Limiter) -> None:
    for chat in (CHAT, OTHER):
        for _ in range(3):  # each chat's limit, one more than a person's
            await limiter.admit(chat, ANYONE)


# --- quotas ----------------------------------------------------------------------------------


async def test_a_quota_refuses_before_the_work_what_does_not_fit_and_says_when_the_day_ends(
    limiter: Limiter,
) -> None:
    ran: list[int] = []
    async with limiter.spending(CHAT, ANYONE, tts_chars=60):
        ran.append(60)
    with pytest.raises(errors.SpeechQuotaShort) as short:
        async with limiter.spending(CHAT, ANYONE, tts_chars=50):
            ran.append(50)
    async with limiter.spending(CHAT, ANYONE, tts_chars=40):
        ran.append(40)
    with pytest.raises(errors.SpeechQuotaUsed) as used_up:
        async with limiter.spending(CHAT, ANYONE, tts_chars=1):
            ran.append(1)

    assert ran == [60, 40]
    assert sentence_of(short.value) == (
        "That text is 50 characters long, but this chat can speak only 40 more today (its daily "
        "limit is 100); try again in 5 hr, 12 min, or send a shorter one."
    )
    assert sentence_of(used_up.value) == (
        "This chat has used all of today's speech (its daily limit is 100 characters); try again "
        "in 5 hr, 12 min."
    )
    assert (await limiter.today(CHAT)).used == Counts(tts_chars=100)
    assert (await limiter.today(OTHER)).used == Counts()


async def test_the_quotas_start_again_at_midnight_utc(
    limiter: Limiter, set_clock: SetClock
) -> None:
    await spend(limiter, summaries=1)
    await spend(limiter, summaries=1)
    set_clock.move_to(NOW + timedelta(hours=5, minutes=11, seconds=39))  # 23:59:59
    with pytest.raises(errors.SummaryQuotaUsed) as refused:
        await spend(limiter, summaries=1)

    set_clock.move_to(NOW + timedelta(hours=5, minutes=11, seconds=40))  # 00:00:00 UTC
    await spend(limiter, summaries=1)

    assert sentence_of(refused.value) == (
        "This chat has used all of today's summaries (its daily limit is 2 summaries); try again "
        "in 1 sec."
    )
    assert (await limiter.today(CHAT)).used == Counts(summaries=1)


async def test_automatic_transcripts_past_a_quota_are_refused_aloud_once_a_day(
    limiter: Limiter,
) -> None:
    await spend(limiter, CHAT, AUTOMATIC, tts_chars=100)
    with pytest.raises(errors.SpeechQuotaUsed):
        await spend(limiter, CHAT, AUTOMATIC, tts_chars=1)
    with pytest.raises(errors.AlreadyTold):
        await spend(limiter, CHAT, AUTOMATIC, tts_chars=1)
    with pytest.raises(errors.SpeechQuotaUsed):  # someone asking is always answered
        await spend(limiter, CHAT, asked_by(1), tts_chars=1)


# --- shares of the bill: a person's caps and the bot's budget, all chats together -------------

THIRD = ChatRef("telegram", "-300")
FOURTH = ChatRef("telegram", "-400")
SHARES = LimitPolicy(
    rates=RateLimits(user_per_minute=0, chat_per_minute=0),
    quotas=DailyQuotas(audio_seconds=60, tts_chars=100, summaries=2, ask_seconds=60),
    person=DailyCaps(audio_seconds=90, tts_chars=150),
    budget=DailyCaps(audio_seconds=200, tts_chars=250),
)


@pytest.fixture
def shares(set_clock: SetClock, rows: UsageRows) -> Limiter:
    return limiter_for(set_clock, rows, SHARES)


async def reserve_and_transcribe(
    limiter: Limiter, chat: ChatRef, asker: Asker, seconds: int
) -> None:
    """Work on a recording of `seconds`, reserved once measured, as transcription does."""
    async with limiter.spending(chat, asker) as spending:
        await spending.reserve(Counts(audio_seconds=seconds))


async def test_a_person_over_their_cap_in_one_chat_is_refused_in_another(
    shares: Limiter,
) -> None:
    await spend(shares, CHAT, asked_by(1), tts_chars=100)
    await spend(shares, OTHER, asked_by(1), tts_chars=50)
    with pytest.raises(errors.PersonSpeechQuotaUsed) as used_up:
        await spend(shares, THIRD, asked_by(1), tts_chars=1)
    await spend(shares, THIRD, asked_by(2), tts_chars=1)  # another person, same chat

    assert sentence_of(used_up.value) == (
        "You have used all of your speech for today, all chats together (each person may have "
        "150 characters a day); try again in 5 hr, 12 min."
    )
    # The refusal reserved nothing in the third chat's day.
    assert (await shares.today(THIRD)).used == Counts(tts_chars=1)


async def test_a_person_short_of_their_cap_hears_what_is_left_of_it(shares: Limiter) -> None:
    await reserve_and_transcribe(shares, CHAT, asked_by(1), 60)
    with pytest.raises(errors.PersonAudioQuotaShort) as short:
        await reserve_and_transcribe(shares, OTHER, asked_by(1), 45)
    await reserve_and_transcribe(shares, OTHER, asked_by(1), 30)

    assert sentence_of(short.value) == (
        "That recording is 45 sec long, but you have only 30 sec of transcription left today, "
        "all chats together (each person may have 1 min, 30 sec a day); try again in "
        "5 hr, 12 min, or send a shorter one."
    )
    report = await shares.today(OTHER, asked_by(1))
    assert (report.used.audio_seconds, report.person_used) == (30, Counts(audio_seconds=90))


async def test_automatic_transcripts_past_their_senders_cap_are_refused_aloud_once_a_day(
    shares: Limiter,
) -> None:
    await reserve_and_transcribe(shares, CHAT, sent_by(1), 60)
    await reserve_and_transcribe(shares, OTHER, sent_by(1), 30)
    with pytest.raises(errors.PersonAudioQuotaUsed):
        await reserve_and_transcribe(shares, THIRD, sent_by(1), 5)
    with pytest.raises(errors.AlreadyTold):
        await reserve_and_transcribe(shares, FOURTH, sent_by(1), 5)
    with pytest.raises(errors.PersonAudioQuotaUsed):  # asking, they hear it every time
        await reserve_and_transcribe(shares, THIRD, asked_by(1), 5)
    await reserve_and_transcribe(shares, THIRD, sent_by(2), 5)


async def test_past_the_budget_every_chat_hears_the_bot_rests_until_tomorrow(
    shares: Limiter, set_clock: SetClock
) -> None:
    for person, chat in enumerate((CHAT, OTHER, THIRD)):
        await spend(shares, chat, asked_by(person), tts_chars=min(100, 250 - 100 * person))
    refusals = []
    for chat, asker in ((FOURTH, asked_by(9)), (ChatRef("discord", "guild:500"), sent_by(5))):
        with pytest.raises(errors.SpeechBudgetSpent) as resting:
            await spend(shares, chat, asker, tts_chars=1)
        refusals.append(sentence_of(resting.value))
    await spend(shares, FOURTH, None, tts_chars=5)  # a digest: counted, never refused
    with pytest.raises(errors.AudioBudgetSpent):  # each budget on its own
        for chat in (CHAT, OTHER, THIRD, FOURTH):
            await reserve_and_transcribe(shares, chat, asked_by(f"{chat.chat_id}"), 60)

    assert (
        refusals
        == [
            "I have spoken all I may today, every chat together: I rest until tomorrow "
            "(in 5 hr, 12 min)."
        ]
        * 2
    )
    set_clock.move_to(NOW + timedelta(hours=6))  # past midnight UTC
    await spend(shares, FOURTH, asked_by(9), tts_chars=1)


async def test_usage_shows_the_askers_own_share_of_the_day_across_chats(shares: Limiter) -> None:
    await reserve_and_transcribe(shares, CHAT, asked_by(1), 45)
    await spend(shares, OTHER, asked_by(1), tts_chars=20)

    report = await shares.today(OTHER, asked_by(1))
    lines = usage_text(report, "en").splitlines()

    assert "• Yours, all chats together: 45 sec of 1 min, 30 sec of transcription" in lines
    assert "• Yours, all chats together: 20 of 150 characters of speech" in lines
    assert (await shares.today(OTHER)).person_used is None  # nobody asked: no share shown


def test_an_open_allowlist_in_more_than_a_few_chats_is_warned_about(
    limiter: Limiter, caplog: pytest.LogCaptureFixture
) -> None:
    closed = Limiter(
        uow=None, clock=SetClock(NOW), policy=LimitPolicy(allowlist=Allowlist.parse("-100", ""))
    )
    with caplog.at_level("WARNING", logger="core.app.rules.limits"):
        assert [limiter.open_to_many(3), closed.open_to_many(40)] == [False, False]
        assert caplog.messages == []
        assert limiter.open_to_many(4)

    [warning] = caplog.messages
    assert warning.startswith("the bot is in 4 chats and serves everyone")


async def test_zero_means_no_limit(set_clock: SetClock, rows: UsageRows) -> None:
    nothing = DailyCaps()
    policy = LimitPolicy(RateLimits(0, 0), DailyQuotas(0, 0, 0), person=nothing, budget=nothing)
    limiter = limiter_for(set_clock, rows, policy)
    for _ in range(50):
        await limiter.admit(CHAT, asked_by(1))
        await spend(limiter, tts_chars=1_000_000, summaries=5)

    assert (await limiter.today(CHAT)).used == Counts(tts_chars=50_000_000, summaries=250)


async def test_failed_work_gives_its_reservation_back_and_keeps_the_tokens_it_spent(
    limiter: Limiter,
) -> None:
    with pytest.raises(RuntimeError):
        async with limiter.spending(CHAT, ANYONE, summaries=1) as spending:
            spending.used(usage=Usage(prompt_tokens=10, completion_tokens=5))
            raise RuntimeError("MiMo failed halfway")

    assert (await limiter.today(CHAT)).used == Counts(prompt_tokens=10, completion_tokens=5)


async def test_audio_is_reserved_once_measured_and_recorded_as_mimo_billed_it(
    limiter: Limiter, tmp_path: Path
) -> None:
    recording = tmp_path / "note.ogg"
    recording.write_bytes(b"x" * 12)  # FakeAudio: three pieces of 1 s
    open_pieces = FakeAudio(piece=4).asr_pieces
    async with limiter.spending(CHAT, ANYONE) as spending:
        async with open_pieces(recording, piece_seconds=60, max_seconds=None) as stream:
            await spending.reserve(Counts(audio_seconds=round(stream.duration)))  # measured
            assert stream.duration == 3.0
            assert (await limiter.today(CHAT)).used.audio_seconds == 3  # reserved
        billed = Usage(prompt_tokens=7, completion_tokens=2, audio_seconds=4)
        spending.used(audio_seconds=billed_seconds(billed, stream.duration), usage=billed)

    assert (await limiter.today(CHAT)).used == Counts(
        audio_seconds=4, prompt_tokens=7, completion_tokens=2
    )


@pytest.mark.parametrize(
    ("reported", "sent", "billed"),
    [(0, 0.3, 1), (0, 1.1, 2), (0, 2.0000001, 2), (0, 0.0, 0), (4, 0.3, 4), (4.2, 3.0, 5)],
)
def test_a_request_is_billed_what_mimo_says_else_its_audio_in_whole_seconds_rounded_up(
    reported: float, sent: float, billed: int
) -> None:
    assert billed_seconds(Usage(audio_seconds=reported), sent) == billed


async def test_digests_are_counted_but_never_refused(limiter: Limiter) -> None:
    for _ in range(3):
        await limiter.admit(CHAT, None)
        await spend(limiter, CHAT, None, summaries=1)

    assert (await limiter.today(CHAT)).used == Counts(summaries=3)


async def test_the_command_line_is_not_limited(limiter: Limiter) -> None:
    local = ChatRef("cli", "local")
    for _ in range(10):
        await limiter.admit(local, asked_by(1))
        await spend(limiter, local, tts_chars=1000)

    assert (await limiter.today(local)).used == Counts()


# --- the use cases keep MiMo out of refused work ---------------------------------------------

NOTHING_SET = Preferences()  # the chat's preferences, as a request reads them where none are set


@pytest.fixture
def limited_cases(limiter: Limiter, speech: FakeSpeech) -> UseCases:
    return fake_use_cases(
        speech=speech,
        audio=FakeAudio(piece=4),
        uow=lambda: LocalUnitOfWork({}),
        default_tts_model="mimo-v2.5-tts",
        limiter=limiter,
    )


async def test_a_recording_longer_than_what_is_left_never_reaches_mimo(
    limited_cases: UseCases, speech: FakeSpeech, limiter: Limiter, tmp_path: Path
) -> None:
    long = tmp_path / "long.ogg"
    long.write_bytes(b"x" * 4 * 61)  # 61 pieces of 1 s: over the 60 s of the day
    short = tmp_path / "short.ogg"
    short.write_bytes(b"abcdefgh")

    with pytest.raises(errors.AudioOverQuota) as too_long:
        await limited_cases.transcription.transcribe_recording(
            CHAT, long, prefs=NOTHING_SET, asker=asked_by(1)
        )
    assert speech.transcribed == []
    await limited_cases.transcription.transcribe_recording(
        CHAT, short, prefs=NOTHING_SET, asker=asked_by(1)
    )
    almost = tmp_path / "almost.ogg"
    almost.write_bytes(b"x" * 4 * 59)
    with pytest.raises(errors.AudioQuotaShort) as short_of:
        await limited_cases.transcription.transcribe_recording(
            CHAT, almost, prefs=NOTHING_SET, asker=asked_by(3)
        )

    assert sentence_of(too_long.value) == (
        "That recording is 1 min, 1 sec long, more than this chat may transcribe in a day (1 min)."
    )
    assert sentence_of(short_of.value) == (
        "That recording is 59 sec long, but this chat has only 58 sec of transcription left "
        "today (its daily limit is 1 min); try again in 5 hr, 12 min, or send a shorter one."
    )
    assert len(speech.transcribed) == 2  # the short recording's two pieces only
    assert (await limiter.today(CHAT)).used.audio_seconds == 2  # FakeSpeech bills nothing


class Platform:
    """A chat platform's side of recordings: what it declares, and which were located (the
    first step of a download)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.located: list[str] = []

    def recording(self, name: str, data: bytes, *, seconds: float | None) -> RemoteRecording:
        path = self.folder / name
        path.write_bytes(data)

        async def locate() -> Path:
            self.located.append(name)
            return path

        return RemoteRecording(locate, size=len(data), seconds=seconds)


async def test_a_refused_recording_is_never_fetched(
    limited_cases: UseCases, speech: FakeSpeech, tmp_path: Path
) -> None:
    """The rate limit and the quotas judge what the platform declares, before any download."""
    platform = Platform(tmp_path)
    declared_long = platform.recording("long.ogg", b"abcdefgh", seconds=61)
    with pytest.raises(errors.AudioOverQuota):
        await limited_cases.transcription.transcribe_recording(
            CHAT, declared_long, prefs=NOTHING_SET, asker=asked_by(1)
        )
    with pytest.raises(errors.AskOverQuota):  # a minute of questions a day in POLICY
        await limited_cases.questions.ask(
            await asked(limited_cases, OTHER, asker=asked_by(1)), declared_long, "What is it?"
        )
    for person in (2, 2, 2):  # two a minute
        note = platform.recording(f"{person}.ogg", b"abcd", seconds=1)
        with contextlib.suppress(errors.SlowDown):
            await limited_cases.transcription.transcribe_recording(
                CHAT, note, prefs=NOTHING_SET, asker=asked_by(person)
            )

    assert platform.located == ["2.ogg", "2.ogg"]
    assert len(speech.transcribed) == 2 and speech.asked == []


async def test_a_recording_longer_than_declared_is_refused_on_what_it_holds(
    limited_cases: UseCases, speech: FakeSpeech, limiter: Limiter, tmp_path: Path
) -> None:
    platform = Platform(tmp_path)
    liar = platform.recording("liar.ogg", b"x" * 4 * 61, seconds=3)  # 61 s, said to be 3 s

    with pytest.raises(errors.AudioOverQuota) as refused:
        await limited_cases.transcription.transcribe_recording(
            CHAT, liar, prefs=NOTHING_SET, asker=asked_by(1)
        )

    assert platform.located == ["liar.ogg"]
    assert sentence_of(refused.value) == (
        "That recording is 1 min, 1 sec long, more than this chat may transcribe in a day (1 min)."
    )
    assert speech.transcribed == []
    assert (await limiter.today(CHAT)).used == Counts()  # the declared 3 s given back


async def test_questions_draw_on_a_daily_quota_of_their_own(
    limited_cases: UseCases, speech: FakeSpeech, limiter: Limiter, tmp_path: Path
) -> None:
    recording = tmp_path / "forty.ogg"
    recording.write_bytes(b"x" * 40)  # FakeAudio: a second a byte, so 40 s

    await limited_cases.questions.ask(
        await asked(limited_cases, CHAT, asker=asked_by(1)), recording, "What is it?"
    )
    with pytest.raises(errors.AskQuotaShort) as refused:
        await limited_cases.questions.ask(
            await asked(limited_cases, CHAT, asker=asked_by(2)), recording, "And now?"
        )

    assert sentence_of(refused.value) == (
        "That recording is 40 sec long, but this chat can ask about only 20 sec more today "
        "(its daily limit is 1 min of audio); try again in 5 hr, 12 min, or ask about a "
        "shorter one."
    )
    assert len(speech.asked) == 1
    assert (await limiter.today(CHAT)).used.ask_seconds == 40


async def test_say_past_the_speech_quota_never_reaches_mimo(
    limited_cases: UseCases, speech: FakeSpeech
) -> None:
    await limited_cases.speech.say_notes(SayAsked(chat=CHAT, text="x" * 90, asker=asked_by(1)))
    with pytest.raises(errors.SpeechQuotaShort):
        await limited_cases.speech.say_notes(SayAsked(chat=CHAT, text="y" * 20, asker=asked_by(2)))

    assert [call["text"] for call in speech.synthesized] == ["x" * 90]


# --- the allowlist ---------------------------------------------------------------------------


def test_an_empty_allowlist_admits_everyone() -> None:
    assert Allowlist.parse("", " ").admits("telegram", chats=[-5], user=7)


def test_a_listed_chat_or_user_is_admitted_on_the_platform_it_names() -> None:
    allowlist = Allowlist.parse("-100123, discord:555", "telegram:42,77")

    assert allowlist.admits("telegram", chats=[-100123], user=1)
    assert allowlist.admits("discord", chats=[-100123], user=1)  # bare ids hold everywhere
    assert allowlist.admits("discord", chats=[9, 555], user=1)  # a server, or its channel
    assert not allowlist.admits("telegram", chats=[555], user=1)
    assert allowlist.admits("telegram", chats=[8], user=42)  # a listed user, in any chat
    assert not allowlist.admits("discord", chats=[8], user=42)
    assert allowlist.admits("discord", chats=[], user=77)
    assert not allowlist.admits("telegram", chats=[8], user=None)


def test_an_allowlist_entry_that_is_not_an_id_stops_the_start() -> None:
    with pytest.raises(ValidationError, match="'@alice' is not an id"):
        Settings(_env_file=None, allowed_users="42, @alice")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="'slack:1' is not an id"):
        Settings(_env_file=None, allowed_chats="slack:1")  # type: ignore[call-arg]


# --- how it reads ----------------------------------------------------------------------------


def test_waits_are_rounded_up_to_whole_minutes_past_a_minute() -> None:
    assert waiting(timedelta(hours=5, minutes=11, seconds=1)) == Duration(5 * 3600 + 12 * 60)
    assert waiting(timedelta(minutes=2)) == Duration(120)
    assert waiting(timedelta(seconds=59.2)) == Duration(60)
    assert waiting(timedelta(seconds=12.5)) == Duration(13)
    assert [duration_words(Duration(s), "en") for s in (7200, 3725, 0)] == [
        "2 hr",
        "1 hr, 2 min, 5 sec",
        "0 sec",
    ]


def test_usage_reads_as_used_of_limit_with_what_is_left() -> None:
    report = UsageReport(
        used=Counts(
            audio_seconds=75,
            tts_chars=1234,
            summaries=1,
            ask_seconds=200,
            prompt_tokens=900,
            completion_tokens=100,
        ),
        quotas=DailyQuotas(audio_seconds=7200, tts_chars=0, summaries=20, ask_seconds=3600),
        rates=RateLimits(user_per_minute=6, chat_per_minute=0),
        resets_in=timedelta(hours=5, minutes=12),
    )

    assert usage_text(report, "en") == (
        "Used in this chat today (the day ends at midnight UTC, in 5 hr, 12 min):\n"
        "• Transcription: 1 min, 15 sec of 2 hr (1 hr, 58 min, 45 sec left)\n"
        "• Speech: 1,234 characters (no daily limit)\n"
        "• Summaries: 1 of 20 (19 left)\n"
        "• Questions about recordings: 3 min, 20 sec of 1 hr of audio (56 min, 40 sec left)\n"
        "• MiMo tokens: 1,000 (900 in, 100 out)\n"
        "• At most 6 requests a minute per person"
    )


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        ("zh_Hans", "• 录音提问：3分钟20秒 / 1小时（剩余 56分钟40秒）"),
        ("ja", "• 録音への質問：3 分 20 秒 / 1 時間（残り 56 分 40 秒）"),
        ("ru", "• Вопросы о записях: 3 мин 20 с из 1 ч (осталось 56 мин 40 с)"),
        ("de", "• Fragen zu Aufnahmen: 3 Min., 20 Sek. von 1 Std. (56 Min., 40 Sek. übrig)"),
    ],
)
def test_usage_shows_the_questions_quota_in_the_reader_s_language(locale: str, line: str) -> None:
    report = UsageReport(
        used=Counts(ask_seconds=200),
        quotas=DailyQuotas(ask_seconds=3600),
        rates=RateLimits(user_per_minute=0, chat_per_minute=0),
        resets_in=timedelta(hours=1),
    )

    assert line in usage_text(report, locale).splitlines()


BILLED = Usage(prompt_tokens=7, completion_tokens=2, audio_seconds=5)


async def charged_as_kept(limiter: Limiter, rows: UsageRows, spending: Spend) -> None:
    """What MiMo billed for a recording of one piece (5 s, 7 + 2 tokens), written in the
    transaction that keeps its transcript, as `TranscriptKeeper.keep_part` does."""
    charge = spending.charge(audio_seconds=5, usage=BILLED)
    assert charge is not None
    async with FakeUsageUnitOfWork(rows) as uow:
        await charge.write(uow.usage)
        await uow.commit()
    charge.written()
    assert (await limiter.today(CHAT)).used == Counts(
        audio_seconds=5, prompt_tokens=7, completion_tokens=2
    )


async def test_usage_recorded_as_the_transcript_is_kept_is_not_recorded_again(
    limiter: Limiter, rows: UsageRows
) -> None:
    async with limiter.spending(CHAT, ANYONE) as spending:
        await spending.reserve(Counts(audio_seconds=4))  # the length measured
        await charged_as_kept(limiter, rows, spending)
        spending.used(audio_seconds=5, usage=BILLED)  # as the work ends, told the same

    assert (await limiter.today(CHAT)).used == Counts(
        audio_seconds=5, prompt_tokens=7, completion_tokens=2
    )


@pytest.mark.parametrize(
    "ended_by", [RuntimeError("the clean-up failed"), asyncio.CancelledError()]
)
async def test_work_ending_badly_after_its_usage_was_recorded_keeps_what_mimo_billed(
    limiter: Limiter, rows: UsageRows, ended_by: BaseException
) -> None:
    """An outside review: work that failed, or was cancelled (a /forget ending an import's
    workers, a stop), after its transcript was kept with what MiMo billed, before it was told
    what it used, gave all of it back, the tokens too: the note free. MiMo answered; the bill
    stands."""
    with pytest.raises(type(ended_by)):
        async with limiter.spending(CHAT, ANYONE) as spending:
            await spending.reserve(Counts(audio_seconds=4))
            await charged_as_kept(limiter, rows, spending)
            raise ended_by

    assert (await limiter.today(CHAT)).used == Counts(
        audio_seconds=5, prompt_tokens=7, completion_tokens=2
    )


async def test_work_ending_badly_keeps_the_bill_of_the_pieces_mimo_heard(
    limiter: Limiter, rows: UsageRows
) -> None:
    """An outside review: a long recording deleted (by the member who posted it), forgotten or
    cancelled after MiMo heard some of its pieces gave its whole reservation back: MiMo's bill
    for those pieces was counted nowhere, and a member could have hours heard a day past
    every quota by deleting each recording before its end. What MiMo heard stays counted."""
    with pytest.raises(RuntimeError):
        async with limiter.spending(CHAT, ANYONE) as spending:
            await spending.reserve(Counts(audio_seconds=60))  # a minute, in pieces of 25 s
            spending.heard(audio_seconds=25, usage=BILLED)
            raise RuntimeError("the message was deleted")

    assert (await limiter.today(CHAT)).used == Counts(
        audio_seconds=25, prompt_tokens=7, completion_tokens=2
    )


class BreakingSpeech:
    """MiMo's speech of a text in three pieces, asked for at once: the first comes in two
    slices, the second is answered with an error before its first slice (MiMo made nothing of
    it), the third is still being made when the feed gives up (called off: MiMo makes what it
    was asked)."""

    async def speak(self, text: str, **asked: str | None) -> AsyncIterator[bytes]:
        if text.startswith("Two"):
            raise errors.MimoUnavailable("an error event", status=500)
        if text.startswith("Three"):
            await asyncio.Event().wait()
        for _ in range(2):
            yield b"\x00\x00" * 240


async def test_speech_broken_mid_way_counts_the_pieces_mimo_was_asked_for_and_made(
    limiter: Limiter,
) -> None:
    """Issue 103: speech MiMo broke off after its first piece was heard gave its whole
    reservation back. It counts the characters MiMo was asked for, as a clip cut by /skip
    does: the pieces heard and the one called off, not the one MiMo refused outright."""
    pieces = ["One is heard.", "Two is refused.", "Three is called off."]
    total = sum(map(len, pieces))
    feed = SpeechFeed(
        BreakingSpeech(),  # type: ignore[arg-type]
        pieces,
        spending=lambda: limiter.spending(CHAT, ANYONE, tts_chars=total),
        voice=None, style=None, model=None, description=None,
    )  # fmt: skip
    await feed.started()
    with pytest.raises(errors.MimoUnavailable):
        async for _ in feed:
            pass
    await feed.aclose()

    used = (await limiter.today(CHAT)).used.tts_chars
    assert used == len(pieces[0]) + len(pieces[2]) < total


async def test_the_command_line_has_no_charge(limiter: Limiter) -> None:
    async with limiter.spending(ChatRef("cli", "me"), None) as spending:
        assert spending.charge(audio_seconds=5, usage=Usage(prompt_tokens=1)) is None
