"""Consent for cloned voices (`core.app.voices.own_voices`), on the real storage: a cloned voice
speaks only its owner's words until they share it, only they share it or take it back, and taking it
back works at once while the chat's choice stays stored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from core.app.recordings.transcription import Recordings
from core.app.rules.request_audience import Audiences
from core.app.voices.own_voices import VoiceStudio
from core.chat.answer_languages import Audience
from core.domain import errors
from core.domain.rules.quotas_rules import RequestLimits
from core.domain.shared_values import ChatRef, ChatVoice, Preferences, VoiceCatalogue
from core.infra.storage import SqlAlchemyUnitOfWork
from tests.fakes import FakeAudio, FakeSpeech

GROUP = ChatRef("telegram", "-100")
ALICE, BOB = "2001", "2002"
CLONE, TTS = "mimo-v2.5-tts-voiceclone", "mimo-v2.5-tts"


@pytest.fixture
async def studio(uow_factory: Callable[[], SqlAlchemyUnitOfWork]) -> VoiceStudio:
    studio = VoiceStudio(
        speech=FakeSpeech(), audio=FakeAudio(), uow=uow_factory,
        recordings=Recordings(downloader=None, limits=RequestLimits()),
    )  # fmt: skip
    async with uow_factory() as uow:
        voice = ChatVoice("Alice", "cloned", sample=b"mp3", sample_mime="audio/mpeg",
                          owner_id=ALICE, verified=True)  # fmt: skip
        assert await uow.voices.add(GROUP, voice)
        await uow.commit()
    return studio


Listed = Callable[[], Awaitable[VoiceCatalogue]]


@pytest.fixture
def listed(uow_factory: Callable[[], SqlAlchemyUnitOfWork], studio: VoiceStudio) -> Listed:
    """The group's voices as `/voice` lists them: the group's request read, then its voices."""
    audiences = Audiences(uow=uow_factory, default_tts_model=TTS)

    async def catalogue() -> VoiceCatalogue:
        return await studio.catalogue(await audiences.request(GROUP, Audience()))

    return catalogue


async def models_heard(studio: VoiceStudio, listed: Listed) -> dict[str | None, str]:
    """The model each author's words are spoken with in the group (None: nobody's own words,
    such as a summary or Read aloud)."""
    prefs = Preferences(voice=(await listed()).chosen)
    return {
        author: (await studio.speaker(GROUP, prefs, author=author)).model
        for author in (ALICE, BOB, None)
    }


async def test_an_unshared_clone_speaks_only_its_owners_words(
    studio: VoiceStudio, listed: Listed
) -> None:
    with pytest.raises(errors.VoiceNotShared):
        await studio.choose(GROUP, "alice", can_manage=True, chooser=BOB)
    await studio.choose(GROUP, "alice", can_manage=True, chooser=ALICE)  # hers to choose

    assert await models_heard(studio, listed) == {ALICE: CLONE, BOB: TTS, None: TTS}
    [voice] = (await listed()).own
    assert not voice.shared


async def test_only_the_owner_shares_and_taking_it_back_works_at_once(
    studio: VoiceStudio, listed: Listed
) -> None:
    with pytest.raises(errors.NotYourVoice):
        await studio.share(GROUP, "Alice", owner=BOB, shared=True)
    assert await studio.share(GROUP, "alice", owner=ALICE, shared=True) == "Alice"
    await studio.choose(GROUP, "Alice", can_manage=True, chooser=BOB)
    shared = await models_heard(studio, listed)
    await studio.share(GROUP, "Alice", owner=ALICE, shared=False)
    taken_back = await models_heard(studio, listed)
    still_chosen = (await listed()).chosen

    assert shared == {ALICE: CLONE, BOB: CLONE, None: CLONE}
    assert taken_back == {ALICE: CLONE, BOB: TTS, None: TTS}
    assert still_chosen == "Alice"  # sharing it again brings it back


async def test_a_clone_made_before_spoken_consent_speaks_only_its_owners_words(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork], studio: VoiceStudio
) -> None:
    """As migration 0022 leaves them: unverified, and refused when shared; one marked shared
    by an older version still speaks only for its owner."""
    async with uow_factory() as uow:
        old = ChatVoice("Old", "cloned", sample=b"mp3", sample_mime="audio/mpeg",
                        owner_id=BOB, shared=True)  # fmt: skip
        assert await uow.voices.add(GROUP, old)
        await uow.commit()
    with pytest.raises(errors.VoiceNotVerified):
        await studio.share(GROUP, "old", owner=BOB, shared=True)
    prefs = Preferences(voice="Old")
    heard = {a: (await studio.speaker(GROUP, prefs, author=a)).model for a in (ALICE, BOB, None)}

    assert heard == {ALICE: TTS, BOB: CLONE, None: TTS}
