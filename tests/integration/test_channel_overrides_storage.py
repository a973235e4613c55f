"""Channel overrides on real databases: a channel's row exists exactly while it overrides its
server, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable

from core.app.preferences import ChatPreferences
from core.domain.values import ChatRef
from core.infra.storage import SqlAlchemyUnitOfWork

SERVER = ChatRef("discord", "guild:1")
CHANNEL = ChatRef("discord", "channel:2")


async def test_overrides_survive_the_database(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    preferences = ChatPreferences(uow=uow_factory, default_tts_model="mimo-v2.5-tts")
    await preferences.set_auto_transcribe(SERVER, "off", can_manage=True)
    await preferences.set_channel_auto_transcribe(CHANNEL, "on", can_manage=True)

    assert await preferences.channel_auto_transcribe(CHANNEL) is True
    assert (await preferences.get_in(SERVER, CHANNEL)).auto_transcribe is True
    assert (await preferences.get_in(SERVER)).auto_transcribe is False

    await preferences.set_channel_auto_transcribe(CHANNEL, "inherit", can_manage=True)
    assert await preferences.channel_auto_transcribe(CHANNEL) is None
    assert (await preferences.get_in(SERVER, CHANNEL)).auto_transcribe is False
