"""MimoClient against httpx.MockTransport: request shapes, answers, errors, retries, deadline."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import wave
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.domain.errors import (
    AudioTooLarge,
    EmptyText,
    MimoAuthError,
    MimoBadRequest,
    MimoBadResponse,
    MimoBalanceError,
    MimoContentFiltered,
    MimoError,
    MimoModelRefused,
    MimoRateLimited,
    MimoUnavailable,
)
from core.domain.quantities import Megabytes
from core.domain.shared_values import Answer, Transcript, Usage
from core.infra.mimo import MimoClient, MimoModels, RetryPolicy
from core.infra.mimo.minute_ledger import MemoryLedger
from core.infra.mimo.minute_pacing import AccountMinute
from tests.waiting import until

KEY = "sk-very-secret-key-0123456789"
BASE = "https://mimo.test/v1"
URL = f"{BASE}/chat/completions"

Handler = (
    Callable[[httpx.Request], httpx.Response]
    | Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]
)
Connect = Callable[..., MimoClient]


class FakeTime:
    """A clock that only moves when the client sleeps, so backoff costs no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def connect(fake_time: FakeTime) -> AsyncIterator[Connect]:
    """Builds a MimoClient whose far end is `handler`."""
    clients: list[httpx.AsyncClient] = []

    def connect(handler: Handler, **options: Any) -> MimoClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        clients.append(http)
        policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)
        options = {"api_key": KEY, "retry_policy": policy, **options}
        return MimoClient(http=http, base_url=BASE, **options)

    yield connect
    for http in clients:
        await http.aclose()


def body_of(request: httpx.Request) -> dict[str, Any]:
    assert request.method == "POST"
    assert str(request.url) == URL
    assert request.headers["content-type"] == "application/json"
    data = json.loads(request.content)
    assert isinstance(data, dict)
    return data


def completion(message: dict[str, Any], usage: dict[str, Any] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"choices": [{"index": 0, "message": message}]}
    if usage is not None:
        body["usage"] = usage
    return httpx.Response(200, json=body)


def says(text: str) -> httpx.Response:
    return completion({"role": "assistant", "content": text})


def mimo_error(status: int, message: str = "nope", **headers: str) -> httpx.Response:
    error = {"message": message, "type": "error", "param": None, "code": str(status)}
    return httpx.Response(status, json={"error": error}, headers=headers)


def sse(*chunks: dict[str, Any], done: bool = True) -> httpx.Response:
    lines = [f"data: {json.dumps(c)}\n\n" for c in chunks] + (["data: [DONE]\n\n"] if done else [])
    headers = {"content-type": "text/event-stream"}
    return httpx.Response(200, headers=headers, content="".join(lines).encode())


def delta(**fields: Any) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": fields}]}


def wav_of(pcm: bytes = b"\0\0" * 2400) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(24000)
        wav.writeframes(pcm)
    return buffer.getvalue()


def audio_of(data_url: str, mime: str) -> bytes:
    prefix = f"data:{mime};base64,"
    assert data_url.startswith(prefix)
    return base64.b64decode(data_url.removeprefix(prefix))


# --- speech recognition ------------------------------------------------------------------------


