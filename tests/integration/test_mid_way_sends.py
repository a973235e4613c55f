"""What leaves after a wait (issue 103): a message deleted, a `/forget` or a member's no landed at
every step of a flow that reads words, waits for MiMo, then sends what it made of them
(`tests.interleavings`), the send a step of its own; once the flow is over, nothing that went
away before the send reaches the chat:

    /ask across the chat  Bob's voice message in #77 and Ann's line of a call there; Bob's
                          message deleted, a /forget, or Ann's no
    /summary              a Telegram group's log and a /forget; a Discord channel's messages as
                          the adapter read them from its history, and Bob's message deleted
    the daily digest      a Telegram group's log and a /forget
    a recording's gist    Bob's long voice message, deleted on Discord, forgotten on Telegram
    a long note's transcript, under its translation (`/autotranslate`)
                          likewise

Each landing comes in the process doing the work or in another sharing its database (the
runtimes `voicebridge run` builds: `tests.integration.test_mid_way.Replicas`). A landing at the
send itself comes as the message is on its way: what was made goes out. Before it, a deletion or
a forget keeps everything made of what went away from the chat; a no, everything made of the
speaker's words read before it (a no leaves what was kept of them: read after it, they may be
quoted).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.app.recordings.piece_transcriber import NoLongerWanted
from core.app.voice_note_events import Arrival, ArrivalView, TranscriptReply
from core.bootstrap import Runtime
from core.chat.answer_languages import Audience
from core.chat.transcript_files import TranscriptFormat
from core.domain import errors
from core.domain.memory.search_rules import Said
from core.domain.recordings.gist_format import Gist
from core.domain.recordings.transcript_values import LongTranscript, Progress, TranscriptPart
from core.domain.rules.quotas_rules import asked_by
from core.domain.shared_values import ChatRef
from core.domain.summaries.summary_values import ChatMessage
from core.domain.summaries.summary_windows import LastDuration, SummaryRequest
from core.ports import RemoteRecording
from tests.audio_factory import make_audio
from tests.integration.test_mid_way import ANN, BOB, CHANNEL, Replicas, fetched
from tests.interleavings import Injection, Outcome, Steps

# As the walks of `test_mid_way`: a run of the flow a step, one landing a test.
pytestmark = pytest.mark.timeout(240)

BOBS = "lunch is on friday and the door code is 4721"  # his voice message, as kept
ANNS = "lunch on monday suits me"  # her line in a call in #77
ANNS_LOG, BOBS_LOG = "lunch at noon?", "yes, and the door code is 4721"  # a group's log


@dataclass
class Reached:
    """What reached the chat: each thing sent, with what the chat model was given to make it
    (what it may quote)."""

    requests_before: int = 0
    sent: list[str] = field(default_factory=list)

    def began(self, r: Replicas) -> None:
        self.sent, self.requests_before = [], len(r.mimo.requests)

    async def send(self, r: Replicas, what: str, shown: str = "") -> None:
        """`what` handed to the platform (a step), then in the chat."""
        await Steps.sent(what)
        since = r.mimo.requests[self.requests_before :]
        asked = [str(body) for body in since if _to_the_chat_model(body)]
        self.sent.append(" ".join([shown, *asked]))

    def holding(self, *words: str) -> list[str]:
        return [sent[:300] for sent in self.sent if any(word in sent for word in words)]


def _to_the_chat_model(body: object) -> bool:
    return isinstance(body, dict) and not str(body.get("model", "")).endswith(("-asr", "-tts"))


def before_the_send(outcome: Outcome) -> bool:
    """Whether the landing came before the flow's send, or the flow sent nothing (a landing at
    the send comes as the message is on its way)."""
    run = outcome.run
    sent_at = next((n for n, step in enumerate(run.steps, 1) if step.startswith("send: ")), None)
    return sent_at is None or (run.at or 0) < sent_at


Made = Callable[[Runtime], tuple[str, Injection]]


def landings(r: Replicas, made: Made) -> dict[str, Injection]:
    """The landing `made` in this process, and in another sharing its database."""
    found = {}
    for runtime, process in ((r.here, "this process"), (r.there, "another process")):
        name, inject = made(runtime)
        found[f"{name} in {process}"] = inject
    return found


def deletion(r: Replicas) -> Made:
    """Bob's message ("11", in #77) deleted, as a process heard it from Discord."""
    return lambda runtime: ("Bob's message deleted", r.deletes(runtime, "11", "att-11"))


