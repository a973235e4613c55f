"""Benchmark 10's drivers: a hundred voice notes from a hundred chats over two replicas sharing
PostgreSQL, one replica killed with SIGKILL when about half the transcripts are in. Prints a
JSON line.

    python -m bench.replicas telegram|discord NOTE DATABASE_SERVER_URL [--notes N]

Two `voicebridge run` processes, configured by the environment alone, against the platform's
stand-in and MiMo's (both in this process; MiMo holds every request MIMO_DELAY seconds), on a
scratch database made on DATABASE_SERVER_URL's server and dropped afterwards. Telegram runs in
webhook mode, the updates POSTed to the two replicas in rotation as a round-robin load balancer
does (a 503 is delivered again, as Telegram does); Discord as two shards' processes
(DISCORD_SHARD_COUNT=2, one shard each), the servers split between the shards. After one note
to each replica (so that what a process does once is not counted), the burst: N notes at once.
When the driver sees transcript N/2 in its chat, the first replica is killed, at a random moment
of the next MIMO_DELAY. The time runs until
every chat reads its transcript; then the survivor is stopped (SIGTERM) and each chat's replies
are counted. The lease is WORK_LEASE_SECONDS' default.

The window between an answer and its mark is measured too: for each answer whose claim its own
process marked, from the moment the stand-in answered the request that delivered it to the
moment its claim's mark was sent to the database (a kill in between redoes the work: on Discord
the redo finds the reply and keeps it; on Telegram the transcript is an edit of the status the
claim noted, and the redo edits the same message again).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench import OUT, sized
from bench.account import raised
from core.config import Settings
from core.domain.mimo import default_models
from core.infra.storage import upgrade
from tests.db_fixtures import scratch_postgres_database
from tests.integration.chatlog_db import query
from tests.scenarios.ports import free_listens
from tests.standins.discord_api import FakeDiscord
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

MIMO_DELAY = 0.5
TRANSCRIPT = re.compile(r"heard \d+\.\d seconds")
HOOK = "https://bot.example.test/telegram/hook"
FIRST_CHAT = 2001
LOG_DIR = OUT
NOTES = sized(100, 6)
START_TIMEOUT = 120.0
BURST_TIMEOUT = 240.0  # the lease, the work after it, and room for a busy machine
_update_ids = itertools.count(1)
# What the survivor's log is read for: the takeover, and anything it warned of.
LOGGED = (" WARNING ", " ERROR ", "taking over", "was answered before its process died")


class TimedBotApi(FakeBotApi):
    """The Bot API's stand-in, noting the wall-clock time at which it answered each call."""

    answered_at: dict[int, float]

    def _signal_calls(self) -> None:
        if not hasattr(self, "answered_at"):
            self.answered_at = {}
        self.answered_at[id(self.calls[-1])] = time.time()
        super()._signal_calls()


class TimedDiscord(FakeDiscord):
    """Discord's stand-in, noting the wall-clock time at which it answered each REST call (its
    `at` is when the call arrived: a busy machine may keep the stand-in a while in between)."""

    answered_at: dict[int, float]

    def _rest(self, method: str, template: str, handler: Callable[..., Any]) -> Any:
        if not hasattr(self, "answered_at"):
            self.answered_at = {}

        async def timed(call: Any, request: Any) -> Any:
            result = await handler(call, request)
            self.answered_at[id(call)] = time.time()
            return result

        return super()._rest(method, template, timed)


