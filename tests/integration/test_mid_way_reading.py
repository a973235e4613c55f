"""What lands mid-way in a channel reading (issue 93): Bob's message deleted, Bob's no to being read
aloud (`/read_me allowed:False`) or a `/forget` of the server, injected at every step of a reading
(`tests.interleavings`), then the promise checked once the reading is over:

    a deletion  nothing of Bob's message made into speech after it (no request to MiMo carrying
                its words), nor played: a clip of it playing is cut, one made already never plays
    Bob's no    the same for every message of his
    a /forget   the reading's rules and its members' choices are gone (a no would stay), and
                its place is not kept for a restart; the reading itself goes on, as
                `core.app.memory.forgetting` says: Ann's and Bob's messages are read whole

Ann reads #general aloud in the Lounge; Ann, then Bob, post a message; Bob's is made into speech
while Ann's plays; once nothing is left to read, the reading ends (DISCORD_READER_IDLE_SECONDS,
turned down) and lets go of its place. Where its place is to be kept for a restart, the bot
stops for a deploy once Ann's message is read. The runtime is the one `voicebridge run` builds;
the platform's side is the test's (`Server`): Discord's voice channels as the reader sees them,
and the bot's call, which records what it played. MiMo, ffmpeg and SQLite are real.

Each of them reaches the process holding the reading, and no other: Discord sends a server's
events and commands to the gateway session of its shard, which is the reading's
(`core.app.channel_reader.reading_control`). The deletion reaches the reading alone
(`ChannelReader.deleted`). The no is stored, then told to the reading (`ChannelReader.refused`), as
the cog's /read_me does; stored by another process alone, it would stop only the messages made into
speech after it (each reads it, `core.app.channel_reader.message_speech`), but no other process
takes the server's /read_me. The /forget goes to the database alone (`Forgetting` ends no reading),
so another process's would take the very same path: it is injected once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
import pytest_asyncio

from core.app.channel_reader.reader_choices import MemberReading
from core.app.channel_reader.reading_control import ChannelReader, ReadingAsked
from core.app.memory.forgetting import ForgetRequest
from core.bootstrap import Runtime, bootstrap
from core.config import Settings
from core.domain.channel_reader.reader_rules import ChannelMessage, ReaderMember, ReaderRules
from core.domain.channel_reader.reading_audience_rules import Channel, Listener
from core.domain.listening.kept_call_values import KeptReading
from core.domain.shared_values import ChatRef, VoiceNote
from core.infra.storage import SqlAlchemyUnitOfWork, session_factory
from core.ports import background_tasks
from tests.interleavings import Outcome, Steps
from tests.standins.mimo import FakeMimo, Json

ANN, BOB, CY = "1", "2", "3"  # Cy said no to being read long ago
VOICE, TEXT = "55", "77"  # the Lounge, and #general read aloud in it
ANNS = "lunch at noon?"
BOBS = "yes, at noon, and the door code is 4721: keep it to yourselves"
BOBS_SECONDS = 2.5  # his clip ("Bob says: ...") lasts longer than this, Ann's less
INJECTED = "injected"  # in the log: the injection was over


class LoungeCall:
    """The bot's call in the Lounge, as Discord plays it: each clip in the log as it starts
    (`plays Bob`), ends (`played Bob`) or is cut (`cut Bob`). Bob's plays as a step (a no or a
    deletion may land while it plays); Ann's at once, since Bob's is made meanwhile, and a step
    there would fall among his as the database's threads happen to finish."""

    def __init__(self, log: list[str]) -> None:
        self.voice_id, self.live, self.can_listen = VOICE, True, False
        self._log = log
        self._playing: str | None = None
        self.played = asyncio.Event()  # a clip played to its end

    async def play(self, note: VoiceNote, *, wanted: Callable[[], bool] | None = None) -> bool:
        if wanted is not None and not wanted():
            return True
        whose = "Bob" if note.duration > BOBS_SECONDS else "Ann"
        self._playing = whose
        self._log.append(f"plays {whose}")
        if whose == "Bob":
            await Steps.platform("Bob's clip plays")
        if self._playing is not None:
            self._log.append(f"played {whose}")
            self.played.set()
        self._playing = None
        return True

    def skip(self) -> bool:
        if self._playing is None:
            return False
        self._log.append(f"cut {self._playing}")
        self._playing = None
        return True

    async def post(self, line: str) -> None:
        self._log.append(f"line: {line}")

    async def leave(self) -> None:
        self.live = False

    async def deafen(self, deaf: bool) -> None:
        return None


