"""The use cases, with in-memory ports."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.app.service import VoiceService
from core.domain import errors
from core.domain.limits import RequestLimits
from core.domain.quantities import Duration, Megabytes
from core.domain.values import ChatRef, Preferences
from core.infra.local_preferences import MemoryUnitOfWork
from core.ports import RemoteRecording
from tests.fakes import FakeAudio, FakeSpeech

CHAT = ChatRef("telegram", "42")
OTHER = ChatRef("discord", "42")


@pytest.fixture
def store() -> dict[ChatRef, Preferences]:
    return {}


@pytest.fixture
def speech() -> FakeSpeech:
    return FakeSpeech()


@pytest.fixture
def service(store: dict[ChatRef, Preferences], speech: FakeSpeech) -> VoiceService:
    return VoiceService(
        speech=speech,
        audio=FakeAudio(piece=4),
        uow=lambda: MemoryUnitOfWork(store),
        default_tts_model="mimo-v2.5-tts",
        limits=RequestLimits(max_say_chars=50, max_audio_bytes=1000),
    )


async def test_transcript_joins_pieces_in_order(service: VoiceService, tmp_path: Path) -> None:
    source = tmp_path / "a.ogg"
    source.write_bytes(b"abcdefghij")

    transcript = await service.transcribe(CHAT, source)

    assert transcript.text == "text of abcd text of efgh text of ij"
    assert transcript.duration == 3.0


async def test_transcription_uses_the_chat_language(
    service: VoiceService, speech: FakeSpeech, tmp_path: Path
) -> None:
    await service.set_language(CHAT, "ZH", can_manage=True)
    source = tmp_path / "a.ogg"
    source.write_bytes(b"ab")

    await service.transcribe(CHAT, source)

    assert speech.transcribed == [(b"ab", "audio/mpeg", "zh")]


async def test_say_uses_the_chosen_voice_and_style(
    service: VoiceService, speech: FakeSpeech
) -> None:
    await service.set_voice(CHAT, "mia", can_manage=True)
    await service.set_style(CHAT, "  happy\n and  bright ", can_manage=True)

    note = await service.say(CHAT, "Hello there")

    assert note.data == b"OggSRIFF-fake-wav"
    assert speech.synthesized == [
        {
            "text": "Hello there",
            "voice": "Mia",
            "style": "happy and bright",
            "model": "mimo-v2.5-tts",
        }
    ]


async def test_say_refuses_empty_and_overlong_text(service: VoiceService) -> None:
    with pytest.raises(errors.EmptyText):
        await service.say(CHAT, " \n\t\x00 ")
    with pytest.raises(errors.TextTooLong) as caught:
        await service.say(CHAT, "x" * 51)
    assert caught.value.params == {"length": 51, "limit": 50}


async def test_say_drops_control_characters(service: VoiceService, speech: FakeSpeech) -> None:
    await service.say(CHAT, "hi\x07 there\x1b")
    assert speech.synthesized[0]["text"] == "hi there"


async def test_unknown_voice_lists_the_choices(service: VoiceService) -> None:
    with pytest.raises(errors.BadChoice) as caught:
        await service.set_voice(CHAT, "Gandalf", can_manage=True)
    assert "Mia" in caught.value.params["choices"]


async def test_bad_language_and_switch_values_are_refused(service: VoiceService) -> None:
    with pytest.raises(errors.BadChoice):
        await service.set_language(CHAT, "fr", can_manage=True)
    with pytest.raises(errors.BadChoice):
        await service.set_auto_transcribe(CHAT, "maybe", can_manage=True)


async def test_style_off_clears_it(service: VoiceService) -> None:
    await service.set_style(CHAT, "whisper", can_manage=True)
    assert await service.set_style(CHAT, "off", can_manage=True) is None
    assert (await service.preferences(CHAT)).style is None


async def test_members_without_rights_cannot_change_settings(
    service: VoiceService, store: dict[ChatRef, Preferences]
) -> None:
    with pytest.raises(errors.NotAllowed):
        await service.set_auto_transcribe(CHAT, "off", can_manage=False)
    assert store == {}


async def test_preferences_are_kept_per_platform_and_chat(service: VoiceService) -> None:
    await service.set_auto_transcribe(CHAT, "off", can_manage=True)

    assert (await service.preferences(CHAT)).auto_transcribe is False
    assert (await service.preferences(OTHER)).auto_transcribe is True


async def test_a_voice_missing_from_the_model_falls_back_to_its_default(
    service: VoiceService, store: dict[ChatRef, Preferences], speech: FakeSpeech
) -> None:
    store[CHAT] = Preferences(voice="Mia", tts_model="mimo-v2-tts")

    await service.say(CHAT, "hello")

    assert speech.synthesized[0]["voice"] == "mimo_default"
    assert speech.synthesized[0]["model"] == "mimo-v2-tts"


async def test_recordings_declared_too_big_or_too_long_are_refused_before_download(
    service: VoiceService, speech: FakeSpeech, tmp_path: Path
) -> None:
    """MAX_AUDIO_MB (1000 bytes here) and MAX_AUDIO_SECONDS (an hour) judge what a platform
    declares first; the file itself, once fetched, is judged again."""
    located: list[str] = []
    small = tmp_path / "small.ogg"
    small.write_bytes(b"abcd")

    def declared(size: int, seconds: float | None) -> RemoteRecording:
        async def locate() -> Path:
            located.append(f"{size} B, {seconds} s")
            return small

        return RemoteRecording(locate, size=size, seconds=seconds)

    refusals = []
    for size, seconds in [(1001, 3), (100, 3601), (100, 3600), (100, None)]:
        try:
            await service.transcribe(CHAT, declared(size, seconds))
        except errors.AudioTooLarge as refusal:
            refusals.append(refusal.params["limit"])
    big = tmp_path / "big.ogg"
    big.write_bytes(b"x" * 1001)
    with pytest.raises(errors.AudioTooLarge):
        await service.transcribe(CHAT, big)

    assert refusals == [Megabytes(0), Duration(3600)]
    assert located == ["100 B, 3600 s", "100 B, None s"]
    assert len(speech.transcribed) == 2


async def test_ask_sends_the_recording_and_the_question(
    service: VoiceService, speech: FakeSpeech, tmp_path: Path
) -> None:
    source = tmp_path / "a.ogg"
    source.write_bytes(b"sound")

    answer = await service.ask(CHAT, source, "  who speaks? ")

    assert answer.text == "answer to who speaks?"
    assert speech.asked == [(b"sound", "audio/ogg", "who speaks?")]


async def test_long_text_is_read_aloud_in_sentence_pieces_joined_in_order(
    service: VoiceService, speech: FakeSpeech
) -> None:
    await service.set_voice(CHAT, "Dean", can_manage=True)
    text = (
        "First sentence is here. Second sentence is here. "  # 48 characters: one request
        "Third one is here too. Fourth sentence goes right here."
    )

    note = await service.read_aloud(CHAT, text, max_pieces=2)

    assert [s["text"] for s in speech.synthesized] == [
        "First sentence is here. Second sentence is here.",
        "Third one is here too.",
    ]
    assert {s["voice"] for s in speech.synthesized} == {"Dean"}
    assert note.data == b"OggS" + b"+".join([b"RIFF-fake-wav"] * 2)
