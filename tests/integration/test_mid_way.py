"""What lands mid-way (issue 93): a `/forget`, a member's no or a message's deletion injected at
every step of long work, one at a time, on the process doing the work and on another sharing its
database (`tests.interleavings`), then the promise checked once the work is over:

    a /forget   nothing of the chat kept (transcripts, what `/find` shows, the log `/summary`
                and the digests read), and nothing sent to MiMo after it
    Bob's no    nothing of Bob's message under way kept (what he finished before stays whole
                or goes whole), nothing of his sent to MiMo after it; Ann's goes on
    a deletion  likewise for the message deleted

Two runtimes as `voicebridge run` builds them share one database: "here" does the work, "there"
is another process (a replica, or the bot beside the command line's import). Each run works in
a chat of its own, so that the runs of one test share the runtimes and the recordings.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import (
    AbstractAsyncContextManager,
    AsyncExitStack,
    asynccontextmanager,
    nullcontext,
    suppress,
)
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.app.listening.listened_call import ListenedCall
from core.app.memory.forgetting import ForgetRequest
from core.app.memory.import_values import Past, PastVoice
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.voice_note_events import Arrival, ArrivalView, TranscriptReply
from core.bootstrap import Runtime, bootstrap
from core.chat.answer_languages import Audience
from core.chat.transcript_files import TranscriptFormat
from core.config import Settings
from core.domain.listening.kept_call_values import KeptCall
from core.domain.listening.live_speech_rules import Piece
from core.domain.memory.search_rules import Said
from core.domain.recordings.gist_format import Gist
from core.domain.recordings.transcript_values import LongTranscript, Progress
from core.domain.rules.quotas_rules import Counts, asked_by
from core.domain.shared_values import ChatRef
from core.domain.summaries.summary_values import ChatMessage
from core.infra.storage import SqlAlchemyUnitOfWork, session_factory
from core.infra.storage.recordings.kept_transcripts_in_database import TranscriptRepository
from core.ports import RemoteRecording
from tests.audio_factory import make_audio
from tests.interleavings import Injection, Outcome, Steps
from tests.standins.mimo import FakeMimo, Json
from tests.standins.spoken_words import spoken

# Each walk runs its whole flow once a step: a landing of the import's walk takes some 40 s
# beside two other runs on two cores, where the suite's time limit is 120 s. One landing a test
# keeps each well inside it, and this limit leaves room for a machine loaded more than that.
pytestmark = pytest.mark.timeout(240)

ANN, BOB = "1", "2"
CHANNEL = "77"
BOBS_SECONDS = 4.0  # a piece of Bob's long message lasts longer than this; Ann's whole one less


def whose_words(duration: float, body: Json) -> str:
    """MiMo's answer: whose voice it heard (Bob's long message comes in long pieces)."""
    return f"{'Bob' if duration > BOBS_SECONDS else 'Ann'} said {duration:.0f} seconds"


@dataclass
class Replicas:
    """Two processes' runtimes on one database, and MiMo; a new chat for each run."""

    here: Runtime
    there: Runtime
    mimo: FakeMimo
    steps: Steps
    url: str
    chats: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    chat: ChatRef = field(default_factory=lambda: ChatRef("telegram", "-1000"))
    # What was kept whole when a no landed, by recording: it may stay, or go (with its line).
    whole_at_no: set[str] = field(default_factory=set)

    def next_chat(self, platform: str = "telegram") -> ChatRef:
        n = next(self.chats)
        self.chat = ChatRef(platform, f"-100{n}" if platform == "telegram" else f"guild:{n}")
        self.whole_at_no = set()
        return self.chat

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(session_factory(self.here.engine))

    def forget(self, runtime: Runtime) -> Callable[[], Awaitable[None]]:
        async def forgotten() -> None:
            await runtime.forgetting.forget(ForgetRequest(self.chat, can_manage=True))

        return forgotten

    def deletes(self, runtime: Runtime, message: str, recording: str) -> Injection:
        """`message` deleted in #77, as `runtime` heard it from the platform."""

        async def deleted() -> None:
            await runtime.memory.forget_said(self.chat, [message], place=CHANNEL)

        return deleted

    def says_no(
        self, runtime: Runtime, member: str, recording: str
    ) -> Callable[[], Awaitable[None]]:
        """`member`'s no; whether their `recording` was kept whole then is noted."""

        async def no() -> None:
            await runtime.listening.consents.decide(self.chat, member, False)
            if (await self.kept(recording))[0]:
                self.whole_at_no.add(recording)

        return no

    async def kept(self, recording: str) -> tuple[bool, int]:
        """Whether the chat's transcript of `recording` is whole, and how many parts it has."""
        async with self.uow() as uow:
            found = await uow.transcripts.find(self.chat, recording)
        return (found is not None and found.duration is not None), len(found.parts) if found else 0

    async def lines(self, recording: str) -> list[tuple[str | None, str]]:
        """A call's transcript: each line's speaker and words."""
        async with self.uow() as uow:
            found = await uow.transcripts.find(self.chat, recording)
        return [] if found is None else [(p.speaker_id, p.text or "") for p in found.parts]

    async def used_today(self) -> Counts:
        """What the chat's day counts as used (what a /forget leaves: today's row stays)."""
        async with self.uow() as uow:
            return await uow.usage.day(self.chat, datetime.now(UTC).date())

    def billed(self) -> tuple[int, int]:
        """What MiMo billed so far, all chats together: seconds of audio heard, and tokens."""
        return self.mimo.asr_billed_seconds, self.mimo.tokens_reported

    async def logged(self) -> list[str]:
        """The chat's log for /summary and the digests: each line's author and kind."""
        async with self.uow() as uow:
            lines = await uow.chat_log.recent(self.chat, limit=100)
        return [f"{line.author} {line.kind}" for line in lines]

    async def nothing_kept(self, outcome: Outcome) -> None:
        """Nothing of the chat is kept (transcripts, what /find finds, the log), and MiMo
        heard nothing after the forget."""
        found = await self.here.memory.find(self.chat, "said")
        assert found.moments == (), "a line kept after the forget"
        assert await self.logged() == [], "a log line kept after the forget"
        assert outcome.after == [], "MiMo heard more after the forget"

    async def none_of(
        self, speaker: str, recording: str, outcome: Outcome, *, logs: bool = True
    ) -> None:
        """Nothing of `speaker`'s `recording` kept after their no: what was whole when they
        said it stays whole with its log line or goes with it, anything else goes (no piece
        of it, no line); none of their audio went to MiMo after it."""
        whole, parts = await self.kept(recording)
        logged = f"{speaker} transcript" in await self.logged()
        if recording in self.whole_at_no and whole:
            assert logged or not logs, "its transcript stayed, its log line went"
        else:
            assert (whole, parts, logged) == (False, 0, False), f"{parts} piece(s) kept after it"
        heard = [await self.mimo.sounding_seconds(b) for b in outcome.after if _asr(b)]
        theirs = [s for s in heard if (s > BOBS_SECONDS) == (speaker == "Bob")]
        assert theirs == [], f"MiMo heard {theirs} s of theirs after the no"


