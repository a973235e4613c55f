"""FakeMimo: MiMo's chat-completions API on a loopback port, for tests that go over real HTTP.

It is the far end of the wire, not a mock of our client: it checks requests the way MiMo does
(key, wav/mp3 data URLs, the 10 MB ASR cap, TTS text in an `assistant` message, pcm16 for
streams) and answers in MiMo's shapes, errors included. Its audio is real: ASR measures the
received audio by decoding it with ffmpeg, and TTS answers with a real WAV tone.

    async with FakeMimo(answer_text="a summary") as mimo:
        client = MimoClient(http=http, api_key=mimo.api_key, base_url=mimo.base_url)
        mimo.fail_next(503)            # the next request gets a 503, the one after succeeds
        mimo.refused_models.add("mimo-v2.6-flash")  # a model MiMo refuses: 400
        mimo.retired_models["mimo-v2.5-asr"] = "mimo-v3-asr"  # ...or retired: 404 naming this
        mimo.routed_models["mimo-v2.5"] = "mimo-v2.6-flash"  # answered by this one, unlisted
        mimo.lists_models = False       # GET /v1/models answers 404, as a gateway without it
        ...
        assert mimo.calls("mimo-v2.5-asr")[0]["asr_options"] == {"language": "en"}
        lengths = hears_by_length(mimo, {2: "hi", 3: "hello"})  # heard as its seconds say

The account's minute holds, as MiMo's does (`tests.standins.mimo_minute`): per model, 100
requests a minute, and 10,000 tokens a minute of speech recognition, every key of the account
together (`other_keys`); past it, 429 with Retry-After. Tokens are counted as MiMo's usage
counts them: text, and audio at 6.25 tokens a second.

        mimo.minute.asr = (20, 2_000)   # an account's own figures (requests, tokens)
        mimo.minute.seconds = 6.0       # a benchmark's shorter minute, its ratios kept
        mimo.minute.refused             # 429s answered for the minute

Faults on a schedule, for tests of what users see when MiMo misbehaves (deterministic: the
schedule counts requests, nothing is random):

        mimo.fail_every(3, [SERVER_ERROR, overloaded(0.2), DROPPED, slow(5), NOT_JSON])
        mimo.fail_always(SERVER_ERROR)  # MiMo is down for good...
        mimo.recover()                  # ...until it is back
        mimo.faults_served              # the fault each faulted request got, in order

A fault fits the request it answers: `NOT_JSON`, `EMPTY` and `NO_CHOICES` come as a broken,
empty or choice-less SSE stream when the request asked for a stream.

Streamed speech (`"stream": true`, `"format": "pcm16"`) comes the three ways MiMo's may, always
as PCM16LE mono at 24 kHz whatever rate was asked for:

        mimo.tts_stream = "whole"       # the default: the whole clip in one SSE line, sent
                                        # when its last slice would have come
        mimo.tts_stream = "slices"      # ...or in slices of `tts_slice_seconds`: the first
        mimo.tts_first_slice = 0.3      # after this long, the rest at `tts_pace` times real
        mimo.tts_pace = 4.0             # time (0: all at once)
        mimo.streams_refused.add("mimo-v2.5-tts-voiceclone")  # a model or voice that does not
                                        # stream: 400, as MiMo words a parameter it refuses
        mimo.tts_slices_hold = asyncio.Event()  # slices after the first wait until it is set
        mimo.tts_cut_after = 2          # the connection closes after two slices
"""

from __future__ import annotations

import array
import asyncio
import base64
import contextlib
import contextvars
import io
import json
import math
import re
import struct
import sys
import time
import uuid
import warnings
import wave
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

from core.infra.audio.ffmpeg_binary import ffmpeg_exe
from tests.standins import spoken_words
from tests.standins.mimo_minute import Admitted, MinuteRule

with warnings.catch_warnings():  # deprecated since 3.11; 3.13 on has it from audioop-lts
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

Json = dict[str, Any]
AsrText = Callable[[float, Json], str] | str

# MiMo's limits are in decimal MB: characters of base64.
ASR_BASE64_LIMIT = 10_000_000
AUDIO_BASE64_LIMIT = 50_000_000
TTS_RATE = 24_000
_MEASURE_RATE = 16_000
_SCAN_BYTES = 320  # the loudest sample is looked for 10 ms at a time, then sample by sample
CHARS_PER_TOKEN = 4  # how the stand-in counts tokens: roughly, as for English
HOLD_SECONDS = 60  # how long `hold_after` holds a request: longer than any test waits for it
_TONE_HZ = 400  # divides 24 kHz evenly, so one period can be repeated
# The voices: each divides 24 kHz, and each passes through Opus evenly loud. A 250 Hz tone does
# not: the encoder's pitch pre-filter locks onto it after about 0.7 s and the clip comes out
# nearly twice as loud from there on, which the tests that listen to a call read as a fault.
_VOICE_HZ = (200, 240, 160, 300, 320, 375, 400, 480, 500, 600)
_DATA_URL = re.compile(r"^data:([^;,]+);base64,(.*)$", re.DOTALL)
_ASR_MIMES = {"audio/wav", "audio/mpeg", "audio/mp3"}
# Audio understanding: MP3, WAV, FLAC, M4A and OGG, and only these models take audio.
_UNDERSTANDING_MIMES = {*_ASR_MIMES, "audio/flac", "audio/mp4", "audio/m4a", "audio/ogg"}
# MiMo's audio understanding page names the models that took audio before V2.6 (`mimo-v2.5`,
# `mimo-v2-omni`, both retired); V2.6's announcement says `mimo-v2.6-flash` takes text, image,
# audio and video, and says nothing of audio for the pro models: they are not given it here.
UNDERSTANDING_MODELS = frozenset({"mimo-v2.6-flash"})
AUDIO_TOKENS_PER_SECOND = 6.25
# A recognition request's tokens beside its audio (MiMo's example: 4 s, 25 audio tokens of 46).
ASR_PROMPT_TOKENS = 21
# The words of the interpreter's instruction the stand-in knows a translation from audio by.
FROM_AUDIO_ASKED = "Chinese speech into English, English speech into Chinese"
_HAN = re.compile(r"[\u3400-\u9fff]")
_CLONE_MIMES = {"audio/wav", "audio/mpeg"}
_KEEP_ALIVE = b": keep-alive\r\n\r\n"  # an SSE comment: readers skip it
_SINGING = {"sing", "singing", "唱歌"}
_SUNG = re.compile(  # a singing style, as the v2.5 `(sing)` or the v2 `<style>sing</style>`
    r"^\s*(?:[(（](?:sing|singing|唱歌)[)）]|<style>\s*(?:sing|singing|唱歌)\s*</style>)"
)
_AUDIO_TAG = re.compile(r"\[[^\[\]\n]{1,24}\]|【[^【】\n]{1,24}】")
_V2_VOICES = {"mimo_default", "default_zh", "default_en"}
_V25_VOICES = {"mimo_default", "冰糖", "茉莉", "苏打", "白桦", "Mia", "Chloe", "Milo", "Dean"}
TtsStream = Literal["whole", "slices"]


