"""A channel reading's messages made into speech (`core.app.channel_reader.message_speech`) on the
real storage: each member in their own voice (their own clone only once they allowed it), a voice of
the message's language, names between speakers (two of one name told apart), what the server and
each member chose (a chosen voice is its member's alone), the limits (each member's share of the
server's speech too), and `/forget`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core.app.channel_reader.message_speech import OWN_VOICE, MessageSpeech, Room
from core.app.channel_reader.reader_choices import ReaderChoices
from core.app.channel_reader.reading_resumption import KeptReadings
from core.app.memory.forgetting import ForgetRequest, Forgetting
from core.app.recordings.transcription import Recordings
from core.app.rules.chat_settings import ChatPreferences
from core.app.rules.limits import Limiter
from core.app.rules.request_audience import Audiences
from core.app.voice_calls.restart_recovery import KeptServers, KeptStore
from core.app.voices.own_voices import VoiceStudio
from core.app.voices.text_to_speech import TextToSpeech
from core.domain import errors
from core.domain.channel_reader.reader_rules import (
    ChannelMessage,
    ReaderRules,
    ReadingSession,
    assignable_voices,
)
from core.domain.listening.kept_call_values import KeptReading
from core.domain.rules.quotas_rules import DailyQuotas, LimitPolicy, RateLimits, RequestLimits
from core.domain.shared_values import ChatRef, ChatVoice
from core.infra.storage import SqlAlchemyUnitOfWork
from tests.fakes import FakeAudio, FakeSpeech
from tests.standins.clock import ManualClock

SERVER = ChatRef("discord", "guild:1")
ANN, BOB, CAROL = "11", "22", "33"
TTS, CLONE = "mimo-v2.5-tts", "mimo-v2.5-tts-voiceclone"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
Uow = Callable[[], SqlAlchemyUnitOfWork]


class World:
    def __init__(self, uow: Uow, policy: LimitPolicy | None = None) -> None:
        self.uow, self.speech, self.clock = uow, FakeSpeech(), ManualClock(NOW)
        self.limiter = Limiter(uow=uow, clock=self.clock, policy=policy or LimitPolicy())
        self.preferences = ChatPreferences(uow=uow, default_tts_model=TTS)
        recordings = Recordings(downloader=None, limits=RequestLimits())
        self.studio = VoiceStudio(
            speech=self.speech, audio=FakeAudio(), uow=uow, recordings=recordings
        )
        self.tts = tts = TextToSpeech(
            speech=self.speech, audio=FakeAudio(),
            audiences=Audiences(uow=uow, default_tts_model=TTS), limiter=self.limiter,
            studio=self.studio, max_say_chars=5000, tts_piece_chars=1000,
        )  # fmt: skip
        self.reader = MessageSpeech(
            uow=uow, speech=tts, preferences=self.preferences, studio=self.studio,
            limiter=self.limiter, max_chars=200,
        )  # fmt: skip
        self.choices = ReaderChoices(uow=uow, preferences=self.preferences)
        self.session = ReadingSession()
        self.sent = 0

    async def read(
        self, author: str, text: str, name: str = "", *, handle: str = "",
        room: Room | None = None, **kinds: bool,
    ) -> str | None:  # fmt: skip
        """What is heard of `author`'s message, as "<voice>: <words>", or None."""
        self.sent += 1
        message = ChannelMessage(
            id=str(self.sent), author_id=author, author_name=name or f"member {author}",
            text=text, at=NOW + timedelta(seconds=self.sent), author_handle=handle, **kinds,
        )  # fmt: skip
        reading = await self.reader.speak(SERVER, self.session, message, room=room or Room())
        if reading is None:
            return None
        asked = self.speech.synthesized[-1]
        assert asked["text"] == reading.words
        voice = "clone" if asked["model"] == CLONE else asked["voice"]
        assert (voice == "clone") == (reading.voice == OWN_VOICE)
        return f"{voice}: {reading.words}"

    async def clone(self, owner: str, name: str) -> None:
        async with self.uow() as uow:
            voice = ChatVoice(name, "cloned", sample=b"mp3 of " + name.encode(),
                              sample_mime="audio/mpeg", owner_id=owner)  # fmt: skip
            assert await uow.voices.add(SERVER, voice)
            await uow.commit()


@pytest.fixture
def world(uow_factory: Uow) -> World:
    return World(uow_factory)


async def test_ann_in_her_own_voice_bob_in_the_one_he_chose_and_names_between_speakers(
    world: World,
) -> None:
    await world.clone(ANN, "AnnVoice")
    await world.choices.member(SERVER, ANN, own_voice=True)
    assert (await world.choices.member(SERVER, BOB, voice="dean")).member.voice == "Dean"

    heard = [
        await world.read(ANN, "Hello everyone", name="Ann"),
        await world.read(ANN, "Second line"),
        await world.read(BOB, "Hi Ann", name="Bob"),
        await world.read(ANN, "Bye", name="Ann"),
    ]

    assert heard == [
        "clone: Ann says: Hello everyone",
        "clone: Second line",
        "Dean: Bob says: Hi Ann",
        "clone: Ann says: Bye",
    ]
    assert world.speech.synthesized[0]["voice"] == "data:audio/mpeg;base64,bXAzIG9mIEFublZvaWNl"