def _asr(body: Json) -> bool:
    return str(body.get("model", "")).endswith("-asr")


@asynccontextmanager
async def two_replicas(sqlite_url: str) -> AsyncIterator[Replicas]:
    """Two runtimes on the database at `sqlite_url`, and MiMo (`Replicas`); with the
    `stepped` fixture, a walk's steps."""
    async with AsyncExitStack() as stack:
        mimo = await stack.enter_async_context(FakeMimo(asr_text=whose_words))
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            mimo_api_key=mimo.api_key, mimo_base_url=mimo.base_url, database_url=sqlite_url,
            summary_retention_days=30, asr_max_in_flight=1, asr_concurrency=1,
            asr_piece_seconds=10, work_lease_seconds=3600,
            # Many runs in a minute, many seconds in a day: no limit takes part.
            rate_limit_user_per_minute=0, rate_limit_chat_per_minute=0,
            rate_limit_searches_per_minute=0,
            daily_audio_seconds=0, daily_person_audio_seconds=0, daily_listen_seconds=0,
        )  # fmt: skip
        here = await stack.enter_async_context(bootstrap(settings))
        there = await stack.enter_async_context(bootstrap(settings, migrate=False))
        yield Replicas(here, there, mimo, Steps(mimo), sqlite_url)


def fetched(path: Path) -> Callable[[], Awaitable[Path]]:
    """A recording's `locate`: fetching it is a step."""

    async def locate() -> Path:
        await Steps.fetched(path.name)
        return path

    return locate