class Replica:
    """`voicebridge run` in a process of its own, its log in bench/out/replicas-NAME.log."""

    def __init__(self, platform: str, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.log = LOG_DIR / f"replicas-{platform}-{name}.log"
        self.env = env
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        installed = Path(sys.executable).parent / "voicebridge"
        program = [str(installed)] if installed.exists() else [sys.executable, "-m", "bots.cli"]
        base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        folder = tempfile.mkdtemp(prefix=f"voicebridge-{self.name}-")  # no .env of ours
        with self.log.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                *program, "run", cwd=folder, env=base | self.env, stdout=out, stderr=out
            )

    async def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=60)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def run_telegram(note: bytes, seconds: int, server_url: str, notes: int) -> dict[str, Any]:
    async with (
        scratch_postgres_database(server_url) as database_url,
        TimedBotApi() as api,
        raised(FakeMimo(delay=MIMO_DELAY)) as mimo,
    ):
        await upgrade(database_url)
        listens = free_listens(2)
        replicas = [
            Replica("telegram", name, _common(mimo, database_url) | {
                "TELEGRAM_BOT_TOKEN": api.token,
                "TELEGRAM_API_URL": api.root,
                "TELEGRAM_WEBHOOK_URL": HOOK,
                "TELEGRAM_WEBHOOK_LISTEN": listen,
                "INSTANCE_NAME": name,
            })
            for name, listen in zip(("first", "second"), listens, strict=True)
        ]  # fmt: skip
        try:
            for replica in replicas:
                await replica.start()
            await api.wait_for("setWebhook", count=2, timeout=START_TIMEOUT)
            secret = str((api.webhook or {}).get("secret_token"))
            balancer = itertools.cycle(listens)

            async def deliver(chat: int) -> None:
                message = api.voice_message(chat_id=chat, user_id=chat, data=note, duration=seconds)
                update = {"update_id": next(_update_ids), "message": message}
                while await _post(next(balancer), update, secret) == 503:
                    await asyncio.sleep(0.5)  # Telegram delivers it again later

            warm = [1, 2]  # one to each replica
            for chat in warm:
                await deliver(chat)
            await api.wait_until(
                lambda: all(api.texts(c) for c in warm),
                timeout=START_TIMEOUT,
                what="the warm-up's transcripts",
            )
            await _settled(database_url)
            asr_before = len(mimo.calls(default_models.ASR))
            chats = list(range(FIRST_CHAT, FIRST_CHAT + notes))
            started, wall_started = time.monotonic(), time.time()
            await asyncio.gather(*(deliver(chat) for chat in chats))

            wanted = {str(chat) for chat in chats}

            def answered() -> int:  # one pass over the calls: the stand-in shares this CPU
                return len(wanted & {str(call.params.get("chat_id")) for call in _delivered(api)})

            killed_at = await _kill_at_half(replicas[0], answered, notes, started)
            await api.wait_until(
                lambda: answered() == notes, timeout=BURST_TIMEOUT, what="every transcript"
            )
            last = time.monotonic() - started
            await _settled(database_url)
            await replicas[1].stop()
            # A request cut off by the kill may have reached the stand-in without its fields.
            sent = [
                (int(str(call.params.get("chat_id"))), api.answered_at[id(call)], call)
                for call in _delivered(api)
                if int(str(call.params.get("chat_id", 0))) in chats
            ]
            finished = await _finished_at(database_url)
            attempts = await _attempts(database_url)
        finally:
            for replica in replicas:
                await replica.stop()
        texts = {chat: api.texts(chat) for chat in chats}
        twice = {
            str(chat): {
                "sent_at": [round(at - wall_started, 3) for c, at, _ in sent if c == chat],
                "attempts": attempts.get(str(chat)),
            }
            for chat in chats
            if len(texts[chat]) > 1
        }
        once = Counter(chat for chat, _, _ in sent)
        windows = [
            finished[str(chat)] - at
            for chat, at, _ in sent
            if str(chat) in finished
            and once[chat] == 1
            and not attempts.get(str(chat))  # marked by the process that sent it
        ]
        return _outcome(
            "telegram", notes, texts, len(mimo.calls(default_models.ASR)) - asr_before,
            seconds=last, killed_at=killed_at, windows=windows, survivor=replicas[1],
        ) | {"twice_detail": twice}  # fmt: skip


def _delivered(api: FakeBotApi) -> list[Any]:
    """The accepted requests that put a transcript in a chat: the edit that turns a reply's
    "Transcribing…" into it (or a reply that is the transcript, where that status could not be
    sent)."""
    return [
        call
        for call in api.sent()
        if call.method in ("sendMessage", "editMessageText")
        and TRANSCRIPT.fullmatch(str(call.params.get("text", "")))
    ]


