"""The wire to MiMo: one POST endpoint (and the list of models), retries inside a deadline, and
error mapping.

Callers only ever see `core.domain.errors` exceptions, as `core.infra.mimo.error_mapping` maps
MiMo's error answers to them.

Retries (`core.infra.mimo.retry_policy`, the one retry policy of a MiMo call): 429, 5xx, timeouts
and transport errors, up to `max_retries` times, within the call's deadline of `timeout` seconds;
each attempt gets the time that is left.

Circuit breaker (`core.infra.mimo.circuit_breaker`): around each whole call, retries included.
After a number of calls in a row ended unavailable or unreadable, calls fail at once with
`MimoCircuitOpen` for a cooldown, then one trial call decides whether MiMo is back.

The account's minute (`core.infra.mimo.minute_pacing`): every attempt waits for its use of its
model's minute before it is sent, counting the tokens its caller estimated until MiMo's answer says
what it counted, and a minute from MiMo's answer on (or from whatever else ended the attempt: MiMo
may have had it). The first use is waited for before the call's deadline starts: a request that
waits behind the minute has not yet been sent. A 429 slows the model's whole line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal, TypeVar

import httpx
import httpx_sse

from core.domain.errors import (
    MimoBadRequest,
    MimoBadResponse,
    MimoError,
    MimoModelRefused,
    MimoUnavailable,
    MimoUnreachable,
)
from core.infra.mimo.audio_uploads import BytesAudio, FileAudio, StreamedJson
from core.infra.mimo.circuit_breaker import CircuitBreaker
from core.infra.mimo.error_mapping import (
    error_body,
    error_class,
    error_text,
    final,
    refuses_a_model,
    status_of,
    successor_of,
)
from core.infra.mimo.minute_ledger import MinuteUse
from core.infra.mimo.minute_pacing import AccountMinute
from core.infra.mimo.retry_policy import (
    DEFAULT_RETRY_POLICY,
    RETRYABLE,
    Retrying,
    RetryPolicy,
    Transient,
    retry_after,
)
from core.ports import NO_METRICS, Metrics

logger = logging.getLogger(__name__)

__all__ = ["Json", "MimoWire"]

T = TypeVar("T")
Json = dict[str, Any]


class MimoWire:
    """POSTs to `{base_url}/chat/completions` through the application's shared client (and
    reads `{base_url}/models`, the list of the models offered)."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        api_key: str,
        base_url: str,
        auth_header: Literal["api-key", "bearer"] = "api-key",
        timeout: float = 120.0,
        max_retries: int = 3,
        retry_policy: RetryPolicy = DEFAULT_RETRY_POLICY,
        breaker: CircuitBreaker | None = None,
        minute: AccountMinute | None = None,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.metrics = (
            metrics  # latency and errors of each whole call (`core.infra.prometheus_metrics`)
        )
        self.base_url = base_url.rstrip("/")
        self._http = http
        self._key = api_key
        self._auth_header = auth_header
        self._timeout = timeout
        self._clock = retry_policy.clock
        self._retrying = Retrying(policy=retry_policy, max_retries=max_retries)
        # Never a shared default: the breaker's state belongs to this wire alone.
        self.breaker = breaker or CircuitBreaker()
        # The process's uses of the account's minute; shared by every client of one account.
        self.minute = minute or AccountMinute(clock=self._clock)

    def __repr__(self) -> str:
        # Spelled out so the key can never show up in a log of this object.
        return f"MimoWire(base_url={self.base_url!r})"

    async def post(
        self,
        body: Json,
        *,
        audio: FileAudio | BytesAudio | None = None,
        tokens: int = 1,
        speech: float = 0.0,
    ) -> Json:
        """One JSON answer with at least one choice, retried on transient failures, inside the
        deadline. With `audio`, the body's placeholder is replaced on the wire by the audio's
        base64, streamed (`core.infra.mimo.audio_uploads`). `tokens`: what the request is estimated
        to count in its model's minute until MiMo's answer says; `speech`: the seconds of speech
        it carries, where that is what it is (a recording's words)."""
        with self.metrics.mimo_call(), self.breaker.call():
            uses = _MinuteUses(self.minute, str(body.get("model", "")), tokens, speech)
            await uses.first()
            deadline = self._clock() + self._timeout

            async def attempt() -> Json:
                use = await uses.next()
                response = await _sent(use, self._send(body, deadline, stream=False, audio=audio))
                data = _json(response)
                await use.answered(_tokens_counted(data))
                if "error" in data and "choices" not in data:
                    status = status_of(data["error"], response.status_code)
                    raise self._api_error(status, data, model=body.get("model"))
                if not isinstance(data.get("choices"), list) or not data["choices"]:
                    raise MimoBadResponse("MiMo's answer has no choices")
                return data

            return await self._retrying.run(attempt, deadline)

    async def stream(
        self,
        body: Json,
        *,
        audio: FileAudio | BytesAudio | None = None,
        tokens: int = 1,
        speech: float = 0.0,
    ) -> AsyncIterator[Json]:
        """The JSON chunks of an SSE answer. Only opening the stream is retried: pieces already
        handed out cannot be taken back. A stream none of whose chunks has a choice (empty, or
        usage only) is a bad response, not an empty answer."""
        with self.metrics.mimo_call(), self.breaker.call():
            uses = _MinuteUses(self.minute, str(body.get("model", "")), tokens, speech)
            await uses.first()
            deadline = self._clock() + self._timeout
            use: list[MinuteUse] = []

            async def opened() -> httpx.Response:
                use[:] = [await uses.next()]
                return await _sent(use[0], self._send(body, deadline, stream=True, audio=audio))

            response = await self._retrying.run(opened, deadline)
            answered = False
            try:
                async for chunk in _sse_chunks(response, lambda: deadline - self._clock()):
                    if "error" in chunk:
                        status = status_of(chunk["error"], 500)
                        raise final(self._api_error(status, chunk, model=body.get("model")))
                    answered = answered or bool(chunk.get("choices"))
                    if "usage" in chunk:  # its end: counted from here, as MiMo counted it
                        await use[0].answered(_tokens_counted(chunk))
                    yield chunk
            except httpx.TransportError as exc:
                raise MimoUnavailable(f"the MiMo stream broke: {type(exc).__name__}") from exc
            except (httpx.HTTPError, httpx_sse.SSEError) as exc:
                error = f"MiMo sent an unreadable stream: {type(exc).__name__}"
                raise MimoBadResponse(error) from exc
            finally:
                use[0].answered_later()  # a stream that said no usage, or broke: from its end
                await response.aclose()
            if not answered:
                raise MimoBadResponse("MiMo's stream carried no answer")

    async def listed(self) -> Json:
        """The JSON answer of `GET {base_url}/models` (the models offered), retried and mapped
        to errors as a completion is; outside the breaker and the call metrics, which count
        the work chats wait for."""
        deadline = self._clock() + self._timeout

        async def request(seconds: float) -> httpx.Request:
            url, timeout = f"{self.base_url}/models", httpx.Timeout(seconds)
            return self._http.build_request("GET", url, headers=self._headers(), timeout=timeout)

        async def attempt() -> Json:
            return _json(await self._exchange(request, deadline, stream=False))

        return await self._retrying.run(attempt, deadline)

    async def _send(
        self,
        body: Json,
        deadline: float,
        *,
        stream: bool,
        audio: FileAudio | BytesAudio | None = None,
    ) -> httpx.Response:
        """One attempt. Returns a 2xx response (still open when `stream`), raises otherwise."""

        async def request(seconds: float) -> httpx.Request:
            return await self._request(body, audio, seconds=seconds)

        return await self._exchange(request, deadline, stream=stream, model=body.get("model"))

    async def _exchange(
        self,
        request_for: Callable[[float], Awaitable[httpx.Request]],
        deadline: float,
        *,
        stream: bool,
        model: object = None,
    ) -> httpx.Response:
        """One attempt: the request `request_for` builds (given the seconds left) sent, and a
        2xx response returned (still open when `stream`), or the error its answer maps to."""
        remaining = deadline - self._clock()
        try:
            request = await request_for(remaining)
            async with asyncio.timeout(remaining):
                response = await self._http.send(request, stream=stream)
                if stream and not response.is_success:
                    try:
                        await response.aread()  # the error body, for the message
                    finally:
                        await response.aclose()
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise MimoBadRequest(f"the MiMo base URL is unusable: {exc}") from exc
        except (TimeoutError, httpx.TimeoutException) as exc:
            error = MimoUnreachable(
                "MiMo did not answer in time", url=self.base_url, reason="no answer in time"
            )
            raise Transient(error) from exc
        except httpx.TransportError as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            error = MimoUnreachable(
                f"could not talk to MiMo: {type(exc).__name__}", url=self.base_url, reason=reason
            )
            raise Transient(error) from exc
        except httpx.HTTPError as exc:
            raise MimoBadResponse(f"MiMo's answer was unreadable: {type(exc).__name__}") from exc
        logger.debug("MiMo %s answered %d", model or request.url.path, response.status_code)
        if not response.is_success:
            status, body = response.status_code, error_body(response)
            raise self._api_error(status, body, response, model=model)
        return response

    async def _request(
        self, body: Json, audio: FileAudio | BytesAudio | None, *, seconds: float
    ) -> httpx.Request:
        url, headers, timeout = f"{self.base_url}/chat/completions", self._headers(), seconds
        if audio is None:
            return self._http.build_request(
                "POST", url, json=body, headers=headers, timeout=httpx.Timeout(timeout)
            )
        streamed = await StreamedJson.of(body, audio)
        return self._http.build_request(
            "POST",
            url,
            content=streamed.chunks(),
            headers=headers | streamed.headers(),
            timeout=httpx.Timeout(timeout),
        )

    def _headers(self) -> dict[str, str]:
        if self._auth_header == "bearer":
            return {"Authorization": f"Bearer {self._key}"}
        return {"api-key": self._key}

    def _api_error(
        self,
        status: int,
        body: Json | str,
        response: httpx.Response | None = None,
        *,
        model: object = None,
    ) -> MimoError | Transient:
        """The error for an HTTP status, wrapped as `Transient` when a retry may help; a refusal
        of the request's `model` is `MimoModelRefused`."""
        detail = f"MiMo answered {status}: {self._scrub(error_text(body))}"
        if status in (400, 404) and isinstance(model, str) and refuses_a_model(body):
            successor = successor_of(body, model)
            named = {"successor": successor} if successor else {}
            return MimoModelRefused(detail, status=status, model=model, **named)
        if status == 401 and self._key.startswith("tp-"):
            detail += (
                " (a Token Plan key, tp-..., only works on its region's host,"
                " token-plan-cn, token-plan-sgp or token-plan-ams.xiaomimimo.com:"
                " check MIMO_BASE_URL)"
            )
        error = error_class(status)(detail, status=status)
        if status in RETRYABLE:
            wait = retry_after(response) if response else None
            if status == 429:
                cap = self._retrying.policy.retry_after_cap
                self.minute.slowed(str(model or ""), None if wait is None else min(wait, cap))
            return Transient(error, wait)
        return error

    def _scrub(self, text: str) -> str:
        """Some APIs echo the key they rejected; ours must not reach a log or a chat."""
        return text.replace(self._key, "***") if self._key else text