async def test_transcribe_sends_the_audio_as_a_data_url_with_the_language(
    connect: Connect,
) -> None:
    audio = b"RIFF fake wav bytes"

    def handler(request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        assert request.headers["api-key"] == KEY
        assert "authorization" not in request.headers
        assert body["model"] == "mimo-v2.5-asr"
        assert body["asr_options"] == {"language": "en"}
        assert "stream" not in body
        [message] = body["messages"]
        assert message["role"] == "user"
        [part] = message["content"]
        assert part["type"] == "input_audio"
        assert audio_of(part["input_audio"]["data"], "audio/wav") == audio
        usage = {"prompt_tokens": 46, "completion_tokens": 20, "seconds": 4}
        return completion({"role": "assistant", "content": " Good morning. "}, usage)

    transcript = await connect(handler).transcribe(audio, mime="audio/wav", language="en")

    assert transcript == Transcript("Good morning.", 4.0, Usage(46, 20, 4.0))


@pytest.mark.parametrize("language", ["auto", "zh", "en"])
async def test_every_known_language_is_sent(connect: Connect, language: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert body_of(request)["asr_options"] == {"language": language}
        return says("hi")

    await connect(handler).transcribe(b"mp3", mime="audio/mpeg", language=language)


async def test_an_unknown_language_leaves_detection_to_mimo(connect: Connect) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert "asr_options" not in body_of(request)
        return says("hi")

    await connect(handler).transcribe(b"mp3", mime="audio/mp3", language="fr")


async def test_a_transcript_without_seconds_has_zero_duration(connect: Connect) -> None:
    transcript = await connect(lambda r: says("")).transcribe(b"x", mime="audio/mpeg")
    assert transcript == Transcript("", 0.0, Usage())


async def test_bearer_auth_sends_an_authorization_header(connect: Connect) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert "api-key" not in request.headers
        return says("hi")

    await connect(handler, auth_header="bearer").transcribe(b"x", mime="audio/wav")


async def test_ogg_is_refused_before_sending(connect: Connect) -> None:
    client = connect(lambda r: pytest.fail("nothing should be sent"))
    with pytest.raises(ValueError, match="audio/ogg"):
        await client.transcribe(b"OggS", mime="audio/ogg")


async def test_asr_audio_up_to_10_mb_of_base64_is_sent(connect: Connect) -> None:
    audio = b"\0" * (10_000_000 // 4 * 3)  # exactly 10 MB (decimal, as MiMo counts) encoded
    transcript = await connect(lambda r: says("ok")).transcribe(audio, mime="audio/wav")
    assert transcript.text == "ok"


async def test_asr_audio_over_10_mb_of_base64_is_refused_before_sending(
    connect: Connect,
) -> None:
    audio = b"\0" * (10_000_000 // 4 * 3 + 1)  # 10 MiB would still be 485,760 more
    client = connect(lambda r: pytest.fail("nothing should be sent"))
    with pytest.raises(AudioTooLarge) as caught:
        await client.transcribe(audio, mime="audio/wav")
    assert caught.value.params == {"limit": Megabytes(7.5)}


async def test_a_streamed_transcript_is_heard_as_it_grows(connect: Connect) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        assert body["stream"] is True
        assert body["asr_options"] == {"language": "auto"}
        usage_only = {"choices": [], "usage": {"seconds": 2}}
        return sse(delta(content="Good "), delta(content=""), delta(content="morning"), usage_only)

    heard: list[str] = []
    transcript = await connect(handler).transcribe(b"x", mime="audio/wav", on_text=heard.append)
    assert heard == ["Good ", "Good morning"]
    assert transcript.text == "Good morning"
    assert transcript.usage.audio_seconds == 2


async def test_a_streamed_transcript_checks_the_audio_first(connect: Connect) -> None:
    client = connect(lambda r: pytest.fail("nothing should be sent"))
    with pytest.raises(ValueError):
        await client.transcribe(b"x", mime="audio/ogg", on_text=lambda _: None)


# --- speech synthesis --------------------------------------------------------------------------


async def test_synthesize_speaks_the_text_as_the_assistant_in_v25_style(
    connect: Connect,
) -> None:
    wav = wav_of()

    def handler(request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        assert body["model"] == "mimo-v2.5-tts"
        assert body["messages"] == [{"role": "assistant", "content": "(Happy)Hello"}]
        assert body["audio"] == {"format": "wav", "voice": "Mia"}
        audio = {"id": "a1", "data": base64.b64encode(wav).decode()}
        return completion({"role": "assistant", "content": "", "audio": audio})

    assert await connect(handler).synthesize("Hello", voice="Mia", style="Happy") == wav


async def test_synthesize_on_v2_uses_a_style_tag_and_the_default_voice(
    connect: Connect,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        assert body["model"] == "mimo-v2-tts"
        assert body["messages"] == [{"role": "assistant", "content": "<style>Happy</style>Hi"}]
        assert body["audio"] == {"format": "wav", "voice": "mimo_default"}
        return completion({"audio": {"data": base64.b64encode(b"RIFF").decode()}})

    client = connect(handler)
    assert await client.synthesize("Hi", style="Happy", model="mimo-v2-tts") == b"RIFF"


async def test_a_long_direction_goes_first_as_a_user_message(connect: Connect) -> None:
    direction = "read it like a sleepy grandmother telling a story"

    def handler(request: httpx.Request) -> httpx.Response:
        assert body_of(request)["messages"] == [
            {"role": "user", "content": direction},
            {"role": "assistant", "content": "Once upon a time"},
        ]
        return completion({"audio": {"data": base64.b64encode(b"RIFF").decode()}})

    await connect(handler).synthesize("Once upon a time", style=direction)


async def test_an_answer_without_audio_is_a_bad_response(connect: Connect) -> None:
    with pytest.raises(MimoBadResponse):
        await connect(lambda r: says("no audio here")).synthesize("Hello")


async def test_empty_text_is_refused_before_sending(connect: Connect) -> None:
    with pytest.raises(EmptyText):
        await connect(lambda r: pytest.fail("nothing should be sent")).synthesize("  ")


async def test_an_error_inside_a_stream_is_mapped(connect: Connect) -> None:
    error = {"error": {"message": "filtered", "code": "421"}}
    with pytest.raises(MimoContentFiltered):
        await connect(lambda r: sse(error)).transcribe(
            b"x", mime="audio/wav", on_text=lambda text: None
        )


async def test_a_stream_that_breaks_midway_is_unavailable(connect: Connect) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield f"data: {json.dumps(delta(content='Good'))}\n\n".encode()
        raise httpx.RemoteProtocolError("peer closed connection")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=broken())

    heard: list[str] = []
    with pytest.raises(MimoUnavailable):
        await connect(handler).transcribe(b"x", mime="audio/wav", on_text=heard.append)
    assert heard == ["Good"]


# --- audio understanding and chat --------------------------------------------------------------


async def test_understand_audio_asks_about_the_audio_with_thinking_off(
    connect: Connect, tmp_path: Path
) -> None:
    audio = tmp_path / "question.ogg"
    audio.write_bytes(b"OggS fake ogg")

    def handler(request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        assert body["model"] == "mimo-v2.6-flash"
        assert body["thinking"] == {"type": "disabled"}
        system, user = body["messages"]
        assert system == {"role": "system", "content": "Be brief."}
        audio_part, question = user["content"]
        assert user["role"] == "user"
        assert audio_of(audio_part["input_audio"]["data"], "audio/ogg") == audio.read_bytes()
        assert question == {"type": "text", "text": "What is said?"}
        usage = {"prompt_tokens": 86, "completion_tokens": 17}
        return completion({"content": "A greeting."}, usage)

    answer = await connect(handler).understand_audio(
        audio, mime="audio/ogg", question="What is said?", system="Be brief."
    )
    assert answer == Answer("A greeting.", Usage(86, 17, 0.0))


async def test_a_recording_streams_into_its_request_whole_on_every_attempt(
    connect: Connect, tmp_path: Path
) -> None:
    """Several chunks of base64, a question that mentions a data URL, and a retry: each attempt
    carries the whole recording, with its length stated."""
    audio = tmp_path / "long.mp3"
    audio.write_bytes(bytes(range(256)) * 12_000)  # 3 MB: four chunks
    sent: list[tuple[bytes, dict[str, Any]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        assert int(request.headers["content-length"]) == len(request.content)
        assert "transfer-encoding" not in request.headers
        sent.append((audio_of(body["messages"][0]["content"][0]["input_audio"]["data"],
                              "audio/mpeg"), body["messages"][0]["content"][1]))  # fmt: skip
        if len(sent) == 1:
            return httpx.Response(503, json={"error": {"message": "busy"}})
        return says("Music.")

    question = 'Is "data:audio/mpeg;base64," said in it?'
    answer = await connect(handler).understand_audio(audio, mime="audio/mpeg", question=question)

    assert answer.text == "Music."
    assert [data == audio.read_bytes() for data, _ in sent] == [True, True]
    assert [part for _, part in sent] == [{"type": "text", "text": question}] * 2


async def test_understanding_audio_over_50_mb_of_base64_is_refused(
    connect: Connect, tmp_path: Path
) -> None:
    audio = tmp_path / "big.mp3"
    with audio.open("wb") as file:
        file.truncate(50 * 1024 * 1024 // 4 * 3 + 1)
    client = connect(lambda r: pytest.fail("nothing should be sent"))
    with pytest.raises(AudioTooLarge):
        await client.understand_audio(audio, mime="audio/mpeg", question="?")


async def test_chat_sends_the_prompt_with_thinking_off(connect: Connect) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        assert body["model"] == "mimo-v2.6-flash"
        assert body["thinking"] == {"type": "disabled"}
        assert body["messages"] == [{"role": "user", "content": "Summarise this"}]
        assert body["max_completion_tokens"] == 200
        return says("A summary.")

    answer = await connect(handler).chat("Summarise this", max_tokens=200)
    assert answer.text == "A summary."


async def test_an_empty_content_falls_back_to_reasoning_content(connect: Connect) -> None:
    message = {"content": "", "reasoning_content": "Good morning."}
    answer = await connect(lambda r: completion(message)).chat("?")
    assert answer.text == "Good morning."


@pytest.mark.parametrize("message", [{"content": ""}, {"content": None, "reasoning_content": None}])
async def test_an_answer_without_any_text_is_a_bad_response(
    connect: Connect, message: dict[str, Any]
) -> None:
    with pytest.raises(MimoBadResponse):
        await connect(lambda r: completion(message)).chat("?")


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, content=b"<html>gateway</html>"),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"choices": []}),
        httpx.Response(200, json={"id": "x"}),
    ],
)
async def test_unreadable_answers_are_bad_responses(
    connect: Connect, response: httpx.Response
) -> None:
    with pytest.raises(MimoBadResponse):
        await connect(lambda r: response).chat("?")


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, MimoBadRequest),
        (404, MimoBadRequest),
        (401, MimoAuthError),
        (403, MimoAuthError),
        (402, MimoBalanceError),
        (421, MimoContentFiltered),
        (429, MimoRateLimited),
        (500, MimoUnavailable),
        (502, MimoUnavailable),
        (503, MimoUnavailable),
        (504, MimoUnavailable),
    ],
)
async def test_each_status_maps_to_its_error(
    connect: Connect, status: int, error: type[MimoError]
) -> None:
    client = connect(lambda r: mimo_error(status, "the provider's reason"), max_retries=0)
    with pytest.raises(error) as caught:
        await client.chat("?")
    assert caught.value.status == status
    assert "the provider's reason" in caught.value.detail


async def test_a_non_json_error_body_still_maps_by_status(connect: Connect) -> None:
    response = httpx.Response(402, text="Payment Required")
    with pytest.raises(MimoBalanceError, match="Payment Required"):
        await connect(lambda r: response).chat("?")


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "Not supported model mimo-v2.6-flash"),
        (404, "The model `mimo-v2.6-flash` does not exist"),
    ],
)
async def test_a_refused_model_names_the_setting_of_what_was_asked(
    connect: Connect, status: int, message: str
) -> None:
    """The chat and the audio models are both mimo-v2.6-flash by default: the setting named is
    the one the request came from."""
    client = connect(lambda r: mimo_error(status, message), max_retries=0)
    with pytest.raises(MimoModelRefused) as chat:
        await client.chat("?")
    with pytest.raises(MimoModelRefused) as audio:
        await client.chat("?", kind="audio")

    assert chat.value.params == {"model": "mimo-v2.6-flash", "setting": "MIMO_CHAT_MODEL"}
    assert audio.value.params["setting"] == "MIMO_AUDIO_MODEL"
    assert "set MIMO_CHAT_MODEL to a model MiMo offers" in chat.value.detail


