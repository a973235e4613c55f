"""Auto-transcribe per channel: an override wins, `inherit` follows the chat again."""

from __future__ import annotations

import pytest

from core.app.rules.chat_settings import ChatPreferences
from core.app.rules.request_audience import Audiences
from core.chat.answer_languages import Audience
from core.domain import errors
from core.domain.shared_values import ChatRef, Preferences
from core.infra.local_settings import LocalUnitOfWork

SERVER = ChatRef("discord", "guild:1")
CHANNEL = ChatRef("discord", "channel:2")


@pytest.fixture
def preferences(store: dict[ChatRef, Preferences]) -> ChatPreferences:
    return ChatPreferences(uow=lambda: LocalUnitOfWork(store), default_tts_model="mimo-v2.5-tts")


@pytest.fixture
def audiences(store: dict[ChatRef, Preferences]) -> Audiences:
    return Audiences(uow=lambda: LocalUnitOfWork(store), default_tts_model="mimo-v2.5-tts")


async def transcribed_in(audiences: Audiences, channel: ChatRef | None = None) -> bool:
    """Whether a voice message in `channel` of the server (None: anywhere else in it) is
    transcribed unasked, as the request read for it says (`Audiences.request`)."""
    return (await audiences.request(SERVER, Audience(), channel=channel)).auto_transcribe


async def own(audiences: Audiences) -> bool | None:
    """The channel's own auto-transcribe, as a request in it reads it (None: it follows)."""
    return (await audiences.request(SERVER, Audience(), channel=CHANNEL)).channel_auto_transcribe


async def test_a_channel_without_override_follows_its_server(
    preferences: ChatPreferences, audiences: Audiences
) -> None:
    assert await own(audiences) is None
    assert await transcribed_in(audiences, CHANNEL) is True
    await preferences.set_auto_transcribe(SERVER, "off", can_manage=True)
    assert await transcribed_in(audiences, CHANNEL) is False


@pytest.mark.parametrize(("server", "channel"), [("on", "off"), ("off", "on")])
async def test_a_channel_override_wins_either_way(
    preferences: ChatPreferences, audiences: Audiences, server: str, channel: str
) -> None:
    await preferences.set_auto_transcribe(SERVER, server, can_manage=True)
    assert await preferences.set_channel_auto_transcribe(CHANNEL, channel, can_manage=True) is (
        channel == "on"
    )

    assert await transcribed_in(audiences, CHANNEL) is (channel == "on")
    rest_of_the_server = await transcribed_in(audiences)
    assert rest_of_the_server is (server == "on")
    assert await own(audiences) is (channel == "on")


async def test_inherit_removes_the_override(
    preferences: ChatPreferences, audiences: Audiences, store: dict[ChatRef, Preferences]
) -> None:
    await preferences.set_auto_transcribe(SERVER, "off", can_manage=True)
    await preferences.set_channel_auto_transcribe(CHANNEL, "on", can_manage=True)

    assert (
        await preferences.set_channel_auto_transcribe(CHANNEL, "inherit", can_manage=True) is None
    )

    assert await transcribed_in(audiences, CHANNEL) is False
    assert CHANNEL not in store


async def test_channel_overrides_need_a_manager_and_a_known_value(
    preferences: ChatPreferences, audiences: Audiences
) -> None:
    with pytest.raises(errors.NotAllowed):
        await preferences.set_channel_auto_transcribe(CHANNEL, "off", can_manage=False)
    with pytest.raises(errors.BadChoice) as refused:
        await preferences.set_channel_auto_transcribe(CHANNEL, "sometimes", can_manage=True)
    assert refused.value.params["choices"] == "on, off, inherit"
    assert await own(audiences) is None