class _MinuteUses:
    """The minute uses of one call's attempts: the first taken before the call's deadline starts."""

    def __init__(self, minute: AccountMinute, model: str, tokens: int, speech: float) -> None:
        self._minute, self._model, self._tokens, self._speech = minute, model, tokens, speech
        self._ready: MinuteUse | None = None

    async def first(self) -> None:
        self._ready = await self._use()

    async def next(self) -> MinuteUse:
        ready, self._ready = self._ready, None
        return ready or await self._use()

    async def _use(self) -> MinuteUse:
        return await self._minute.use(self._model, self._tokens, self._speech)


async def _sent(use: MinuteUse, sending: Awaitable[httpx.Response]) -> httpx.Response:
    """The response `sending` brings; whatever else ends it (an error answer, a timeout, a
    cancel), MiMo may have had the request by then, so its use counts from now
    (`MinuteUse.answered_later`)."""
    try:
        return await sending
    except BaseException:
        use.answered_later()
        raise


def _tokens_counted(data: Json) -> int:
    """The tokens MiMo's answer says the request counted (0: it does not say)."""
    usage = data.get("usage")
    if not isinstance(usage, dict):
        return 0
    total = usage.get("total_tokens")
    if isinstance(total, int) and not isinstance(total, bool):
        return total
    parts = (usage.get("prompt_tokens"), usage.get("completion_tokens"))
    return sum(p for p in parts if isinstance(p, int) and not isinstance(p, bool))