class Server:
    """Discord's side of the server (`core.ports.VoiceChannels`): the Lounge, where Ann and Bob
    sit, may speak and may read #general; the bot's call once joined."""

    def __init__(self) -> None:
        self.log: list[str] = []  # what the server saw, in order (`Call`)
        self.call: LoungeCall | None = None

    def channel(self, server: ChatRef, channel_id: str) -> Channel | None:
        name = {VOICE: "Lounge", TEXT: "general"}.get(channel_id)
        return None if name is None else Channel(channel_id, name, f"<#{channel_id}>")

    def listeners(self, server: ChatRef, voice_id: str, *, about: str) -> list[Listener]:
        return [Listener(ANN, "Ann", True, True), Listener(BOB, "Bob", True, True)]

    def served(self, server: ChatRef, channel_id: str, member_id: str) -> bool:
        return True

    def may_speak(self, server: ChatRef, voice_id: str, member_id: str) -> bool:
        return True

    def moves_members(self, server: ChatRef, voice_id: str, member_id: str) -> bool:
        return False

    def sits_in(self, server: ChatRef, member_id: str) -> str | None:
        return VOICE

    def connected(self, server: ChatRef) -> bool:
        return self.call is not None and self.call.live

    async def history_after(
        self, server: ChatRef, channel_id: str, *, after: str | None, since: datetime, at_most: int
    ) -> list[ChannelMessage]:
        return []

    async def post(self, server: ChatRef, channel_id: str, line: str) -> None:
        self.log.append(f"line: {line}")

    async def join(self, server: ChatRef, voice_id: str, *, deaf: bool) -> LoungeCall:
        self.log.append("joins")
        await Steps.platform("the bot joins the Lounge")  # seconds, on Discord
        self.call = LoungeCall(self.log)
        return self.call


