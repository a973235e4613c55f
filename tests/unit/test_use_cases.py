"""The use cases the bots and the command line share (`core.bootstrap.UseCases`): transcripts,
speech, answers, gists and translations, a chat's preferences and inline mode's voices, with
in-memory ports."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.app.rules.request_audience import Request
from core.app.voices.inline_mode import InlineVoices
from core.app.voices.text_to_speech import SayAsked
from core.bootstrap import UseCases
from core.chat.status_messages import translation_below
from core.domain import errors
from core.domain.quantities import Duration, Megabytes
from core.domain.recordings.transcript_values import LongTranscript, TranscriptPart
from core.domain.rules.quotas_rules import RequestLimits
from core.domain.shared_values import Answer, ChatRef, Preferences, VoiceNote
from core.domain.voices.inline_voice_cache_key import CachedVoice
from core.domain.voices.spoken_language import speaks
from core.infra.local_settings import LocalUnitOfWork, MemoryPreferences
from core.ports import RemoteRecording, SystemClock
from tests.fakes import FakeAudio, FakeSpeech, asked, fake_use_cases

CHAT = ChatRef("telegram", "42")
OTHER = ChatRef("discord", "42")


@pytest.fixture
def cases(store: dict[ChatRef, Preferences], speech: FakeSpeech) -> UseCases:
    return fake_use_cases(
        speech=speech,
        audio=FakeAudio(piece=4),
        uow=lambda: LocalUnitOfWork(store),
        default_tts_model="mimo-v2.5-tts",
        limits=RequestLimits(max_say_chars=50, max_audio_bytes=1000),
    )


async def transcribed_by_cases(cases: UseCases, source: Path | RemoteRecording) -> LongTranscript:
    """`source`'s transcript, by the chat's preferences as a request in it reads them."""
    prefs = (await asked(cases, CHAT)).prefs
    return await cases.transcription.transcribe_recording(CHAT, source, prefs=prefs)


async def say_once(cases: UseCases, text: str) -> VoiceNote:
    """`/say text` in the chat: its one voice note."""
    [note] = (await cases.speech.say_notes(SayAsked(chat=CHAT, text=text))).notes
    return note


def read_with(prefs: Preferences) -> Request:
    """A request in the chat, answered in English, that read `prefs`."""
    return Request(chat=CHAT, locale="en", chat_locale="en", prefs=prefs, tts_model="mimo-v2.5-tts")


async def test_transcript_joins_pieces_in_order(cases: UseCases, tmp_path: Path) -> None:
    source = tmp_path / "a.ogg"
    source.write_bytes(b"abcdefghij")

    heard = await transcribed_by_cases(cases, source)
    transcript = heard.as_transcript()

    assert transcript.text == "text of abcd text of efgh text of ij"
    assert transcript.duration == 3.0


async def test_transcription_uses_the_chat_language(
    cases: UseCases, speech: FakeSpeech, tmp_path: Path
) -> None:
    await cases.preferences.set_language(CHAT, "ZH", can_manage=True)
    source = tmp_path / "a.ogg"
    source.write_bytes(b"ab")

    await transcribed_by_cases(cases, source)

    assert speech.transcribed == [(b"ab", "audio/mpeg", "zh")]


async def test_say_uses_the_chosen_voice_and_style(cases: UseCases, speech: FakeSpeech) -> None:
    await cases.preferences.set_voice(CHAT, "mia", can_manage=True)
    await cases.preferences.set_style(CHAT, "  happy\n and  bright ", can_manage=True)

    note = await say_once(cases, "Hello there")

    assert note.data == b"OggSRIFF-fake-wav"
    assert speech.synthesized == [
        {
            "text": "Hello there",
            "voice": "Mia",
            "style": "happy and bright",
            "model": "mimo-v2.5-tts",
        }
    ]


async def test_say_refuses_empty_and_overlong_text(cases: UseCases) -> None:
    with pytest.raises(errors.EmptyText):
        await say_once(cases, " \n\t\x00 ")
    with pytest.raises(errors.TextTooLong) as caught:
        await say_once(cases, "x" * 51)
    assert caught.value.params == {"length": 51, "limit": 50, "setting": "MAX_SAY_CHARS"}


async def test_say_drops_control_characters(cases: UseCases, speech: FakeSpeech) -> None:
    await say_once(cases, "hi\x07 there\x1b")
    assert speech.synthesized[0]["text"] == "hi there"


async def test_unknown_voice_lists_the_choices(cases: UseCases) -> None:
    with pytest.raises(errors.BadChoice) as caught:
        await cases.preferences.set_voice(CHAT, "Gandalf", can_manage=True)
    assert "Mia" in caught.value.params["choices"]


async def test_bad_language_and_switch_values_are_refused(cases: UseCases) -> None:
    with pytest.raises(errors.BadChoice):
        await cases.preferences.set_language(CHAT, "fr", can_manage=True)
    with pytest.raises(errors.BadChoice):
        await cases.preferences.set_auto_transcribe(CHAT, "maybe", can_manage=True)


async def test_style_off_clears_it(cases: UseCases) -> None:
    await cases.preferences.set_style(CHAT, "whisper", can_manage=True)
    assert await cases.preferences.set_style(CHAT, "off", can_manage=True) is None
    assert (await cases.preferences.get(CHAT)).style is None


async def test_members_without_rights_cannot_change_settings(
    cases: UseCases, store: dict[ChatRef, Preferences]
) -> None:
    with pytest.raises(errors.NotAllowed):
        await cases.preferences.set_auto_transcribe(CHAT, "off", can_manage=False)
    assert store == {}


async def test_preferences_are_kept_per_platform_and_chat(cases: UseCases) -> None:
    await cases.preferences.set_auto_transcribe(CHAT, "off", can_manage=True)

    assert (await cases.preferences.get(CHAT)).auto_transcribe is False
    assert (await cases.preferences.get(OTHER)).auto_transcribe is True


async def test_a_voice_missing_from_the_model_falls_back_to_its_default(
    cases: UseCases, store: dict[ChatRef, Preferences], speech: FakeSpeech
) -> None:
    store[CHAT] = Preferences(voice="Mia", tts_model="mimo-v2-tts")

    await say_once(cases, "hello")

    assert speech.synthesized[0]["voice"] == "mimo_default"
    assert speech.synthesized[0]["model"] == "mimo-v2-tts"


async def test_recordings_declared_too_big_or_too_long_are_refused_before_download(
    cases: UseCases, speech: FakeSpeech, tmp_path: Path
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
            await transcribed_by_cases(cases, declared(size, seconds))
        except errors.AudioTooLarge as refusal:
            refusals.append(refusal.params["limit"])
    big = tmp_path / "big.ogg"
    big.write_bytes(b"x" * 1001)
    with pytest.raises(errors.AudioTooLarge):
        await transcribed_by_cases(cases, big)

    assert refusals == [Megabytes(0), Duration(3600)]
    assert located == ["100 B, 3600 s", "100 B, None s"]
    assert len(speech.transcribed) == 2


async def test_ask_sends_the_recording_and_the_question(
    cases: UseCases, speech: FakeSpeech, tmp_path: Path
) -> None:
    source = tmp_path / "a.ogg"
    source.write_bytes(b"sound")

    answer = await cases.questions.ask(await asked(cases, CHAT), source, "  who speaks? ")

    assert answer.text == "answer to who speaks?"
    assert speech.asked == [(b"sound", "audio/ogg", "who speaks?")]


async def test_long_text_is_read_aloud_in_sentence_pieces_joined_in_order(
    cases: UseCases, speech: FakeSpeech
) -> None:
    await cases.preferences.set_voice(CHAT, "Dean", can_manage=True)
    text = (
        "First sentence is here. Second sentence is here. "  # 48 characters: one request
        "Third one is here too. Fourth sentence goes right here."
    )

    note = await cases.speech.read_aloud(await asked(cases, CHAT), text, max_pieces=2)

    assert [s["text"] for s in speech.synthesized] == [
        "First sentence is here. Second sentence is here.",
        "Third one is here too.",
    ]
    assert {s["voice"] for s in speech.synthesized} == {"Dean"}
    assert note.data == b"OggS" + b"+".join([b"RIFF-fake-wav"] * 2)


# --- what a transcript brings along (the bots' `core.app.voice_note_events`)
# ----------------------


class FakeChat:
    """The chat model: the prompts it was sent, and `answer` to each."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.prompts: list[str] = []

    async def chat(
        self, prompt: str, *, system: str | None = None, max_tokens: int | None = None
    ) -> Answer:
        self.prompts.append(prompt)
        return Answer(text=self.answer)


