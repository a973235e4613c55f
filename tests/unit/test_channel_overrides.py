"""Auto-transcribe per channel: an override wins, `inherit` follows the chat again."""

from __future__ import annotations

import pytest

from core.app.preferences import ChatPreferences
from core.domain import errors
from core.domain.values import ChatRef, Preferences
from core.infra.local_preferences import MemoryUnitOfWork

SERVER = ChatRef("discord", "guild:1")
CHANNEL = ChatRef("discord", "channel:2")


@pytest.fixture
def store() -> dict[ChatRef, Preferences]:
    return {}


@pytest.fixture
def preferences(store: dict[ChatRef, Preferences]) -> ChatPreferences:
    return ChatPreferences(uow=lambda: MemoryUnitOfWork(store), default_tts_model="mimo-v2.5-tts")


async def test_a_channel_without_override_follows_its_server(preferences: ChatPreferences) -> None:
    assert await preferences.channel_auto_transcribe(CHANNEL) is None
    assert (await preferences.get_in(SERVER, CHANNEL)).auto_transcribe is True
    await preferences.set_auto_transcribe(SERVER, "off", can_manage=True)
    assert (await preferences.get_in(SERVER, CHANNEL)).auto_transcribe is False


@pytest.mark.parametrize(("server", "channel"), [("on", "off"), ("off", "on")])
async def test_a_channel_override_wins_either_way(
    preferences: ChatPreferences, server: str, channel: str
) -> None:
    await preferences.set_auto_transcribe(SERVER, server, can_manage=True)
    assert await preferences.set_channel_auto_transcribe(CHANNEL, channel, can_manage=True) is (
        channel == "on"
    )

    assert (await preferences.get_in(SERVER, CHANNEL)).auto_transcribe is (channel == "on")
    rest_of_the_server = (await preferences.get_in(SERVER)).auto_transcribe
    assert rest_of_the_server is (server == "on")
    assert await preferences.channel_auto_transcribe(CHANNEL) is (channel == "on")


async def test_inherit_removes_the_override(
    preferences: ChatPreferences, store: dict[ChatRef, Preferences]
) -> None:
    await preferences.set_auto_transcribe(SERVER, "off", can_manage=True)
    await preferences.set_channel_auto_transcribe(CHANNEL, "on", can_manage=True)

    assert (
        await preferences.set_channel_auto_transcribe(CHANNEL, "inherit", can_manage=True) is None
    )

    assert (await preferences.get_in(SERVER, CHANNEL)).auto_transcribe is False
    assert CHANNEL not in store


async def test_channel_overrides_need_a_manager_and_a_known_value(
    preferences: ChatPreferences,
) -> None:
    with pytest.raises(errors.NotAllowed):
        await preferences.set_channel_auto_transcribe(CHANNEL, "off", can_manage=False)
    with pytest.raises(errors.BadChoice) as refused:
        await preferences.set_channel_auto_transcribe(CHANNEL, "sometimes", can_manage=True)
    assert refused.value.params["choices"] == "on, off, inherit"
    assert await preferences.channel_auto_transcribe(CHANNEL) is None