class NoListening:
    """The platform's side of a listened call (`core.app.listening.call_lifecycle.Sides`): none
    here."""

    def __call__(self, *args: object) -> Any:
        raise AssertionError("no call is listened to")

    async def ended_away(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("no call is listened to")


@dataclass
class ReadingWorld:
    """The bot's runtime and MiMo; for each run a new server, and the reader of the process
    starting anew (`Runtime.calls_for`, as the Discord adapter builds it), on the test's side of
    Discord."""

    runtime: Runtime
    steps: Steps
    platform: Server = field(default_factory=Server)
    servers: count[int] = field(default_factory=lambda: count(1))
    server: ChatRef = field(default_factory=lambda: ChatRef("discord", "guild:0"))
    reader: ChannelReader | None = None

    def next_server(self) -> ChannelReader:
        """A new server, its log empty, and a reader of its own."""
        self.server = ChatRef("discord", f"guild:{next(self.servers)}")
        self.platform.log.clear()
        self.reader = self.runtime.calls_for(self.platform, NoListening()).reader
        return self.reader

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(session_factory(self.runtime.engine))

    def injected(self, inject: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        """`inject`, its end marked in the server's log."""

        async def injection() -> None:
            await inject()
            self.platform.log.append(INJECTED)

        return injection

    def forget(self) -> Callable[[], Awaitable[None]]:
        async def forgotten() -> None:
            await self.runtime.forgetting.forget(ForgetRequest(self.server, can_manage=True))

        return self.injected(forgotten)

    async def kept(self) -> KeptReading | None:
        """The server's reading as kept for the next start to take up."""
        async with self.uow() as uow:
            return await uow.live_readings.get(self.server)


@asynccontextmanager
async def built(sqlite_url: str, **settings: Any) -> AsyncIterator[ReadingWorld]:
    async with AsyncExitStack() as stack:
        mimo = await stack.enter_async_context(FakeMimo())
        runtime = await stack.enter_async_context(bootstrap(Settings(
            _env_file=None,  # type: ignore[call-arg]
            mimo_api_key=mimo.api_key, mimo_base_url=mimo.base_url, database_url=sqlite_url,
            rate_limit_user_per_minute=0, rate_limit_chat_per_minute=0,  # many runs a minute
            **settings,
        )))  # fmt: skip
        yield ReadingWorld(runtime, Steps(mimo))


@pytest_asyncio.fixture
async def read_out(sqlite_url: str, stepped: None) -> AsyncIterator[ReadingWorld]:
    """A reading ends as soon as it has nothing left to read."""
    async with built(sqlite_url, discord_reader_idle_seconds=0.05) as world:
        yield world


@pytest_asyncio.fixture
async def deployed(sqlite_url: str, stepped: None) -> AsyncIterator[ReadingWorld]:
    """A reading lasts until it is stopped."""
    async with built(sqlite_url) as world:
        yield world


def words_of(body: Json) -> str:
    """What a speech request asks MiMo to say."""
    return " ".join(str(m.get("content")) for m in body.get("messages", []) if isinstance(m, dict))


@pytest.mark.parametrize(
    "landing", ["Bob's message deleted", "Bob's no", "a /forget"], ids=["deleted", "no", "forget"]
)
async def test_a_reading_reads_nothing_after_a_deletion_a_no_or_a_forget_at_any_step(
    read_out: ReadingWorld, landing: str
) -> None:
    """Ann's message and Bob's, read one after the other, then the reading over; at each step
    Bob's message deleted, Bob's no, or a /forget of the server (the module docstring)."""
    w, now = read_out, datetime.now(UTC)
    anns = ChannelMessage("101", ANN, "Ann", ANNS, now)
    bobs = ChannelMessage("102", BOB, "Bob", BOBS, now + timedelta(seconds=1))
    choices = w.runtime.reader_choices

    async def ready() -> None:
        w.next_server()
        await choices.set_rules(w.server, can_manage=True, commands=True)  # for /forget to take
        await choices.member(w.server, BOB, voice="Chloe")
        await choices.member(w.server, CY, read=False)

    async def flow() -> None:
        server, reader = w.server, w.reader
        assert reader is not None
        await reader.start(ReadingAsked(server, ANN, VOICE, TEXT, "en", "en-US"))
        reading = reader.reading_in(server)
        assert reading is not None
        for message in (anns, bobs):
            reader.posted(server, TEXT, message)
            w.platform.log.append(f"posted {message.author_name}")
        await reading.ended.wait()
        await kept_watch_over()

    async def deleted() -> None:
        assert w.reader is not None
        w.reader.deleted(w.server, TEXT, bobs.id)

    async def bobs_no() -> None:  # as the cog's /read_me: stored, then told to the readings
        await choices.member(w.server, BOB, read=False)

    async def check(what: str, outcome: Outcome) -> None:
        log = w.platform.log
        heard = [line for line in log if line.startswith(("played", "cut"))]
        if what == "a /forget":  # it ends no reading: nothing kept of it, and it reads on
            assert heard == ["played Ann", "played Bob"], "the /forget cut the reading"
            assert await choices.rules(w.server) == ReaderRules(), "its rules outlived it"
            bob, cy = [await choices.member(w.server, member) for member in (BOB, CY)]
            assert bob == MemberReading(ReaderMember(), None), "Bob's voice outlived it"
            assert not cy.member.read, "Cy's no went with it"
            return
        assert "played Ann" in heard, "Ann's message was not read"
        before, after = log[: log.index(INJECTED)], log[log.index(INJECTED) + 1 :]
        if what == "Bob's message deleted" and "posted Bob" not in before:
            return  # Discord tells of a deletion only after the message itself
        assert "plays Bob" not in after, "Bob's clip played after it"
        ended = before.count("played Bob") + before.count("cut Bob")
        assert before.count("plays Bob") == ended, "Bob's clip playing was not cut"
        spoken = [words_of(body) for body in outcome.after]
        assert not [words for words in spoken if "4721" in words], "MiMo was asked for Bob's"

    landings = {
        "Bob's message deleted": w.injected(deleted),
        "Bob's no": w.injected(bobs_no),
        "a /forget": w.forget(),
    }
    steps = await w.steps.walk(flow, {landing: landings[landing]}, check, ready=ready)
    assert steps.count("MiMo: mimo-v2.5-tts") == 2 and "platform: Bob's clip plays" in steps, steps


async def test_a_reading_kept_through_a_deploy_is_not_kept_after_a_forget_at_any_step(
    deployed: ReadingWorld,
) -> None:
    """Ann's message read, then the bot stops for a deploy: the reading is kept for the next
    start to take up, unless a /forget came once it began (as the bot joined the Lounge, say,
    which takes seconds on Discord): then its place is not kept, though it read on."""
    w = deployed
    anns = ChannelMessage("101", ANN, "Ann", ANNS, datetime.now(UTC))

    async def flow() -> None:
        server, reader = w.server, w.reader
        assert reader is not None
        await reader.start(ReadingAsked(server, ANN, VOICE, TEXT, "en", "en-US"))
        reader.posted(server, TEXT, anns)
        assert w.platform.call is not None
        await w.platform.call.played.wait()
        await reader.close()
        await kept_watch_over()

    async def check(what: str, outcome: Outcome) -> None:
        log = w.platform.log
        kept = await w.kept()
        if "joins" in log[: log.index(INJECTED)]:
            assert kept is None, "kept for a restart after the /forget"
        else:  # the reading began after it
            assert kept is not None, "a reading begun after the /forget is not kept"

    async def ready() -> None:
        w.next_server()

    steps = await w.steps.walk(flow, {"a /forget": w.forget()}, check, ready=ready)
    assert steps[-1] == "database: KeptStore.write", steps  # kept for the next start


async def kept_watch_over() -> None:
    """Until the reading's watch let go of its place, or kept it for a restart (a step)."""
    watches = [t for t in background_tasks.supervisor().running if t.get_name() == "reading kept"]
    await asyncio.gather(*watches)