def long_transcript(text: str, seconds: float) -> LongTranscript:
    return LongTranscript(parts=(TranscriptPart(0.0, seconds, text),), duration=seconds)


async def test_an_automatic_gist_condenses_what_was_heard_when_the_chat_wants_one_that_long(
    store: dict[ChatRef, Preferences], speech: FakeSpeech
) -> None:
    chat = FakeChat('{"gist": "They agree on Friday.", "points": [], "decisions": []}')
    cases = fake_use_cases(
        speech=speech, audio=FakeAudio(), uow=lambda: LocalUnitOfWork(store), chat_api=chat
    )
    wants = read_with(Preferences(gist_minutes=2))
    gists = cases.gists

    note = Path("note.ogg")  # what was heard, not heard again
    unwanted = read_with(Preferences())
    assert await gists.automatic(unwanted, note, long_transcript("we meet", 600)) is None
    assert await gists.automatic(wants, note, long_transcript("we meet", 119)) is None
    assert await gists.automatic(wants, note, long_transcript("  ", 600)) is None
    assert chat.prompts == []
    gist = await gists.automatic(wants, note, long_transcript("we meet on Friday", 120))

    assert gist is not None and gist.headline == "They agree on Friday."
    assert gist.transcript == long_transcript("we meet on Friday", 120)
    assert len(chat.prompts) == 1 and "[00:00] we meet on Friday" in chat.prompts[0]
    assert speech.transcribed == []  # condensed as heard: not transcribed again