@pytest.mark.parametrize(
    ("model", "message", "successor"),
    [
        ("mimo-v2.5", "The model mimo-v2.5 has been retired; use mimo-v2.6-flash",
         "mimo-v2.6-flash"),
        ("mimo-v2.5-pro", "Model `mimo-v2.5-pro` is deprecated. Please switch to `mimo-v2.6-pro`.",
         "mimo-v2.6-pro"),
    ],
)  # fmt: skip
async def test_a_retired_model_is_asked_once_and_names_its_successor_and_setting(
    connect: Connect, fake_time: FakeTime, model: str, message: str, successor: str
) -> None:
    """MiMo retires an id with a 404 naming the one to use instead: a refusal, not a failure
    worth a retry, said with the setting to change and what to set it to."""
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(body_of(request))
        return mimo_error(404, message)

    client = connect(handler, models=MimoModels(chat=model), max_retries=3)
    with pytest.raises(MimoModelRefused) as caught:
        await client.chat("?")

    assert len(sent) == 1 and fake_time.sleeps == []
    assert caught.value.status == 404
    assert caught.value.params == {"model": model, "successor": successor,
                                   "setting": "MIMO_CHAT_MODEL"}  # fmt: skip
    assert f"set MIMO_CHAT_MODEL to {successor}, the model MiMo names instead" in (
        caught.value.detail
    )


