"""The voice server stand-in's rules, each seen through the real discord.py voice client (and,
where discord.py never breaks a rule, through a few raw packets): what Discord's voice servers
refuse, the stand-in refuses with the same close code."""

from __future__ import annotations

import asyncio
import json
import ssl
import struct
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import discord
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from discord import voice_state

from bots.discord.application.bot_intents import VoicebridgeBot
from bots.discord.discordpy_internals import ResumingVoiceClient
from bots.discord.voice_channels.speech_playback import installed_voice_client
from tests.integration.conftest import discord_bot_online, discord_settings
from tests.standins import discord_voice
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.discord_voice import decode_opus
from tests.standins.mimo import FakeMimo


@asynccontextmanager
async def bot_online(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str
) -> AsyncIterator[VoicebridgeBot]:
    """The bot `voicebridge run` builds, connected, for a test that drives its voice client."""
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    voice_client = installed_voice_client()
    async with discord_bot_online(settings, discord_api, voice_client=voice_client) as (bot, _):
        yield bot


async def join(bot: VoicebridgeBot, server: Guild, **options: Any) -> discord.VoiceClient:
    channel = bot.get_channel(server.lounge)
    assert isinstance(channel, discord.VoiceChannel)
    voice = await channel.connect(cls=ResumingVoiceClient, self_deaf=True, **options)
    assert isinstance(voice, discord.VoiceClient)
    return voice


