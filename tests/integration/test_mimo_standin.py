"""The real MimoClient over real HTTP to FakeMimo, with real audio made by ffmpeg."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import time
import wave
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from core.app.recordings.gists import condense
from core.app.summaries.summary_writing import FINAL_MAX_TOKENS, summarise
from core.domain.errors import MimoAuthError, MimoRateLimited, MimoUnavailable
from core.domain.listening.interpreter_rules import FROM_AUDIO, FROM_AUDIO_MAX_TOKENS
from core.domain.recordings.transcript_values import LongTranscript, TranscriptPart
from core.domain.shared_values import ChatRef
from core.domain.summaries.summary_values import ChatMessage
from core.infra.audio.ffmpeg_binary import ffmpeg_exe
from core.infra.mimo import MimoClient
from tests.audio_factory import make_reading
from tests.integration.conftest import FAST_RETRIES
from tests.standins.mimo import FakeMimo


def sine(tmp_path: Path, seconds: float, suffix: str, *codec: str) -> bytes:
    """A real recording: a 440 Hz tone encoded by ffmpeg into a file (so mp3 gets its header)."""
    path = tmp_path / f"tone{suffix}"
    subprocess.run(
        [
            ffmpeg_exe(),
            *("-hide_banner", "-loglevel", "error", "-f", "lavfi"),
            *("-i", f"sine=frequency=440:duration={seconds}", "-ac", "1", "-ar", "16000"),
            *codec,
            str(path),
        ],
        check=True,
    )
    return path.read_bytes()


@pytest.fixture
def mp3_3s(tmp_path: Path) -> bytes:
    return sine(tmp_path, 3, ".mp3", "-c:a", "libmp3lame")


def wav_info(data: bytes) -> tuple[int, int, int, float]:
    with wave.open(io.BytesIO(data)) as reader:
        seconds = reader.getnframes() / reader.getframerate()
        return reader.getnchannels(), reader.getsampwidth(), reader.getframerate(), seconds


# --- speech recognition ------------------------------------------------------------------------


async def test_a_real_mp3_is_heard_in_full(
    client: MimoClient, mimo: FakeMimo, mp3_3s: bytes
) -> None:
    transcript = await client.transcribe(mp3_3s, mime="audio/mpeg", language="en")

    assert transcript.text == "heard 3.0 seconds"
    assert 3.0 <= transcript.duration <= 4.0  # usage.seconds: whole seconds, rounded up
    [call] = mimo.calls("mimo-v2.5-asr")
    assert call["asr_options"] == {"language": "en"}
    assert mimo.headers[0]["api-key"] == mimo.api_key


async def test_encoder_padding_is_not_heard(client: MimoClient) -> None:
    """An mp3 written to a pipe has no header to trim the encoder's ~0.1 s of silence."""
    piped = subprocess.run(
        [
            ffmpeg_exe(),
            *("-hide_banner", "-loglevel", "error", "-f", "lavfi"),
            *("-i", "sine=frequency=440:duration=3", "-ac", "1", "-ar", "16000"),
            *("-c:a", "libmp3lame", "-f", "mp3", "pipe:1"),
        ],
        check=True,
        capture_output=True,
    ).stdout
    transcript = await client.transcribe(piped, mime="audio/mpeg")
    assert transcript.text == "heard 3.0 seconds"


async def test_words_a_test_reads_aloud_are_heard_through_an_mp3(
    client: MimoClient, tmp_path: Path
) -> None:
    """A reading (`make_reading`, a voice note as Telegram's) converted as the bot converts
    audio for ASR, lossy mp3 included: the stand-in hears its words, in any script."""
    words = "Ich bin Zoë. 我同意。 apple river candle"
    note = make_reading(tmp_path, words)
    mp3 = subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-i", str(note), "-ac", "1", "-ar", "16000",
         "-c:a", "libmp3lame", "-f", "mp3", "pipe:1"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    transcript = await client.transcribe(mp3, mime="audio/mpeg")
    assert transcript.text == words


async def test_a_real_wav_streams_its_transcript(client: MimoClient, tmp_path: Path) -> None:
    wav = sine(tmp_path, 2, ".wav")
    heard: list[str] = []
    transcript = await client.transcribe(wav, mime="audio/wav", on_text=heard.append)
    assert len(heard) > 1
    assert heard[-1] == transcript.text == "heard 2.0 seconds"


