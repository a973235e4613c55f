"""Properties of everything that reads what users send: for any input, a clear answer or the
project's own error, never a crash, a hang or a leftover process.

Parsers are checked on text built from their own alphabet (so the interesting branches are
reached) as well as on any text; the audio prober on arbitrary bytes and on real recordings with
bytes flipped and ends cut off. ffmpeg-backed properties keep to a few dozen examples.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import unicodedata
from collections.abc import Awaitable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from telegram import Chat, Message, MessageEntity

from bots.telegram.answers.telegram_asker import command_argument
from core.app.rules.chat_settings import MAX_STYLE_CHARS
from core.app.voices.text_to_speech import SayAsked
from core.bootstrap import UseCases
from core.domain import errors
from core.domain.message_splitting import Measure, split_message, utf16_units
from core.domain.rules.quotas_rules import RequestLimits
from core.domain.shared_values import LANGUAGES, ChatRef, Preferences
from core.domain.summaries.digest_times import DigestAt, DigestOff, parse_digest_args, time_zone
from core.domain.summaries.summary_windows import (
    MAX_COUNT,
    MAX_SPAN,
    LastDuration,
    LastMessages,
    LoggingChoice,
    SummaryRequest,
    parse_summary_args,
    parse_window,
)
from core.domain.voices.preset_voices import voices_for
from core.domain.voices.speaking_style_rules import plain_text, spoken_text
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.audio.media_probe import MIN_AUDIO_SECONDS
from core.infra.local_settings import LocalUnitOfWork
from core.infra.mimo import MIMO_AUDIO_CAPS
from core.infra.mimo.request_shapes import tts_messages
from tests.audio_factory import make_audio
from tests.fakes import FakeAudio, FakeSpeech, fake_use_cases
from tests.processes import HAS_PROC, ffmpeg_children
from tests.standins.telegram_api import utf16_length

audio = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS)

T = TypeVar("T")
AUDIO = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CHAT = ChatRef("telegram", "7")


def run(awaitable: Awaitable[T]) -> T:
    """`awaitable` run to its end (a use case's method, counted, is awaitable: not typed a
    coroutine)."""

    async def wait() -> T:
        return await awaitable

    return asyncio.run(wait())


# --- /summary windows -----------------------------------------------------------------------

UNIT_WORDS = ["m", "min", "minutes", "h", "hr", "hours", "d", "day", "days", "w", "weeks",
              "分钟", "小时", "天", "周"]  # fmt: skip
window_words = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10**8).map(str),
        st.sampled_from([*UNIT_WORDS, "voice", "VOICE", "语音", "on", "off", "x", "-", "."]),
    ),
    max_size=4,
).map(lambda words: " ".join(words))


@given(window_words)
@example("5000 voice")
@example("2 小时 voice")
def test_window_words_give_a_bounded_request_or_the_usage_line(argument: str) -> None:
    try:
        request = parse_summary_args(argument)
    except errors.BadWindow:
        return
    if isinstance(request, LoggingChoice):
        assert argument.strip().casefold() in {"on", "off"}
        return
    assert request.voice == any(w.casefold() in {"voice", "语音"} for w in argument.split())
    if isinstance(request.window, LastDuration):
        assert timedelta(0) < request.window.span <= MAX_SPAN
    if isinstance(request.window, LastMessages):
        assert 1 <= request.window.count <= MAX_COUNT


@given(
    st.integers(min_value=1, max_value=10**5),
    st.sampled_from(["m", "h", "d", "w", "hours", "小时"]),
    st.sampled_from([" ", "  ", "\t"]),
    st.booleans(),
)
def test_case_and_spacing_never_change_a_window(
    number: int, unit: str, space: str, shout: bool
) -> None:
    typed = f"{space}{number}{space}{unit.upper() if shout else unit}{space}"
    try:
        expected = parse_summary_args(f"{number}{unit}")
    except errors.BadWindow:
        with pytest.raises(errors.BadWindow):
            parse_summary_args(typed)
        return
    assert parse_summary_args(typed) == expected


@given(st.text(alphabet=st.characters(exclude_categories=["Zs", "Cc"]), max_size=12))
def test_one_window_word_means_the_same_on_both_platforms(word: str) -> None:
    """Discord's /summary passes its window option to `parse_window`; Telegram's whole argument
    goes through `parse_summary_args`. A single word must mean the same to both."""
    if not word.split() or word.strip().casefold() in {"on", "off", "voice", "audio", "语音"}:
        return
    try:
        telegram = parse_summary_args(word)
    except errors.BadWindow:
        with pytest.raises(errors.BadWindow):
            parse_window(word)
        return
    assert isinstance(telegram, SummaryRequest)
    assert parse_window(word) == telegram.window


# --- /digest times --------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai", "Asia/Kolkata"]


@given(
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=59),
    st.sampled_from([":", ".", "h"]),
    st.sampled_from([None, *ZONES]),
    st.booleans(),
)
def test_every_valid_time_is_read_as_written(
    hour: int, minute: int, separator: str, zone: str | None, shout: bool
) -> None:
    typed_zone = (zone.upper() if shout else zone.lower()) if zone else ""
    argument = f"  {hour}{separator}{minute:02d}  {typed_zone} "
    assert parse_digest_args(argument) == DigestAt(time(hour, minute), zone)


@given(st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=99))
def test_a_time_off_the_clock_is_the_usage_line(hour: int, minute: int) -> None:
    if hour < 24 and minute < 60:
        return
    with pytest.raises(errors.BadDigest):
        parse_digest_args(f"{hour}:{minute:02d}")


digest_words = st.lists(
    st.one_of(
        st.from_regex(r"\d{1,3}[:.h]\d{1,3}", fullmatch=True),
        st.sampled_from(["off", "OFF", "on", *ZONES, "Mars/Olympus", "utc", "18:00"]),
        st.text(max_size=8),
    ),
    max_size=3,
).map(lambda words: " ".join(words))


@given(digest_words)
def test_any_digest_argument_is_a_choice_or_a_clear_refusal(argument: str) -> None:
    try:
        choice = parse_digest_args(argument)
    except (errors.BadDigest, errors.UnknownTimeZone) as refusal:
        assert len(str(refusal.params.get("value", ""))) <= errors.MAX_QUOTED_CHARS
        return
    if choice is None:
        assert not argument.split()
    elif isinstance(choice, DigestOff):
        assert argument.strip().casefold() == "off"
    else:
        assert isinstance(choice, DigestAt)
        assert choice.time_zone is None or time_zone(choice.time_zone) == choice.time_zone


# --- Telegram command arguments --------------------------------------------------------------

commands = st.from_regex(r"[A-Za-z0-9_]{1,32}", fullmatch=True)
bot_names = st.none() | st.from_regex(r"[A-Za-z0-9_]{3,32}", fullmatch=True)
separators = st.text(alphabet=" \n\t", min_size=1, max_size=3)


def telegram_message(body: str, entities: list[MessageEntity], *, caption: bool) -> Message:
    chat = Chat(id=1, type=Chat.PRIVATE)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    if caption:
        return Message(1, when, chat, caption=body, caption_entities=entities)
    return Message(1, when, chat, text=body, entities=entities)


@given(commands, bot_names, separators, st.text(max_size=300), st.booleans())
@example("say", None, " ", "🎉 hi\nthere ", False)
def test_the_argument_is_everything_after_the_command(
    command: str, bot: str | None, separator: str, argument: str, caption: bool
) -> None:
    typed = f"/{command}" + (f"@{bot}" if bot else "")
    body = f"{typed}{separator}{argument}"
    entity = MessageEntity(MessageEntity.BOT_COMMAND, 0, utf16_length(typed))
    message = telegram_message(body, [entity], caption=caption)
    assert command_argument(message) == argument.strip()


@given(st.text(min_size=1, max_size=20).filter(str.strip), commands, st.text(max_size=50))
def test_a_command_that_does_not_lead_is_part_of_the_text(
    before: str, command: str, rest: str
) -> None:
    body = f"{before} /{command} {rest}"
    offset = utf16_length(f"{before} ")
    entity = MessageEntity(MessageEntity.BOT_COMMAND, offset, utf16_length(command) + 1)
    assert command_argument(telegram_message(body, [entity], caption=False)) == body.strip()


# --- a chat's choices ------------------------------------------------------------------------


def use_cases(store: dict[ChatRef, Preferences]) -> UseCases:
    return fake_use_cases(
        speech=FakeSpeech(),
        audio=FakeAudio(piece=4),
        uow=lambda: LocalUnitOfWork(store),
        default_tts_model="mimo-v2.5-tts",
        limits=RequestLimits(max_say_chars=50),
    )


def typed_like(words: list[str]) -> st.SearchStrategy[str]:
    """One of `words` as people type it (any case, stray spaces), or any other short text."""
    typed = st.tuples(st.sampled_from(words), st.sampled_from(["", " ", "\n"]), st.booleans()).map(
        lambda t: f"{t[1]}{t[0].upper() if t[2] else t[0]}{t[1]}"
    )
    return typed | st.text(max_size=12)


@given(typed_like(list(LANGUAGES)))
def test_a_language_is_one_of_the_choices_or_a_refusal_that_changes_nothing(value: str) -> None:
    store: dict[ChatRef, Preferences] = {}
    preferences = use_cases(store).preferences
    try:
        chosen = run(preferences.set_language(CHAT, value, can_manage=True))
    except errors.BadChoice as refusal:
        assert value.strip().lower() not in LANGUAGES
        assert refusal.params["value"] == errors.quoted(value)
        assert store == {}
        return
    assert chosen == value.strip().lower()
    assert store[CHAT].language == chosen


ON_OFF = ["on", "off", "yes", "no", "true", "false", "1", "0", "enable", "disabled", "inherit"]


@given(typed_like(ON_OFF))
def test_auto_transcribe_takes_on_or_off_words_only(value: str) -> None:
    store: dict[ChatRef, Preferences] = {}
    preferences = use_cases(store).preferences
    try:
        enabled = run(preferences.set_auto_transcribe(CHAT, value, can_manage=True))
    except errors.BadChoice:
        assert store == {}
        return
    word = value.strip().lower()
    assert word in {"on", "yes", "true", "1", "enable", "enabled"} | {
        "off", "no", "false", "0", "disable", "disabled"
    }  # fmt: skip
    assert enabled == (word in {"on", "yes", "true", "1", "enable", "enabled"})
    assert store[CHAT].auto_transcribe == enabled


@given(typed_like(ON_OFF))
def test_a_channel_follows_its_server_again_only_on_inherit(value: str) -> None:
    store: dict[ChatRef, Preferences] = {CHAT: Preferences(auto_transcribe=False)}
    preferences = use_cases(store).preferences
    try:
        override = run(preferences.set_channel_auto_transcribe(CHAT, value, can_manage=True))
    except errors.BadChoice:
        assert store == {CHAT: Preferences(auto_transcribe=False)}
        return
    if override is None:
        assert value.strip().lower() in {"inherit", "default", "server", "follow"}
        assert CHAT not in store
    else:
        assert store[CHAT].auto_transcribe == override


@given(typed_like([v.name for v in voices_for("mimo-v2.5-tts")]))
def test_a_voice_is_found_whatever_its_case_and_saved_in_the_catalogues_spelling(
    value: str,
) -> None:
    store: dict[ChatRef, Preferences] = {}
    preferences = use_cases(store).preferences
    names = {v.name.casefold(): v.name for v in voices_for("mimo-v2.5-tts")}
    try:
        chosen = run(preferences.set_voice(CHAT, value, can_manage=True))
    except errors.BadChoice:
        assert value.strip().casefold() not in names
        return
    assert chosen == names[value.strip().casefold()] == store[CHAT].voice


@given(st.text(max_size=300) | st.sampled_from(["off", " None ", "RESET", "\x00\n"]))
def test_a_style_is_one_clean_line_or_cleared_or_too_long(value: str) -> None:
    store: dict[ChatRef, Preferences] = {}
    preferences = use_cases(store).preferences
    try:
        style = run(preferences.set_style(CHAT, value, can_manage=True))
    except errors.TextTooLong as refusal:
        assert refusal.params["length"] > MAX_STYLE_CHARS
        return
    assert store[CHAT].style == style
    if style is None:
        return
    assert style == style.strip() and "\n" not in style and len(style) <= MAX_STYLE_CHARS
    assert not any(unicodedata.category(ch) in {"Cc", "Cs", "Co"} for ch in style)
    assert run(preferences.set_style(CHAT, style, can_manage=True)) == style  # stable


# --- /say: what reaches the speech model -----------------------------------------------------

TTS_MODELS = ["mimo-v2-tts", "mimo-v2.5-tts", "mimo-v2.5-tts-voicedesign"]
TAG_PIECES = ["<style>", "</style>", "< STYLE >", "(", ")", "（", "）", "[", "]", "【", "】",
              "sing", "唱歌", "whisper", " ", "\n", "hi", "😀"]  # fmt: skip
tag_soup = st.lists(st.sampled_from(TAG_PIECES), max_size=12).map("".join)


@given(
    st.sampled_from(TTS_MODELS), tag_soup | st.text(max_size=40), st.sampled_from(["Calm", None])
)
@example("mimo-v2.5-tts", "(singing) hi", None)
@example("mimo-v2-tts", "</style><style>shout</style>hi", "Calm")
def test_a_users_text_never_carries_a_style_of_its_own(
    model: str, words: str, style: str | None
) -> None:
    try:
        messages = tts_messages(model, words, style)
    except errors.EmptyText:
        assert spoken_text(model, words) == ""
        return
    spoken = messages[-1]["content"]
    ours = ""
    if style and len(messages) == 1:  # the style is a prefix, not a director message
        ours = f"<style>{style}</style>" if model == "mimo-v2-tts" else f"({style})"
    assert spoken.startswith(ours)
    users = spoken[len(ours) :]
    assert users == spoken_text(model, words) and users
    assert "style>" not in users.casefold().replace(" ", "")
    assert users[0] not in "(（[【)）]】"


@given(st.text(max_size=80))
@example("\x00\x01")
@example("\u200b")
@example("<style></style>")
def test_say_speaks_clean_text_or_refuses_it_clearly(words: str) -> None:
    store: dict[ChatRef, Preferences] = {}
    speech = FakeSpeech()
    cases = fake_use_cases(
        speech=speech,
        audio=FakeAudio(piece=4),
        uow=lambda: LocalUnitOfWork(store),
        default_tts_model="mimo-v2.5-tts",
        limits=RequestLimits(max_say_chars=50),
    )
    try:
        run(cases.speech.say_notes(SayAsked(chat=CHAT, text=words)))
    except (errors.EmptyText, errors.TextTooLong):
        assert speech.synthesized == []
        return
    [request] = speech.synthesized
    said = str(request["text"])
    assert said == said.strip() and 0 < len(said) <= 50
    assert not any(
        unicodedata.category(ch) in {"Cc", "Cs", "Co"} and ch not in "\n\t" for ch in said
    )
    assert any(unicodedata.category(ch)[0] in "LNS" for ch in plain_text(said))


# --- splitting long text ---------------------------------------------------------------------

spaced_text = st.text(
    alphabet=st.sampled_from([*"ab .!?。\n\t\u3000\xa0", "😀", "词"]), max_size=400
)


@given(spaced_text | st.text(max_size=400), st.integers(min_value=2, max_value=60),
       st.sampled_from([0.0, 0.5, 1.0]), st.sampled_from([len, utf16_units]))  # fmt: skip
def test_pieces_are_the_text_in_order_cut_only_at_whitespace_or_at_the_limit(
    text: str, limit: int, min_fill: float, measure: Measure
) -> None:
    pieces = split_message(text, limit, min_fill=min_fill, measure=measure)
    assert all(0 < measure(piece) <= limit and piece == piece.strip() for piece in pieces)
    position = 0
    for piece in pieces:
        found = text.index(piece, position)
        assert text[position:found].strip() == ""  # only whitespace was dropped between them
        position = found + len(piece)
    assert text[position:].strip() == ""


# --- audio probing ---------------------------------------------------------------------------

SEED_FORMATS = ["ogg", "mp3", "m4a", "wav", "webm"]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Short real recordings to damage."""
    folder = tmp_path_factory.mktemp("seeds")
    return {fmt: make_audio(folder, fmt=fmt, seconds=1).read_bytes() for fmt in SEED_FORMATS}