async def test_joining_answers_both_voice_events_and_a_call_with_dave_and_a_transport_mode(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with bot_online(discord_api, mimo, sqlite_url) as bot:
        voice = await join(bot, server, timeout=10)
        connected_now = voice.is_connected()
        [call] = discord_api.voice.calls
        await discord_api.voice.wait_until(lambda: call.dave.executed, what="the transition")
        code = voice._connection.dave_session.voice_privacy_code  # type: ignore[union-attr]
        await voice.disconnect(force=True)

    assert connected_now
    [identify] = discord_api.voice.identify_payloads
    assert identify["max_dave_protocol_version"] >= 1
    assert identify["server_id"] == str(server.id)
    assert call.grant.channel_id == server.lounge and call.grant.user_id == bot.user.id
    assert call.mode in discord_voice.MODES
    assert call.dave.listener.get_user_ids() == sorted(
        [str(bot.user.id), str(discord_voice.LISTENER_ID)]
    )
    assert code  # the bot's own DAVE session sees the same group: it has a privacy code
    assert all(h["seq_ack"] <= call.seq for h in call.heartbeats)
    [join_request, leave_request] = discord_api.voice_state_requests
    assert int(join_request["channel_id"]) == server.lounge and join_request["self_deaf"]
    assert leave_request["channel_id"] is None


async def test_a_stale_token_is_refused_with_4004_and_discord_py_joins_again(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    discord_api.stale_voice_tokens = 1
    async with bot_online(discord_api, mimo, sqlite_url) as bot:
        voice = await join(bot, server, timeout=15)
        connected_now = voice.is_connected()
        await voice.disconnect(force=True)

    assert connected_now
    assert discord_api.voice.close_codes[0] == discord_voice.AUTHENTICATION_FAILED
    first, second = discord_api.voice.identify_payloads
    assert first["token"] != second["token"]


async def test_a_client_without_dave_is_closed_with_4017(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with bot_online(discord_api, mimo, sqlite_url) as bot:
        # discord.py offers DAVE only when davey is there: as if it were not.
        monkeypatch.setattr(voice_state, "has_dave", False)
        with pytest.raises(discord.ConnectionClosed) as refused:
            await join(bot, server, timeout=10, reconnect=False)

    assert refused.value.code == discord_voice.DAVE_REQUIRED
    [identify] = discord_api.voice.identify_payloads
    assert identify["max_dave_protocol_version"] == 0
    assert discord_api.voice.calls == []


async def test_a_late_heartbeat_closes_with_4009_and_discord_py_connects_afresh(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    discord_api.voice.heartbeat_interval = 0.5  # discord.py beats every 0.5 s, then
    async with bot_online(discord_api, mimo, sqlite_url) as bot:
        voice = await join(bot, server, timeout=10)
        [first] = discord_api.voice.calls
        await discord_api.voice.wait_until(lambda: first.heartbeats, what="a heartbeat")
        voice._connection.ws._keep_alive.stop()  # type: ignore[union-attr]  # the bot hangs
        await discord_api.voice.wait_until(
            lambda: len(discord_api.voice.calls) == 2, what="a new session"
        )
        await voice.disconnect(force=True)

    assert discord_api.voice.close_codes[0] == discord_voice.SESSION_TIMEOUT


# --- rules discord.py never breaks, seen through raw packets ----------------------------------


@asynccontextmanager
async def voice_socket(discord_api: FakeDiscord) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    context = ssl.create_default_context()
    discord_voice._authority().configure_trust(context)
    async with aiohttp.ClientSession() as session:
        url = f"wss://{discord_api.voice.endpoint}/?v=8"
        async with session.ws_connect(url, ssl=context) as ws:
            hello = await ws.receive_json()
            assert hello["op"] == discord_voice.HELLO
            yield ws


def granted(discord_api: FakeDiscord, server: Guild) -> dict[str, Any]:
    """An IDENTIFY a member's client would send after joining the Lounge."""
    user = discord_api.add_member(server, "carol")
    token = discord_api.voice.grant(server.id, server.lounge, user, "session-1")
    return {"server_id": str(server.id), "user_id": str(user), "session_id": "session-1",
            "token": token, "max_dave_protocol_version": 1}  # fmt: skip


async def closed_with(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    while not ws.closed:
        await ws.receive()
    return ws.close_code


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"op": 5, "d": {"speaking": 1, "delay": 0, "ssrc": 1}}, 4003),  # before IDENTIFY
        ({"op": 99, "d": {}}, 4003),
        ("not json", 4002),
    ],
)
async def test_anything_before_identify_is_refused(
    discord_api: FakeDiscord, payload: Any, code: int
) -> None:
    async with voice_socket(discord_api) as ws:
        await ws.send_str(payload if isinstance(payload, str) else json.dumps(payload))
        assert await closed_with(ws) == code


@pytest.mark.parametrize(
    ("protocol", "mode", "code"),
    [
        ("udp", "xsalsa20_poly1305", 4016),  # retired in November 2024
        ("webrtc", "aead_aes256_gcm_rtpsize", 4012),
    ],
)
async def test_a_retired_mode_or_another_protocol_is_refused(
    discord_api: FakeDiscord, server: Guild, protocol: str, mode: str, code: int
) -> None:
    select = {"protocol": protocol, "data": {"address": "127.0.0.1", "port": 1, "mode": mode}}
    async with voice_socket(discord_api) as ws:
        await ws.send_json({"op": 0, "d": granted(discord_api, server)})
        ready = await ws.receive_json()
        assert ready["op"] == discord_voice.READY and ready["d"]["modes"] == list(
            discord_voice.MODES
        )
        await ws.send_json({"op": 1, "d": select})
        assert await closed_with(ws) == code


async def test_identify_twice_and_a_resume_of_no_session_are_refused(
    discord_api: FakeDiscord, server: Guild
) -> None:
    identify = granted(discord_api, server)
    async with voice_socket(discord_api) as ws:
        await ws.send_json({"op": 0, "d": identify})
        await ws.receive_json()
        await ws.send_json({"op": 0, "d": identify})
        assert await closed_with(ws) == discord_voice.ALREADY_AUTHENTICATED
    async with voice_socket(discord_api) as ws:
        resume = {key: identify[key] for key in ("server_id", "session_id")}
        await ws.send_json({"op": 7, "d": {**resume, "token": "forged", "seq_ack": 1}})
        assert await closed_with(ws) == discord_voice.SESSION_NO_LONGER_VALID


async def test_aes_gcm_packets_are_decrypted_and_a_reused_nonce_is_a_fault(
    discord_api: FakeDiscord, server: Guild
) -> None:
    """discord.py 2.7 speaks only XChaCha20; Discord prefers AES-256-GCM, which others send."""
    loop = asyncio.get_running_loop()
    received: asyncio.Queue[bytes] = asyncio.Queue()

    class Client(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            received.put_nowait(data)

    udp, _ = await loop.create_datagram_endpoint(Client, local_addr=("127.0.0.1", 0))
    async with voice_socket(discord_api) as ws:
        await ws.send_json({"op": 0, "d": granted(discord_api, server)})
        ready = (await ws.receive_json())["d"]
        target = (ready["ip"], ready["port"])
        udp.sendto(struct.pack(">HHI66x", 1, 70, ready["ssrc"]), target)
        discovered = await asyncio.wait_for(received.get(), 5)
        address = discovered[8:72].rstrip(b"\0").decode()
        (port,) = struct.unpack_from(">H", discovered, 72)
        mode = "aead_aes256_gcm_rtpsize"
        await ws.send_json({"op": 1, "d": {"protocol": "udp",
                            "data": {"address": address, "port": port, "mode": mode}}})  # fmt: skip
        description = (await ws.receive_json())["d"]
        await ws.send_json({"op": 5, "d": {"speaking": 1, "delay": 0, "ssrc": ready["ssrc"]}})
        [call] = discord_api.voice.calls
        await discord_api.voice.wait_until(lambda: call.spoke, what="the SPEAKING message")
        key = bytes(description["secret_key"])
        silence = bytes.fromhex("f8fffe")
        for n, nonce in enumerate([0, 1, 1]):
            header = struct.pack(">BBHII", 0x80, 0x78, n, n * 960, ready["ssrc"])
            sealed = AESGCM(key).encrypt(struct.pack(">I", nonce) + bytes(8), silence, header)
            udp.sendto(header + sealed + struct.pack(">I", nonce), target)
        await discord_api.voice.wait_until(lambda: call.faults, what="the reused nonce")
    udp.close()

    assert (address, port) == udp.get_extra_info("sockname")
    assert call.mode == mode and description["dave_protocol_version"] == 1
    assert [f.opus for f in call.frames] == [silence, silence]
    assert call.faults == ["nonce 1 reused"]
    assert decode_opus([silence]) == bytes(1920)  # 20 ms of silence, 48 kHz mono


def test_unencrypted_frames_are_taken_after_a_transition_only_until_the_sender_encrypts() -> None:
    """As DAVE's receivers do: frames sent before the sender saw the transition execute still
    arrive unencrypted for a while (libdave allows passthrough until the transition's expiry,
    10 s), but once the sender encrypts, or after that while, an unencrypted one is a fault."""

    def call_after_the_transition(seconds_ago: float) -> discord_voice.Call:
        call = discord_voice.new_call(discord_voice.Grant(1, 2, 3, "session", "token"), [])
        call.dave.executions, call.dave.executed_at = 1, time.monotonic() - seconds_ago
        return call

    def plain(sequence: int) -> discord_voice.Frame:
        return discord_voice.Frame(sequence, 960 * sequence, b"\x78opus", e2ee=False)

    in_flight = call_after_the_transition(seconds_ago=1)
    assert discord_voice._accept(in_flight, plain(1)) is None

    after_encrypting = call_after_the_transition(seconds_ago=1)
    after_encrypting.frames.append(discord_voice.Frame(1, 960, b"\x78opus", e2ee=True))
    fault = discord_voice._accept(after_encrypting, plain(2))
    assert fault == "frame 2 not end-to-end encrypted after the transition"

    too_late = call_after_the_transition(seconds_ago=discord_voice.PASSTHROUGH_GRACE + 1)
    assert discord_voice._accept(too_late, plain(1)) is not None
