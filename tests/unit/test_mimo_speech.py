"""Voice catalogues and style rendering per TTS model family."""

from __future__ import annotations

import pytest

from core.domain.errors import EmptyText
from core.domain.voices.preset_voices import default_voice, voices_for
from core.domain.voices.speaking_style_rules import is_v2
from core.infra.mimo.request_shapes import tts_audio_options, tts_messages

V2 = "mimo-v2-tts"
V25 = "mimo-v2.5-tts"
DESIGN = "mimo-v2.5-tts-voicedesign"


def assistant_text(model: str, text: str, style: str | None) -> str:
    """The assistant text of a one-message request."""
    messages = tts_messages(model, text, style)
    assert messages == [{"role": "assistant", "content": messages[-1]["content"]}]
    return messages[-1]["content"]


# --- catalogue ---------------------------------------------------------------------------------


def test_v2_has_its_three_voices() -> None:
    assert [v.name for v in voices_for(V2)] == ["mimo_default", "default_zh", "default_en"]


def test_v25_has_the_default_and_eight_named_voices() -> None:
    names = [v.name for v in voices_for(V25)]
    assert names == ["mimo_default", "冰糖", "茉莉", "苏打", "白桦", "Mia", "Chloe", "Milo", "Dean"]


def test_unknown_models_get_the_v25_catalogue() -> None:
    assert voices_for("mimo-v3-tts") == voices_for(V25)


def test_descriptions_name_the_voice() -> None:
    for voice in voices_for(V2) + voices_for(V25):
        assert voice.description.startswith(f"{voice.name} — ")


def test_every_family_defaults_to_mimo_default() -> None:
    assert default_voice(V2) == default_voice(V25) == "mimo_default"


def test_only_the_v2_family_is_v2() -> None:
    assert is_v2(V2)
    assert not is_v2(V25)
    assert not is_v2(DESIGN)


# --- v2: <style> tags --------------------------------------------------------------------------


def test_v2_style_is_a_style_tag_prefix() -> None:
    assert (
        assistant_text(V2, "Tomorrow is Friday!", "Happy")
        == "<style>Happy</style>Tomorrow is Friday!"
    )


def test_v2_without_style_speaks_the_text_as_is() -> None:
    assert assistant_text(V2, "Hello there", None) == "Hello there"


@pytest.mark.parametrize("word", ["sing", "Singing", "唱歌"])
def test_v2_singing_is_the_word_alone_in_the_tag(word: str) -> None:
    assert assistant_text(V2, "la la la", word) == f"<style>{word.casefold()}</style>la la la"


def test_v2_user_style_tags_cannot_replace_the_chat_style() -> None:
    text = "<style>Angry</style>Hi</style><style>Shout</style> there"
    assert assistant_text(V2, text, "Calm") == "<style>Calm</style>Angry Hi Shout there"


def test_v2_user_style_tags_are_removed_without_a_chat_style_too() -> None:
    assert assistant_text(V2, "< STYLE >Angry</Style >Hi", None) == "Angry Hi"


def test_a_style_cannot_close_its_own_tag() -> None:
    assert assistant_text(V2, "Hi", "Happy</style>Sad") == "<style>Happy Sad</style>Hi"


# --- v2.5: (style) prefix or director mode -----------------------------------------------------


@pytest.mark.parametrize("style", ["Happy", "whisper, slow", "东北话", "very fast and excited"])
def test_v25_short_styles_are_a_bracket_prefix(style: str) -> None:
    assert assistant_text(V25, "Hello", style) == f"({style})Hello"


def test_v25_singing_is_a_sing_prefix() -> None:
    assert assistant_text(V25, "la la la", "Sing") == "(sing)la la la"


@pytest.mark.parametrize(
    "style",
    [
        "speak like a tired detective at the end of a long night",
        "Calm down.",
        "用温柔舒缓的语调像在讲睡前故事",
    ],
)
def test_v25_a_direction_goes_into_a_user_message_before_the_text(style: str) -> None:
    assert tts_messages(V25, "Hello", style) == [
        {"role": "user", "content": style},
        {"role": "assistant", "content": "Hello"},
    ]


def test_v25_brackets_inside_a_style_are_dropped() -> None:
    assert assistant_text(V25, "Hi", "Happy)(Sad") == "(Happy Sad)Hi"


@pytest.mark.parametrize("style", [None, "Calm"])
def test_v25_a_users_leading_brackets_are_spoken_as_words_not_read_as_a_style(
    style: str | None,
) -> None:
    prefix = f"({style})" if style else ""
    assert assistant_text(V25, "(Angry)Go away", style) == f"{prefix}Angry Go away"
    assert assistant_text(V25, "[laugh]", style) == f"{prefix}laugh"
    assert assistant_text(V25, "（唱歌）啦啦啦", style) == f"{prefix}唱歌 啦啦啦"


def test_style_tags_are_taken_out_of_the_text_on_v25_too() -> None:
    assert assistant_text(V25, "<style>whisper</style>hello", "Calm") == "(Calm)whisper hello"


def test_text_that_is_only_tags_is_empty_text() -> None:
    for text in ("<style></style>", "()", " [ ] "):
        with pytest.raises(EmptyText):
            tts_messages(V25, text, "Calm")


def test_v25_audio_tags_pass_through() -> None:
    assert assistant_text(V25, "I think [cough] I am ill", "Sad") == "(Sad)I think [cough] I am ill"


def test_the_text_always_goes_in_the_assistant_message() -> None:
    for model in (V2, V25, DESIGN):
        for style in (None, "Happy", "a long and winding direction for the voice"):
            assert tts_messages(model, "Say this", style)[-1]["role"] == "assistant"


# --- voicedesign and the audio object ----------------------------------------------------------


def test_voicedesign_takes_the_style_as_the_voice_description() -> None:
    assert tts_messages(DESIGN, "Hello", "a calm low narrator") == [
        {"role": "user", "content": "a calm low narrator"},
        {"role": "assistant", "content": "Hello"},
    ]


def test_voicedesign_sends_no_voice_and_no_text_rewriting() -> None:
    assert tts_audio_options(DESIGN, "Mia", "wav") == {
        "format": "wav",
        "optimize_text_preview": False,
    }


def test_preset_models_send_the_voice_or_the_default() -> None:
    assert tts_audio_options(V25, "Mia", "pcm16") == {"format": "pcm16", "voice": "Mia"}
    assert tts_audio_options(V2, None, "wav") == {"format": "wav", "voice": "mimo_default"}
