"""A gist that follows a long recording's transcript unasked (`/tldr auto`, `/autogist`) is
checked again as it leaves (issue 103, `core.app.rules.outgoing_check`): the recording's message
deleted, or the chat forgotten, while the chat model condenses it, and no gist follows (nobody
asked for it: nothing is said instead). The runtimes `voicebridge run` builds, on one database
(`tests.integration.test_mid_way.Replicas`); the deletion or the `/forget` lands in another
process as MiMo's stand-in receives the request to condense.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from core.app.voice_note_events import Arrival, ArrivalView, TranscriptReply
from core.chat.answer_languages import Audience
from core.chat.transcript_files import TranscriptFormat
from core.domain.memory.search_rules import Said
from core.domain.recordings.gist_format import Gist
from core.domain.recordings.transcript_values import LongTranscript, Progress
from core.domain.rules.quotas_rules import asked_by
from core.domain.summaries.summary_values import ChatMessage
from core.ports import RemoteRecording
from tests.audio_factory import make_audio
from tests.integration.test_mid_way import BOB, CHANNEL, Replicas, fetched, two_replicas
from tests.standins.mimo import Json


@pytest_asyncio.fixture
async def two(sqlite_url: str) -> AsyncIterator[Replicas]:
    """The two runtimes of `test_mid_way`, on one database."""
    async with two_replicas(sqlite_url) as both:
        yield both


@pytest.mark.parametrize("platform", ["telegram", "discord"])
async def test_no_gist_follows_a_transcript_once_its_recording_went_away(
    two: Replicas, tmp_path: Path, platform: str
) -> None:
    """Bob's recording of a minute arrives where recordings that long get their gist: its
    transcript is shown; as the chat model condenses it, his message is deleted (Discord) or
    the group forgotten (Telegram), in another process. No gist is shown."""
    r = two
    chat = r.next_chat(platform)
    await r.here.preferences.set_gist_minutes(chat, "1", can_manage=True)
    said = Said("11", "Bob", datetime.now(UTC), CHANNEL if platform == "discord" else None)
    audio = make_audio(tmp_path, fmt="ogg", seconds=61)
    note = RemoteRecording(fetched(audio), seconds=61.0, identity="att-11", said=said)
    landing = r.deletes(r.there, "11", "att-11") if platform == "discord" else r.forget(r.there)
    landed: list[str] = []

    async def condensing(body: Json) -> None:
        if not str(body.get("model", "")).endswith("-asr") and not landed:
            await landing()
            landed.append(str(body.get("model")))

    shown = Shown()
    r.mimo.before_answer = condensing
    try:
        heard = await r.here.voice_notes.arrived(
            Arrival(chat, note, Audience(platform="en-US"), asked_by(BOB)), shown.view()
        )
    finally:
        r.mimo.before_answer = None

    assert heard is not None and shown.transcripts == [heard.text]
    assert landed, "the gist was never asked of the chat model"
    assert shown.gists == []


class Shown:
    """What the chat was shown of a recording that arrived: its transcript, its gist."""

    def __init__(self) -> None:
        self.transcripts: list[str] = []
        self.gists: list[Gist] = []

    def view(self) -> ArrivalView:
        shown = self

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
                shown.transcripts.append(result.text)

        class View:
            def reply(self, locale: str) -> TranscriptReply:
                return Reply()

            def busy(self) -> AbstractAsyncContextManager[object]:
                return nullcontext()

            def thinking(self) -> AbstractAsyncContextManager[object]:
                return nullcontext()

            async def gist(self, gist: Gist, locale: str) -> None:
                shown.gists.append(gist)

            def logged(self, words: str) -> ChatMessage | None:
                return None

        return View()