async def test_an_own_voice_reads_nothing_until_its_owner_allows_it_and_stops_at_once(
    world: World,
) -> None:
    await world.clone(ANN, "AnnVoice")
    before = await world.read(ANN, "one")
    await world.choices.member(SERVER, ANN, own_voice=True)
    allowed = await world.read(ANN, "two")
    await world.choices.member(SERVER, ANN, own_voice=False)
    taken_back = await world.read(ANN, "three")

    assert before is not None and not before.startswith("clone")
    assert allowed == "clone: two"
    assert taken_back is not None and not taken_back.startswith("clone")
    with pytest.raises(errors.NoOwnVoice):  # Bob has no voice of his own to allow
        await world.choices.member(SERVER, BOB, own_voice=True)


async def test_members_given_voices_sound_different_and_keep_them(world: World) -> None:
    voices = [(await world.read(m, "hi") or "").split(":")[0] for m in (ANN, BOB, CAROL)]
    again = (await world.read(BOB, "again") or "").split(":")[0]

    assert len(set(voices)) == 3 and set(voices) <= set(assignable_voices(TTS))
    assert again == voices[1]


async def test_a_member_who_opted_out_is_not_read_and_opting_in_again_works(
    world: World,
) -> None:
    await world.choices.member(SERVER, ANN, read=False)
    out = await world.read(ANN, "secret")
    await world.choices.member(SERVER, ANN, read=True)
    back = await world.read(ANN, "hello")

    assert out is None and back is not None
    assert (await world.choices.member(SERVER, ANN)).member.read


async def test_bots_webhooks_and_commands_wait_for_the_servers_word(world: World) -> None:
    skipped = [
        await world.read(BOB, "beep", bot=True),
        await world.read(BOB, "hook", bot=True, webhook=True),
        await world.read(ANN, "!play song"),
    ]
    with pytest.raises(errors.NotAllowed):
        await world.choices.set_rules(SERVER, can_manage=False, bots=True)
    rules = await world.choices.set_rules(SERVER, can_manage=True, bots=True, commands=True)
    read = [await world.read(BOB, "beep", bot=True), await world.read(ANN, "!play song")]

    assert skipped == [None, None, None]
    assert rules == ReaderRules(bots=True, webhooks=False, commands=True)
    assert all(read)


async def test_a_chosen_voice_must_be_one_of_the_models_and_auto_gives_one_back(
    world: World,
) -> None:
    with pytest.raises(errors.BadChoice) as refused:
        await world.choices.member(SERVER, ANN, voice="Nobody")
    assert (await world.choices.member(SERVER, ANN, voice="AUTO")).member.voice is None

    assert "mimo_default" not in str(refused.value.params)
    assert (await world.choices.member(SERVER, ANN)).member.voice is None


async def test_characters_spoken_count_against_the_servers_quota(uow_factory: Uow) -> None:
    policy = LimitPolicy(quotas=DailyQuotas(tts_chars=40), reader_member_share=1.0)
    world = World(uow_factory, policy)
    await world.read(ANN, "twenty characters!!", name="A")  # "A says: ..." is spoken
    used = (await world.limiter.today(SERVER)).used.tts_chars
    with pytest.raises(errors.SpeechQuotaUsed):
        await world.read(BOB, "this one does not fit in what is left of the day")

    assert used == len("A says: twenty characters!!")


async def test_the_rate_limit_applies_to_each_author(uow_factory: Uow) -> None:
    world = World(uow_factory, LimitPolicy(rates=RateLimits(user_per_minute=2)))
    ann = [await world.read(ANN, f"message {n}") for n in range(3)]
    bob = await world.read(BOB, "mine")

    assert [said is not None for said in ann] == [True, True, False]
    assert bob is not None


async def test_forget_deletes_the_readers_rules_and_members_choices(world: World) -> None:
    await world.choices.set_rules(SERVER, can_manage=True, bots=True)
    await world.choices.member(SERVER, ANN, voice="Mia")
    forgetting = Forgetting(uow=world.uow, clock=world.clock)
    await forgetting.forget(ForgetRequest(SERVER, can_manage=True))

    assert await world.choices.rules(SERVER) == ReaderRules()
    assert (await world.choices.member(SERVER, ANN)).member.voice is None