def heard_seconds(duration: float, body: Json) -> str:
    """The default ASR answer: proves how much real audio arrived."""
    return f"heard {duration:.1f} seconds"


def heard_whole(shown: str) -> bool:
    """Whether `shown`, a message of the bot's, is a transcript of the default answers, not
    the status that shows a long recording's words so far above its progress line ("0:20 of
    0:35 transcribed…", which ends in an ellipsis in every language)."""
    return shown.startswith("heard") and not shown.endswith("…")


def hears_by_length(mimo: FakeMimo, said: Mapping[int, str]) -> list[int]:
    """Make `mimo` hear each recording as the words `said` gives its length in whole seconds;
    the list it returns fills with those lengths, in the order MiMo was sent them."""
    lengths: list[int] = []

    def answer(duration: float, body: Json) -> str:
        lengths.append(round(duration))
        return said[round(duration)]

    mimo.asr_text = answer
    return lengths


@dataclass(frozen=True)
class Fault:
    """One way MiMo can fail a request; use the constants and makers below."""

    kind: Literal["status", "drop", "slow", "not_json", "empty", "no_choices"]
    status: int = 0
    retry_after: float | None = None
    seconds: float = 0.0

    def __str__(self) -> str:
        return str(self.status) if self.kind == "status" else self.kind


SERVER_ERROR = Fault("status", status=500)
BAD_GATEWAY = Fault("status", status=502)
RATE_LIMITED = Fault("status", status=429)
DROPPED = Fault("drop")  # the connection closes without an answer
NOT_JSON = Fault("not_json")  # 200 with an HTML error page (or an SSE chunk that is not JSON)
EMPTY = Fault("empty")  # 200 with an empty body (or a stream with no events)
NO_CHOICES = Fault("no_choices")  # 200 with `"choices": []` (or a stream of such chunks)


def overloaded(retry_after: float) -> Fault:
    """503 with a Retry-After header."""
    return Fault("status", status=503, retry_after=retry_after)


def slow(seconds: float) -> Fault:
    """No answer for `seconds` (set it past the client's timeout), then a normal one."""
    return Fault("slow", seconds=seconds)


class HeldRequest:
    """A request MiMo sits on (`FakeMimo.held_each`) until the test lets it go."""

    def __init__(self, body: Json) -> None:
        self.body = body
        self.answer = asyncio.Event()

    def let_go(self) -> None:
        """Answer it now."""
        self.answer.set()


@dataclass
class _Failure:
    status: int
    retry_after: float | None
    body: Json | None