def damaged(data: bytes, keep: float, flips: list[tuple[float, int]]) -> bytes:
    out = bytearray(data[: max(0, round(len(data) * keep))])
    for where, value in flips:
        if out:
            out[min(len(out) - 1, int(where * len(out)))] = value
    return bytes(out)


async def every_probe(path: Path) -> list[float]:
    """The recording's duration as each entry point measures it, or the first AudioError."""
    info = await audio.probe(path)
    async with audio.asr_pieces(path, piece_seconds=60, max_seconds=24 * 3600) as stream:
        quick = stream.duration  # leaving at once stops the conversion just started
    async with audio.understanding_input(path, max_seconds=24 * 3600) as understood:
        assert understood.path.stat().st_size
    return [info.duration, quick]


def check_probes(path: Path) -> None:
    try:
        durations = run(asyncio.wait_for(every_probe(path), timeout=300))
    except errors.AudioError as refusal:
        event(type(refusal).__name__)  # the user hears a clear sentence; nothing else may escape
    else:
        event("audio")
        assert all(math.isfinite(d) and MIN_AUDIO_SECONDS <= d < 10**7 for d in durations)
    assert ffmpeg_children() == []


@pytest.mark.skipif(not HAS_PROC, reason="counts processes in /proc")
@AUDIO
@given(st.binary(max_size=4096))
@example(b"")
@example(b"OggS")
@example(b"ID3" + bytes(200))
@example(b"RIFF\xff\xff\xff\xffWAVEfmt ")
def test_arbitrary_bytes_are_audio_or_an_audio_error_and_leave_no_ffmpeg(data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="probe-") as folder:
        path = Path(folder) / "recording"
        path.write_bytes(data)
        check_probes(path)