# --- the import of a Telegram group's past (`voicebridge import telegram`) -------------------


@pytest.mark.parametrize("landing", ["a /forget", "Bob's no"], ids=["forget", "no"])
async def test_an_import_keeps_nothing_after_a_forget_or_a_no_at_any_step(
    replicas: Replicas, tmp_path: Path, landing: str
) -> None:
    """The command line's import of a group's export: two typed messages, Bob's long voice
    message (two pieces), then Ann's short one; the group logs for /summary. The import runs
    in a process of its own: the /forget and the no come from the bot's. One landing a test:
    each walk runs the whole import once a step, and both in one test outran its time limit
    on a loaded CI machine."""
    bobs = make_audio(tmp_path, fmt="ogg", seconds=15)
    anns = make_audio(tmp_path, fmt="ogg", seconds=2, freq=660)
    r = replicas
    plan = None

    async def ready() -> None:
        nonlocal plan
        chat = r.next_chat()
        await r.here.summaries.set_logging(chat, True, can_manage=True)
        now = datetime.now(UTC)
        past = Past(chat, [
            PastVoice("11", "Bob", BOB, now - timedelta(days=3), 15.0, fetched(bobs)),
            PastVoice("12", "Ann", ANN, now - timedelta(days=2), 2.0, fetched(anns)),
        ], texts=[
            ChatMessage(chat, "9", "Ann", now - timedelta(days=4), "lunch at noon?", "text"),
            ChatMessage(chat, "10", "Bob", now - timedelta(days=4), "yes, at noon", "text"),
        ])  # fmt: skip
        plan = await r.here.imports.plan(past)

    async def flow() -> None:
        assert plan is not None
        await r.here.imports.run(plan)

    async def check(what: str, outcome: Outcome) -> None:
        if "forget" in what:
            await r.nothing_kept(outcome)
            return
        await r.none_of("Bob", "past::11", outcome)
        assert await r.kept("past::12") == (True, 1), "Ann's was not kept"

    landings = {
        "a /forget": r.forget(r.there),
        "Bob's no": r.says_no(r.there, BOB, "past::11"),
    }
    injections = {f"{landing} in another process": landings[landing]}
    steps = await r.steps.walk(flow, injections, check, ready=ready)
    assert len(steps) > 10, steps


# --- /remember: a Discord channel's past, heard by the bot itself ---------------------------


@pytest.mark.parametrize(
    "landing", ["a /forget", "Bob's no", "Bob's message deleted"], ids=["forget", "no", "deleted"]
)
async def test_remember_keeps_nothing_after_a_forget_a_no_or_a_deletion_at_any_step(
    replicas: Replicas, tmp_path: Path, landing: str
) -> None:
    """`/remember` in #77: Bob's long voice message (that the others go on is the import's
    test above). The bot hearing it or another replica gets the /forget, Bob's no, or the
    deletion of Bob's message."""
    bobs = make_audio(tmp_path, fmt="ogg", seconds=15)
    r = replicas
    plan = None

    async def ready() -> None:
        nonlocal plan
        server = r.next_chat("discord")
        now = datetime.now(UTC)
        past = Past(server, [
            PastVoice("11", "Bob", BOB, now - timedelta(days=3), 15.0, fetched(bobs),
                      place=CHANNEL, identity="att-11"),
        ], logged=False)  # fmt: skip
        plan = await r.here.imports.plan(past)

    async def flow() -> None:
        assert plan is not None
        await r.here.imports.run(plan)

    async def check(what: str, outcome: Outcome) -> None:
        if "forget" in what:
            await r.nothing_kept(outcome)
            return
        await r.none_of("Bob", "att-11", outcome, logs=False)

    landings = {
        "a /forget": lambda runtime: r.forget(runtime),
        "Bob's no": lambda runtime: r.says_no(runtime, BOB, "att-11"),
        "Bob's message deleted": lambda runtime: r.deletes(runtime, "11", "att-11"),
    }
    lands = landings[landing]
    injections = {f"{landing} in this process": lands(r.here),
                  f"{landing} in another process": lands(r.there)}  # fmt: skip
    await r.steps.walk(flow, injections, check, ready=ready)


