"""Who asks and whom an answer is for, read once per event in the core
(`core.app.rules.request_audience`)."""

from __future__ import annotations

from core.app.rules.request_audience import Audiences
from core.chat.answer_languages import Audience
from core.domain.rules.quotas_rules import asked_by
from core.domain.shared_values import ChatRef, Preferences
from core.infra.local_settings import LocalUnitOfWork

GROUP = ChatRef("telegram", "-100")


class CountedUnitsOfWork:
    """Hands out units of work on `store`, counting them."""

    def __init__(self, store: dict[ChatRef, Preferences]) -> None:
        self.store = store
        self.opened = 0

    def __call__(self) -> LocalUnitOfWork:
        self.opened += 1
        return LocalUnitOfWork(self.store)


async def test_an_answer_is_in_the_askers_language_and_the_chats_posts_in_its_own() -> None:
    units = CountedUnitsOfWork({GROUP: Preferences(interface_language="de", voice="Mia")})
    audiences = Audiences(uow=units, default_tts_model="mimo-v2.5-tts")
    answer = await audiences.request(GROUP, Audience(person="ja"), asker=asked_by(7))
    assert (answer.locale, answer.chat_locale) == ("ja", "de")
    assert answer.prefs.voice == "Mia" and answer.tts_model == "mimo-v2.5-tts"
    assert answer.asker == asked_by(7)  # who asks travels with it, to the use case's limits
    assert units.opened == 1  # everything the adapter and the use case need, from one reading


async def test_without_a_person_the_answer_is_for_the_chat_and_its_platform() -> None:
    units = CountedUnitsOfWork({GROUP: Preferences(commander_language="ko")})
    audiences = Audiences(uow=units, default_tts_model="mimo-v2.5-tts")
    assert (await audiences.request(GROUP, Audience())).locale == "ko"
    # A Discord server's own language comes before the last commander's.
    server = await audiences.request(GROUP, Audience(platform="fr"))
    assert (server.locale, server.chat_locale) == ("fr", "fr")
    assert await audiences.chat_locale(ChatRef("telegram", "1")) == "en"


async def test_a_commander_is_noted_in_the_same_unit_of_work_and_leads_the_chats_posts() -> None:
    store: dict[ChatRef, Preferences] = {}
    units = CountedUnitsOfWork(store)
    audiences = Audiences(uow=units, default_tts_model="mimo-v2.5-tts")
    answer = await audiences.request(GROUP, Audience(person="ko"), commander=True)
    assert (answer.locale, answer.chat_locale) == ("ko", "ko")
    assert store[GROUP].commander_language == "ko"
    assert units.opened == 1
    # Someone the bot cannot speak to in their language leaves it as it was.
    assert (await audiences.request(GROUP, Audience(), commander=True)).chat_locale == "ko"