def a_forget(r: Replicas) -> Made:
    """A /forget of the run's chat, in a process."""
    return lambda runtime: ("a /forget", r.forget(runtime))


def anns_no(r: Replicas) -> Made:
    """Ann's no to being transcribed, in a process."""

    def made(runtime: Runtime) -> tuple[str, Injection]:
        async def said() -> None:
            await runtime.listening.consents.decide(r.chat, ANN, False)

        return "Ann's no", said

    return made


# --- /ask across the chat's memory ----------------------------------------------------------


@pytest.mark.parametrize("landing", ["deleted", "forget", "no"])
async def test_ask_quotes_nothing_deleted_forgotten_or_refused_before_it_is_sent(
    replicas: Replicas, landing: str
) -> None:
    """`/ask when is lunch?` in #77: the lines holding its words (Bob's voice message, Ann's
    line of a call there) are read, handed to the chat model, and its answer sent. Bob's
    message deleted, the server forgotten, or Ann's no, in this process or another."""
    r, chat = replicas, Reached()

    async def ready() -> None:
        server, now = r.next_chat("discord"), datetime.now(UTC)
        async with r.uow() as uow:
            await uow.transcripts.keep_part(
                server, "att-11", language="auto", part=TranscriptPart(0.0, 3.0, BOBS), at=now,
                whole=3.0, said=Said("11", "Bob", now, CHANNEL),
            )  # fmt: skip
            await uow.transcripts.keep_part(
                server, f"call:{CHANNEL}:1", language="auto", at=now,
                part=TranscriptPart(1.0, 4.0, ANNS, "Ann", ANN),
            )  # fmt: skip
            await uow.commit()

    async def flow() -> None:
        chat.began(r)
        try:
            await r.here.memory.ask(
                r.chat, "when is lunch?", asker=asked_by(ANN), places=frozenset({CHANNEL})
            )
        except errors.VoicebridgeError:
            return
        await chat.send(r, "the answer")

    async def check(what: str, outcome: Outcome) -> None:
        if landing == "deleted" and before_the_send(outcome):
            assert chat.holding(BOBS) == [], "an answer made from his deleted message was sent"
        elif landing == "forget" and before_the_send(outcome):
            assert chat.holding(BOBS, ANNS) == [], "an answer made after the forget was sent"
        elif landing == "no" and outcome.run.landed_between("database: MemorySearch.ask"):
            assert chat.holding(ANNS) == [], "an answer made of her words was sent after her no"

    made = {"deleted": deletion(r), "forget": a_forget(r), "no": anns_no(r)}[landing]
    steps = await r.steps.walk(flow, landings(r, made), check, ready=ready)
    assert "database: MemorySearch.ask" in steps and "send: the answer" in steps, steps


# --- /summary and the daily digest ----------------------------------------------------------


async def logged_group(r: Replicas) -> ChatRef:
    """A new Telegram group whose log holds Ann's question and Bob's answer of an hour ago."""
    chat, hour_ago = r.next_chat(), datetime.now(UTC) - timedelta(hours=1)
    await r.here.summaries.set_logging(chat, True, can_manage=True)
    await r.here.summaries.record(ChatMessage(chat, "9", "Ann", hour_ago, ANNS_LOG))
    await r.here.summaries.record(ChatMessage(chat, "10", "Bob", hour_ago, BOBS_LOG))
    return chat