def forget_or_deletion(
    r: Replicas, platform: str, where: str, message_id: str, identity: str
) -> dict[str, Injection]:
    """What lands on a voice note as it is heard, in this process or another: a /forget of the
    Telegram group (Telegram tells a bot of no deletion in a group), or the Discord message's
    deletion."""
    runtime, process = (r.here, "this process") if where == "here" else (r.there, "another process")
    if platform == "telegram":
        return {f"a /forget in {process}": r.forget(runtime)}
    return {f"the message deleted, seen by {process}": r.deletes(runtime, message_id, identity)}


# --- a long voice note, as it arrives --------------------------------------------------------


@pytest.mark.parametrize("where", ["here", "there"], ids=["this-process", "another-process"])
@pytest.mark.parametrize("platform", ["telegram", "discord"])
async def test_a_long_voice_note_keeps_nothing_after_a_forget_or_its_deletion_at_any_step(
    replicas: Replicas, tmp_path: Path, platform: str, where: str
) -> None:
    """Bob's voice message of two pieces, transcribed as it arrives. In a Telegram group that
    logs for /summary, a /forget reaches this process or another replica (Telegram tells a bot
    of no deletion in a group); in a Discord channel (whose summaries read its history), the
    message is deleted, and this process or another hears of it. Whatever MiMo heard of it is
    counted in the chat's day, as MiMo bills it: the pieces heard before the work ended (an
    outside review: a deletion gave all of it back)."""
    bobs = make_audio(tmp_path, fmt="ogg", seconds=15)
    r = replicas
    arrival, before = None, (0, 0)

    async def ready() -> None:
        nonlocal arrival, before
        before = r.billed()
        chat = r.next_chat(platform)
        await r.here.summaries.set_logging(chat, True, can_manage=True)
        said = Said("11", "Bob", datetime.now(UTC), CHANNEL if platform == "discord" else None)
        note = RemoteRecording(fetched(bobs), seconds=15.0, identity="att-11", said=said)
        arrival = Arrival(chat, note, Audience(platform="en-US"), asked_by(BOB))

    async def flow() -> None:
        assert arrival is not None
        await r.here.voice_notes.arrived(arrival, view_of(arrival.chat))

    async def check(what: str, outcome: Outcome) -> None:
        await counted_as_billed(r, before)
        if "forget" in what and outcome.run.at == 1:
            return  # before the note was read: it came after the forget, a new note
        if "forget" in what:
            await r.nothing_kept(outcome)
        else:
            assert await r.kept("att-11") == (False, 0), "kept after the deletion"
            assert outcome.after == [], "MiMo heard more after the deletion"

    injections = forget_or_deletion(r, platform, where, "11", "att-11")
    steps = await r.steps.walk(flow, injections, check, ready=ready)
    assert steps[0] == "database: VoiceNotes._decide", steps


# --- what MiMo billed for a voice note of one piece --------------------------------------------


def short_note(r: Replicas, platform: str, audio: Path) -> Arrival:
    """Ann's voice note of one piece in a new chat (in #77 on Discord), as it arrives."""
    chat = r.next_chat(platform)
    said = Said("12", "Ann", datetime.now(UTC), CHANNEL if platform == "discord" else None)
    note = RemoteRecording(fetched(audio), seconds=3.0, identity="att-12", said=said)
    return Arrival(chat, note, Audience(platform="en-US"), asked_by(ANN))


async def counted_as_billed(r: Replicas, before: tuple[int, int]) -> None:
    """The chat's day counts what MiMo billed since `before`, its seconds and its tokens."""
    seconds, tokens = (now - then for now, then in zip(r.billed(), before, strict=True))
    used = await r.used_today()
    assert (used.audio_seconds, used.tokens) == (seconds, tokens), f"billed {seconds} s, {tokens}"


