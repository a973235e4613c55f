"""Lists longer than one message, on both platforms: a chat's 20 own voices with the longest
descriptions allowed, in the language whose catalogue makes `/voice` longest, reach the person
in several messages, each within the platform's limit and broken between lines, and `/help`,
`/settings` and `/usage` in that language are sent too (the stand-ins refuse over-long
messages: Telegram 4,096 UTF-16 code units, Discord 2,000 characters)."""

from __future__ import annotations

from collections.abc import Callable

from bots.discord import discord_wording as discord_messages
from bots.telegram import telegram_wording as telegram_messages
from core.app.voices.own_voices import MAX_CHAT_VOICES, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS
from core.chat.answer_languages import LOCALES, resolve_locale
from core.chat.i18n import Catalogue
from core.chat.settings_wording import catalogue_text, own_voice_line
from core.domain.message_splitting import Measure, utf16_units
from core.domain.shared_values import ChatRef, ChatVoice, VoiceCatalogue
from core.domain.voices.preset_voices import default_voice, voices_for
from core.infra.storage import SqlAlchemyUnitOfWork
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.standins import discord_api as discord_standin
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
TTS_MODEL = "mimo-v2.5-tts"
TELEGRAM_LIMIT, DISCORD_LIMIT = 4096, 2000
ALICE = 3001

# Every name and description as long as allowed, in characters outside the BMP, which
# Telegram counts twice.
LONGEST_VOICES = tuple(
    ChatVoice(
        name=f"{'𝐕' * (MAX_NAME_CHARS - 2)}{number:02d}",
        kind="designed",
        description="🎙" * MAX_DESCRIPTION_CHARS,
        sample=b"ID3",
        sample_mime="audio/mpeg",
    )
    for number in range(MAX_CHAT_VOICES)
)


def longest_locale(measure: Measure, wording: Catalogue) -> str:
    """The language in which `/voice` lists `LONGEST_VOICES` at the greatest length, in a
    platform's `wording`."""
    voices = VoiceCatalogue(default_voice(TTS_MODEL), voices_for(TTS_MODEL), LONGEST_VOICES)
    return max(LOCALES, key=lambda locale: measure(catalogue_text(voices, locale, wording=wording)))


async def give_voices(uow_factory: UowFactory, chat: ChatRef) -> None:
    async with uow_factory() as uow:
        for voice in LONGEST_VOICES:
            assert await uow.voices.add(chat, voice)
        await uow.commit()


def each_line_whole_once(pieces: list[str], locale: str) -> bool:
    """Whether every voice's line is in exactly one of `pieces`, whole."""
    lines = [line for piece in pieces for line in piece.split("\n")]
    return all(lines.count(own_voice_line(v, locale)) == 1 for v in LONGEST_VOICES)


async def test_telegram_lists_twenty_long_voices_in_messages_it_takes(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, uow_factory: UowFactory
) -> None:
    locale = longest_locale(utf16_units, telegram_messages.CATALOGUE)
    await give_voices(uow_factory, ChatRef("telegram", str(ALICE)))
    bot_api.set_user_language(ALICE, locale.replace("_", "-").lower())

    def refused() -> bool:
        return len(bot_api.sent("sendMessage", include_rejected=True)) > len(
            bot_api.sent("sendMessage")
        )

    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        bot_api.push(bot_api.text_message(chat_id=ALICE, user_id=ALICE, text="/voice"))
        await bot_api.wait_until(
            lambda: refused() or each_line_whole_once(bot_api.texts(ALICE), locale),
            what="every voice listed",
        )
        listed = bot_api.texts(ALICE)
        for command in ("/help", "/settings", "/usage"):
            already = len(bot_api.sent("sendMessage", chat_id=ALICE))
            bot_api.push(bot_api.text_message(chat_id=ALICE, user_id=ALICE, text=command))
            await bot_api.wait_for("sendMessage", count=already + 1, chat_id=ALICE)

    assert not refused(), "Telegram refused a message"
    assert each_line_whole_once(listed, locale)
    assert len(listed) > 1 and all(utf16_units(piece) <= TELEGRAM_LIMIT for piece in listed)


async def test_discord_lists_twenty_long_voices_in_messages_it_takes(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    database_url: str,
    uow_factory: UowFactory,
) -> None:
    locale = longest_locale(len, discord_messages.CATALOGUE)
    tag = next(t for t in sorted(discord_standin.LOCALES) if resolve_locale(t) == locale)
    alice = discord_api.add_member(server, "alice", locale=tag)
    await give_voices(uow_factory, ChatRef("discord", f"guild:{server.id}"))

    def refused() -> bool:
        sends = [c for c in discord_api.calls if "messages" in c.route or "webhooks" in c.route]
        return not all(call.ok for call in sends)

    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(server.general, alice, "voice")
        await discord_api.wait_until(
            lambda: refused() or each_line_whole_once([m.content for m in asked.visible], locale),
            timeout=15,
            what="every voice listed",
        )
        listed = [message.content for message in asked.visible]
        for command in ("help", "settings", "usage"):
            await (await discord_api.slash(server.general, alice, command)).wait_for_messages()

    assert not refused(), "Discord refused a message"
    assert each_line_whole_once(listed, locale)
    assert len(listed) > 1 and all(len(piece) <= DISCORD_LIMIT for piece in listed)