async def test_ids_a_refusal_lists_as_offered_are_no_successor(connect: Connect) -> None:
    listed = "Not supported model mimo-v9. Supported models: mimo-v2.6-flash, mimo-v2.6-pro"
    client = connect(lambda r: mimo_error(400, listed), models=MimoModels(chat="mimo-v9"))
    with pytest.raises(MimoModelRefused) as caught:
        await client.chat("?")
    assert "successor" not in caught.value.params
    assert "set MIMO_CHAT_MODEL to a model MiMo offers" in caught.value.detail


async def test_the_models_offered_are_read_from_mimos_list_with_the_key(connect: Connect) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        models = [{"id": id_, "object": "model", "owned_by": "xiaomi"}
                  for id_ in ("mimo-v2.6-flash", "mimo-v2.5-asr")]  # fmt: skip
        return httpx.Response(200, json={"object": "list", "data": models})

    offered = await connect(handler).offered_models()

    assert offered == {"mimo-v2.6-flash", "mimo-v2.5-asr"}
    [request] = seen
    assert (request.method, str(request.url)) == ("GET", f"{BASE}/models")
    assert request.headers["api-key"] == KEY


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(404, text="404: Not Found"), MimoBadRequest),
        (httpx.Response(200, json={"object": "list", "data": [{"name": "x"}]}), MimoBadResponse),
        (httpx.Response(200, text="<html>models</html>"), MimoBadResponse),
    ],
    ids=["no list", "no ids", "not json"],
)
async def test_a_list_of_models_that_cannot_be_read_says_why(
    connect: Connect, answer: httpx.Response, error: type[MimoError]
) -> None:
    """A gateway without `/models` answers 404; what doctor does then is its own affair."""
    with pytest.raises(error):
        await connect(lambda r: answer, max_retries=0).offered_models()


