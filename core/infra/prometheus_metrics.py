"""What the bot is doing, counted for Prometheus (`/metrics` on OPS_LISTEN, `bots.http_endpoints`).

A small facade over prometheus_client, so the rest of the core says what happened through the
`Metrics` port (`@counted("transcribe")`, `metrics.transcribed(seconds)`,
`with metrics.mimo_call():`) and never which metric types hold it. Each `PrometheusMetrics` owns
its registry (never prometheus_client's global one), so several runtimes in one process, tests
above all, count apart.

    voicebridge_requests_total{capability,outcome}   transcribe, say, ask, summary; ok, refused
                                                      (the user hears why: a limit, a bad input),
                                                      failed (MiMo or anything unexpected)
    voicebridge_requests_in_progress{capability}     requests being worked on right now
    voicebridge_audio_seconds_total                  seconds of audio transcribed
    voicebridge_mimo_request_seconds                 one MiMo call, retries included (histogram)
    voicebridge_mimo_errors_total{kind}              MiMo calls that failed after their retries
                                                      (kind model_refused: a model MiMo
                                                      refused, retired or never offered)
    voicebridge_queue_depth{queue}                   work waiting for a slot, three queues:
                                                      speech requests (ASR_MAX_IN_FLIGHT),
                                                      ffmpeg runs (FFMPEG_MAX_PROCESSES),
                                                      downloads (MAX_DOWNLOADS)
    voicebridge_readings_running                     channel readings in voice channels now
    voicebridge_reading_messages_total{outcome}      messages a reading heard: read, dropped
                                                      (a full queue), withheld (someone
                                                      listening may not read them)
    voicebridge_reading_seconds_total                seconds of speech played by readings
    voicebridge_background_failures_total{task}      tasks the process ran on its own
                                                      (`core.ports.background_tasks`) that failed,
                                                      by name: each is logged once too

The account's minute (`core.infra.mimo.minute_pacing`, `watch_minute`):

    voicebridge_mimo_minute_requests{model}          requests in the model's minute now, as the
                                                      pacing counts them (read every second)
    voicebridge_mimo_minute_tokens{model}            tokens in it, as estimated, then as MiMo
                                                      counted them
    voicebridge_mimo_minute_requests_limit{model}    what the minute holds (MIMO_*_PER_MINUTE)
    voicebridge_mimo_minute_tokens_limit{model}
    voicebridge_mimo_minute_waiting{urgency}         requests waiting for their use now: live,
                                                      person, background
    voicebridge_mimo_minute_wait_seconds{urgency}    how long each waited for its use
                                                      (histogram)
    voicebridge_mimo_refusals_total{model}           429s MiMo answered all the same
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from core.domain import errors
from core.domain.mimo.account_minute_rules import Urgency
from core.infra.mimo.minute_pacing import AccountMinute
from core.ports import CAPABILITIES, READING_OUTCOMES, Capability, ReadingOutcome

__all__ = ["PrometheusMetrics"]

OUTCOMES = ("ok", "refused", "failed")
CONTENT_TYPE = CONTENT_TYPE_LATEST

# MiMo answers from well under a second (a short note, streamed) to minutes (a long answer).
_MIMO_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
# A use of the account's minute is given at once, or after seconds, or (the minute full of live
# work) after most of a minute.
_MINUTE_BUCKETS = (0.01, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 60.0, 120.0)
_MIMO_KINDS: tuple[tuple[type[errors.MimoError], str], ...] = (
    # Subclasses before their bases.
    (errors.MimoCircuitOpen, "circuit_open"),
    (errors.MimoAuthError, "auth"),
    (errors.MimoBalanceError, "balance"),
    (errors.MimoContentFiltered, "content_filtered"),
    (errors.MimoModelRefused, "model_refused"),
    (errors.MimoBadRequest, "bad_request"),
    (errors.MimoRateLimited, "rate_limited"),
    (errors.MimoUnavailable, "unavailable"),
    (errors.MimoBadResponse, "bad_response"),
)


class PrometheusMetrics:
    """The counters of one runtime, in a registry of its own: the real `core.ports.Metrics`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._requests = Counter(
            "voicebridge_requests",
            "Requests by capability and outcome (ok, refused, failed)",
            ["capability", "outcome"],
            registry=self.registry,
        )
        self._in_progress = Gauge(
            "voicebridge_requests_in_progress",
            "Requests being worked on (capability=transcribe: transcriptions in progress)",
            ["capability"],
            registry=self.registry,
        )
        self._audio = Counter(
            "voicebridge_audio_seconds",
            "Seconds of audio transcribed",
            registry=self.registry,
        )
        self._mimo_seconds = Histogram(
            "voicebridge_mimo_request_seconds",
            "Duration of one MiMo call, retries included",
            buckets=_MIMO_BUCKETS,
            registry=self.registry,
        )
        self._mimo_errors = Counter(
            "voicebridge_mimo_errors",
            "MiMo calls that failed (after their retries), by kind",
            ["kind"],
            registry=self.registry,
        )
        self._queues = Gauge(
            "voicebridge_queue_depth",
            "Work waiting for a slot: speech requests to MiMo, ffmpeg runs",
            ["queue"],
            registry=self.registry,
        )
        self._readings = Gauge(
            "voicebridge_readings_running",
            "Channel readings in voice channels now",
            registry=self.registry,
        )
        self._reading_messages = Counter(
            "voicebridge_reading_messages",
            "Messages a channel reading heard: read, dropped (a full queue), withheld (someone "
            "listening may not read them)",
            ["outcome"],
            registry=self.registry,
        )
        self._reading_seconds = Counter(
            "voicebridge_reading_seconds",
            "Seconds of speech played by channel readings",
            registry=self.registry,
        )
        self._background_failures = Counter(
            "voicebridge_background_failures",
            "Tasks the process ran on its own that failed (each logged once), by name",
            ["task"],
            registry=self.registry,
        )
        self._minute_waiting = Gauge(
            "voicebridge_mimo_minute_waiting",
            "MiMo requests waiting for a use of the account's minute, by urgency",
            ["urgency"],
            registry=self.registry,
        )
        self._minute_waits = Histogram(
            "voicebridge_mimo_minute_wait_seconds",
            "How long a MiMo request waited for its use of the account's minute, by urgency",
            ["urgency"],
            buckets=_MINUTE_BUCKETS,
            registry=self.registry,
        )
        self._refusals = Counter(
            "voicebridge_mimo_refusals",
            "429s MiMo answered (its minute full, or its load), by model",
            ["model"],
            registry=self.registry,
        )
        for urgency in Urgency:
            self._minute_waits.labels(_urgency(urgency))
        for reading_outcome in READING_OUTCOMES:
            self._reading_messages.labels(reading_outcome)
        # Every series exists from the start, at 0: a rate() over a fresh process works.
        for capability in CAPABILITIES:
            self._in_progress.labels(capability)
            for outcome in OUTCOMES:
                self._requests.labels(capability, outcome)
        for _, kind in _MIMO_KINDS:
            self._mimo_errors.labels(kind)

    @contextmanager
    def request(self, capability: Capability) -> Iterator[None]:
        """Count one request of `capability` and how it ended, while it is in progress."""
        in_progress = self._in_progress.labels(capability)
        in_progress.inc()
        try:
            yield
        except errors.MimoError:
            self._requests.labels(capability, "failed").inc()
            raise
        except errors.VoicebridgeError:  # a limit, a bad input: the user hears why
            self._requests.labels(capability, "refused").inc()
            raise
        except Exception:
            self._requests.labels(capability, "failed").inc()
            raise
        else:
            self._requests.labels(capability, "ok").inc()
        finally:
            in_progress.dec()

    def watch_queues(
        self,
        *,
        speech: Callable[[], int],
        ffmpeg: Callable[[], int],
        download: Callable[[], int],
    ) -> None:
        """Report the three queues (module docstring), each length read whenever the metrics
        are: speech requests waiting, ffmpeg runs waiting, downloads waiting."""
        for queue, depth in (("speech", speech), ("ffmpeg", ffmpeg), ("download", download)):
            self._queues.labels(queue).set_function(depth)

    def watch_minute(self, minute: AccountMinute) -> None:
        """Report the account's minute (module docstring): what it holds, read whenever the
        metrics are (`AccountMinute.seen_now`), what waits, each use's wait and each 429."""
        minute.watch = self
        for urgency in Urgency:
            self._minute_waiting.labels(_urgency(urgency)).set_function(
                functools.partial(_waiting_in, minute, urgency)
            )
        self.registry.register(_MinuteHeld(minute))

    def use_waited(self, urgency: Urgency, seconds: float) -> None:
        """A MiMo request of `urgency` was given its use of the minute after `seconds`."""
        self._minute_waits.labels(_urgency(urgency)).observe(seconds)

    def refused(self, model: str) -> None:
        """MiMo answered 429 for `model`."""
        self._refusals.labels(model).inc()

    def transcribed(self, seconds: float) -> None:
        """`seconds` of audio were transcribed."""
        if seconds > 0:
            self._audio.inc(seconds)

    @contextmanager
    def mimo_call(self) -> Iterator[None]:
        """Time one MiMo call (all its attempts) and count how it failed, if it did."""
        started = time.perf_counter()
        try:
            yield
        except errors.MimoError as exc:
            kind = _kind(exc)
            self._mimo_errors.labels(kind).inc()
            if kind != "circuit_open":  # not sent at all: no latency to speak of
                self._mimo_seconds.observe(time.perf_counter() - started)
            raise
        else:
            self._mimo_seconds.observe(time.perf_counter() - started)

    def readings_running(self, change: int) -> None:
        """A channel reading started (+1) or ended (-1)."""
        self._readings.inc(change)

    def reading_message(self, outcome: ReadingOutcome, *, seconds: float = 0.0) -> None:
        """A message a reading heard, and what became of it (`seconds` of it spoken)."""
        self._reading_messages.labels(outcome).inc()
        if seconds > 0:
            self._reading_seconds.inc(seconds)

    def background_failed(self, task: str) -> None:
        """A task the process ran on its own (`core.ports.background_tasks`), named `task`,
        failed."""
        self._background_failures.labels(task).inc()

    def exposition(self) -> bytes:
        """Everything counted, in Prometheus' text format (`content_type`)."""
        return generate_latest(self.registry)

    content_type = CONTENT_TYPE


