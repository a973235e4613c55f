"""The operations endpoint (OPS_LISTEN): /metrics counts what the running bot did, /healthz says
whether its database can be used."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.audio_factory import make_audio
from tests.integration.conftest import free_listens, running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi
from tests.waiting import until

USER = 1001


async def _get(listen: str, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://{listen}{path}") as answer,
    ):
        return answer.status, await answer.text()


async def _samples(listen: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, body = await _get(listen, "/metrics")
    assert status == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


async def test_a_voice_note_shows_in_the_metrics_and_healthz_answers(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    [listen] = free_listens()
    ogg = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url, ops_listen=listen)
    async with running(settings, bot_api):
        before = await _samples(listen)
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=ogg, duration=3))
        await bot_api.wait_for_texts(USER, ["heard 3.0 seconds"])
        after = await _samples(listen)
        health = await _get(listen, "/healthz")

    ok = {"capability": "transcribe", "outcome": "ok"}
    assert _value(before, "voicebridge_requests_total", **ok) == 0
    assert _value(after, "voicebridge_requests_total", **ok) == 1
    assert _value(after, "voicebridge_requests_total", capability="say", outcome="ok") == 0
    assert 2.5 < _value(after, "voicebridge_audio_seconds_total") < 3.5
    assert _value(after, "voicebridge_requests_in_progress", capability="transcribe") == 0
    assert _value(after, "voicebridge_mimo_request_seconds_count") >= 1
    assert _value(after, "voicebridge_mimo_errors_total", kind="unavailable") == 0
    assert health == (200, '{"status": "ok", "database": "ok"}')


async def test_the_queue_depth_shows_voice_notes_waiting_for_a_speech_slot(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    [listen] = free_listens()
    ogg = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, ops_listen=listen, asr_max_in_flight=1
    )
    mimo.asr_stream_hold = asyncio.Event()  # the first transcript holds the only slot
    chats = (USER, USER + 1)
    async with running(settings, bot_api):
        for chat in chats:
            bot_api.push(bot_api.voice_message(chat_id=chat, user_id=chat, data=ogg, duration=2))
        waiting = await _eventually_sampled(
            listen, lambda samples: _value(samples, "voicebridge_queue_depth", queue="speech") == 1
        )
        # The first note's request may still be on its way to MiMo on a loaded machine.
        await until(lambda: mimo.calls("mimo-v2.5-asr"), "the first note at MiMo")
        assert len(mimo.calls("mimo-v2.5-asr")) == 1  # the second note waits for a slot
        mimo.asr_stream_hold.set()
        for chat in chats:
            await bot_api.wait_for_texts(chat, ["heard 2.0 seconds"])
        after = await _samples(listen)

    assert _value(waiting, "voicebridge_queue_depth", queue="ffmpeg") == 0
    assert _value(after, "voicebridge_queue_depth", queue="speech") == 0


async def _eventually_sampled(listen: str, probe: Any, timeout: float = 15.0) -> Any:
    """Scrape /metrics until `probe` holds for what it shows; return those samples."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        samples = await _samples(listen)
        if probe(samples):
            return samples
        assert asyncio.get_running_loop().time() < deadline, "the metrics never showed it"
        await asyncio.sleep(0.05)