class _Reject(Exception):
    """A request MiMo would refuse; becomes an error answer in MiMo's shape."""

    def __init__(self, status: int, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param


# The model ids MiMo offers today (read 2026-11-28; mimo-v2-tts is routed to the v2.5 speech
# models), the ids `GET /v1/models` lists: any other is refused, as MiMo refuses an id it does not
# offer. A `[1m]` suffix selects a 1M-token context.
OFFERED_MODELS = frozenset({
    "mimo-v2.5-asr", "mimo-v2.5-tts", "mimo-v2.5-tts-voicedesign", "mimo-v2.5-tts-voiceclone",
    "mimo-v2-tts", "mimo-v2.6-flash", "mimo-v2.6-pro", "mimo-v2.6-pro-ultraspeed",
})  # fmt: skip
# Retired ids and the one MiMo names instead, as it answered the V2 ids once they stopped
# resolving (June 2026): 404, a message naming the successor. The V2.5 text models went on
# 2026-10-21 for V2.6; the V2 ones, which went to V2.5 in June, are named today's successor.
RETIRED_MODELS: Mapping[str, str] = {
    "mimo-v2.5": "mimo-v2.6-flash", "mimo-v2.5-pro": "mimo-v2.6-pro",
    "mimo-v2-omni": "mimo-v2.6-flash", "mimo-v2-flash": "mimo-v2.6-flash",
    "mimo-v2-pro": "mimo-v2.6-pro",
}  # fmt: skip


def offered(model: object) -> bool:
    return isinstance(model, str) and model.removesuffix("[1m]") in OFFERED_MODELS


class FakeMimo:
    def __init__(
        self,
        *,
        api_key: str = "sk-test-mimo-key",
        asr_text: AsrText = heard_seconds,
        answer_text: str = "a fake answer",
        answer_in_reasoning_only: bool = False,
        tts_seconds_per_char: float = 0.05,
        delay: float = 0.0,
    ) -> None:
        self.api_key = api_key
        self.asr_text = asr_text
        self.answer_text = answer_text
        self.answer_in_reasoning_only = answer_in_reasoning_only
        self.tts_seconds_per_char = tts_seconds_per_char
        self.delay = delay
        self._hold_after: int | None = None  # requests past this many are held (`hold_after`)
        self._let_go = asyncio.Event()  # set by `hold_after(None)`: the held requests go on
        self._held_one: int | None = None  # the one request `hold_one` holds, by number
        self._let_one_go = asyncio.Event()
        # Seconds of audio received for transcription, every request's whole length: a test
        # compares it with what was said (nothing sent twice, nothing lost).
        self.asr_audio_seconds = 0.0
        # ...and the seconds billed for them: each request's sounding length in whole seconds,
        # as its answer's `usage.seconds` says (a short piece costs a whole second).
        self.asr_billed_seconds = 0
        # Seconds of audio received to be translated from its sound (the interpreter's other way).
        self.understood_seconds = 0.0
        # The prompt and completion tokens its answers reported, every model's together...
        self.tokens_reported = 0
        self.usages: list[tuple[str, Json]] = []  # ...and each answer's usage, by its model
        # False: its speech answers say nothing of the seconds (no `usage.seconds`), as a
        # gateway in front of MiMo may answer; MiMo bills them all the same.
        self.asr_reports_seconds = True
        self._held_each: list[HeldRequest] | None = None  # requests held one by one (`held_each`)
        self._received = asyncio.Event()  # set, and replaced, on every request that arrives
        # Languages the texts sent are already in: a translation into one comes back as it was
        # sent, as a model gives back text already in the language asked for ("German").
        self.texts_in: set[str] = set()
        # While this is an unset Event, every request waits for it to be set before its answer.
        self.release: asyncio.Event | None = None
        # An unset Event holds streamed transcripts after their first chunk until it is set.
        self.asr_stream_hold: asyncio.Event | None = None
        # Awaited with each request's body as it arrives, before anything else: a test's step
        # while MiMo works on it (`tests.interleavings`).
        self.before_answer: Callable[[Json], Awaitable[None]] | None = None
        self.base_url = ""
        self.requests: list[Json] = []  # every JSON body received, in order
        self.headers: list[dict[str, str]] = []  # the headers of each of those requests
        self.last_tts_wav: bytes | None = None
        # How streamed speech comes (the module docstring): whole, or in slices at a pace.
        self.tts_stream: TtsStream = "whole"
        self.tts_slice_seconds = 0.2
        self.tts_first_slice = 0.0
        self.tts_pace = 0.0
        # Models, or voices (a preset's name), that refuse to stream: the request is refused.
        self.streams_refused: set[str] = set()
        # An unset Event holds a sliced stream after its first slice until it is set.
        self.tts_slices_hold: asyncio.Event | None = None
        self.tts_streams_ended = 0  # streamed clips whose last slice has been sent
        # Sliced streams the caller closed before their end (a write found the connection gone).
        self.tts_streams_dropped = 0
        self.tts_slices_sent: list[int] = []  # the slices each sliced stream sent so far
        # Sliced streams are cut (the connection closes) after this many slices; None: never.
        self.tts_cut_after: int | None = None
        self.tts_wavs: list[bytes] = []  # every clip spoken (as WAV), in order
        # The voice of each clip, as a tone's pitch: a preset or a reference sample always gives
        # the same one; voicedesign a new one on every request, as MiMo's does.
        self.voices_heard: list[int] = []
        self._designs = 0
        self._failures: deque[_Failure] = deque()
        self._drops = 0
        self.faults_served: list[Fault] = []
        self._schedule: tuple[int, tuple[Fault, ...]] | None = None
        self._since_scheduled = 0
        self._faults_given = 0
        self._closing = asyncio.Event()
        # Model ids MiMo no longer offers (or never did): refused as it refuses them, 400
        # "Not supported model X" (reported of a Token Plan key: dify-official-plugins#3229).
        # An id it never offered (not in `OFFERED_MODELS`) is refused the same way.
        self.refused_models: set[str] = set()
        # The account's minute: past it, 429 with Retry-After (`tests.standins.mimo_minute`).
        self.minute = MinuteRule()
        # Other keys of the same account: accepted, and counted in the same minute.
        self.other_keys: set[str] = set()
        self._counting: contextvars.ContextVar[Admitted | None] = contextvars.ContextVar(
            "counting", default=None
        )
        # Retired ids, each with the successor its 404 names (`RETIRED_MODELS`; a test may
        # retire another).
        self.retired_models: dict[str, str] = dict(RETIRED_MODELS)
        # Ids MiMo is retiring, as it first does: answered by their successor (the answer's
        # `model` says which), no longer listed. Before `retired_models`.
        self.routed_models: dict[str, str] = {}
        # False: `GET /v1/models` is not there (404), as on a gateway that does not pass it on.
        self.lists_models = True
        self.models_listed = 0  # how many times the list was read (with the key)
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeMimo:
        # MiMo takes up to 50 MB of base64 audio in one body.
        app = web.Application(client_max_size=2 * AUDIO_BASE64_LIMIT)
        app.router.add_post("/v1/chat/completions", self._handle)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing.set()  # ends the delays, holds and `slow` faults still waiting
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def fail_next(
        self,
        status: int,
        times: int = 1,
        *,
        retry_after: float | None = None,
        body: Json | None = None,
    ) -> None:
        """Answer the next `times` requests with `status` (MiMo's error shape unless `body`)."""
        self._failures.extend(_Failure(status, retry_after, body) for _ in range(times))

    def drop_next(self, times: int = 1) -> None:
        """Close the connection of the next `times` requests without answering."""
        self._drops += times

    def fail_every(self, n: int, faults: Sequence[Fault]) -> None:
        """From now on, every `n`-th request (the n-th, 2n-th, ...) gets the next of `faults`,
        taking them in rotation; the others are answered as usual."""
        if n < 1 or not faults:
            raise ValueError("fail_every needs n >= 1 and at least one fault")
        self._schedule = (n, tuple(faults))
        self._since_scheduled = 0
        self._faults_given = 0

    def fail_always(self, fault: Fault = SERVER_ERROR) -> None:
        """MiMo is down: every request from now on gets `fault`."""
        self.fail_every(1, [fault])

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Answer nothing until the block ends: a test does inside it what must happen while
        MiMo is at work. Ended by a failure too, or the bot's shutdown would wait for MiMo."""
        self.release = asyncio.Event()
        try:
            yield
        finally:
            self.release.set()

    @contextlib.contextmanager
    def held_each(self) -> Iterator[list[HeldRequest]]:
        """Hold every request until the test lets that one go: the list yielded gets each
        request as it arrives, and `let_go()` answers it, in whatever order the test chooses
        (MiMo's answers do not come back in the order they were asked). The block's end lets
        every one go, a failure's too."""
        held: list[HeldRequest] = []
        self._held_each = held
        try:
            yield held
        finally:
            self._held_each = None
            for request in held:
                request.let_go()

    def hold_after(self, answered: int | None) -> None:
        """Answer the next `answered` requests at once and hold every one after them for a
        minute (a process killed meanwhile never hears back); None: hold nothing from now on,
        and answer the requests held so far."""
        if answered is None:
            self._hold_after = None
            self._let_go.set()
        else:
            self._hold_after = len(self.requests) + answered
            self._let_go = asyncio.Event()

    def hold_one(self, later: int) -> asyncio.Event:
        """Hold the request `later` requests from now (0: the next one) until the Event given
        back is set, answering the others as usual: an answer that comes after those of
        requests sent after it."""
        self._held_one = len(self.requests) + later + 1
        self._let_one_go = asyncio.Event()
        return self._let_one_go

    def recover(self) -> None:
        """End `fail_every` / `fail_always`: requests are answered as usual again."""
        self._schedule = None

    async def _pause(self, seconds: float, *, until: asyncio.Event | None = None) -> None:
        """Sit on a request for `seconds`, or until `until` is set, or until the stand-in
        closes: a request held for a process that was killed meanwhile must not hold the
        test's teardown too."""
        ends = [asyncio.ensure_future(self._closing.wait())]
        if until is not None:
            ends.append(asyncio.ensure_future(until.wait()))
        try:
            await asyncio.wait(ends, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for end in ends:
                end.cancel()

    async def wait_for_requests(
        self, count: int = 1, *, model: str = "", timeout: float = 15.0
    ) -> list[Json]:
        """Wait until `count` requests whose model starts with `model` have arrived (held or
        delayed ones too: they count once received); returns their bodies."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    arrived = self._received
                    if len(found := self.calls(model)) >= count:
                        return found
                    await arrived.wait()
        except TimeoutError:
            raise AssertionError(f"no {count} request(s) within {timeout}s") from None

    @staticmethod
    async def words_heard(body: Json) -> str | None:
        """The words a speech recognition request carried, where they are a test's reading
        (`spoken_words`)."""
        _, encoded = next(iter(_audio_data_urls(body)), ("", ""))
        return spoken_words.heard(array.array("h", await _decoded(_b64decode(encoded))))

    @staticmethod
    async def sounding_seconds(body: Json) -> float:
        """How long the audio a speech recognition request carried sounds, as it is billed."""
        _, encoded = next(iter(_audio_data_urls(body)), ("", ""))
        pcm = await _decoded(_b64decode(encoded))
        return _sounding_length(pcm) / _MEASURE_RATE

    def calls(self, model_prefix: str) -> list[Json]:
        """Bodies of the requests whose model starts with `model_prefix`."""
        return [b for b in self.requests if str(b.get("model", "")).startswith(model_prefix)]

    async def samples_heard(self) -> list[str | None]:
        """What the sample of each voiceclone request says, in order: a test's reading
        (`spoken_words`) as its words, anything else as None. Which recording a cloned voice
        speaks from."""
        heard: list[str | None] = []
        for body in self.requests:
            if str(body.get("model", "")).endswith("-voiceclone"):
                match = _DATA_URL.match(str(body["audio"]["voice"]))
                pcm = await _decoded(_b64decode(match.group(2) if match else ""))
                heard.append(spoken_words.heard(array.array("h", pcm)))
        return heard

    # --- the endpoint ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            body = json.loads(await request.read())
        except ValueError:
            return _error(400, "request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "request body must be a JSON object")
        self.requests.append(body)
        number = len(self.requests)
        self.headers.append(dict(request.headers))
        self._received.set()
        self._received = asyncio.Event()
        if self._authorized(request) and offered(body.get("model")):
            counted = self.minute.admit(str(body["model"]))
            if not isinstance(counted, Admitted):
                message = f"Rate limit reached for {body['model']}: requests or tokens per minute"
                return _error(429, message, retry_after=counted)
            self._counting.set(counted)
        if self.before_answer is not None:
            await self.before_answer(body)
        if self.delay:
            await self._pause(self.delay)
        if self.release is not None:
            await self._pause(HOLD_SECONDS, until=self.release)
        if self._hold_after is not None and len(self.requests) > self._hold_after:
            await self._pause(HOLD_SECONDS, until=self._let_go)
        if number == self._held_one:
            await self._pause(HOLD_SECONDS, until=self._let_one_go)
        if self._held_each is not None:
            one = HeldRequest(body)
            self._held_each.append(one)
            await self._pause(HOLD_SECONDS, until=one.answer)
        if self._drops:
            self._drops -= 1
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if self._failures:
            failure = self._failures.popleft()
            return _error(
                failure.status,
                f"injected {failure.status}",
                retry_after=failure.retry_after,
                body=failure.body,
            )
        fault = self._scheduled_fault()
        if fault is not None:
            self.faults_served.append(fault)
            answer = await self._fault(request, body, fault)
            if answer is not None:
                return answer
        if not self._authorized(request):
            return _error(401, "Invalid API Key")
        model = body.get("model")
        if model in self.refused_models:
            return _error(400, f"Not supported model {model}", param="Param Incorrect")
        if isinstance(model, str) and model in self.routed_models:
            model = self.routed_models[model]
            body = {**body, "model": model}
        successor = self._successor(model)
        if successor is not None:
            message = f"The model {model} has been retired; use {successor}"
            return _error(404, message, param="model")
        if not offered(model):
            return _error(400, f"Not supported model {model}", param="Param Incorrect")
        try:
            return await self._answer(request, body)
        except _Reject as rejected:
            return _error(rejected.status, rejected.message, param=rejected.param)

    def _successor(self, model: object) -> str | None:
        """The id a retired `model` is answered with (its `[1m]` suffix kept), else None."""
        if not isinstance(model, str):
            return None
        suffix = "[1m]" if model.endswith("[1m]") else ""
        successor = self.retired_models.get(model.removesuffix("[1m]"))
        return None if successor is None else successor + suffix

    async def _models(self, request: web.Request) -> web.Response:
        """`GET /v1/models`: the ids offered, in the OpenAI list shape, for the account's key."""
        if not self.lists_models:
            return web.Response(status=404, text="404: Not Found")
        if not self._authorized(request):
            return _error(401, "Invalid API Key")
        self.models_listed += 1
        gone = self.refused_models | self.retired_models.keys() | self.routed_models.keys()
        ids = sorted(OFFERED_MODELS - gone)
        models = [{"id": id_, "object": "model", "owned_by": "xiaomi"} for id_ in ids]
        return web.json_response({"object": "list", "data": models})

    def _scheduled_fault(self) -> Fault | None:
        if self._schedule is None:
            return None
        every, faults = self._schedule
        self._since_scheduled += 1
        if self._since_scheduled % every:
            return None
        fault = faults[self._faults_given % len(faults)]
        self._faults_given += 1
        return fault

    async def _fault(
        self, request: web.Request, body: Json, fault: Fault
    ) -> web.StreamResponse | None:
        """The answer a fault gives, or None when the request goes on to be answered (late)."""
        stream = bool(body.get("stream"))
        if fault.kind == "status":
            message = f"injected {fault.status}"
            return _error(fault.status, message, retry_after=fault.retry_after)
        if fault.kind == "drop":
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if fault.kind == "slow":
            await self._pause(fault.seconds)
            if request.transport is None or request.transport.is_closing():
                return web.Response()  # the client gave up waiting: nobody to answer
            return None
        if fault.kind == "not_json":
            if stream:
                return await _raw_sse(request, [b"data: {not json\n\n"])
            return web.Response(text="<html>502 Bad Gateway</html>", content_type="text/html")
        if fault.kind == "empty":
            if stream:
                return await _raw_sse(request, [])
            return web.Response(body=b"", content_type="application/json")
        if stream:  # no_choices
            chunk = {**_chunk(body, {}), "choices": []}
            return await _sse(request, [chunk])
        return web.json_response({**_completion_json(body, {}, {}), "choices": []})

    def _authorized(self, request: web.Request) -> bool:
        bearer = request.headers.get("Authorization", "")
        keys = {request.headers.get("api-key"), bearer.removeprefix("Bearer ") or None}
        return bool(keys & {self.api_key, *self.other_keys})

    async def _answer(self, request: web.Request, body: Json) -> web.StreamResponse:
        model = str(body.get("model", ""))
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            raise _Reject(400, "messages must be a non-empty list", "messages")
        if "asr" in model:
            return await self._asr(request, body)
        if "tts" in model:
            return await self._tts(request, body)
        return await self._chat(request, body)

    # --- speech recognition ---------------------------------------------------------------------

    async def _asr(self, request: web.Request, body: Json) -> web.StreamResponse:
        mime, encoded = next(iter(_audio_data_urls(body)), ("", ""))
        if mime not in _ASR_MIMES:
            raise _Reject(
                400, f"unsupported audio format {mime!r}: only wav and mp3", "input_audio"
            )
        if len(encoded) > ASR_BASE64_LIMIT:
            raise _Reject(400, "audio base64 exceeds 10 MB", "input_audio")
        language = (body.get("asr_options") or {}).get("language", "auto")
        if language not in {"auto", "zh", "en"}:
            raise _Reject(400, f"unsupported language {language!r}", "asr_options.language")
        pcm = await _decoded(_b64decode(encoded))
        self.asr_audio_seconds += len(pcm) / 2 / _MEASURE_RATE
        duration = _sounding_length(pcm) / _MEASURE_RATE
        # A test's reading of a sentence (`spoken_words`) is heard as its words.
        text = spoken_words.heard(array.array("h", pcm))
        if text is None:
            text = self.asr_text(duration, body) if callable(self.asr_text) else self.asr_text
        billed = math.ceil(duration)
        self.asr_billed_seconds += billed
        audio_tokens = math.ceil(len(pcm) / 2 / _MEASURE_RATE * AUDIO_TOKENS_PER_SECOND)
        usage = self._tokens(body, text, audio_tokens=audio_tokens + ASR_PROMPT_TOKENS)
        usage |= {"seconds": billed} if self.asr_reports_seconds else {}
        if body.get("stream"):
            chunks = [_chunk(body, {"content": piece}) for piece in _thirds(text)]
            chunks = [*chunks, _chunk(body, {}, "stop", usage)]
            return await _sse(request, chunks, hold=self.asr_stream_hold)
        return _completion(body, {"role": "assistant", "content": text}, usage)

    # --- speech synthesis -----------------------------------------------------------------------

    async def _tts(self, request: web.Request, body: Json) -> web.StreamResponse:
        model = str(body["model"])
        text = _tts_text(body)
        fmt = _check_tts_audio(model, body)
        _check_capabilities(model, body, text)
        voice = (body.get("audio") or {}).get("voice")
        if body.get("stream") and {model, voice} & self.streams_refused:
            # MiMo refuses a parameter with a 400 whose message is "Param Incorrect" and whose
            # `param` says what was wrong (AstrBotDevs/AstrBot#8283, a voicedesign request).
            error = {"code": "400", "message": "Param Incorrect", "type": "",
                     "param": f"stream is not supported for {model}"}  # fmt: skip
            return web.json_response({"error": error}, status=400)
        hz = self._voice_hz(model, body)
        pcm = _tone(max(0.5, len(text) * self.tts_seconds_per_char), hz)
        self.last_tts_wav = _wav(pcm)
        self.tts_wavs.append(self.last_tts_wav)
        self.voices_heard.append(hz)
        usage = self._tokens(body, text)
        if body.get("stream"):
            return await self._tts_streamed(request, body, pcm, usage)
        data = _b64(pcm if fmt == "pcm16" else self.last_tts_wav)
        message = {"role": "assistant", "content": "", "audio": {"id": _id(), "data": data}}
        return _completion(body, message, usage)

    async def _tts_streamed(
        self, request: web.Request, body: Json, pcm: bytes, usage: Json
    ) -> web.StreamResponse:
        """A speech stream: the whole clip in one SSE line of several MB, as the provider once
        said MiMo sends it, or in slices at a pace, as integrations since read it."""
        end = _KEEP_ALIVE + _sse_line(_chunk(body, {}, "stop", usage)) + b"data: [DONE]\r\n\r\n"
        size = max(2, int(self.tts_slice_seconds * TTS_RATE) * 2)
        if self.tts_stream == "whole":  # when its last slice would have come
            later = self.tts_slice_seconds / self.tts_pace if self.tts_pace else 0.0
            await self._pause(self.tts_first_slice + (math.ceil(len(pcm) / size) - 1) * later)
            whole = _sse_line(_chunk(body, {"audio": {"data": _b64(pcm)}}))
            answer = await _raw_sse(request, [_KEEP_ALIVE + whole, end])
            self.tts_streams_ended += 1
            return answer
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        stream = len(self.tts_slices_sent)
        self.tts_slices_sent.append(0)
        await self._pause(self.tts_first_slice)
        for number, at in enumerate(range(0, len(pcm), size)):
            if number == 1 and self.tts_slices_hold is not None:
                await self._pause(HOLD_SECONDS, until=self.tts_slices_hold)
            if number and self.tts_pace:
                await self._pause(self.tts_slice_seconds / self.tts_pace)
            if number == self.tts_cut_after and request.transport is not None:
                request.transport.close()  # cut mid-way: no more slices, no [DONE]
                return response
            piece = _chunk(body, {"audio": {"data": _b64(pcm[at : at + size])}})
            try:
                await response.write(_KEEP_ALIVE + _sse_line(piece))
                self.tts_slices_sent[stream] += 1
            except ConnectionError:  # the caller went away mid-way
                self.tts_streams_dropped += 1
                return response
        self.tts_streams_ended += 1
        await response.write(end)
        await response.write_eof()
        return response

    def _voice_hz(self, model: str, body: Json) -> int:
        """The voice a request is spoken in, as a pitch (see `voices_heard`)."""
        if model.endswith("-voicedesign"):
            self._designs += 1  # "the same input may differ": a new voice every time
            return _VOICE_HZ[self._designs % len(_VOICE_HZ)]
        voice = str((body.get("audio") or {}).get("voice") or "")
        return _VOICE_HZ[zlib.crc32(voice.encode()) % len(_VOICE_HZ)]

    # --- audio understanding and chat -----------------------------------------------------------

    async def _chat(self, request: web.Request, body: Json) -> web.StreamResponse:
        audio = _audio_data_urls(body)
        if audio and str(body["model"]).removesuffix("[1m]") not in UNDERSTANDING_MODELS:
            raise _Reject(400, f"model {body['model']} does not take audio input", "input_audio")
        for mime, encoded in audio:
            if not mime.startswith("audio/"):
                raise _Reject(400, f"unsupported audio type {mime!r}", "input_audio")
            if len(encoded) > AUDIO_BASE64_LIMIT:
                raise _Reject(400, "audio base64 exceeds 50 MB", "input_audio")
            _b64decode(encoded)
        thinking = (body.get("thinking") or {}).get("type") != "disabled"
        translated = _translated(body, already_in=self.texts_in)
        from_audio, audio_tokens = await self._translated_from_audio(body, audio)
        text = _condensed(body) or translated or from_audio or self.answer_text
        finish = "stop"
        budget = body.get("max_completion_tokens")
        if isinstance(budget, int) and len(text) > budget * CHARS_PER_TOKEN:
            text, finish = text[: budget * CHARS_PER_TOKEN], "length"  # cut where the room ends
        message: Json = {"role": "assistant", "content": text}
        if self.answer_in_reasoning_only or thinking:  # thinking is on unless turned off
            message = {"role": "assistant", "content": "", "reasoning_content": text}
        if audio and audio_tokens is None:  # a question about a recording: its seconds
            audio_tokens = sum([await _audio_tokens(encoded) for _, encoded in audio])
        usage = self._tokens(body, text, audio_tokens=audio_tokens)
        return _completion(body, message, usage, finish=finish)

    async def _translated_from_audio(
        self, body: Json, audio: list[tuple[str, str]]
    ) -> tuple[str | None, int | None]:
        """A request to translate speech from its sound (the interpreter's
        DISCORD_INTERPRET_FROM=audio, one audio and its instruction) answered by rule: what the
        stand-in's recognition hears in it (`asr_text`), marked with the language it goes into,
        "[English] 好的" or "[Chinese] Hello": it cannot judge a translation. With the audio's
        tokens as MiMo counts them (6.25 a second). (None, None) for any other request."""
        if len(audio) != 1 or FROM_AUDIO_ASKED not in _user_text(body):
            return None, None
        mime, encoded = audio[0]
        if mime not in _UNDERSTANDING_MIMES:
            raise _Reject(400, f"unsupported audio format {mime!r}", "input_audio")
        pcm = await _decoded(_b64decode(encoded))
        self.understood_seconds += len(pcm) / 2 / _MEASURE_RATE
        duration = _sounding_length(pcm) / _MEASURE_RATE
        said = spoken_words.heard(array.array("h", pcm))
        if said is None:
            said = self.asr_text(duration, body) if callable(self.asr_text) else self.asr_text
        into = "English" if _HAN.search(said) else "Chinese"
        return f"[{into}] {said}", math.ceil(len(pcm) / 2 / _MEASURE_RATE * AUDIO_TOKENS_PER_SECOND)

    def _tokens(self, body: Json, answer: str, *, audio_tokens: int | None = None) -> Json:
        """The usage of an answer as MiMo counts it (its text, and its audio by its seconds),
        counted in `tokens_reported` and in the account's minute."""
        usage = _tokens(body, answer, audio_tokens)
        self.tokens_reported += usage["total_tokens"]
        self.usages.append((str(body.get("model", "")), usage))
        if (counted := self._counting.get()) is not None:
            counted.tokens += usage["total_tokens"]
        return usage


# --- what the chat model writes, where a test can check it ------------------------------------

_TRANSCRIPT_BLOCK = re.compile(r"<transcript>\n(.*)\n</transcript>", re.DOTALL)
_TIMED_LINE = re.compile(r"^\[(\d+(?::\d\d)+)\] (.*)$")
_WRITTEN_IN = re.compile(r"written in ([^:\n]+):")


def _condensed(body: Json) -> str | None:
    """A condensation request (a system prompt asking to condense the transcript between
    `<transcript>` tags, lines `[mm:ss] text`) answered as the model would, by rule: JSON with
    the gist naming how many lines and the language asked for, one point per line at that
    line's time ("point: TEXT"), a decision for each line saying "decide", an action item for
    each saying "will". None (the usual answer) for any other request, or one without timed
    lines: a model may answer in prose, and the bot must cope."""
    system = " ".join(
        str(m.get("content") or "") for m in body["messages"] if m.get("role") == "system"
    )
    user = " ".join(
        str(m.get("content") or "") for m in body["messages"] if m.get("role") == "user"
    )
    block = _TRANSCRIPT_BLOCK.search(user)
    if "condense the transcript" not in system or block is None:
        return None
    language = _WRITTEN_IN.search(system)
    lines = [m.groups() for m in map(_TIMED_LINE.match, block.group(1).splitlines()) if m]
    if not lines:
        return None  # nothing to go by: the model answers in prose, as it may

    def items(word: str, label: str) -> list[Json]:
        return [{"at": at, "text": f"{label}: {said}"} for at, said in lines if word in said]

    return json.dumps(
        {
            "gist": f"gist of {len(lines)} lines in {language.group(1) if language else '?'}",
            "points": items("", "point"),
            "decisions": items("decide", "decision"),
            "actions": items("will", "action"),
        },
        ensure_ascii=False,
    )


_TEXT_BLOCK = re.compile(r"<text>\n(.*)\n</text>", re.DOTALL)
_TRANSLATE_INTO = re.compile(r"You translate text into ([^.\n]+)\.")


def _translated(body: Json, *, already_in: set[str]) -> str | None:
    """A translation request (a system prompt "You translate text into LANGUAGE.", the text
    between `<text>` tags) answered by rule: the text, marked with the language asked for,
    "[LANGUAGE] text"; the text unchanged when it is `already_in` that language. None for any
    other request."""
    system = " ".join(
        str(m.get("content") or "") for m in body["messages"] if m.get("role") == "system"
    )
    user = " ".join(
        str(m.get("content") or "") for m in body["messages"] if m.get("role") == "user"
    )
    into, block = _TRANSLATE_INTO.search(system), _TEXT_BLOCK.search(user)
    if into is None or block is None:
        return None
    if into.group(1) in already_in:
        return block.group(1)
    return f"[{into.group(1)}] {block.group(1)}"


def _user_text(body: Json) -> str:
    """The text parts of the user messages, joined."""
    users = [m for m in body["messages"] if isinstance(m, dict) and m.get("role") == "user"]
    return " ".join(_texts_of(m.get("content")) for m in users)


def _texts_of(content: object) -> str:
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else []
    return " ".join(
        str(p.get("text", "")) for p in parts if isinstance(p, dict) and p.get("type") == "text"
    )


def _text_tokens(body: Json) -> int:
    """A request's tokens without its audio: its messages' text, roughly."""
    texts = [_texts_of(m.get("content")) for m in body["messages"] if isinstance(m, dict)]
    return max(1, len(" ".join(texts)) // CHARS_PER_TOKEN)


# --- request checks ---------------------------------------------------------------------------


def _audio_data_urls(body: Json) -> list[tuple[str, str]]:
    """(mime, base64) of every `input_audio` data URL in the user messages."""
    found = []
    for message in body["messages"]:
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        for part in content if isinstance(content, list) else []:
            if isinstance(part, dict) and part.get("type") == "input_audio":
                data = str((part.get("input_audio") or {}).get("data", ""))
                match = _DATA_URL.match(data)
                if match is None and not data.startswith("https://"):
                    raise _Reject(400, "input_audio.data must be a data URL", "input_audio")
                if match is not None:
                    found.append((match.group(1), match.group(2)))
    return found


def _tts_text(body: Json) -> str:
    texts = [
        m.get("content")
        for m in body["messages"]
        if isinstance(m, dict) and m.get("role") == "assistant"
    ]
    if not texts or not isinstance(texts[-1], str) or not texts[-1].strip():
        raise _Reject(400, "the text to synthesize must be in an assistant message", "messages")
    return texts[-1]


def _check_tts_audio(model: str, body: Json) -> str:
    """The requested format, after MiMo's checks of the `audio` object."""
    audio = body.get("audio")
    if not isinstance(audio, dict):
        raise _Reject(400, "audio is required for speech synthesis", "audio")
    fmt = audio.get("format", "wav")
    if fmt not in {"wav", "pcm16"} or (body.get("stream") and fmt != "pcm16"):
        raise _Reject(400, f"unsupported audio format {fmt!r}", "audio.format")
    voice = audio.get("voice")
    if model.endswith("-voicedesign"):
        _check_voicedesign(body, audio)
        return str(fmt)
    if model.endswith("-voiceclone"):
        _check_voiceclone(str(voice))
        return str(fmt)
    voices = _V2_VOICES if model.startswith("mimo-v2-tts") else _V25_VOICES
    if voice not in voices:
        raise _Reject(400, f"voice {voice!r} not found", "audio.voice")
    return str(fmt)


def _check_capabilities(model: str, body: Json, text: str) -> None:
    """The provider's v2.5 table: only the preset-voice models sing; voicedesign takes no
    inline audio tags."""
    directions = [
        str(m.get("content") or "").strip().casefold()
        for m in body["messages"]
        if isinstance(m, dict) and m.get("role") == "user"
    ]
    sung = _SUNG.match(text) is not None or any(d in _SINGING for d in directions)
    if sung and model.endswith(("-voicedesign", "-voiceclone")):
        raise _Reject(400, f"{model} does not support singing", "messages")
    if model.endswith("-voicedesign") and _AUDIO_TAG.search(text):
        raise _Reject(400, "voicedesign does not support audio tags", "messages")


def _check_voicedesign(body: Json, audio: Json) -> None:
    """voicedesign: the voice is the description in a `user` message, never `audio.voice`."""
    if "voice" in audio:
        raise _Reject(400, "voicedesign takes no audio.voice: describe the voice", "audio.voice")
    described = [
        m.get("content")
        for m in body["messages"]
        if isinstance(m, dict) and m.get("role") == "user"
    ]
    if not described or not isinstance(described[0], str) or not described[0].strip():
        raise _Reject(400, "voicedesign needs the voice description in a user message", "messages")


def _check_voiceclone(voice: str) -> None:
    """voiceclone: `audio.voice` is an mp3 or wav data URL, base64 at most 10 MB."""
    match = _DATA_URL.match(voice)
    if match is None or match.group(1) not in _CLONE_MIMES:
        raise _Reject(400, "voiceclone needs an mp3 or wav data URL as voice", "audio.voice")
    if len(match.group(2)) > ASR_BASE64_LIMIT:
        raise _Reject(400, "voice sample base64 exceeds 10 MB", "audio.voice")
    _b64decode(match.group(2))


def _b64decode(encoded: str) -> bytes:
    try:
        return base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise _Reject(400, "audio is not valid base64", "input_audio") from exc


async def _measure_seconds(audio: bytes) -> float:
    """Seconds of sound in the audio, found by decoding all of it (`_decoded`).

    Silence at either end is not counted: an mp3 encoded into a pipe carries the encoder's delay
    and padding (about 0.1 s of digital silence), and without trimming a 3 s recording would be
    "heard" as 3.1 s depending on how the caller converted it. A 16-bit mono WAV at the
    measuring rate (what the bot sends for transcripts) is read as it is; anything else is
    decoded by ffmpeg, which refuses what it cannot read.
    """
    return _sounding_length(await _decoded(audio)) / _MEASURE_RATE


async def _decoded(audio: bytes) -> bytes:
    """The audio as 16-bit mono PCM at the measuring rate, in the machine's byte order."""
    decoded = _plain_wav(audio)
    if decoded is None:
        process = await asyncio.create_subprocess_exec(
            ffmpeg_exe(),
            *("-hide_banner", "-loglevel", "error", "-i", "pipe:0"),
            *("-f", "s16le", "-ac", "1", "-ar", str(_MEASURE_RATE), "pipe:1"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        decoded, _ = await process.communicate(audio)
        if process.returncode != 0 or not decoded:
            raise _Reject(400, "audio could not be decoded", "input_audio")
    pcm = decoded[: len(decoded) // 2 * 2]
    if sys.byteorder == "big":
        samples = array.array("h", pcm)
        samples.byteswap()
        pcm = samples.tobytes()
    return pcm


def _plain_wav(audio: bytes) -> bytes | None:
    """The samples of a whole 16-bit mono PCM WAV at the measuring rate (what ffmpeg would
    decode it to, without a process: the stand-in shares the machine with the bot), else
    None."""
    if not audio.startswith(b"RIFF"):
        return None
    try:
        with wave.open(io.BytesIO(audio)) as file:
            shape = (file.getnchannels(), file.getsampwidth(), file.getframerate())
            frames = file.readframes(file.getnframes()) if shape == (1, 2, _MEASURE_RATE) else b""
    except (wave.Error, EOFError):
        return None
    return frames or None


def _sounding_length(pcm: bytes) -> int:
    """Samples from the first to the last one louder than 1/20 of the peak (16-bit PCM)."""
    loud = max(32, audioop.max(pcm, 2) // 20) if pcm else 32
    starts = range(0, len(pcm), _SCAN_BYTES)
    first = next((at for at in starts if audioop.max(pcm[at : at + _SCAN_BYTES], 2) > loud), None)
    if first is None:
        return 0
    last = next(at for at in reversed(starts) if audioop.max(pcm[at : at + _SCAN_BYTES], 2) > loud)
    head = array.array("h", pcm[first : first + _SCAN_BYTES])
    tail = array.array("h", pcm[last : last + _SCAN_BYTES])
    begin = first // 2 + next(i for i, v in enumerate(head) if abs(v) > loud)
    end = last // 2 + max(i for i, v in enumerate(tail) if abs(v) > loud)
    return end + 1 - begin


# --- answers ----------------------------------------------------------------------------------


def _completion(body: Json, message: Json, usage: Json, *, finish: str = "stop") -> web.Response:
    return web.json_response(_completion_json(body, message, usage, finish=finish))


def _completion_json(body: Json, message: Json, usage: Json, *, finish: str = "stop") -> Json:
    return {
        "id": _id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model"),
        "choices": [{"index": 0, "finish_reason": finish, "message": message}],
        "usage": usage,
    }


def _sse_line(chunk: Json) -> bytes:
    return f"data: {json.dumps(chunk, ensure_ascii=False)}\r\n\r\n".encode()


def _chunk(body: Json, delta: Json, finish: str | None = None, usage: Json | None = None) -> Json:
    chunk: Json = {
        "id": _id(),
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        chunk["usage"] = usage
    return chunk


async def _sse(
    request: web.Request, chunks: list[Json], *, hold: asyncio.Event | None = None
) -> web.StreamResponse:
    """A stream as MiMo's may come: CRLF line ends, a keep-alive comment before the first
    chunk and between chunks, then `[DONE]`."""
    writes = [
        _KEEP_ALIVE + f"data: {json.dumps(chunk, ensure_ascii=False)}\r\n\r\n".encode()
        for chunk in chunks
    ]
    return await _raw_sse(request, [*writes, b"data: [DONE]\r\n\r\n"], hold=hold)


async def _raw_sse(
    request: web.Request, writes: list[bytes], *, hold: asyncio.Event | None = None
) -> web.StreamResponse:
    """Writes each piece in order; with `hold`, waits for it after the first."""
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    for number, data in enumerate(writes):
        await response.write(data)
        if number == 0 and hold is not None:
            await hold.wait()
    await response.write_eof()
    return response


def _error(
    status: int,
    message: str,
    *,
    param: str | None = None,
    retry_after: float | None = None,
    body: Json | None = None,
) -> web.Response:
    error = {"message": message, "type": _error_type(status), "param": param, "code": str(status)}
    payload = body or {"error": error}
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
    return web.json_response(payload, status=status, headers=headers)


def _error_type(status: int) -> str:
    types = {401: "authentication_error", 402: "insufficient_balance", 403: "permission_error"}
    types |= {421: "content_filter", 429: "rate_limit_error"}
    return types.get(status, "server_error" if status >= 500 else "invalid_request_error")


def _tokens(body: Json, answer: str, audio_tokens: int | None) -> Json:
    """MiMo's usage: the text of the messages and of the answer, roughly, and the audio by its
    seconds (6.25 tokens a second), never by the size of its base64."""
    prompt = _text_tokens(body) + (audio_tokens or 0)
    completion = max(1, len(answer) // CHARS_PER_TOKEN)
    usage = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if audio_tokens is not None:
        usage["prompt_tokens_details"] = {"audio_tokens": audio_tokens}
    return usage


async def _audio_tokens(encoded: str) -> int:
    """A recording's tokens: 6.25 a second of it. Audio ffmpeg cannot decode (a benchmark's
    bytes of the right size) is counted by its size, as a 32 kbps recording: counting it must
    not refuse what MiMo's audio understanding takes."""
    data = _b64decode(encoded)
    try:
        pcm = await _decoded(data)
    except _Reject:
        return math.ceil(len(data) / 4_000 * AUDIO_TOKENS_PER_SECOND)
    return math.ceil(len(pcm) / 2 / _MEASURE_RATE * AUDIO_TOKENS_PER_SECOND)


def _thirds(text: str) -> list[str]:
    size = max(1, math.ceil(len(text) / 3))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _tone(seconds: float, hz: int = _TONE_HZ) -> bytes:
    """PCM16LE mono at 24 kHz: a quiet sine tone of the given length and pitch."""
    period = TTS_RATE // hz
    one = struct.pack(
        f"<{period}h", *(int(9000 * math.sin(2 * math.pi * i / period)) for i in range(period))
    )
    samples = int(seconds * TTS_RATE)
    return (one * (samples // period + 1))[: samples * 2]


def _wav(pcm: bytes) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(TTS_RATE)
        wav.writeframes(pcm)
    return buffer.getvalue()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _id() -> str:
    return uuid.uuid4().hex