@pytest.mark.parametrize("platform", ["telegram", "discord"])
async def test_a_summary_holds_nothing_forgotten_or_deleted_before_it_is_sent(
    replicas: Replicas, platform: str
) -> None:
    """`/summary`: in a Telegram group, of its log, a /forget landing; in a Discord channel,
    of its messages as the adapter read them from its history (Bob's among them), Bob's
    message deleted. In this process or another."""
    r, chat = replicas, Reached()
    history: list[ChatMessage] = []
    channel = ChatRef("discord", f"channel:{CHANNEL}")

    async def ready() -> None:
        if platform == "telegram":
            await logged_group(r)
            return
        r.next_chat("discord")
        ago = datetime.now(UTC) - timedelta(minutes=10)
        history[:] = [
            ChatMessage(channel, "10", "Ann", ago, ANNS_LOG, place=CHANNEL),
            ChatMessage(channel, "11", "Bob", ago, BOBS_LOG, place=CHANNEL),
        ]

    async def flow() -> None:
        request = await r.here.audiences.request(
            r.chat, Audience(platform="en-US"), asker=asked_by(ANN)
        )
        chat.began(r)
        try:
            if platform == "telegram":
                day = SummaryRequest(LastDuration(timedelta(hours=24)))
                await r.here.summaries.summarise(request, day)
            else:
                await r.here.summaries.summarise_messages(request, history, place=channel)
        except errors.VoicebridgeError:
            return
        await chat.send(r, "the summary")

    async def check(what: str, outcome: Outcome) -> None:
        if before_the_send(outcome):
            assert chat.holding(BOBS_LOG) == [], "a summary holding what went away was sent"

    made = a_forget(r) if platform == "telegram" else deletion(r)
    steps = await r.steps.walk(flow, landings(r, made), check, ready=ready)
    assert "send: the summary" in steps, steps


async def test_a_digest_holds_nothing_forgotten_before_it_is_posted(replicas: Replicas) -> None:
    """The daily digest of a Telegram group's log, claimed and written when due, then posted
    (`DigestService.run`, as the scheduler runs it); a /forget in this process or another."""
    r, chat = replicas, Reached()
    due: list[datetime] = []

    async def ready() -> None:
        group = await logged_group(r)
        state = await r.here.digests.set_digest(group, "09:00", can_manage=True)
        assert state.next_digest_at is not None
        due[:] = [state.next_digest_at]

    async def flow() -> None:
        chat.began(r)
        post = await r.here.digests.run(r.chat, due[0])
        if post is not None:
            await chat.send(r, "the digest", post.text)

    async def check(what: str, outcome: Outcome) -> None:
        if before_the_send(outcome):
            assert chat.holding(BOBS_LOG) == [], "a digest was posted after the forget"

    steps = await r.steps.walk(flow, landings(r, a_forget(r)), check, ready=ready)
    assert "send: the digest" in steps, steps


# --- a recording: its gist, its transcript under its translation ----------------------------


def bobs_note(r: Replicas, platform: str, audio: Path) -> RemoteRecording:
    """Bob's voice message of two pieces (15 s) in a new chat; in #77 on Discord."""
    r.next_chat(platform)
    said = Said("11", "Bob", datetime.now(UTC), CHANNEL if platform == "discord" else None)
    return RemoteRecording(fetched(audio), seconds=15.0, identity="att-11", said=said)


def deleted_or_forgotten(r: Replicas, platform: str) -> dict[str, Injection]:
    """A Discord message's deletion; a /forget of a Telegram group (which tells a bot of no
    deletion): in this process or another."""
    return landings(r, deletion(r) if platform == "discord" else a_forget(r))