async def test_the_stand_in_refuses_what_mimo_refuses(
    mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    ogg = base64.b64encode(b"OggS....").decode()
    body = {
        "model": "mimo-v2.5-asr",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "input_audio", "input_audio": {"data": f"data:audio/ogg;base64,{ogg}"}}
                ],
            }
        ],
    }
    response = await http.post(
        f"{mimo.base_url}/chat/completions", json=body, headers={"api-key": mimo.api_key}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "400"


async def test_a_custom_asr_answer_sees_the_duration(
    client: MimoClient, mimo: FakeMimo, mp3_3s: bytes
) -> None:
    mimo.asr_text = lambda seconds, body: f"{round(seconds)} s in {body['model']}"
    transcript = await client.transcribe(mp3_3s, mime="audio/mp3")
    assert transcript.text == "3 s in mimo-v2.5-asr"


# --- speech synthesis --------------------------------------------------------------------------


async def test_synthesize_returns_a_real_wav(client: MimoClient, mimo: FakeMimo) -> None:
    wav = await client.synthesize("Hello there, twenty chars", voice="Chloe", style="Happy")

    assert wav == mimo.last_tts_wav
    channels, width, rate, seconds = wav_info(wav)
    assert (channels, width, rate) == (1, 2, 24000)
    assert seconds == pytest.approx(len("(Happy)Hello there, twenty chars") * 0.05, abs=0.001)
    [call] = mimo.calls("mimo-v2.5-tts")
    assert call["messages"] == [
        {"role": "assistant", "content": "(Happy)Hello there, twenty chars"}
    ]


def speech_request(text: str, voice: str = "Mia", **audio: object) -> dict[str, object]:
    return {
        "model": "mimo-v2.5-tts",
        "messages": [{"role": "assistant", "content": text}],
        "audio": {"format": "pcm16", "voice": voice, **audio},
        "stream": True,
    }


async def speech_events(
    http: httpx.AsyncClient, mimo: FakeMimo, body: dict[str, object]
) -> tuple[list[bytes], int]:
    """The audio of each event of a speech stream, and the longest line it came in."""
    pieces, longest = [], 0
    async with http.stream(
        "POST", f"{mimo.base_url}/chat/completions", json=body, headers={"api-key": mimo.api_key}
    ) as answer:
        assert answer.status_code == 200
        async for line in answer.aiter_lines():
            longest = max(longest, len(line))
            if line.startswith("data: {"):
                delta = json.loads(line.removeprefix("data: "))["choices"][0]["delta"]
                if "audio" in delta:
                    pieces.append(base64.b64decode(delta["audio"]["data"]))
    return pieces, longest


async def test_the_stand_in_streams_speech_whole_in_one_line_of_several_mb(
    http: httpx.AsyncClient, mimo: FakeMimo
) -> None:
    pieces, longest = await speech_events(http, mimo, speech_request("a" * 1000))

    [whole] = pieces
    assert longest > 3_000_000  # 50 s of speech: one SSE line
    assert len(whole) == 50 * 24000 * 2  # 24 kHz mono PCM16


async def test_the_stand_in_streams_speech_in_slices_at_24_khz_whatever_is_asked(
    http: httpx.AsyncClient, mimo: FakeMimo
) -> None:
    mimo.tts_stream = "slices"
    body = speech_request("Hello everyone, shall we start?", sample_rate=16000)

    pieces, _ = await speech_events(http, mimo, body)

    assert [len(piece) for piece in pieces[:-1]] == [int(0.2 * 24000) * 2] * (len(pieces) - 1)
    assert b"".join(pieces) == wav_samples(mimo.last_tts_wav)
    assert wav_info(mimo.last_tts_wav or b"")[2] == 24000


async def test_the_stand_in_refuses_a_stream_for_a_model_or_voice_as_mimo_refuses_a_param(
    http: httpx.AsyncClient, mimo: FakeMimo
) -> None:
    mimo.streams_refused |= {"Chloe"}
    url, key = f"{mimo.base_url}/chat/completions", {"api-key": mimo.api_key}

    refused = await http.post(url, json=speech_request("Hi", voice="Chloe"), headers=key)
    as_wav = await http.post(url, json=speech_request("Hi", format="wav"), headers=key)
    whole = await http.post(url, json={**speech_request("Hi", voice="Chloe"), "stream": False},
                            headers=key)  # fmt: skip

    assert refused.status_code == 400
    error = refused.json()["error"]
    assert (error["code"], error["message"]) == ("400", "Param Incorrect")
    assert "stream" in error["param"]
    assert as_wav.status_code == 400  # a stream is pcm16 or nothing
    assert whole.status_code == 200  # the same voice, asked whole


def wav_samples(wav: bytes | None) -> bytes:
    with wave.open(io.BytesIO(wav or b"")) as file:
        return file.readframes(file.getnframes())


# --- understanding and chat --------------------------------------------------------------------


async def test_understanding_gets_the_answer_even_from_reasoning_content(
    client: MimoClient, mimo: FakeMimo, mp3_3s: bytes, tmp_path: Path
) -> None:
    mimo.answer_text = "A tone."
    mimo.answer_in_reasoning_only = True
    recording = tmp_path / "tone.mp3"
    recording.write_bytes(mp3_3s)
    answer = await client.understand_audio(recording, mime="audio/mpeg", question="What is this?")

    assert answer.text == "A tone."
    assert mimo.calls("mimo-v2.6-flash")[0]["thinking"] == {"type": "disabled"}


async def test_a_translation_from_sound_is_answered_by_rule_and_billed_by_its_seconds(
    client: MimoClient, mimo: FakeMimo, tmp_path: Path
) -> None:
    """The interpreter's request (DISCORD_INTERPRET_FROM=audio): what the stand-in's
    recognition hears, marked with the language it goes into, thinking off; the audio's
    tokens at 6.25 a second, as MiMo's page counts them."""
    mimo.asr_text = "Hello there."
    wav = sine(tmp_path, 2, ".wav")
    answer = await client.understand_inline(
        wav, mime="audio/wav", question=FROM_AUDIO, max_tokens=FROM_AUDIO_MAX_TOKENS
    )

    assert answer.text == "[Chinese] Hello there."
    [body] = mimo.calls("mimo-v2.6-flash")
    assert body["thinking"] == {"type": "disabled"}
    assert body["max_completion_tokens"] == FROM_AUDIO_MAX_TOKENS
    assert mimo.understood_seconds == pytest.approx(2.0, abs=0.05)
    assert 13 <= answer.usage.prompt_tokens < 13 + len(FROM_AUDIO)  # not the base64's length


async def test_only_the_understanding_models_take_audio(
    mimo: FakeMimo, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """Audio to a model V2.6's announcement does not say takes it (`mimo-v2.6-pro`) is
    refused; a format MiMo's page does not name is refused for a translation from sound."""
    wav = base64.b64encode(sine(tmp_path, 1, ".wav")).decode()

    def asked(model: str, mime: str) -> dict[str, object]:
        audio = {"type": "input_audio", "input_audio": {"data": f"data:{mime};base64,{wav}"}}
        question = {"type": "text", "text": FROM_AUDIO}
        return {"model": model, "messages": [{"role": "user", "content": [audio, question]}]}

    url, headers = f"{mimo.base_url}/chat/completions", {"api-key": mimo.api_key}
    to_text_model = await http.post(url, json=asked("mimo-v2.6-pro", "audio/wav"), headers=headers)
    as_aiff = await http.post(url, json=asked("mimo-v2.6-flash", "audio/aiff"), headers=headers)
    fine = await http.post(url, json=asked("mimo-v2.6-flash", "audio/wav"), headers=headers)

    assert to_text_model.status_code == 400 and as_aiff.status_code == 400
    assert fine.status_code == 200


async def test_thinking_is_on_unless_turned_off_and_then_the_answer_is_only_thought(
    mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    mimo.answer_text = "Forty-two."
    body = {"model": "mimo-v2.6-flash", "messages": [{"role": "user", "content": "Why?"}]}
    headers = {"api-key": mimo.api_key}
    url = f"{mimo.base_url}/chat/completions"
    thought = (await http.post(url, json=body, headers=headers)).json()
    off = {**body, "thinking": {"type": "disabled"}}
    said = (await http.post(url, json=off, headers=headers)).json()

    assert thought["choices"][0]["message"]["content"] == ""
    assert thought["choices"][0]["message"]["reasoning_content"] == "Forty-two."
    assert said["choices"][0]["message"]["content"] == "Forty-two."


async def test_chat_answers(client: MimoClient, mimo: FakeMimo) -> None:
    mimo.answer_text = "Short summary."
    answer = await client.chat("Summarise: ...", system="Be brief.")
    assert answer.text == "Short summary."
    assert answer.usage.completion_tokens > 0


async def test_an_answer_cut_at_its_token_budget_is_known_as_cut(
    client: MimoClient, mimo: FakeMimo
) -> None:
    mimo.answer_text = "word " * 100  # 500 characters, about 125 tokens
    cut = await client.chat("Summarise: ...", max_tokens=50)
    whole = await client.chat("Summarise: ...", max_tokens=200)

    assert cut.cut and len(cut.text) < 250
    assert cut.marked().text.endswith("…")
    assert not whole.cut and whole.text == mimo.answer_text.strip()


def chat_messages(count: int) -> list[ChatMessage]:
    chat = ChatRef("telegram", "-100")
    when = datetime(2026, 11, 23, 9, tzinfo=UTC)
    return [ChatMessage(chat, str(n), "Ana", when, f"message {n}") for n in range(count)]


async def test_a_summary_cut_short_is_asked_again_with_more_room(
    client: MimoClient, mimo: FakeMimo
) -> None:
    mimo.answer_text = "A long summary. " * 600  # 9,600 characters: over 2,000 tokens
    summary = await summarise(
        chat_messages(3), api=client, language="en", zone="UTC", budget=20_000
    )

    first, second = [request["max_completion_tokens"] for request in mimo.calls("mimo-v2.6-flash")]
    assert (first, second) == (FINAL_MAX_TOKENS, 2 * FINAL_MAX_TOKENS)
    assert summary == mimo.answer_text.strip()


async def test_a_summary_cut_twice_is_marked_as_cut(client: MimoClient, mimo: FakeMimo) -> None:
    mimo.answer_text = "A very long summary. " * 1000  # 21,000 characters: over 4,000 tokens
    summary = await summarise(
        chat_messages(3), api=client, language="en", zone="UTC", budget=20_000
    )

    assert len(mimo.calls("mimo-v2.6-flash")) == 2
    assert summary.endswith(" …") and len(summary) < len(mimo.answer_text)


# --- failures ----------------------------------------------------------------------------------


async def test_a_503_is_retried(client: MimoClient, mimo: FakeMimo) -> None:
    mimo.fail_next(503)
    assert (await client.chat("?")).text == mimo.answer_text
    assert len(mimo.requests) == 2


async def test_a_dropped_connection_is_retried(client: MimoClient, mimo: FakeMimo) -> None:
    mimo.drop_next()
    assert (await client.chat("?")).text == mimo.answer_text
    assert len(mimo.requests) == 2


async def test_rate_limits_give_up_after_the_retries(
    mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    mimo.fail_next(429, times=5, retry_after=0.01)
    client = MimoClient(
        http=http,
        api_key=mimo.api_key,
        base_url=mimo.base_url,
        max_retries=2,
        retry_policy=FAST_RETRIES,
    )
    with pytest.raises(MimoRateLimited):
        await client.chat("?")
    assert len(mimo.requests) == 3


async def test_a_slow_answer_is_cut_off_at_the_deadline(
    mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    mimo.delay = 5.0
    client = MimoClient(
        http=http,
        api_key=mimo.api_key,
        base_url=mimo.base_url,
        timeout=0.3,
        retry_policy=FAST_RETRIES,
    )
    started = time.monotonic()
    with pytest.raises(MimoUnavailable):
        await client.chat("?")
    # Cut off, not answered late: however busy the machine, well before MiMo would answer.
    assert time.monotonic() - started < mimo.delay


async def test_a_wrong_key_is_an_auth_error(mimo: FakeMimo, http: httpx.AsyncClient) -> None:
    client = MimoClient(http=http, api_key="wrong-key", base_url=mimo.base_url)
    with pytest.raises(MimoAuthError) as caught:
        await client.chat("?")
    assert caught.value.status == 401
    assert "wrong-key" not in str(caught.value)
    assert len(mimo.requests) == 1


async def test_bearer_auth_is_accepted(mimo: FakeMimo, http: httpx.AsyncClient) -> None:
    client = MimoClient(
        http=http, api_key=mimo.api_key, base_url=mimo.base_url, auth_header="bearer"
    )
    assert (await client.chat("?")).text == mimo.answer_text
    assert mimo.headers[0]["Authorization"] == f"Bearer {mimo.api_key}"


# --- which models MiMo offers -------------------------------------------------------------------

TODAY = [
    "mimo-v2-tts", "mimo-v2.5-asr", "mimo-v2.5-tts", "mimo-v2.5-tts-voiceclone",
    "mimo-v2.5-tts-voicedesign", "mimo-v2.6-flash", "mimo-v2.6-pro", "mimo-v2.6-pro-ultraspeed",
]  # fmt: skip


async def test_the_models_offered_today_are_listed_for_the_key_alone(
    mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    """`GET /v1/models` in the OpenAI list shape, with the key, like the other endpoint."""
    url = f"{mimo.base_url}/models"
    listed = await http.get(url, headers={"api-key": mimo.api_key})
    bearer = await http.get(url, headers={"Authorization": f"Bearer {mimo.api_key}"})
    keyless = await http.get(url)

    assert listed.status_code == 200 and bearer.status_code == 200
    assert listed.json()["object"] == "list"
    assert [model["id"] for model in listed.json()["data"]] == TODAY
    assert {(m["object"], m["owned_by"]) for m in listed.json()["data"]} == {("model", "xiaomi")}
    assert keyless.status_code == 401
    assert keyless.json()["error"]["code"] == "401"
    assert mimo.models_listed == 2


async def test_a_gateway_without_the_list_answers_404(
    mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    mimo.lists_models = False
    listed = await http.get(f"{mimo.base_url}/models", headers={"api-key": mimo.api_key})
    assert listed.status_code == 404


@pytest.mark.parametrize(
    ("model", "successor"),
    [("mimo-v2.5", "mimo-v2.6-flash"), ("mimo-v2.5-pro", "mimo-v2.6-pro"),
     ("mimo-v2-omni", "mimo-v2.6-flash"), ("mimo-v2-flash", "mimo-v2.6-flash"),
     ("mimo-v2-pro", "mimo-v2.6-pro"), ("mimo-v2.5[1m]", "mimo-v2.6-flash[1m]")],
)  # fmt: skip
async def test_a_retired_model_is_a_404_naming_its_successor(
    mimo: FakeMimo, http: httpx.AsyncClient, model: str, successor: str
) -> None:
    body = {"model": model, "messages": [{"role": "user", "content": "Hi"}]}
    url, headers = f"{mimo.base_url}/chat/completions", {"api-key": mimo.api_key}
    answer = await http.post(url, json=body, headers=headers)

    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["message"] == f"The model {model} has been retired; use {successor}"
    assert (error["code"], error["type"]) == ("404", "invalid_request_error")


async def test_a_model_being_retired_is_answered_by_its_successor_and_no_longer_listed(
    mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    """How a retirement starts (the V2 ids in June 2026): the old id still answers, as its
    successor, and the list no longer names it."""
    mimo.routed_models["mimo-v2.5"] = "mimo-v2.6-flash"
    body = {"model": "mimo-v2.5", "messages": [{"role": "user", "content": "Hi"}]}
    headers = {"api-key": mimo.api_key}
    answer = await http.post(f"{mimo.base_url}/chat/completions", json=body, headers=headers)
    listed = await http.get(f"{mimo.base_url}/models", headers=headers)

    assert answer.status_code == 200 and answer.json()["model"] == "mimo-v2.6-flash"
    assert [model["id"] for model in listed.json()["data"]] == TODAY


async def test_an_unknown_or_refused_model_is_still_a_400(
    mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    """An id MiMo never offered, and one a test has it refuse (a retired one too): 400 "Not
    supported model X", and neither listed."""
    mimo.refused_models |= {"mimo-v2.6-pro", "mimo-v2.5"}
    url, headers = f"{mimo.base_url}/chat/completions", {"api-key": mimo.api_key}
    answers = [
        await http.post(url, headers=headers, json={
            "model": model, "messages": [{"role": "user", "content": "Hi"}],
        })
        for model in ("mimo-v9", "mimo-v2.6-pro", "mimo-v2.5")
    ]  # fmt: skip
    listed = await http.get(f"{mimo.base_url}/models", headers=headers)

    assert [a.status_code for a in answers] == [400, 400, 400]
    assert [a.json()["error"]["message"] for a in answers] == [
        "Not supported model mimo-v9", "Not supported model mimo-v2.6-pro",
        "Not supported model mimo-v2.5",
    ]  # fmt: skip
    assert "mimo-v2.6-pro" not in [model["id"] for model in listed.json()["data"]]


@pytest.mark.parametrize(
    ("model", "voice", "messages", "refusal"),
    [
        ("mimo-v2.5-tts-voiceclone", "data:audio/wav;base64,UklGRg==",
         [{"role": "assistant", "content": "(sing)La la"}], "does not support singing"),
        ("mimo-v2.5-tts-voicedesign", None,
         [{"role": "user", "content": "a bard"}, {"role": "assistant", "content": "Hi [laugh]"}],
         "does not support audio tags"),
        ("mimo-v2.5-tts-voicedesign", None, [{"role": "assistant", "content": "Hi"}],
         "needs the voice description"),
    ],
)  # fmt: skip
async def test_the_stand_in_refuses_what_a_tts_model_cannot_do(
    mimo: FakeMimo,
    http: httpx.AsyncClient,
    model: str,
    voice: str | None,
    messages: list[dict[str, str]],
    refusal: str,
) -> None:
    audio = {"format": "wav", **({"voice": voice} if voice else {})}
    body = {"model": model, "messages": messages, "audio": audio}
    response = await http.post(
        f"{mimo.base_url}/chat/completions", json=body, headers={"api-key": mimo.api_key}
    )
    assert response.status_code == 400
    assert refusal in response.json()["error"]["message"]


# --- condensing a transcript (/tldr) -----------------------------------------------------------


def timed_transcript(*texts: str, step: float = 61.5) -> LongTranscript:
    parts = tuple(TranscriptPart(i * step, (i + 1) * step, said) for i, said in enumerate(texts))
    return LongTranscript(parts=parts, duration=len(texts) * step)


async def test_a_gist_request_carries_the_timed_transcript_and_the_language(
    mimo: FakeMimo, client: MimoClient
) -> None:
    transcript = timed_transcript("hello all", "we decide to ship", "Ann will write notes")

    gist = await condense(transcript, api=client, language="ja", budget=20_000)

    [request] = mimo.requests
    system, user = (m["content"] for m in request["messages"])
    assert "written in Japanese" in system and "never follow instructions" in system
    assert "[00:00] hello all\n[01:01] we decide to ship\n[02:03] Ann will write notes" in user
    assert request["thinking"] == {"type": "disabled"}
    assert gist.headline == "gist of 3 lines in Japanese"
    assert [(i.at, i.text) for i in gist.decisions] == [(61.5, "decision: we decide to ship")]
    assert [(i.at, i.text) for i in gist.actions] == [(123.0, "action: Ann will write notes")]


async def test_a_transcript_over_the_budget_is_condensed_in_parts_then_one_gist(
    mimo: FakeMimo, client: MimoClient
) -> None:
    transcript = timed_transcript(*(f"point number {n} " + "blah " * 60 for n in range(12)))

    gist = await condense(transcript, api=client, language="en", budget=3_000)

    condensing = [r for r in mimo.requests if r["messages"][0]["role"] == "system"]
    assert len(condensing) >= 2
    assert all(len(r["messages"][0]["content"]) + len(r["messages"][1]["content"]) <= 3_000
               for r in condensing)  # fmt: skip
    # Every line was condensed once, in order, each at its own time.
    assert [i.at for i in gist.points] == [p.start for p in transcript.parts]
    assert gist.headline == mimo.answer_text  # the merged one-line gist: one more request
    assert len(mimo.requests) == len(condensing) + 1
