"""Auto-transcribe per channel: an override wins, `inherit` follows the chat again."""

from __future__ import annotations

import pytest

from core.app.service import VoiceService
from core.domain import errors
from core.domain.values import ChatRef, Preferences
from core.infra.local_preferences import MemoryUnitOfWork
from tests.fakes import FakeAudio, FakeSpeech

SERVER = ChatRef("discord", "guild:1")
CHANNEL = ChatRef("discord", "channel:2")


@pytest.fixture
def store() -> dict[ChatRef, Preferences]:
    return {}


@pytest.fixture
def service(store: dict[ChatRef, Preferences]) -> VoiceService:
    return VoiceService(
        speech=FakeSpeech(),
        audio=FakeAudio(),
        uow=lambda: MemoryUnitOfWork(store),
        default_tts_model="mimo-v2.5-tts",
    )


async def test_a_channel_without_override_follows_its_server(service: VoiceService) -> None:
    assert await service.channel_auto_transcribe(CHANNEL) is None
    assert await service.auto_transcribe_in(SERVER, CHANNEL) is True
    await service.set_auto_transcribe(SERVER, "off", can_manage=True)
    assert await service.auto_transcribe_in(SERVER, CHANNEL) is False


@pytest.mark.parametrize(("server", "channel"), [("on", "off"), ("off", "on")])
async def test_a_channel_override_wins_either_way(
    service: VoiceService, server: str, channel: str
) -> None:
    await service.set_auto_transcribe(SERVER, server, can_manage=True)
    assert await service.set_channel_auto_transcribe(CHANNEL, channel, can_manage=True) is (
        channel == "on"
    )

    assert await service.auto_transcribe_in(SERVER, CHANNEL) is (channel == "on")
    assert await service.auto_transcribe_in(SERVER) is (server == "on")  # the rest of the server
    assert await service.channel_auto_transcribe(CHANNEL) is (channel == "on")


async def test_inherit_removes_the_override(
    service: VoiceService, store: dict[ChatRef, Preferences]
) -> None:
    await service.set_auto_transcribe(SERVER, "off", can_manage=True)
    await service.set_channel_auto_transcribe(CHANNEL, "on", can_manage=True)

    assert await service.set_channel_auto_transcribe(CHANNEL, "inherit", can_manage=True) is None

    assert await service.auto_transcribe_in(SERVER, CHANNEL) is False
    assert CHANNEL not in store


async def test_channel_overrides_need_a_manager_and_a_known_value(service: VoiceService) -> None:
    with pytest.raises(errors.NotAllowed):
        await service.set_channel_auto_transcribe(CHANNEL, "off", can_manage=False)
    with pytest.raises(errors.BadChoice) as refused:
        await service.set_channel_auto_transcribe(CHANNEL, "sometimes", can_manage=True)
    assert refused.value.params["choices"] == "on, off, inherit"
    assert await service.channel_auto_transcribe(CHANNEL) is None
