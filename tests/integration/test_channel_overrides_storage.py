"""Channel overrides on real databases: a channel's row exists exactly while it overrides its
server, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable

from core.app.rules.chat_settings import ChatPreferences
from core.app.rules.request_audience import Audiences
from core.chat.answer_languages import Audience
from core.domain.shared_values import ChatRef
from core.infra.storage import SqlAlchemyUnitOfWork

SERVER = ChatRef("discord", "guild:1")
CHANNEL = ChatRef("discord", "channel:2")


async def test_overrides_survive_the_database(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    preferences = ChatPreferences(uow=uow_factory, default_tts_model="mimo-v2.5-tts")
    audiences = Audiences(uow=uow_factory, default_tts_model="mimo-v2.5-tts")

    async def transcribed(channel: ChatRef | None = None) -> bool:
        return (await audiences.request(SERVER, Audience(), channel=channel)).auto_transcribe

    async def own(channel: ChatRef) -> bool | None:
        read = await audiences.request(SERVER, Audience(), channel=channel)
        return read.channel_auto_transcribe

    await preferences.set_auto_transcribe(SERVER, "off", can_manage=True)
    await preferences.set_channel_auto_transcribe(CHANNEL, "on", can_manage=True)

    assert await own(CHANNEL) is True
    assert await transcribed(CHANNEL) is True
    assert await transcribed() is False

    await preferences.set_channel_auto_transcribe(CHANNEL, "inherit", can_manage=True)
    assert await own(CHANNEL) is None
    assert await transcribed(CHANNEL) is False
