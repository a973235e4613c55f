"""An import of a chat's past in the bot's own process (`core.app.memory.importer` through the
runtime `voicebridge run` builds): imported lines expire from their own date, and a voice note that
arrives while an import runs gets a request slot at once, the import's next messages waiting."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.app.memory.import_values import Past, PastVoice
from core.bootstrap import bootstrap, storage
from core.config import Settings
from core.domain.shared_values import ChatRef, Preferences
from tests.audio_factory import make_audio
from tests.standins.mimo import FakeMimo
from tests.waiting import until

GROUP = ChatRef("telegram", "-1001555")


def settings(mimo: FakeMimo, database_url: str, **extra: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        mimo_api_key=mimo.api_key, mimo_base_url=mimo.base_url, database_url=database_url,
        **extra,
    )  # fmt: skip


def past_days(note: Path, *days_ago: int) -> Past:
    async def locate() -> Path:
        return note

    now = datetime.now(UTC)
    voices = [
        PastVoice(str(n), f"Member {n}", str(n), now - timedelta(days=days), 3.0, locate)
        for n, days in enumerate(days_ago, 1)
    ]
    return Past(GROUP, voices)


async def test_imported_lines_expire_from_their_own_date(
    mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    note = make_audio(tmp_path, fmt="ogg", seconds=3)
    async with bootstrap(settings(mimo, database_url, summary_retention_days=30)) as runtime:
        plan = await runtime.imports.plan(past_days(note, 21, 10, 45))
        done = await runtime.imports.run(plan)
        again = await runtime.imports.plan(past_days(note, 21, 10, 45))
    async with storage(settings(mimo, database_url, summary_retention_days=14)) as store:
        [transcripts] = [job for job in store.retention if job.name == "transcripts"]
        purged = await transcripts.run()

    assert plan.too_old == 1  # 45 days old: never imported
    assert sorted(done.transcribed) == ["1", "2"]  # transcribed at once: either may end first
    assert (len(again.voices), again.done_before) == (0, 2)  # kept whole: not imported again
    assert purged == 1  # three weeks old by its own date, though imported today


async def test_a_voice_note_during_an_import_is_sent_at_once_in_the_slot_left_free(
    mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    note = make_audio(tmp_path, fmt="ogg", seconds=3)
    live = make_audio(tmp_path / "live.ogg", fmt="ogg", seconds=4)
    chosen = settings(mimo, sqlite_url, asr_max_in_flight=3, summary_retention_days=30)
    async with bootstrap(chosen) as runtime:
        plan = await runtime.imports.plan(past_days(note, *range(9, 1, -1)))
        with mimo.held_each() as held:
            importing = asyncio.create_task(runtime.imports.run(plan))
            await mimo.wait_for_requests(2)  # the import's two slots: one stays free
            heard = asyncio.create_task(
                runtime.transcription.transcribe_recording(
                    ChatRef("telegram", "-100777"), live, prefs=Preferences(), asker=None
                )
            )
            await mimo.wait_for_requests(3)  # the live note, at once, in the slot left free
            live_request = held[2].body
            held[2].let_go()
            await heard
        done = await importing  # the rest answered as they come

    assert live_request["messages"] != held[0].body["messages"]
    assert len(mimo.requests) == len(plan.voices) + 1
    assert len(done.transcribed) == 8


async def test_an_import_goes_on_while_a_voice_note_is_worked_on(
    mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Issue 103's slip: a background import stalled completely while any live voice note was
    worked on (in the test above the live note ends first). A voice note held at MiMo for as
    long as the whole import takes: the import goes on all the same (a message at a time,
    the others waiting for a lull), and ends before the voice note does."""
    note = make_audio(tmp_path, fmt="ogg", seconds=3)
    live = make_audio(tmp_path / "live.ogg", fmt="ogg", seconds=4)
    chosen = settings(mimo, sqlite_url, asr_max_in_flight=3, summary_retention_days=30)
    async with bootstrap(chosen) as runtime:
        plan = await runtime.imports.plan(past_days(note, 9, 8, 7))
        with mimo.held_each() as held:
            heard = asyncio.create_task(
                runtime.transcription.transcribe_recording(
                    ChatRef("telegram", "-100777"), live, prefs=Preferences(), asker=None
                )
            )
            await mimo.wait_for_requests(1)  # the voice note, held at MiMo
            importing = asyncio.create_task(runtime.imports.run(plan))
            while not importing.done():  # each of the import's messages answered as it comes
                await until(lambda: importing.done() or not all(
                    request.answer.is_set() for request in held[1:]
                ), "an imported message at MiMo beside the voice note")  # fmt: skip
                for request in held[1:]:
                    request.let_go()
            done = await importing
            live_held = not held[0].answer.is_set() and not heard.done()
            held[0].let_go()
            await heard

    assert live_held  # the import ended while the voice note was still at MiMo
    assert sorted(done.transcribed) == ["1", "2", "3"]
    assert len(mimo.requests) == 4