async def test_a_bad_request_about_something_else_is_no_refused_model(
    connect: Connect,
) -> None:
    client = connect(lambda r: mimo_error(400, "unsupported language 'xx'"), max_retries=0)
    with pytest.raises(MimoBadRequest) as caught:
        await client.synthesize("hi")
    assert not isinstance(caught.value, MimoModelRefused)


async def test_a_refused_model_no_setting_names_is_an_ordinary_bad_request(
    connect: Connect,
) -> None:
    """A chat's own choice of speech model (`/model`) is not a setting to change."""
    client = connect(lambda r: mimo_error(400, "Not supported model mimo-v2-tts"), max_retries=0)
    with pytest.raises(MimoBadRequest) as caught:
        await client.synthesize("hi", model="mimo-v2-tts")
    assert not isinstance(caught.value, MimoModelRefused)


async def test_a_token_plan_key_on_the_wrong_host_says_so(connect: Connect) -> None:
    client = connect(lambda r: mimo_error(401), api_key="tp-abc123")
    with pytest.raises(MimoAuthError) as caught:
        await client.chat("?")
    for host in ("token-plan-cn", "token-plan-sgp", "token-plan-ams"):
        assert host in caught.value.detail
    assert "tp-abc123" not in caught.value.detail


async def test_the_key_never_reaches_errors_logs_or_reprs(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    echo = mimo_error(401, f"Incorrect API key provided: {KEY}")
    caplog.set_level(logging.DEBUG)
    client = connect(lambda r: echo)
    with pytest.raises(MimoAuthError) as caught:
        await client.chat("?")
    retried = connect(lambda r: mimo_error(503, f"overloaded for {KEY}"), max_retries=1)
    with pytest.raises(MimoUnavailable) as unavailable:
        await retried.chat("?")
    for error in (caught.value, unavailable.value):
        assert KEY not in str(error)
        assert KEY not in repr(error)
        assert KEY not in error.detail
    assert KEY not in caplog.text
    assert "MiMo call failed" in caplog.text
    assert KEY not in repr(client)


async def test_an_unusable_base_url_is_a_bad_request(fake_time: FakeTime) -> None:
    async with httpx.AsyncClient() as http:
        client = MimoClient(http=http, api_key=KEY, base_url="mimo.example/v1")
        with pytest.raises(MimoBadRequest):
            await client.chat("?")


# --- retries, backoff and the deadline ---------------------------------------------------------


class Script:
    """Answers requests from a list, in order, counting them."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.attempts = 0
        self.timeouts: list[dict[str, float]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body_of(request)
        self.attempts += 1
        self.timeouts.append(request.extensions["timeout"])
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_transient_statuses_are_retried(
    connect: Connect, fake_time: FakeTime, status: int
) -> None:
    script = Script(mimo_error(status), mimo_error(status), says("finally"))
    answer = await connect(script).chat("?")
    assert answer.text == "finally"
    assert script.attempts == 3
    assert len(fake_time.sleeps) == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("dropped"),
    ],
)
async def test_timeouts_and_broken_connections_are_retried(
    connect: Connect, failure: Exception
) -> None:
    script = Script(failure, says("ok"))
    assert (await connect(script).chat("?")).text == "ok"
    assert script.attempts == 2


async def test_after_max_retries_the_last_error_is_raised(connect: Connect) -> None:
    script = Script(mimo_error(429, "slow down"))
    with pytest.raises(MimoRateLimited, match="slow down"):
        await connect(script, max_retries=3).chat("?")
    assert script.attempts == 4


async def test_a_transport_failure_after_retries_is_unavailable(connect: Connect) -> None:
    script = Script(httpx.ConnectError("refused"))
    with pytest.raises(MimoUnavailable) as caught:
        await connect(script, max_retries=2).chat("?")
    assert script.attempts == 3
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 421])
async def test_client_errors_are_not_retried(connect: Connect, status: int) -> None:
    script = Script(mimo_error(status), says("never"))
    with pytest.raises(MimoError):
        await connect(script).chat("?")
    assert script.attempts == 1


async def test_bad_responses_are_not_retried(connect: Connect) -> None:
    script = Script(httpx.Response(200, content=b"not json"), says("never"))
    with pytest.raises(MimoBadResponse):
        await connect(script).chat("?")
    assert script.attempts == 1


async def test_backoff_grows_exponentially_with_jitter(
    connect: Connect, fake_time: FakeTime
) -> None:
    with pytest.raises(MimoUnavailable):
        await connect(Script(mimo_error(503)), max_retries=3).chat("?")
    first, second, third = fake_time.sleeps
    assert 0.5 <= first <= 1.0
    assert 1.0 <= second <= 1.5
    assert 2.0 <= third <= 2.5


async def test_retry_after_seconds_are_honoured(connect: Connect, fake_time: FakeTime) -> None:
    script = Script(mimo_error(429, **{"Retry-After": "7"}), says("ok"))
    await connect(script).chat("?")
    assert fake_time.sleeps == [7.0]


async def test_a_retry_after_date_is_honoured(connect: Connect, fake_time: FakeTime) -> None:
    script = Script(mimo_error(503, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), says("ok"))
    await connect(script).chat("?")
    assert fake_time.sleeps == [0.0]  # a date in the past: retry at once


async def test_a_long_retry_after_is_capped(connect: Connect, fake_time: FakeTime) -> None:
    script = Script(mimo_error(429, **{"Retry-After": "3600"}), says("ok"))
    await connect(script).chat("?")
    assert fake_time.sleeps == [30.0]


async def test_the_deadline_stops_retries(connect: Connect, fake_time: FakeTime) -> None:
    script = Script(mimo_error(503, **{"Retry-After": "4"}))
    with pytest.raises(MimoUnavailable):
        await connect(script, timeout=10.0, max_retries=10).chat("?")
    assert script.attempts == 3  # at 0 s, 4 s and 8 s; a wait to 12 s would pass the deadline
    assert fake_time.sleeps == [4.0, 4.0]


async def test_each_attempt_gets_only_the_time_left(connect: Connect) -> None:
    script = Script(mimo_error(503, **{"Retry-After": "4"}), says("ok"))
    await connect(script, timeout=120.0).chat("?")
    assert [t["read"] for t in script.timeouts] == [120.0, 116.0]
    assert [t["connect"] for t in script.timeouts] == [120.0, 116.0]


async def test_a_server_that_hangs_is_cut_off_at_the_deadline(connect: Connect) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return says("too late")

    with pytest.raises(MimoUnavailable, match="in time"):
        await asyncio.wait_for(connect(hang, timeout=0.2).chat("?"), timeout=5)


async def test_opening_a_stream_is_retried(connect: Connect) -> None:
    script = Script(mimo_error(503), sse(delta(content="hello")))
    transcript = await connect(script).transcribe(b"x", mime="audio/wav", on_text=lambda _: None)
    assert transcript.text == "hello"
    assert script.attempts == 2


@pytest.mark.parametrize(
    "idle",
    [b": keep-alive\r\n\r\n", b"data:\n\n", b":"],
    ids=["keep-alive comments", "empty events", "a byte at a time"],
)
async def test_a_stream_that_only_keeps_alive_ends_at_its_deadline(
    connect: Connect, idle: bytes
) -> None:
    """A gateway pinging an idle stream, or trickling bytes that each restart httpx's read
    timeout, holds the clip, its use of the minute and its connection no longer than the call's
    deadline."""
    sent = 0

    async def forever() -> AsyncIterator[bytes]:
        nonlocal sent
        while True:
            sent += 1
            yield idle
            await asyncio.sleep(0.02)

    def pinging(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=forever())

    client = connect(pinging, timeout=0.3, retry_policy=RetryPolicy())  # the real clock
    with pytest.raises(MimoUnavailable, match="deadline"):
        await asyncio.wait_for(_spoken(client.speak("Hello")), timeout=5)
    assert sent > 5  # it did keep the stream alive meanwhile


async def _spoken(speech: AsyncIterator[bytes]) -> None:
    async for _ in speech:
        pass


class AnsweredLedger(MemoryLedger):
    """The process's own minute, noting which uses were counted as answered, and how."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[tuple[int, int | None]] = []

    async def answered(self, use: int, tokens: int | None) -> None:
        await super().answered(use, tokens)
        self.answers.append((use, tokens))


async def test_every_attempt_counts_in_the_minute_from_when_it_ended(connect: Connect) -> None:
    """MiMo may have had a request that ended in an error answer or broke on the way: its use
    counts a minute from then, like an answered one's, not from its taking alone."""
    ledger = AnsweredLedger()
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    script = Script(mimo_error(503), httpx.ReadError("cut"), completion({"content": "ok"}, usage))
    client = connect(script, minute=AccountMinute(ledger=ledger))

    assert (await client.chat("hello")).text == "ok"

    assert [tokens for _, tokens in ledger.answers] == [None, None, 7]
    assert len({use for use, _ in ledger.answers}) == 3  # each attempt's own use


async def test_a_request_called_off_on_its_way_counts_from_then(connect: Connect) -> None:
    ledger = AnsweredLedger()
    sent = asyncio.Event()

    async def never(request: httpx.Request) -> httpx.Response:
        sent.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    client = connect(never, minute=AccountMinute(ledger=ledger))
    asking_ = asyncio.create_task(client.chat("hello"))
    await asyncio.wait_for(sent.wait(), timeout=10)
    asking_.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asking_
    await until(lambda: len(ledger.answers) == 1, "the called-off use counted from then")


async def test_a_minute_out_of_reach_never_costs_an_answer_mimo_gave(connect: Connect) -> None:
    class Unreachable(MemoryLedger):
        async def answered(self, use: int, tokens: int | None) -> None:
            raise ConnectionError("the database went away")

    client = connect(lambda r: says("kept"), minute=AccountMinute(ledger=Unreachable()))
    assert (await client.chat("hello")).text == "kept"


async def test_a_streamed_answer_counts_once_from_its_end(connect: Connect) -> None:
    """A stream's usage comes at its end: its use is counted from there, with those tokens, in
    one write to the minute; a stream that says none is counted from its end all the same."""
    ledger = AnsweredLedger()
    usage = {"choices": [], "usage": {"seconds": 2, "total_tokens": 40}}
    client = connect(lambda r: sse(delta(content="Hi"), usage), minute=AccountMinute(ledger=ledger))
    await client.transcribe(b"x", mime="audio/wav", on_text=lambda _: None)
    assert [tokens for _, tokens in ledger.answers] == [40]

    silent = AnsweredLedger()
    client = connect(lambda r: sse(delta(content="Hi")), minute=AccountMinute(ledger=silent))
    await client.transcribe(b"x", mime="audio/wav", on_text=lambda _: None)
    await until(lambda: len(silent.answers) == 1, "the stream counted from its end")