class _MinuteHeld(Collector):
    """What each model's minute holds (as the process last looked) and what it may hold."""

    def __init__(self, minute: AccountMinute) -> None:
        self._minute = minute

    def collect(self) -> Iterable[Metric]:
        minute = self._minute
        held = {
            "requests": GaugeMetricFamily(
                "voicebridge_mimo_minute_requests",
                "Requests in the model's minute, as the process's pacing counts them",
                labels=["model"],
            ),
            "tokens": GaugeMetricFamily(
                "voicebridge_mimo_minute_tokens",
                "Tokens in the model's minute, as the process's pacing counts them",
                labels=["model"],
            ),
            "requests_limit": GaugeMetricFamily(
                "voicebridge_mimo_minute_requests_limit",
                "Requests the model's minute holds (MIMO_*_REQUESTS_PER_MINUTE)",
                labels=["model"],
            ),
            "tokens_limit": GaugeMetricFamily(
                "voicebridge_mimo_minute_tokens_limit",
                "Tokens the model's minute holds (MIMO_*_TOKENS_PER_MINUTE)",
                labels=["model"],
            ),
        }
        for model in minute.models():
            seen, limit = minute.seen_now.get(model), minute.limits.of(model)
            held["requests"].add_metric([model], 0 if seen is None else seen.requests)
            held["tokens"].add_metric([model], 0 if seen is None else seen.tokens)
            held["requests_limit"].add_metric([model], limit.requests)
            held["tokens_limit"].add_metric([model], limit.tokens)
        return held.values()


def _waiting_in(minute: AccountMinute, urgency: Urgency) -> float:
    return minute.waiting()[urgency]


def _urgency(urgency: Urgency) -> str:
    return urgency.name.lower()


def _kind(error: errors.MimoError) -> str:
    for cls, kind in _MIMO_KINDS:
        if isinstance(error, cls):
            return kind
    return "other"