async def run_discord(note: bytes, seconds: int, server_url: str, notes: int) -> dict[str, Any]:
    async with (
        scratch_postgres_database(server_url) as database_url,
        TimedDiscord(recommended_shards=2) as api,
        raised(FakeMimo(delay=MIMO_DELAY)) as mimo,
    ):
        await upgrade(database_url)
        servers = [api.add_guild(f"server {n}", shard=(n % 2, 2)) for n in range(notes + 2)]
        members = [api.add_member(server, f"member {n}") for n, server in enumerate(servers)]
        replicas = [
            Replica("discord", name, _common(mimo, database_url) | {
                "DISCORD_BOT_TOKEN": api.token,
                "DISCORD_API_URL": api.api_url,
                "DISCORD_SHARD_COUNT": "2",
                "DISCORD_SHARD_IDS": str(shard),
                "INSTANCE_NAME": name,
            })
            for shard, name in enumerate(("first", "second"))
        ]  # fmt: skip
        try:
            for replica in replicas:
                await replica.start()
                await api.wait_until_identified(
                    len(api.identify_payloads) + 1, timeout=START_TIMEOUT
                )

            async def post(n: int) -> None:
                await api.post_voice_message(servers[n].general, members[n], note, duration=seconds)

            def transcripts(n: int) -> list[str]:
                return [
                    m.content
                    for m in api.messages_in(servers[n].general)
                    if m.reply_to is not None and TRANSCRIPT.fullmatch(m.content)
                ]

            await asyncio.gather(post(0), post(1))  # one to each shard
            await api.wait_until(
                lambda: bool(transcripts(0) and transcripts(1)),
                timeout=START_TIMEOUT,
                what="the warm-up's transcripts",
            )
            await _settled(database_url)
            asr_before = len(mimo.calls(default_models.ASR))
            burst = list(range(2, notes + 2))
            started = time.monotonic()
            await asyncio.gather(*(post(n) for n in burst))

            channels = {servers[n].general for n in burst}

            def answered() -> int:  # one pass over the messages: the stand-in shares this CPU
                return len({
                    m.channel_id for m in api.messages
                    if m.channel_id in channels and m.reply_to is not None
                    and TRANSCRIPT.fullmatch(m.content)
                })  # fmt: skip

            killed_at = await _kill_at_half(replicas[0], answered, notes, started)
            await api.wait_until(
                lambda: answered() == notes, timeout=BURST_TIMEOUT, what="every transcript"
            )
            last = time.monotonic() - started
            await _settled(database_url)
            await replicas[1].stop()
            sent = [
                (str(call.params["channel_id"]), api.answered_at[id(call)])
                for call in api.calls
                if call.route == "POST /channels/{channel_id}/messages"
                and int(call.params["channel_id"]) in channels
                and id(call) in api.answered_at  # answered: cut off by the kill, it may not be
            ]
            finished = await _finished_at(database_url)
            attempts = await _attempts(database_url)
        finally:
            for replica in replicas:
                await replica.stop()
        replies = {n: [m.content for m in api.messages_in(servers[n].general)
                       if m.reply_to is not None] for n in burst}  # fmt: skip
        once = Counter(channel for channel, _ in sent)
        windows = [
            finished[f"channel:{channel}"] - at
            for channel, at in sent
            if f"channel:{channel}" in finished
            and once[channel] == 1
            and not attempts.get(f"channel:{channel}")  # marked by the process that sent it
        ]
        return _outcome(
            "discord", notes, replies, len(mimo.calls(default_models.ASR)) - asr_before,
            seconds=last, killed_at=killed_at, windows=windows, survivor=replicas[1],
        )  # fmt: skip


def _common(mimo: FakeMimo, database_url: str) -> dict[str, str]:
    return {
        "MIMO_API_KEY": mimo.api_key,
        "MIMO_BASE_URL": mimo.base_url,
        "DATABASE_URL": database_url,
        # The quick form waits a shorter lease out: the same takeover, in seconds.
        **sized({}, {"WORK_LEASE_SECONDS": "3"}),
    }


