"""Benchmark 20's replica: one process's MiMo client (the real `MimoClient` and its
`AccountMinute`) sending the work it is given to MiMo's stand-in over loopback HTTP, at the
client, as the use cases would: listened calls' pieces as their speakers talk, a burst of voice
notes, an import. Prints a JSON line of what each request met.

    python -m bench.minute_client SPEC   (a JSON object: what `bench.minute.specs` gives)

Prints `{"ready": true}` once it is set up, then waits for a line on its stdin: the moment (on
the machine's monotonic clock, which every process shares) its work begins, so that every
replica of a run begins together. Its minute is its process's own (`MemoryLedger`), or every
replica's, in PostgreSQL (`DatabaseLedger`), as SPEC's `ledger` says.

Time runs `scale` times faster than the real world's, with the minute as short (MiMo's 60 s are
60/scale): a call's speaker says 0.89 s in 0.089 s, its piece still a WAV of 0.89 s of speech
(MiMo counts its tokens by the audio's seconds), MiMo's 0.5 s is 0.05 s. The pacer's own
seconds are scaled with it (`scaled`): how long a 429 halves the minute, how soon a request
waiting sets its slot aside, how often a queue tells the other replicas what waits in it and
how long that counts, a use's `transit` (unless SPEC keeps it as it is); and the retries'
waits. Every time this prints is the machine's, in seconds.

A listened call (`call`): four speakers one after another, turns of `TURNS` seconds with `GAP`
between, cut as the product cuts them: by `core.domain.listening.live_speech_rules.piece_rules` for
the moment of each cut (SOONER; CHEAPER while every one of the call's `IN_FLIGHT` slots at MiMo is
taken; longer as `Stretching` finds the calls' speech, every replica's, too much for the minute),
each piece the middle of its rules' shortest and longest (0.89 s for SOONER), its last what is left
of the turn. Each piece waits for a slot as the receiving does (`Listening.hand_over`), is counted
by the `Stretching` as it goes (with its turn's length where it ends one), and is transcribed under
`asking(Urgency.LIVE, call)`.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import time
import wave
from collections.abc import Coroutine
from contextlib import nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import httpx

from core.app.listening.listened_call import IN_FLIGHT
from core.app.listening.piece_stretching import Stretching
from core.app.rules.request_slots import RequestGate
from core.config import Settings
from core.domain.errors import MimoError
from core.domain.listening.live_speech_rules import SOONER, piece_rules
from core.domain.mimo.account_minute_rules import (
    AccountLimits,
    ModelMinute,
    Urgency,
    asking,
    asking_now,
    setting_aside,
)
from core.domain.shared_values import ChatRef
from core.infra.mimo import MimoClient, RetryPolicy
from core.infra.mimo import minute_pacing as pacer
from core.infra.mimo.minute_ledger import MemoryLedger, MinuteLedger, MinuteUse
from core.infra.mimo.minute_pacing import AccountMinute
from core.infra.storage.database_engines import create_minute_engine
from core.infra.storage.mimo_minute import shared_ledger_in_database

TURNS = (4.0, 7.0, 3.0, 9.0, 5.0, 6.0)  # seconds of each turn of a call's speakers, in rotation
GAP = 1.0  # seconds between two turns
SPEAKERS = 4
STAGGER = 2.3  # seconds between the starts of two calls
RATE = 16_000  # what the pieces are sent as: 16 kHz mono 16-bit WAV, as the bot sends them
GATE = ("asr_max_in_flight", "asr_concurrency")  # the request gate's settings, their defaults
GIVEN: ContextVar[float | None] = ContextVar("given", default=None)


class TimedMinute(AccountMinute):
    """The real `AccountMinute`, each use noted: who asked, when, and when it was given (and
    the request sent for it says so to MiMo's stand-in, `x-bench-given`: `given_said`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timed: list[tuple[int, float, float]] = []

    async def use(self, model: str, tokens: int, speech: float = 0.0) -> MinuteUse:
        asked = time.monotonic()
        given = await super().use(model, tokens, speech)
        GIVEN.set(time.monotonic())
        self.timed.append((int(asking_now().urgency), asked, GIVEN.get() or 0.0))
        return given


async def given_said(request: httpx.Request) -> None:
    """An httpx request hook: when the request's use was given, for the stand-in to note beside
    its arrival (the way from one to the other is what the pacer's minute and MiMo's differ by)."""
    if (given := GIVEN.get()) is not None:
        request.headers["x-bench-given"] = repr(given)


def scaled(scale: float) -> None:
    """The pacer's own seconds, as short as the run's minute (the module's docstring); the
    queue's naps are a share of the minute already."""
    pacer.SLOWED_SECONDS /= scale
    pacer.TOLD_AFTER /= scale


class Replica:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.scale = float(spec["scale"])
        self.t0 = 0.0
        pcm = Path(spec["speech"]).read_bytes()
        self._speech = pcm[: len(pcm) // 2 * 2]
        self._wavs: dict[int, bytes] = {}
        seconds, transit = 60 / self.scale, float(spec["transit"])
        asr = ModelMinute(100, 10_000, seconds, transit)
        others = ModelMinute(100, 10_000_000, seconds, transit)
        limits = AccountLimits(asr=asr, others=others, paced=bool(spec["paced"]))
        self.engine = create_minute_engine(spec["database"]) if spec["database"] else None
        ledger: MinuteLedger = MemoryLedger()
        if self.engine is not None:
            fresh = shared_ledger_in_database.FRESH_SECONDS / self.scale
            ledger = shared_ledger_in_database.DatabaseLedger(
                self.engine, instance=spec["name"], fresh=fresh
            )
        announce = pacer.ANNOUNCE_SECONDS / self.scale
        self.minute = TimedMinute(limits=limits, ledger=ledger, announce_seconds=announce)
        self.http = httpx.AsyncClient(event_hooks={"request": [given_said]})
        policy = RetryPolicy(initial_wait=0.5 / self.scale, max_wait=8 / self.scale,
                             jitter=0.5 / self.scale, retry_after_cap=30 / self.scale)  # fmt: skip
        self.client = MimoClient(http=self.http, api_key=spec["api_key"],
                                 base_url=spec["base_url"], retry_policy=policy,
                                 minute=self.minute)  # fmt: skip
        # As the bot's: every replica's calls' speech, read from the minute they share.
        model = self.client.models.asr
        self.stretching = Stretching(
            asr if limits.paced else None, shared=lambda: self.minute.held(model)
        )
        self.pieces: list[list[Any]] = []  # call, speaker, cut at, seconds, step, done at, error
        self.notes: list[list[Any]] = []  # chat, index, seconds, asked at, done at, error
        self.imported: list[list[Any]] = []  # asked at, done at, error

    def wav(self, seconds: float) -> bytes:
        """`seconds` of the speech as a WAV, from a place in it of its own."""
        samples = round(seconds * RATE)
        if samples not in self._wavs:
            start = (samples * 7919 * 2) % max(2, len(self._speech) - samples * 2)
            pcm = (self._speech * 2)[start // 2 * 2 : start // 2 * 2 + samples * 2]
            out = io.BytesIO()
            with wave.open(out, "wb") as file:
                file.setnchannels(1)
                file.setsampwidth(2)
                file.setframerate(RATE)
                file.writeframes(pcm)
            self._wavs[samples] = out.getvalue()
        return self._wavs[samples]

    async def until(self, real: float) -> None:
        """Until `real` seconds of the run's world have gone."""
        await asyncio.sleep(max(0.0, self.t0 + real / self.scale - time.monotonic()))

    async def heard(self, seconds: float) -> tuple[float, str | None]:
        """One recognition request of `seconds` of speech: when it was answered, and the
        error that ended it instead, if one did."""
        try:
            await self.client.transcribe(self.wav(seconds), mime="audio/wav", language="en")
        except MimoError as exc:
            return time.monotonic(), type(exc).__name__
        return time.monotonic(), None

    async def call(self, number: int, ends: float) -> None:
        """One listened call (the module's docstring) until `ends` seconds of the run."""
        chat = f"call {number}"
        slots = asyncio.Semaphore(IN_FLIGHT)
        cut: asyncio.Queue[tuple[int, float, float, int, float] | None] = asyncio.Queue()

        async def speak() -> None:
            at, turn = number * STAGGER, number
            while at < ends:
                length, speaker, said = TURNS[turn % len(TURNS)], turn % SPEAKERS, 0.0
                while length - said > SOONER.sliver and at + said < ends:
                    # The rules of the moment the piece before was cut (the call's `pieces`).
                    step = self.stretching.step()
                    rules = piece_rules(cheaper=slots.locked(), stretch=step)
                    piece = min((rules.shortest + rules.longest) / 2, length - said)
                    said += piece
                    await self.until(at + said)
                    ends_turn = length - said <= SOONER.sliver or at + said >= ends
                    step = max(step, slots.locked())
                    cut.put_nowait((speaker, time.monotonic(), piece, step, said * ends_turn))
                at, turn = at + length + GAP, turn + 1
            cut.put_nowait(None)

        async def caption(speaker: int, at: float, seconds: float, step: int, turn: float) -> None:
            self.stretching.sent(seconds, turn=turn or None)  # the turn's, where it ends one
            with asking(Urgency.LIVE, chat):
                done, error = await self.heard(seconds)
            self.pieces.append([number, speaker, at, seconds, step, done, error])

        speaking = asyncio.create_task(speak())
        sent: list[asyncio.Task[None]] = []
        while (piece := await cut.get()) is not None:
            await slots.acquire()  # the receiving waits for a slot, as `hand_over` makes it
            sent.append(asyncio.create_task(caption(*piece)))
            sent[-1].add_done_callback(lambda _: slots.release())
        await speaking
        await asyncio.gather(*sent)

    async def burst(self, chats: list[list[Any]], gate: RequestGate | None) -> None:
        """Every chat's voice notes at once, chat after chat, each chat's in its own `asking`
        (and, with `gate`, through the bot's request gate first, its slot set aside while the
        note waits for its use of the minute, as a voice note goes:
        `core.app.recordings.piece_transcriber`)."""

        async def note(chat: str, index: int, seconds: float) -> None:
            asked = time.monotonic()
            ref = ChatRef("telegram", chat)
            if gate is not None:
                await gate.acquire(ref)
            try:
                aside = setting_aside(gate.aside) if gate is not None else nullcontext()
                with asking(Urgency.PERSON, chat), aside:
                    done, error = await self.heard(seconds)
            finally:
                if gate is not None:
                    gate.release(ref)
            self.notes.append([chat, index, seconds, asked, done, error])

        await asyncio.gather(*(
            note(chat, index, seconds)
            for chat, lengths in chats for index, seconds in enumerate(lengths)
        ))  # fmt: skip

    async def importing(self, messages: int, seconds: float, at_once: int, ends: float) -> None:
        """An import of one chat's past: `messages` of `seconds`, `at_once` in flight (the
        importer's ASR_MAX_IN_FLIGHT), in the background; stopped after `ends` seconds, what
        was under way then given up."""
        left = iter(range(messages))

        async def worker() -> None:
            for _ in left:
                asked = time.monotonic()
                with asking(Urgency.BACKGROUND, "import"):
                    done, error = await self.heard(seconds)
                self.imported.append([asked, done, error])

        workers = [asyncio.create_task(worker()) for _ in range(at_once)]
        if ends != float("inf"):
            await self.until(ends)
            for task in workers:
                task.cancel()
        await asyncio.gather(*workers, return_exceptions=ends != float("inf"))

    async def run(self) -> dict[str, Any]:
        spec = self.spec
        work: list[Coroutine[Any, Any, None]] = []
        calls_end = float(spec["call_seconds"])
        for number in spec["calls"]:
            work.append(self.call(number, calls_end))
        if spec["notes"]:
            fields = Settings.model_fields
            total, per_chat = (fields[name].default for name in GATE)
            gate = RequestGate(total=total, per_chat=per_chat) if spec["gate"] else None
            work.append(self.burst(spec["notes"], gate))
        if spec["import"]:
            messages, seconds, at_once, alone = spec["import"]
            ends = float("inf") if alone else calls_end
            work.append(self.importing(messages, seconds, at_once, ends))
        print(json.dumps({"ready": True}), flush=True)
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        self.t0 = float(line)
        await asyncio.sleep(max(0.0, self.t0 - time.monotonic()))
        try:
            await asyncio.gather(*work)
        finally:
            await self.http.aclose()
            if self.engine is not None:
                await self.engine.dispose()
        # "turns": the stored key keeps its old word for the minute's uses (benchmark records).
        return {
            "t0": self.t0, "pieces": self.pieces, "notes": self.notes, "imported": self.imported,
            "turns": self.minute.timed, "refusals": self.minute.refusals,
        }  # fmt: skip


async def main(spec: dict[str, Any]) -> dict[str, Any]:
    logging.basicConfig(level=logging.ERROR)  # the 429s are counted, not said one by one
    scaled(float(spec["scale"]))
    return await Replica(spec).run()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(json.loads(sys.argv[1])))), flush=True)
