"""The services the bootstrap gives a setting have a default of their own for it too (a test, a
benchmark, a tool builds them bare). Built by the real bootstrap from untouched settings, as an
operator's bot is, each holds what it holds bare: a default changed in one place fails here
instead of leaving the other behind. The values built from the settings (the limits, the
policies, the pool) are held in tests/unit/test_config.py."""

from __future__ import annotations

import inspect

import httpx
import pytest

from core.bootstrap import bootstrap
from core.bootstrap.parts_from_settings import audio_of
from core.config import Settings
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS, MimoClient

KEY = "sk-own-defaults"


class NoVoice:
    """Discord's voice channels and its side of a listened call, for `Runtime.calls_for`: the
    services it builds are only looked at here, never used."""


def own_default(service: object, parameter: str) -> object:
    """What `service` would hold for `parameter` built bare: its class's default."""
    return inspect.signature(type(service)).parameters[parameter].default


def mimo_tuning(client: MimoClient) -> dict[str, object]:
    """What an operator notices of a MiMo client: its models, how a call is sent, how long it
    may take and how it is retried, when the breaker opens, and the account's minute. Its wire
    keeps most of them to itself."""
    wire = client._wire
    return {
        "models": client.models,
        "auth_header": wire._auth_header,
        "timeout": wire._timeout,
        "max_retries": wire._retrying._max_retries,
        "retry_policy": wire._retrying.policy,
        "breaker": (wire.breaker.failures, wire.breaker.cooldown),
        "minute": client.minute.limits,
    }


async def test_the_services_built_from_untouched_settings_hold_their_own_defaults(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for field in Settings.model_fields:  # no setting exported in the shell
        monkeypatch.delenv(field.upper(), raising=False)
    settings = Settings(_env_file=None, mimo_api_key=KEY, database_url=sqlite_url)
    async with bootstrap(settings) as runtime, httpx.AsyncClient() as http:
        voice = runtime.calls_for(NoVoice(), NoVoice())
        given = [
            (runtime.studio, "sample_seconds"),  # VOICE_SAMPLE_SECONDS
            (runtime.consents, "attempts_per_day"),  # VOICE_CLONE_ATTEMPTS_PER_DAY
            (runtime.listening, "idle_seconds"),  # DISCORD_LISTEN_IDLE_SECONDS
            (runtime.listening.interpreting, "audio_understanding"),  # DISCORD_INTERPRET_FROM
            (voice.reader, "resume_within"),  # CALL_RESUME_WITHIN
            (voice.listened, "resume_within"),
            (voice.reader, "end_on_stop"),  # CALLS_END_ON_STOP
            (voice.listened, "end_on_stop"),
            (runtime.claims, "lease"),  # WORK_LEASE_SECONDS
            (runtime.imports, "lease"),
        ]
        held = {f"{type(s).__name__}.{p}": getattr(s, p) for s, p in given}
        assert held == {f"{type(s).__name__}.{p}": own_default(s, p) for s, p in given}

        # MIMO_AUTH_HEADER, MIMO_TIMEOUT_SECONDS, MIMO_MAX_RETRIES, MIMO_RETRY_WAIT_SECONDS,
        # MIMO_BREAKER_*, the models and the account's minute.
        bare_mimo = MimoClient(http=http, api_key=KEY, base_url=settings.mimo_base_url)
        assert mimo_tuning(runtime.mimo) == mimo_tuning(bare_mimo)
        # FFMPEG_MAX_PROCESSES, FFMPEG_TIMEOUT_SECONDS.
        processes, bare_processes = runtime.processes, FfmpegProcesses()
        assert (processes.limit, processes.time_limit) == (
            bare_processes.limit,
            bare_processes.time_limit,
        )
        # ASR_AUDIO_FORMAT, COMPACT_PAUSES.
        audio = audio_of(settings, processes)
        bare_audio = FfmpegAudio(processes=processes, caps=MIMO_AUDIO_CAPS)
        assert audio.asr_format == bare_audio.asr_format
        # The one default that differs, left as it was: the bot shortens long pauses in what
        # it sends MiMo, the adapter built bare sends the audio as it is (the plain audio of
        # the audio tests and of bench/convert.py).
        assert (audio.compact_pauses, bare_audio.compact_pauses) == (True, False)