@pytest.mark.parametrize("where", ["here", "there"], ids=["this-process", "another-process"])
@pytest.mark.parametrize("platform", ["telegram", "discord"])
async def test_a_voice_note_counts_what_mimo_billed_whatever_step_a_forget_or_deletion_lands_at(
    replicas: Replicas, tmp_path: Path, platform: str, where: str
) -> None:
    """Ann's voice note of one piece, transcribed as it arrives; a /forget of the Telegram
    group, or the Discord message's deletion, reaches this process or another at each step:
    the chat's day counts what MiMo billed for the note, no more, no less. Nothing when the
    note never went to MiMo (the reservation given back); its seconds and tokens when MiMo
    answered, its transcript kept or kept out (recorded in the transaction that keeps it, or
    refuses it, either way)."""
    anns = make_audio(tmp_path, fmt="ogg", seconds=3)
    r = replicas
    arrival, before = None, (0, 0)

    async def ready() -> None:
        nonlocal arrival, before
        arrival, before = short_note(r, platform, anns), r.billed()

    async def flow() -> None:
        assert arrival is not None
        await r.here.voice_notes.arrived(arrival, view_of(arrival.chat))

    async def check(what: str, outcome: Outcome) -> None:
        await counted_as_billed(r, before)

    injections = forget_or_deletion(r, platform, where, "12", "att-12")
    steps = await r.steps.walk(flow, injections, check, ready=ready)
    assert any(step.startswith("MiMo:") for step in steps), steps  # a landing while MiMo hears


class Killed(BaseException):
    """The process died: nothing of it runs after, no clean-up either (no `except Exception`
    catches it)."""