async def _eventually(ask: Any, holds: Any, timeout: float = 15.0) -> Any:
    """Ask until what `ask()` answers `holds`; return that answer."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not holds(answer := await ask()):
        assert asyncio.get_running_loop().time() < deadline, f"still {answer}"
        await asyncio.sleep(0.05)
    return answer


async def test_refusals_and_mimo_failures_are_counted_apart(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    [listen] = free_listens()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, ops_listen=listen, mimo_max_retries=0
    )
    async with running(settings, bot_api):
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/say ..."))
        await bot_api.wait_for("sendMessage", chat_id=USER)
        mimo.fail_next(503)
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/say Hello there"))
        await bot_api.wait_for("sendMessage", count=2, chat_id=USER)
        samples = await _samples(listen)

    assert _value(samples, "voicebridge_requests_total", capability="say", outcome="ok") == 0
    assert _value(samples, "voicebridge_requests_total", capability="say", outcome="refused") == 1
    assert _value(samples, "voicebridge_requests_total", capability="say", outcome="failed") == 1
    assert _value(samples, "voicebridge_mimo_errors_total", kind="unavailable") == 1


async def test_healthz_answers_503_once_the_database_is_unusable(
    bot_api: FakeBotApi, mimo: FakeMimo, tmp_path: Path
) -> None:
    [listen] = free_listens()
    database = tmp_path / "bot.db"
    settings = settings_for(
        bot_api=bot_api,
        mimo=mimo,
        database_url=f"sqlite+aiosqlite:///{database}",
        ops_listen=listen,
    )
    async with running(settings, bot_api):
        healthy = await _get(listen, "/healthz")
        with database.open("r+b") as file:  # the disk under it goes bad
            file.write(b"\x00not a database any more" * 512)
        # Said within a second or so: until then, the answer of the last check stands.
        unhealthy = await _eventually(lambda: _get(listen, "/healthz"), lambda got: got[0] == 503)
        metrics = await _get(listen, "/metrics")

    assert healthy == (200, '{"status": "ok", "database": "ok"}')
    assert unhealthy == (503, '{"status": "unhealthy", "database": "unreachable"}')
    assert metrics[0] == 200  # the process itself is alive


async def test_healthz_asks_the_bots_own_pool_and_opens_no_connection_of_its_own(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    """A probe every few seconds must not log in to the database each time (PostgreSQL counts
    each connection against max_connections, beyond the pool's limits)."""
    [listen] = free_listens()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, ops_listen=listen
    )
    opened: list[object] = []

    def count(dbapi_connection: object, _record: object) -> None:
        opened.append(dbapi_connection)

    async with running(settings, bot_api):
        assert await _get(listen, "/healthz") == (200, '{"status": "ok", "database": "ok"}')
        event.listen(Engine, "connect", count)  # every engine's, whoever made it
        try:
            answers = [await _get(listen, "/healthz") for _ in range(5)]
        finally:
            event.remove(Engine, "connect", count)

    assert answers == [(200, '{"status": "ok", "database": "ok"}')] * 5
    assert opened == []  # the first probe's connection went back to the pool and was reused


async def test_a_flood_of_healthz_probes_shares_one_check_and_leaves_the_pool_to_the_bot(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """200 probes at once (a misconfigured load balancer, a probe loop gone wild) ask the
    database once or twice between them, and a voice note arriving meanwhile is transcribed:
    the pool (one connection here, none to spare) stays the bot's."""
    [listen] = free_listens()
    ogg = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, ops_listen=listen,
        database_pool_size=1, database_max_overflow=0, database_pool_timeout_seconds=30,
    )  # fmt: skip
    checks: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "alembic_version" in statement:
            checks.append(statement)

    async with running(settings, bot_api):
        event.listen(Engine, "before_cursor_execute", count)  # every engine's
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

                async def probe() -> tuple[int, str]:
                    async with session.get(f"http://{listen}/healthz") as answer:
                        return answer.status, await answer.text()

                flood = [asyncio.create_task(probe()) for _ in range(200)]
                bot_api.push(
                    bot_api.voice_message(chat_id=USER, user_id=USER, data=ogg, duration=2)
                )
                answers = await asyncio.gather(*flood)
                await bot_api.wait_for_texts(USER, ["heard 2.0 seconds"])
        finally:
            event.remove(Engine, "before_cursor_execute", count)

    assert answers == [(200, '{"status": "ok", "database": "ok"}')] * 200
    assert 1 <= len(checks) <= 2  # one check, or one more should the flood outlast a second