async def _kill_at_half(
    victim: Replica, answered: Callable[[], int], notes: int, started: float
) -> dict[str, float]:
    """SIGKILL `victim` once half the chats read their transcript, at a random moment of the
    next MIMO_DELAY: MiMo answers in waves, and a kill the instant a transcript is seen would
    fall among its wave's answers by construction, as a real failure has no reason to."""
    async with asyncio.timeout(BURST_TIMEOUT):
        while answered() < notes // 2:
            await asyncio.sleep(0.02)
    await asyncio.sleep(random.uniform(0, MIMO_DELAY))
    at = time.monotonic() - started
    await victim.kill()
    return {"seconds": at, "answered": answered()}


async def _post(listen: str, update: dict[str, Any], secret: str) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://{listen}/telegram/hook", json=update, headers=headers) as answer,
    ):
        return answer.status


async def _settled(url: str) -> None:
    """Until no claim is started (the survivor has finished what it took over)."""
    async with asyncio.timeout(BURST_TIMEOUT):
        while await query(url, "SELECT 1 FROM processed_updates WHERE state = 'started'"):
            await asyncio.sleep(0.05)


async def _attempts(url: str) -> dict[str, int]:
    """How many times each chat's claim was taken over, by the chat."""
    rows = await query(url, "SELECT chat_id, attempts FROM processed_updates")
    return {str(chat): int(n) for chat, n in rows}


async def _finished_at(url: str) -> dict[str, float]:
    """When each chat's claim was marked done, by the chat, as a Unix time."""
    rows = await query(url, "SELECT chat_id, finished_at FROM processed_updates")
    return {str(chat): _unix(at) for chat, at in rows if at is not None}


def _unix(at: datetime | str) -> float:
    return (at if isinstance(at, datetime) else datetime.fromisoformat(at)).timestamp()


def _outcome(
    platform: str,
    notes: int,
    replies: dict[int, list[str]],
    asr_requests: int,
    *,
    seconds: float,
    killed_at: dict[str, float],
    windows: list[float],
    survivor: Replica,
) -> dict[str, Any]:
    lease = Settings.model_fields["work_lease_seconds"].default
    in_flight = Settings.model_fields["asr_max_in_flight"].default
    floor = notes / in_flight * MIMO_DELAY + lease
    counted = {chat: sum(bool(TRANSCRIPT.fullmatch(r)) for r in rs) for chat, rs in replies.items()}
    log = survivor.log.read_text(errors="replace")
    return {
        "platform": platform,
        "notes": notes,
        "mimo_delay": MIMO_DELAY,
        "delivered": sum(n >= 1 for n in counted.values()),
        "twice": sum(n > 1 for n in counted.values()),
        "other_replies": sum(len(rs) - counted[chat] for chat, rs in replies.items()),
        "asr_requests": asr_requests,
        "paid_twice": asr_requests - notes,
        "seconds": seconds,
        "floor": floor,
        "lease": lease,
        "ratio": seconds / floor,
        "killed_at": killed_at,
        "windows": sorted(windows),
        "taken_over": log.count("taking over"),
        "kept": log.count("was answered before its process died"),
        "log_lines": _log_summary(log),
    }


def _log_summary(log: str) -> list[str]:
    """The survivor's log lines about the takeover and anything it warned of, each kind once,
    with how often it came."""
    kinds: Counter[str] = Counter()
    for line in log.splitlines():
        if any(words in line for words in LOGGED):
            message = re.sub(r"Claim\(.*?\)", "Claim(...)", line.split(" ", 2)[-1])
            kinds[re.sub(r"\d+", "N", message)[:160]] += 1
    return [f"{count}x {message}" for message, count in kinds.most_common(12)]


async def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__)
    parser.add_argument("platform", choices=["telegram", "discord"])
    parser.add_argument("note", type=Path)
    parser.add_argument("server_url")
    parser.add_argument("--notes", type=int, default=NOTES)
    args = parser.parse_args(argv)
    note = args.note.read_bytes()
    seconds = 5
    run: Callable[[bytes, int, str, int], Awaitable[dict[str, Any]]] = (
        run_telegram if args.platform == "telegram" else run_discord
    )
    return await run(note, seconds, args.server_url, args.notes)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1:]))), flush=True)