@pytest.mark.parametrize("end", ["killed", "keeping-failed", "failed-after-its-commit"])
@pytest.mark.parametrize("platform", ["telegram", "discord"])
async def test_what_mimo_billed_for_a_voice_note_is_counted_however_its_keeping_ends(
    replicas: Replicas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str, end: str
) -> None:
    """Ann's voice note of one piece. Killed the moment its transcript is kept (no unit of
    work opens after it): what MiMo billed for it is counted in the chat's day all the same,
    recorded in the transaction that kept the transcript (it was recorded in one of its own
    after it, which a kill there lost). The keeping failed (its transaction raised): what MiMo
    billed is recorded as the work ends, as it always was. The keeping's transaction failed
    after its commit (emptying SQLite's log, say): counted once, not again as the work ends, and
    the transcript kept (an outside review)."""
    r = replicas
    arrival = short_note(r, platform, make_audio(tmp_path, fmt="ogg", seconds=3))
    kept, dying = TranscriptKeeper.keep_part, False

    async def kept_then_killed(self: TranscriptKeeper, *args: Any, **kwargs: Any) -> bool:
        nonlocal dying
        result = await kept(self, *args, **kwargs)
        dying = True
        return result

    async def failed(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("the database went away as the piece was kept")

    begin = SqlAlchemyUnitOfWork.__aenter__

    async def entered(self: SqlAlchemyUnitOfWork) -> SqlAlchemyUnitOfWork:
        if dying:
            raise Killed()
        return await begin(self)

    keeping, leave = False, SqlAlchemyUnitOfWork.__aexit__

    async def keeping_part(self: TranscriptKeeper, *args: Any, **kwargs: Any) -> bool:
        nonlocal keeping
        keeping = True
        try:
            return await kept(self, *args, **kwargs)
        finally:
            keeping = False

    async def left_then_failed(self: SqlAlchemyUnitOfWork, *exc: Any) -> None:
        await leave(self, *exc)
        if keeping and exc[0] is None:
            raise OSError("the write-ahead log could not be emptied")

    if end == "killed":
        monkeypatch.setattr(TranscriptKeeper, "keep_part", kept_then_killed)
        monkeypatch.setattr(SqlAlchemyUnitOfWork, "__aenter__", entered)
    elif end == "keeping-failed":
        monkeypatch.setattr(TranscriptRepository, "keep_part", failed)
    else:
        monkeypatch.setattr(TranscriptKeeper, "keep_part", keeping_part)
        monkeypatch.setattr(SqlAlchemyUnitOfWork, "__aexit__", left_then_failed)
    before = r.billed()
    with suppress(Killed):
        await r.here.voice_notes.arrived(arrival, view_of(arrival.chat))
    dying = False  # a next start, which reads what was committed

    assert r.billed()[0] - before[0] == 3, "MiMo heard the note"
    await counted_as_billed(r, before)
    assert await r.kept("att-12") == ((False, 0) if end == "keeping-failed" else (True, 1))


# --- a listened call, and one taken up after a restart --------------------------------------


VOICE = "55"  # the Lounge
ANNS = ("we meet on", "monday at noon")  # Ann's turn, in two pieces
BOBS = ("sounds good", "see you there")  # Bob's turn, in two pieces


async def turn_of(runtime: Runtime, server: ChatRef, member: str, words: tuple[str, ...]) -> None:
    """`member`'s turn, a piece at a time, as the adapter hands each over once cut."""
    began = datetime.now(UTC)
    for piece, said in enumerate(words):
        await runtime.listening.transcribe_piece(
            server,
            Piece(
                member,
                pcm=spoken(said).tobytes(),
                sample_rate=16_000,
                speaker=member.title(),
                started_at=began + timedelta(seconds=piece),
                turn=began,
                index=piece,
                last=piece == len(words) - 1,
            ),
        )


@pytest.mark.parametrize(
    "landing",
    ["a /forget in this process", "a /forget in another process", "Ann's no in this process"],
    ids=["forget-here", "forget-there", "no"],
)
@pytest.mark.parametrize("taken_up", [False, True], ids=["live", "taken-up-after-a-restart"])
async def test_a_call_keeps_nothing_after_a_forget_or_a_no_at_any_step(
    replicas: Replicas, taken_up: bool, landing: str
) -> None:
    """/listen in the Lounge: Ann's turn then Bob's, two pieces each, then /stop_listening.
    Taken up: the bot was killed once Ann's first piece was captioned; the next start marks
    the gap, goes on under the same transcript, and Ann and Bob each say their turn. The
    /forget and Ann's no come to the process holding the call (Discord sends a server's
    commands to it); a /forget through another process's database is kept out too."""
    r = replicas
    recording: list[str] = []
    calls: list[ListenedCall] = []

    async def ready() -> None:
        server = r.next_chat("discord")
        for member in ("ann", "bob"):
            await r.there.listening.consents.decide(server, member, True)
        recording[:] = []
        if taken_up:  # the process before the crash: Ann's first piece captioned, then killed
            began = datetime.now(UTC) - timedelta(seconds=20)
            call = await r.there.listening.begin_call(server, ["ann", "bob"], channel=VOICE,
                                                       starter="ann")  # fmt: skip
            await r.there.listening.transcribe_piece(
                server,
                Piece(
                    "ann",
                    pcm=spoken("so about lunch").tobytes(),
                    sample_rate=16_000,
                    speaker="Ann",
                    started_at=began,
                    turn=began,
                    index=0,
                    last=False,
                ),
            )
            await r.there.kept_calls.keep(
                KeptCall(server, VOICE, VOICE, "ann", "en", call.recording, call.started_at, began)
            )
            r.there.listening.let_go(call)  # as a SIGKILL leaves it: nothing more of it
            recording.append(call.recording)
            # The process starting anew reads which servers have a call kept; this one read
            # them for an earlier run, and learns of this server as a start would.
            r.here.kept_calls.servers.kept(server)

    async def flow() -> None:
        server = r.chat
        if taken_up:
            kept = await r.here.kept_calls.find(server)
            if kept is None:  # forgotten before it was found: nothing to take up
                return
            await r.here.kept_calls.away(kept, ended=False)
            call = await r.here.listening.begin_call(
                server, ["ann", "bob"], channel=VOICE, starter="ann",
                kept_as=(kept.recording, kept.started_at),
            )  # fmt: skip
        else:
            call = await r.here.listening.begin_call(server, ["ann", "bob"], channel=VOICE,
                                                      starter="ann")  # fmt: skip
        recording[:], calls[:] = [call.recording], [call]
        await turn_of(r.here, server, "ann", ANNS)
        await turn_of(r.here, server, "bob", BOBS)
        await r.here.listening.end(server)

    async def check(what: str, outcome: Outcome) -> None:
        if "forget" in what:
            assert await r.lines(recording[0]) == [], "a line kept after the forget"
            found = await r.here.memory.find(r.chat, "monday")
            assert found.moments == (), "/find finds a line after the forget"
            if "this process" in what:  # the call ended first: nothing more heard
                assert outcome.after == [], "MiMo heard more after the forget"
            return
        lines = await r.lines(recording[0])
        # Her turn cut by the crash ended there: kept as the chat saw it, a no after or not.
        anns = [text for speaker, text in lines if speaker == "ann" and text != "so about lunch"]
        whole = " ".join(ANNS)
        assert anns in ([], [whole]) and (anns == [] or whole in r.whole_at_no), anns
        heard = [await r.mimo.words_heard(body) for body in outcome.after]
        assert not set(heard) & set(ANNS), "MiMo heard Ann after her no"
        assert [text for speaker, text in lines if speaker == "bob"] == [" ".join(BOBS)]

    async def anns_no() -> None:
        await r.here.listening.consents.decide(r.chat, "ann", False)
        lines = await r.lines(recording[0]) if recording else []
        r.whole_at_no.update(text for speaker, text in lines if speaker == "ann")

    landings = {
        "a /forget in this process": r.forget(r.here),
        "a /forget in another process": r.forget(r.there),
        "Ann's no in this process": anns_no,
    }
    await r.steps.walk(
        flow,
        {landing: landings[landing]},
        check,
        ready=ready,
        # A line being kept holds the call's lock, which the no's taking out of lines waits for.
        holding=lambda: bool(calls) and calls[0].lines.keeping.locked(),
    )


async def test_a_no_then_a_kill_leaves_nothing_of_the_turn_the_no_landed_in(
    replicas: Replicas,
) -> None:
    """Ann's first words are captioned (so kept, as shown), she says no while her turn goes on,
    and the bot is killed before anything else happens: nothing of her turn is in the call's
    transcript the next start goes on with. (A call that lives on takes her line out at its
    next step or its end; a kill leaves no next step.)"""
    r = replicas
    server = r.next_chat("discord")
    await r.here.listening.consents.decide(server, "ann", True)
    call = await r.here.listening.begin_call(server, ["ann"], channel=VOICE, starter="ann")
    began = datetime.now(UTC)
    await r.here.listening.transcribe_piece(
        server,
        Piece(
            "ann",
            pcm=spoken("so about lunch").tobytes(),
            sample_rate=16_000,
            speaker="Ann",
            started_at=began,
            turn=began,
            index=0,
            last=False,
        ),
    )
    shown = await r.lines(call.recording)

    await r.here.listening.consents.decide(server, "ann", False)
    r.here.listening.let_go(call)  # killed: no piece, no end comes after

    assert shown == [("ann", "so about lunch")]  # kept as the caption showed it
    assert await r.lines(call.recording) == []


def view_of(chat: ChatRef) -> ArrivalView:
    """What the chat is shown of a recording: the platform's side of `core.app.voice_note_events`,
    which shows nothing here; a Telegram group keeps a transcript's line for /summary, as its
    adapter does."""

    class Reply:
        answer_id = None
        shown_before = False

        async def __aenter__(self) -> Reply:
            return self

        async def __aexit__(self, *exc_info: object) -> None:
            return None

        def progress(self, progress: Progress) -> None:
            return None

        def waiting(self, ahead: int | None) -> None:
            return None

        async def deliver(
            self, result: LongTranscript, format: TranscriptFormat, *, below: str | None = None
        ) -> None:
            return None

    class View:
        def reply(self, locale: str) -> TranscriptReply:
            return Reply()

        def busy(self) -> AbstractAsyncContextManager[object]:
            return nullcontext()

        def thinking(self) -> AbstractAsyncContextManager[object]:
            return nullcontext()

        async def gist(self, gist: Gist, locale: str) -> None:
            return None

        def logged(self, words: str) -> ChatMessage | None:
            if chat.platform != "telegram":
                return None
            return ChatMessage(chat, "11", "Bob", datetime.now(UTC), words, "transcript")

    return View()