@pytest.mark.skipif(not HAS_PROC, reason="counts processes in /proc")
@AUDIO
@given(
    st.sampled_from(SEED_FORMATS),
    st.floats(min_value=0.05, max_value=1.0),
    st.lists(st.tuples(st.floats(min_value=0, max_value=1), st.integers(0, 255)), max_size=16),
)
def test_damaged_recordings_are_audio_or_an_audio_error_and_leave_no_ffmpeg(
    seeds: dict[str, bytes], fmt: str, keep: float, flips: list[tuple[float, int]]
) -> None:
    with tempfile.TemporaryDirectory(prefix="probe-") as folder:
        path = Path(folder) / "recording"
        path.write_bytes(damaged(seeds[fmt], keep, flips))
        check_probes(path)


@pytest.mark.skipif(not HAS_PROC, reason="counts processes in /proc")
@AUDIO
@given(st.integers(min_value=0, max_value=20))
def test_a_probe_cancelled_at_any_moment_leaves_no_ffmpeg(
    seeds: dict[str, bytes], steps: int
) -> None:
    async def cancel_after(path: Path) -> None:
        task = asyncio.create_task(audio.probe(path))
        for _ in range(steps):  # event loop rounds, not seconds: any point of the probe
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    with tempfile.TemporaryDirectory(prefix="probe-") as folder:
        path = Path(folder) / "recording.ogg"
        path.write_bytes(seeds["ogg"])
        run(cancel_after(path))
    assert ffmpeg_children() == []
