"""Style presets, audio tags and the voicedesign/voiceclone request shapes, as sent to MiMo."""

from __future__ import annotations

import base64

import pytest

from core.domain.errors import AudioTooLarge, EmptyText
from core.domain.voices.preset_voices import request_voice
from core.domain.voices.speaking_style_rules import (
    STYLE_PRESETS,
    Utterance,
    clone_voice,
    utterance,
)
from core.infra.mimo.request_shapes import tts_audio_options, tts_messages

V2, V25 = "mimo-v2-tts", "mimo-v2.5-tts"
DESIGN, CLONE = "mimo-v2.5-tts-voicedesign", "mimo-v2.5-tts-voiceclone"


def test_the_presets_the_issue_names_are_there() -> None:
    wanted = {"happy", "sad", "whisper", "news anchor", "storyteller", "faster", "slower", "sing"}
    assert wanted <= set(STYLE_PRESETS)


@pytest.mark.parametrize(
    ("model", "style", "expected"),
    [
        (V2, "Faster", [{"role": "assistant", "content": "<style>speed up</style>Hi there"}]),
        (V25, "faster", [{"role": "assistant", "content": "(speed up)Hi there"}]),
        (V25, "Whisper", [{"role": "assistant", "content": "(Whisper)Hi there"}]),
        (V25, "SING", [{"role": "assistant", "content": "(sing)Hi there"}]),
        (
            V25,
            "news  anchor",
            [
                {"role": "user", "content": STYLE_PRESETS["news anchor"]},
                {"role": "assistant", "content": "Hi there"},
            ],
        ),
    ],
)
def test_presets_are_rendered_in_each_models_syntax(
    model: str, style: str, expected: list[dict[str, str]]
) -> None:
    assert tts_messages(model, "Hi there", style) == expected


def test_audio_tags_pass_where_supported_and_are_dropped_elsewhere() -> None:
    text = "I think [cough] I am ill 【sigh】 today"
    for model in (V25, V2, CLONE):  # the provider's table: tags performed
        assert tts_messages(model, text, None)[-1]["content"] == text
    assert tts_messages(DESIGN, text, None)[-1]["content"] == "I think I am ill today"
    # At the very start a bracket is the user's words, never a tag or a style (hostile input).
    assert tts_messages(DESIGN, "[laugh] hi [cough]", None)[-1]["content"] == "laugh hi"
    assert tts_messages(CLONE, "[laugh] hi [cough]", None)[-1]["content"] == "laugh hi [cough]"
    with pytest.raises(EmptyText):
        tts_messages(CLONE, "<style>", None)


def test_only_the_preset_voice_models_sing() -> None:
    assert tts_messages(V25, "La la la", "sing") == [
        {"role": "assistant", "content": "(sing)La la la"}
    ]
    assert tts_messages(CLONE, "La la la", "sing") == [{"role": "assistant", "content": "La la la"}]
    assert tts_messages(DESIGN, "La la", "singing", description="a bard") == [
        {"role": "user", "content": "a bard"},
        {"role": "assistant", "content": "La la"},
    ]


def test_a_designed_voice_is_described_in_the_user_message_and_the_style_follows() -> None:
    messages = tts_messages(
        DESIGN, "(sing) Hello <style>evil</style>", "happy", description="a calm\nnarrator"
    )
    assert messages == [
        {"role": "user", "content": "a calm narrator\nhappy"},
        {"role": "assistant", "content": "sing Hello evil"},
    ]
    assert tts_audio_options(DESIGN, "Mia", "wav") == {
        "format": "wav",
        "optimize_text_preview": False,
    }


def test_a_cloned_voice_is_its_sample_as_a_data_url_under_the_cap() -> None:
    url = clone_voice(b"ID3-mp3-bytes", "audio/mpeg")
    assert url == "data:audio/mpeg;base64," + base64.b64encode(b"ID3-mp3-bytes").decode()
    assert tts_audio_options(CLONE, url, "wav") == {"format": "wav", "voice": url}
    assert clone_voice(b"RIFF", "audio/wav").startswith("data:audio/wav;base64,")
    with pytest.raises(AudioTooLarge):
        clone_voice(b"x" * (7_900_000), "audio/mpeg")
    with pytest.raises(ValueError):
        clone_voice(b"OggS", "audio/ogg")
    with pytest.raises(ValueError):
        tts_audio_options(CLONE, "Mia", "wav")


def test_the_domain_says_what_is_spoken_and_how_it_is_directed_in_plain_values() -> None:
    assert utterance(V25, "Hi", "Whisper") == Utterance("(Whisper)Hi")
    assert utterance(V25, "Hi", "news anchor") == Utterance(
        "Hi", direction=STYLE_PRESETS["news anchor"]
    )
    assert utterance(DESIGN, "Hi", "happy", description="a bard") == Utterance(
        "Hi", direction="a bard\nhappy"
    )
    assert request_voice(DESIGN, "Mia") is None
    assert request_voice(V2, None) == "mimo_default"
    with pytest.raises(ValueError):
        request_voice(CLONE, "Mia")