async def test_a_translation_goes_below_a_transcript_only_where_the_chat_asked_for_one(
    store: dict[ChatRef, Preferences],
) -> None:
    chat = FakeChat("Wir treffen uns am Freitag.")
    cases = fake_use_cases(
        speech=FakeSpeech(), audio=FakeAudio(), uow=lambda: LocalUnitOfWork(store), chat_api=chat
    )
    below = cases.translations.below
    words = "We meet on Friday."

    assert await below(read_with(Preferences()), words) is None
    assert chat.prompts == []
    german = read_with(Preferences(autotranslate="German"))
    shown = await below(german, words)

    assert shown == translation_below("German", "Wir treffen uns am Freitag.", "en")
    assert shown.endswith("\nWir treffen uns am Freitag.")
    assert len(chat.prompts) == 1 and words in chat.prompts[0]
    chat.answer = words  # given back unchanged: nothing to show
    assert await below(german, words) is None


async def test_a_translation_is_spoken_only_in_a_language_the_speech_model_speaks(
    cases: UseCases, speech: FakeSpeech
) -> None:
    assert speaks("English") and speaks("Chinese (Simplified)") and not speaks("German")
    request = await asked(cases, CHAT)
    unspoken = await cases.speech.spoken_translation(
        request, "Wir treffen uns.", language="German", speaker_id=None
    )
    assert unspoken is None and speech.synthesized == []

    note = await cases.speech.spoken_translation(
        request, "We meet.", language="English", speaker_id=None
    )

    assert note is not None and note.data == b"OggSRIFF" + b"\x00\x00" * 240  # as it was spoken
    assert [s["text"] for s in speech.synthesized] == ["We meet."]


class InlineStore:
    """Inline mode's rendered voices, in memory."""

    def __init__(self, store: dict[ChatRef, Preferences], kept: dict[str, CachedVoice]) -> None:
        self.uow = LocalUnitOfWork(store)
        self.kept = kept

    @property
    def preferences(self) -> MemoryPreferences:
        return self.uow.preferences

    @property
    def inline_voices(self) -> InlineStore:
        return self

    async def get(self, key: str) -> CachedVoice | None:
        return self.kept.get(key)

    async def save(self, key: str, voice: CachedVoice, **noted: object) -> None:
        self.kept[key] = voice

    async def __aenter__(self) -> InlineStore:
        await self.uow.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        await self.uow.commit()


async def test_an_inline_voice_is_rendered_once_per_text_voice_and_style(
    cases: UseCases, store: dict[ChatRef, Preferences], speech: FakeSpeech
) -> None:
    kept: dict[str, CachedVoice] = {}
    inline = InlineVoices(
        uow=lambda: InlineStore(store, kept), speech=cases.speech, clock=SystemClock()
    )
    uploaded: list[bytes] = []

    async def upload(note: VoiceNote) -> CachedVoice:
        uploaded.append(note.data)
        return CachedVoice(file_id=f"file-{len(uploaded)}", seconds=int(note.duration))

    first = await inline.voice_for(await asked(cases, CHAT), " Hello there ", store=upload)
    again = await inline.voice_for(await asked(cases, CHAT), "Hello there", store=upload)
    await cases.preferences.set_style(CHAT, "whisper", can_manage=True)
    whispered = await inline.voice_for(await asked(cases, CHAT), "Hello there", store=upload)

    assert first == again == CachedVoice(file_id="file-1", seconds=2)
    assert whispered == CachedVoice(file_id="file-2", seconds=2)
    assert len(uploaded) == 2 and len(kept) == 2
    assert [s["style"] for s in speech.synthesized] == [None, "whisper"]