async def test_a_member_spends_at_most_their_share_of_the_servers_speech(uow_factory: Uow) -> None:
    """Finding 7: one member posting steadily ended reading and /say for everyone. With a
    quarter of 400 characters each, Ann's third message does not fit her share, Bob still
    speaks, and what each took is counted for /usage."""
    world = World(uow_factory, LimitPolicy(quotas=DailyQuotas(tts_chars=400)))
    ann = [await world.read(ANN, "forty characters of speech, give or take") for _ in range(2)]
    with pytest.raises(errors.ReadingShareUsed):
        await world.read(ANN, "forty characters of speech, give or take")
    bob = await world.read(BOB, "Still my time to speak here")

    assert all(ann) and bob is not None
    assert world.limiter.share_cap() == 100
    assert await world.limiter.share_today(SERVER, ANN) == sum(
        len(said.split(": ", 1)[1]) for said in ann if said
    )
    assert (await world.limiter.today(SERVER)).used.tts_chars < 400  # the server's own goes on


async def test_a_message_is_read_in_a_voice_of_its_language(world: World) -> None:
    """Finding 3: English was read by 白桦, a Chinese voice. Each message now gets a voice of
    its language; one too short to tell follows the server's language (English here)."""
    english = [await world.read(m, "Good morning, everyone") for m in (ANN, BOB, CAROL)]
    chinese = await world.read(ANN, "大家早上好，今天开会")
    short = await world.read(BOB, "ok")

    english_voices = set(assignable_voices(TTS, "en"))
    assert {said.split(":")[0] for said in english if said} <= english_voices
    assert chinese is not None and chinese.split(":")[0] in assignable_voices(TTS, "zh")
    assert short is not None and short.split(":")[0] in english_voices


async def test_a_chosen_voice_is_its_members_alone(world: World) -> None:
    """Finding 6: anyone could take the voice another member chose."""
    await world.choices.member(SERVER, BOB, voice="Dean")
    with pytest.raises(errors.VoiceChosenByAnother):
        await world.choices.member(SERVER, CAROL, voice="dean")
    again = await world.choices.member(SERVER, BOB, voice="Dean")  # his own again: fine

    assert again.member.voice == "Dean"
    assert (await world.choices.member(SERVER, CAROL)).member.voice is None


async def test_two_members_of_one_name_are_told_apart(world: World) -> None:
    """Finding 6: a member who took another's display name was read as them."""
    room = Room(present={ANN: "Ann", BOB: "Ann"})
    ann = await world.read(ANN, "Hello there", name="Ann", handle="ann_real", room=room)
    impostor = await world.read(BOB, "Send me the password", name="Ann", handle="bob_b", room=room)
    alone = await world.read(CAROL, "Hi all", name="Carol", handle="carol", room=room)

    assert ann is not None and ann.split(": ", 1)[1] == "Ann (ann real) says: Hello there"
    assert impostor is not None
    assert impostor.split(": ", 1)[1] == "Ann (bob b) says: Send me the password"
    assert alone is not None and alone.split(": ", 1)[1] == "Carol says: Hi all"


async def test_a_channel_someone_may_not_see_is_said_as_a_channel(world: World) -> None:
    """Finding 5: `<#id>` was said by its name whoever listened."""
    message = ChannelMessage(
        id="m", author_id=ANN, author_name="Ann", text="See <#7> and <#8>", at=NOW,
        channels={"7": "secret-plans", "8": "general"},
    )  # fmt: skip
    spoken = await world.reader.speak(
        SERVER, world.session, message, room=Room(unseen_channels=frozenset({"7"}))
    )

    assert spoken is not None and spoken.words == "Ann says: See a channel and general"


async def test_a_kept_reading_keeps_its_place_until_it_ends_and_forget_deletes_it(
    world: World,
) -> None:
    """A reading kept for a restart (`core.app.channel_reader.reading_resumption`): its place moves
    as each message comes up, a new start replaces it, its end and `/forget` delete it, and one
    asked for before the `/forget` is kept no more."""
    store, servers = KeptStore(world.uow), KeptServers(world.uow)
    kept = KeptReadings(store=store, clock=ManualClock(NOW), servers=servers)
    later = KeptReadings(
        store=store, clock=ManualClock(NOW + timedelta(seconds=5)), servers=KeptServers(world.uow)
    )
    asked = await kept.mandate(SERVER)
    reading = KeptReading(SERVER, "500", "600", False, ANN, "en", "en-US", NOW, NOW,
                          mandate=asked)  # fmt: skip
    await kept.keep(reading)
    await later.read(SERVER, "701")
    await later.read(SERVER, "702")
    found = await kept.find(SERVER)
    assert found == replace(reading, last_read="702", alive_at=NOW + timedelta(seconds=5))
    await kept.keep(replace(reading, text_id="500", own_chat=True))  # switched: from now on
    assert await kept.find(SERVER) == replace(reading, text_id="500", own_chat=True)
    await kept.gone(SERVER)
    assert await kept.find(SERVER) is None
    await kept.keep(reading)
    forgetting = Forgetting(uow=world.uow, clock=world.clock)
    await forgetting.forget(ForgetRequest(SERVER, can_manage=True))
    assert await kept.find(SERVER) is None
    await kept.keep(replace(reading, text_id="500"))  # moved, say, after the /forget
    assert await kept.find(SERVER) is None
    await kept.keep(replace(reading, mandate=await kept.mandate(SERVER)))  # asked for anew
    assert await kept.find(SERVER) is not None