def _json(response: httpx.Response) -> Json:
    try:
        data = response.json()
    except ValueError as exc:
        raise MimoBadResponse("MiMo answered with something that is not JSON") from exc
    if not isinstance(data, dict):
        raise MimoBadResponse("MiMo answered with JSON that is not an object")
    return data


async def _sse_chunks(response: httpx.Response, left: Callable[[], float]) -> AsyncIterator[Json]:
    """JSON objects of an SSE stream up to `[DONE]`, each read within the seconds `left` of the
    call's deadline: a stream that sends only keep-alives, comments or empty events, or trickles
    a byte at a time (each byte starting httpx's read timeout again), still ends at its deadline.

    httpx-sse buffers a line until its end however long it is: MiMo sends a whole TTS clip as one
    line of several MB.
    """
    events = httpx_sse.EventSource(response).aiter_sse()
    async with contextlib.aclosing(events):
        while True:
            try:
                async with asyncio.timeout(max(0.0, left())):
                    event = await anext(events)
            except StopAsyncIteration:
                break
            except TimeoutError:
                raise MimoUnavailable("MiMo's stream ran past the deadline") from None
            if event.data.strip() == "[DONE]":
                return
            if not event.data:
                continue
            try:
                chunk = json.loads(event.data)
            except ValueError as exc:
                raise MimoBadResponse("MiMo streamed a chunk that is not JSON") from exc
            if isinstance(chunk, dict):
                yield chunk
    logger.debug("MiMo's stream ended without [DONE]")
