"""Benchmark 3's Discord driver: a hundred voice messages in a hundred servers at once, through the
real Discord adapter. Prints a JSON line.

    python -m bench.load_discord NOTE MIMO_BASE_URL MIMO_API_KEY MIMO_DELAY [--notes N]
        [--profile] [--ffmpeg BINARY]

This process serves Discord's stand-in (tests/standins/discord_api.py: REST, CDN, gateway, and
Discord's global limit of 50 requests a second) and starts the bot (bench/burst.py) configured
by the environment alone. Each server's #general hears a member's voice message; the bot
transcribes it automatically, as a reply. One message in another server goes first, so that
what a bot does once is not counted. Then N voice messages, one per server, reach the bot
through the gateway together. The time runs until every one has its final transcript.

The floor is the slower of MiMo's (N requests, at most ASR_MAX_IN_FLIGHT at once, each held
MIMO_DELAY) and Discord's: one reply per voice message within 50 requests a second.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from typing import Any

from bench import burst
from bench.burst import BURST_TIMEOUT, START_TIMEOUT, BotUnderLoad, Run
from bench.load import PROGRESS_END, TRANSCRIPT
from tests.standins.discord_api import GLOBAL_PER_SECOND, FakeDiscord, Guild


async def run(asked: Run) -> dict[str, Any]:
    async with FakeDiscord() as api:
        servers = [api.add_guild(f"server {n}") for n in range(asked.notes + 1)]
        members = [api.add_member(server, f"member {n}") for n, server in enumerate(servers)]
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                "DISCORD_BOT_TOKEN": api.token,
                "DISCORD_API_URL": api.api_url,
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/voicebridge.db",
                **asked.env(),
            }
            async with BotUnderLoad(env, profile=asked.profile) as bot:
                await bot.until(api.wait_until_identified(timeout=START_TIMEOUT))
                await Burst(api, servers[:1], members[:1], asked).answered()
                await asyncio.sleep(1)  # let the warm-up's bookkeeping finish
                bot.count()
                sent = Burst(api, servers[1:], members[1:], asked)
                await sent.answered()
                finished = time.monotonic()
                bot.stop_counting()
    wrong = {channel: text for channel, (_, text) in sent.done.items()
             if not TRANSCRIPT.fullmatch(text)}  # fmt: skip
    outcome = asked.outcome(
        bot, started=sent.started, finished=finished, wrong=wrong,
        waits=[at for at, _ in sent.done.values()],
        chat_floor=max(0, asked.notes - GLOBAL_PER_SECOND) / GLOBAL_PER_SECOND,
    )  # fmt: skip
    calls = [call for call in api.calls if sent.started <= call.at <= finished]
    to_channels = [call for call in calls if "{channel_id}" in call.route]
    return {
        "platform": "discord",
        **outcome,
        "calls": dict(Counter(call.route for call in calls)),
        "refused": sum(call.status == 429 for call in calls),
        "chat_calls": len(to_channels),
        "chat_calls_per_note": len(to_channels) / asked.notes,
        "chat_calls_per_second": burst.per_second(
            [call.at - sent.started for call in to_channels], finished - sent.started
        ),
        "typing_chats": len(
            {call.params["channel_id"] for call in to_channels if call.route.endswith("/typing")}
        ),
    }


class Burst:
    """A voice message in each of `servers`' #general, from its member, posted together; and
    each one's final transcript as it comes."""

    def __init__(
        self, api: FakeDiscord, servers: list[Guild], members: list[int], asked: Run
    ) -> None:
        self.api = api
        self.waiting = {server.general for server in servers}
        self.done: dict[int, tuple[float, str]] = {}  # channel -> (when final, its text)
        self.started = time.monotonic()
        self._posted = asyncio.gather(*(
            api.post_voice_message(server.general, member, asked.data, duration=asked.seconds)
            for server, member in zip(servers, members, strict=True)
        ))  # fmt: skip

    async def answered(self) -> None:
        """Until every voice message's reply reads a final transcript."""
        await self._posted
        what = f"{len(self.waiting)} transcripts"
        await self.api.wait_until(self._all_final, timeout=BURST_TIMEOUT, what=what)

    def _all_final(self) -> bool:
        now = time.monotonic() - self.started
        replies = {
            m.channel_id: m
            for m in self.api.messages
            if m.channel_id in self.waiting and m.reply_to is not None and not m.deleted
        }
        for channel, reply in replies.items():
            if not reply.content.endswith(PROGRESS_END):
                self.done[channel] = (now, reply.content)
                self.waiting.discard(channel)
        return not self.waiting


if __name__ == "__main__":
    burst.main(run, "python -m bench.load_discord", __doc__ or "")
