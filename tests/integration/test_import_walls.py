"""An import of a server's past (`core.app.memory.importer` through the runtime `voicebridge run`
builds) hears a member's no and a `/forget` as the live bot does: a no given before a `/forget`
still leaves the member out of a later import, a no given while an import runs (or waits for
the next day's quota) leaves out their messages not heard yet, and a `/forget` while an import
runs ends it first, so that nothing it hears outlives the forget."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.app.memory.forgetting import ForgetRequest
from core.app.memory.import_values import Past, PastVoice
from core.bootstrap import bootstrap
from core.config import Settings
from core.domain.shared_values import ChatRef
from tests.audio_factory import make_audio
from tests.standins.mimo import FakeMimo

SERVER = ChatRef("discord", "guild:4242")
CHANNEL = "77"


def walls_settings(mimo: FakeMimo, database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        mimo_api_key=mimo.api_key, mimo_base_url=mimo.base_url, database_url=database_url,
        summary_retention_days=30, asr_max_in_flight=2,
    )  # fmt: skip


def past(note: Path, *, before: dict[str, Callable[[], Awaitable[None]]] | None = None) -> Past:
    """Ann's voice message of three days ago, then Bob's of two days ago, in #77; `before`: what
    happens as a member's recording is fetched (by their id)."""

    def locate(member: str) -> Callable[[], Awaitable[Path]]:
        async def fetched() -> Path:
            if before and member in before:
                await before[member]()
            return note

        return fetched

    now = datetime.now(UTC)
    return Past(SERVER, [
        PastVoice(str(n), name, member, now - timedelta(days=days), 3.0, locate(member),
                  place=CHANNEL)
        for n, (name, member, days) in enumerate((("Ann", "1", 3), ("Bob", "2", 2)), 1)
    ], logged=False)  # fmt: skip


async def test_a_no_given_before_a_forget_still_leaves_the_member_out_of_an_import(
    mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    note = make_audio(tmp_path, fmt="ogg", seconds=3)
    async with bootstrap(walls_settings(mimo, sqlite_url)) as runtime:
        await runtime.listening.consents.decide(SERVER, "2", False)  # Bob: never transcribe me
        wiped = ForgetRequest(SERVER, can_manage=True)  # the server's memory
        await runtime.forgetting.forget(wiped)
        plan = await runtime.imports.plan(past(note))
        done = await runtime.imports.run(plan)

    assert plan.left_out == 1
    assert done.transcribed == ["1"]  # Ann's alone: Bob's no outlived the forget
    assert len(mimo.requests) == 1


async def test_a_no_given_while_an_import_runs_leaves_out_the_members_messages_not_heard_yet(
    mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    note = make_audio(tmp_path, fmt="ogg", seconds=3)
    async with bootstrap(walls_settings(mimo, sqlite_url)) as runtime:
        plan = await runtime.imports.plan(past(note))  # Bob had not said no: his is planned
        await runtime.listening.consents.decide(SERVER, "2", False)  # as the import waits
        done = await runtime.imports.run(plan)

    assert [voice.author_id for voice in plan.voices] == ["1", "2"]
    assert done.transcribed == ["1"]  # Bob's no holds from the moment he said it
    assert len(mimo.requests) == 1


async def test_a_forget_while_an_import_runs_keeps_nothing_it_would_have_heard_after(
    mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    note = make_audio(tmp_path, fmt="ogg", seconds=3)
    fetching, fetched = asyncio.Event(), asyncio.Event()

    async def bobs_recording_fetched() -> None:  # the admin's /forget comes as it is fetched
        fetching.set()
        await fetched.wait()

    one_at_a_time = walls_settings(mimo, sqlite_url).model_copy(update={"asr_max_in_flight": 1})
    async with bootstrap(one_at_a_time) as runtime:
        plan = await runtime.imports.plan(past(note, before={"2": bobs_recording_fetched}))
        importing = asyncio.create_task(runtime.imports.run(plan))
        await fetching.wait()  # Ann's is kept; Bob's is next
        await runtime.forgetting.forget(ForgetRequest(SERVER, can_manage=True))
        fetched.set()
        await importing
        again = await runtime.imports.plan(past(note))

    assert len(mimo.requests) == 1  # Ann's alone: nothing more is sent once the server forgot
    assert again.done_before == 0  # and nothing the import heard outlives the forget