def made_from_it(what: str, outcome: Outcome, read: str) -> bool:
    """Whether what is made of the recording must not reach the chat: its deletion landed
    before the send; a /forget, after the request was read (`read`: before it, the recording
    came after the forget, and is heard as new) and before the send."""
    if "deleted" in what:
        return before_the_send(outcome)
    return outcome.run.landed_between(read)


@pytest.mark.parametrize("platform", ["telegram", "discord"])
async def test_a_gist_is_not_sent_once_its_recording_was_deleted_or_forgotten(
    replicas: Replicas, tmp_path: Path, platform: str
) -> None:
    """`/tldr` on Bob's long voice message: heard in two pieces, condensed by the chat model,
    sent. Deleted on Discord, forgotten on Telegram, in this process or another."""
    bobs = make_audio(tmp_path, fmt="ogg", seconds=15)
    r, chat = replicas, Reached()
    note: list[RemoteRecording] = []

    async def ready() -> None:
        note[:] = [bobs_note(r, platform, bobs)]

    async def flow() -> None:
        request = await r.here.audiences.request(
            r.chat, Audience(platform="en-US"), asker=asked_by(BOB)
        )
        chat.began(r)
        try:
            gist = await r.here.gists.gist(request, note[0])
        except (errors.VoicebridgeError, NoLongerWanted):
            return
        await chat.send(r, "the gist", " ".join(item.text for item in gist.points))

    async def check(what: str, outcome: Outcome) -> None:
        if made_from_it(what, outcome, "database: Audiences.request"):
            assert chat.sent == [], "a gist of what went away was sent"

    steps = await r.steps.walk(flow, deleted_or_forgotten(r, platform), check, ready=ready)
    assert "send: the gist" in steps, steps


@pytest.mark.parametrize("platform", ["telegram", "discord"])
async def test_a_long_notes_transcript_is_not_sent_under_its_translation_once_it_went_away(
    replicas: Replicas, tmp_path: Path, platform: str
) -> None:
    """Bob's long voice message arrives where every transcript gets its translation
    (`/autotranslate German`): heard in two pieces, translated by the chat model, then
    delivered with its translation below it. Deleted on Discord, forgotten on Telegram, in this
    process or another."""
    bobs = make_audio(tmp_path, fmt="ogg", seconds=15)
    r, chat = replicas, Reached()
    arrival: list[Arrival] = []

    async def ready() -> None:
        note = bobs_note(r, platform, bobs)
        await r.here.preferences.set_autotranslate(r.chat, "German", can_manage=True)
        arrival[:] = [Arrival(r.chat, note, Audience(platform="en-US"), asked_by(BOB))]

    async def flow() -> None:
        chat.began(r)
        await r.here.voice_notes.arrived(arrival[0], delivering(r, chat))

    async def check(what: str, outcome: Outcome) -> None:
        if made_from_it(what, outcome, "database: VoiceNotes._decide"):
            assert chat.sent == [], "its transcript was delivered after it went away"

    steps = await r.steps.walk(flow, deleted_or_forgotten(r, platform), check, ready=ready)
    assert "send: the transcript" in steps, steps
    translated = [step for step in steps if step.startswith("MiMo:") and "asr" not in step]
    assert len(translated) == 1, steps  # its translation, waited for before it is sent


def delivering(r: Replicas, chat: Reached) -> ArrivalView:
    """The platform's side of a recording that arrived: its transcript, with the translation
    below it, handed to the platform (a step) and in the chat."""

    class Reply:
        answer_id = None
        shown_before = False

        async def __aenter__(self) -> Reply:
            return self

        async def __aexit__(self, *exc_info: object) -> None:
            return None

        def progress(self, progress: Progress) -> None:
            return None

        def waiting(self, ahead: int | None) -> None:  # a wait for the minute: not shown
            return None

        async def deliver(
            self, result: LongTranscript, format: TranscriptFormat, *, below: str | None = None
        ) -> None:
            await chat.send(r, "the transcript", f"{result.text}\n{below or ''}")

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
            return None

    return View()
