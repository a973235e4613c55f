"""A loopback stand-in for Discord's voice servers: the voice gateway and the UDP media endpoint.

`FakeDiscord` runs one `VoiceServer` and points bots at it: when a bot asks the main gateway to
join a voice channel (opcode 4), the gateway answers VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE
with a token granted here and this server's address as the endpoint. Then the real discord.py
voice client talks to it as to Discord (topics/voice-connections, daveprotocol.com):

- Voice gateway (a TLS websocket, ``wss://ENDPOINT/?v=8``: discord.py always says wss, so the
  stand-in has a certificate from a test authority the process trusts): HELLO (8) with the
  heartbeat interval; IDENTIFY (0) with ``server_id``, ``user_id``, ``session_id`` and ``token``
  as granted (a token not granted: 4004; another server: 4011; another user or session: 4006)
  and ``max_dave_protocol_version`` of at least 1 (else 4017: Discord requires DAVE since 1
  March 2026); READY (2) with the ``ssrc``, ``ip``, ``port`` and the two modes Discord still
  offers; SELECT PROTOCOL (1): ``udp`` (else 4012) and one of those modes (else 4016); SESSION
  DESCRIPTION (4) with the mode, a 32-byte ``secret_key`` and ``dave_protocol_version`` 1;
  SPEAKING (5) for the given ssrc; HEARTBEAT (3) carrying ``t`` and ``seq_ack`` (v8), answered
  by HEARTBEAT ACK (6), and none for 1.5 intervals closes with 4009; RESUME (7) of a session
  whose websocket dropped, answered by RESUMED (9) and the messages numbered after its
  ``seq_ack`` again (else 4006); anything before IDENTIFY 4003, a second IDENTIFY 4005, an
  unknown opcode 4001, a frame that is not JSON 4002, a malformed payload 4020. Every message
  that may be re-sent carries ``seq``.
- DAVE (end-to-end encryption), protocol version 1: the gateway is the MLS group's external
  sender (`tests.standins.mls`): after SESSION DESCRIPTION it sends its key (opcode 25); when
  the bot sends its key package (26) it proposes adding a listener, a member's client in the
  channel that is a real davey session here (27); the bot's commit and welcome (28) are checked
  and relayed: the commit back to the bot (29, transition 1), the welcome to the listener, who
  joins the group; the bot's TRANSITION READY (23) is answered by EXECUTE TRANSITION (22).
- UDP: IP discovery (type 1, length 70, a known ssrc; answered with the address and port the
  packet came from) and RTP: version 2, payload type 120, the ssrc READY gave, sequence +1 and
  timestamp +960 (20 ms at 48 kHz) per packet, sent only after a SPEAKING message; the payload
  decrypted with the session key in the mode chosen (its 32-bit nonce appended, never reused);
  then, once the bot's DAVE group exists, the Opus frame decrypted by the listener (a frame
  without DAVE's 0xFAFA marker after the transition is a fault, except Opus silence).

What a real voice server would drop, or a listener would hear wrongly, is a `Call.faults`
entry: an Ogg header packet (``OpusHead``, ``OpusTags``) sent as audio among them. Tests read
`Call.frames` and the speech they decode to (`Call.pcm`, 48 kHz mono, by PyAV's libopus).

Faults on demand: `crash` closes a call's websocket with 4015 (the voice server crashed: resume).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp.connector
import av
import davey
import trustme
from aiohttp import WSMsgType, web
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt

from tests.standins.mls import split_commit_welcome
from tests.standins.voice_group import BOT, Committer, Group
from tests.standins.voice_members import (
    SILENCE_FRAMES_AFTER,
    CallMember,
    Outgoing,
    opus_frames,
    padding_of,
    rtp_packet,
)

Json = dict[str, Any]

MODES = ("aead_aes256_gcm_rtpsize", "aead_xchacha20_poly1305_rtpsize")
GATEWAY_VERSION = "8"
DAVE_PROTOCOL_VERSION = 1
OPUS_PAYLOAD_TYPE = 120
SAMPLE_RATE = 48_000
SAMPLES_PER_FRAME = 960  # 20 ms
OPUS_SILENCE = b"\xf8\xff\xfe"
DAVE_MARKER = b"\xfa\xfa"
OGG_HEADER_PACKETS = (b"OpusHead", b"OpusTags")
LISTENER_ID = 4242  # the listener's user id: a member's client in the channel

# Voice close codes (topics/opcodes-and-status-codes, "Voice Close Event Codes").
UNKNOWN_OPCODE, FAILED_TO_DECODE, NOT_AUTHENTICATED = 4001, 4002, 4003
AUTHENTICATION_FAILED, ALREADY_AUTHENTICATED, SESSION_NO_LONGER_VALID = 4004, 4005, 4006
SESSION_TIMEOUT, SERVER_NOT_FOUND, UNKNOWN_PROTOCOL = 4009, 4011, 4012
DISCONNECTED, SERVER_CRASHED, UNKNOWN_ENCRYPTION_MODE = 4014, 4015, 4016
RATE_LIMITED = 4021  # the voice server's "rate limited": a client does not reconnect
PASSTHROUGH_GRACE = 10.0  # seconds unencrypted frames are still taken after a transition
DAVE_REQUIRED, BAD_REQUEST = 4017, 4020

# Voice opcodes.
IDENTIFY, SELECT_PROTOCOL, READY, HEARTBEAT, SESSION_DESCRIPTION, SPEAKING = 0, 1, 2, 3, 4, 5
HEARTBEAT_ACK, RESUME, HELLO, RESUMED = 6, 7, 8, 9
EXECUTE_TRANSITION, TRANSITION_READY = 22, 23
MLS_EXTERNAL_SENDER, MLS_KEY_PACKAGE, MLS_PROPOSALS, MLS_COMMIT_WELCOME = 25, 26, 27, 28
MLS_ANNOUNCE_COMMIT, MLS_WELCOME, MLS_INVALID_COMMIT_WELCOME = 29, 30, 31


class Refusal(Exception):
    """Close the voice websocket with `code`, as the real voice server does."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class Grant:
    """What VOICE_SERVER_UPDATE handed a member joining a voice channel."""

    guild_id: int
    channel_id: int
    user_id: int
    session_id: str
    token: str


@dataclass(frozen=True)
class Frame:
    """One RTP packet as it arrived, its Opus frame decrypted."""

    sequence: int
    timestamp: int
    opus: bytes
    e2ee: bool  # it came end-to-end encrypted (DAVE)
    at: float = field(default_factory=time.monotonic)  # when it arrived (the benchmarks')


@dataclass(eq=False)
class Call:
    """One member's voice session, from IDENTIFY to leaving, across websocket resumes."""

    grant: Grant
    ssrc: int
    secret_key: bytes
    mode: str | None = None
    spoke: bool = False  # a SPEAKING message came: Discord knows whose ssrc this is
    frames: list[Frame] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    heartbeats: list[Json] = field(default_factory=list)
    resumes: int = 0
    ws: web.WebSocketResponse | None = None
    seq: int = 0
    outbox: list[tuple[int, str | bytes]] = field(default_factory=list)  # for resumes
    address: tuple[str, int] | None = None  # where the bot receives, as SELECT PROTOCOL said
    outgoing: Outgoing | None = None  # what the voice server forwards to it
    announced: set[int] = field(default_factory=set)  # members whose SPEAKING it was sent
    ended: bool = False  # the websocket closed for good (the bot left, or connected anew)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _nonce: int = -1
    _dave: Group | None = None

    @property
    def dave(self) -> Group:
        """The call's MLS group (`tests.standins.voice_group`)."""
        assert self._dave is not None
        return self._dave

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` beside the websocket's reading (it waits for what the bot sends)."""
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def send(self, op: int, data: Json) -> None:
        """A JSON message to the bot, numbered (v8), kept for a resume."""
        self.seq = (self.seq + 1) & 0xFFFF
        message = json.dumps({"op": op, "d": data, "seq": self.seq})
        self.outbox.append((self.seq, message))
        await self._deliver(message)

    async def send_binary(self, op: int, payload: bytes) -> None:
        """A binary message to the bot: sequence (2 bytes), opcode, payload."""
        self.seq = (self.seq + 1) & 0xFFFF
        message = struct.pack(">HB", self.seq, op) + payload
        self.outbox.append((self.seq, message))
        await self._deliver(message)

    async def _deliver(self, message: str | bytes) -> None:
        if self.ws is None or self.ws.closed:
            return  # a resume sends it again
        with contextlib.suppress(ConnectionError):
            if isinstance(message, str):
                await self.ws.send_str(message)
            else:
                await self.ws.send_bytes(message)

    @property
    def speech(self) -> list[Frame]:
        """The frames that carry sound (Opus silence frames left out)."""
        return [f for f in self.frames if f.opus != OPUS_SILENCE]

    def pcm(self) -> bytes:
        """The speech as a listener hears it: 48 kHz mono PCM16."""
        return decode_opus([f.opus for f in self.speech])

    @property
    def seconds(self) -> float:
        return len(self.pcm()) / 2 / SAMPLE_RATE


def new_call(grant: Grant, members: list[CallMember]) -> Call:
    """The bot's voice session for `grant`, with a new ssrc and key, in a DAVE group with the
    listener and `members` (the other members' clients in the channel)."""
    call = Call(grant, ssrc=secrets.randbelow(1 << 31) + 1, secret_key=secrets.token_bytes(32))
    listener = CallMember(LISTENER_ID, 0, grant.channel_id, listens_only=True)
    call._dave = Group(
        channel_id=grant.channel_id, members=[listener, *members],
        send_json=call.send, send_binary=call.send_binary, faults=call.faults,
    )  # fmt: skip
    return call


class VoiceServer:
    """The voice gateway (TLS websocket) and UDP endpoint on loopback ports."""

    def __init__(self, *, heartbeat_interval: float = 41.25) -> None:
        self.heartbeat_interval = heartbeat_interval  # seconds, as HELLO says it (in ms)
        # READY's modes: Discord always offers XChaCha20 and AES-256-GCM where the hardware has it
        self.modes: tuple[str, ...] = MODES
        self.calls: list[Call] = []
        self.close_codes: list[int | None] = []  # each voice websocket's, as it ended
        self.identify_payloads: list[Json] = []
        self.stray_packets: list[str] = []  # UDP packets no call owns
        self._grants: dict[str, Grant] = {}  # token -> grant
        # The other members' clients in each voice channel ((guild, channel) -> members).
        self._members: dict[tuple[int, int], list[CallMember]] = {}
        self._deafened: set[tuple[int, int]] = set()  # (guild, user): Discord sends them nothing
        self.withheld = 0  # packets not sent to a deafened bot
        self._groups_held: asyncio.Event | None = None
        self._closed_with: dict[int, int] = {}  # id(websocket) -> the code the stand-in sent
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._sender: socket.socket  # made with `_udp`
        self._sending = threading.Lock()
        self._closing = False
        self.port = 0
        self.udp_port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._gateway)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=_server_tls())
        await site.start()
        self.port = self._runner.addresses[0][1]
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Udp(self), local_addr=("127.0.0.1", 0)
        )
        self._udp = transport
        self.udp_port = transport.get_extra_info("sockname")[1]
        # What members say goes out on its own blocking socket, bound to the same port (a
        # duplicate of the endpoint's), from their senders' threads (`_paced`).
        self._sender = socket.socket(fileno=os.dup(transport.get_extra_info("socket").fileno()))
        self._sender.setblocking(True)

    async def close(self) -> None:
        self._closing = True  # members' senders stop at their next packet
        for call in self.calls:
            for task in list(call.tasks):
                task.cancel()
            if call.ws is not None and not call.ws.closed:
                await call.ws.close(code=1001)
        if self._udp is not None:
            self._udp.close()
            self._sender.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def endpoint(self) -> str:
        """VOICE_SERVER_UPDATE's endpoint: host and port, no scheme."""
        return f"127.0.0.1:{self.port}"

    # -- what the main gateway and the tests do ----------------------------------------------

    def grant(self, guild_id: int, channel_id: int, user_id: int, session_id: str) -> str:
        """A token for a member joining a channel (kept while they stay in it, in the same
        gateway session: another session, a process started again, gets a token of its own)."""
        for token, grant in list(self._grants.items()):
            if (grant.guild_id, grant.channel_id, grant.user_id) == (guild_id, channel_id, user_id):
                if grant.session_id == session_id:
                    return token
                del self._grants[token]
        token = secrets.token_hex(8)
        self._grants[token] = Grant(guild_id, channel_id, user_id, session_id, token)
        return token

    def revoke(self, guild_id: int, user_id: int) -> None:
        """The member left the guild's voice: their token is no longer valid."""
        for token, grant in list(self._grants.items()):
            if (grant.guild_id, grant.user_id) == (guild_id, user_id):
                del self._grants[token]
        for call in self.calls:
            if (call.grant.guild_id, call.grant.user_id) == (guild_id, user_id):
                call.ended = True

    async def crash(self, call: Call) -> None:
        """The voice server crashed under `call`: its websocket closes with 4015 (resume)."""
        assert call.ws is not None, "the call has no websocket to drop"
        await self._close(call.ws, SERVER_CRASHED, "Voice server crashed.")

    async def rate_limited(self, call: Call) -> None:
        """The voice server closes `call`'s websocket with 4021 (rate limited): discord.py does
        not reconnect, and its voice connection ends for good without a voice state change."""
        assert call.ws is not None, "the call has no websocket to close"
        await self._close(call.ws, RATE_LIMITED, "Rate limited.")

    async def _close(self, ws: web.WebSocketResponse, code: int, reason: str) -> None:
        self._closed_with[id(ws)] = code
        await ws.close(code=code, message=reason.encode())

    async def disconnect(self, guild_id: int, user_id: int) -> None:
        """Close a member's live voice websocket with 4014, as when a moderator disconnects them."""
        for call in self.calls:
            live = call.ws is not None and not call.ws.closed
            if live and (call.grant.guild_id, call.grant.user_id) == (guild_id, user_id):
                assert call.ws is not None
                await self._close(call.ws, DISCONNECTED, "Disconnected.")

    def calls_in(self, guild_id: int) -> list[Call]:
        return [c for c in self.calls if c.grant.guild_id == guild_id]

    def live_call(self, guild_id: int, channel_id: int) -> Call | None:
        """The bot's call in that channel, if it is in one (its latest voice session)."""
        for call in reversed(self.calls):
            if (call.grant.guild_id, call.grant.channel_id) == (guild_id, channel_id):
                return None if call.ended else call
        return None

    def deafen(self, guild_id: int, user_id: int, deaf: bool) -> None:
        """The bot's own voice state (opcode 4's self_deaf): a deafened client gets no audio."""
        (self._deafened.add if deaf else self._deafened.discard)((guild_id, user_id))

    # -- the other members of a call ---------------------------------------------------------

    def members_in(self, guild_id: int, channel_id: int) -> list[CallMember]:
        return [m for m in self._members.get((guild_id, channel_id), []) if not m.listens_only]

    async def member_joins(
        self, guild_id: int, channel_id: int, user_id: int, *, committer: Committer = BOT
    ) -> CallMember:
        """A member's client joins the call in that channel. Before the bot came, they are in
        the group the members there have; with the bot in the call, the group changes, the
        commit coming from `committer` (the bot, or a member already in the group). Returns at
        once: the member speaks once the transition executed (`CallMember.in_group`)."""
        member = CallMember(user_id, secrets.randbelow(1 << 31) + 1, channel_id)
        self._members.setdefault((guild_id, channel_id), []).append(member)
        call = self.live_call(guild_id, channel_id)
        if call is not None:
            call.spawn(call.dave.add(member, committer=committer))
        self._notify()
        return member

    async def member_leaves(self, member: CallMember, *, committer: Committer = BOT) -> None:
        """The member leaves the call: CLIENT_DISCONNECT, and their Remove committed."""
        for (guild_id, channel_id), members in self._members.items():
            if member in members:
                members.remove(member)
                call = self.live_call(guild_id, channel_id)
                if call is not None and member in call.dave.members:
                    call.spawn(call.dave.remove(member, committer=committer))
        member.left = True
        self._notify()

    async def speak(self, member: CallMember, pcm: bytes, *, eager: bool = False) -> int:
        """The member says `pcm` (48 kHz mono PCM16) to the bot, in real time, then five frames
        of silence; the packets sent (none while the bot is deafened). A member speaks once in
        the group (`eager`: at once, as a client that moved to the new keys early)."""
        frames = await asyncio.to_thread(opus_frames, pcm)
        return await self.speak_opus(member, frames, eager=eager)

    async def speak_opus(
        self, member: CallMember, frames: list[bytes], *, eager: bool = False
    ) -> int:
        """`speak`, the Opus frames made already."""
        guild_id = next(g for (g, _), ms in self._members.items() if member in ms)
        call = self.live_call(guild_id, member.channel_id)
        assert call is not None and call.outgoing is not None, "the bot is not in the call"
        if not eager:
            await self.wait_until(lambda: member.in_group or member.left, what="the member's group")
        if member.user_id not in call.announced:  # the first packet reaching the voice server
            call.announced.add(member.user_id)
            await call.send(SPEAKING, {"user_id": str(member.user_id), "ssrc": member.ssrc,
                                       "speaking": 1})  # fmt: skip
        loop = asyncio.get_running_loop()
        member.resume(loop.time())
        self._forward(call, member, b"", padding=8)  # clients send padding alone around silence
        self._notify()
        frames = [*frames, *[OPUS_SILENCE] * SILENCE_FRAMES_AFTER]
        # A thread of its own, not asyncio's executor: that has a handful of workers, shared
        # with the bot, which a few members speaking for seconds would hold.
        said: asyncio.Future[int] = loop.create_future()
        stop = threading.Event()

        def speaking() -> None:
            try:
                result: int | BaseException = self._paced(call, member, frames, loop, stop)
            except BaseException as error:  # handed to the test that made the member speak
                result = error
            with contextlib.suppress(RuntimeError):  # the test's loop closed: nobody waits
                loop.call_soon_threadsafe(_settle, said, result)

        name = f"member {member.user_id} speaking"
        threading.Thread(target=speaking, name=name, daemon=True).start()
        try:
            return await said
        finally:
            stop.set()  # cancelled: the member stops at the next packet

    def _paced(
        self,
        call: Call,
        member: CallMember,
        frames: list[bytes],
        loop: asyncio.AbstractEventLoop,
        stop: threading.Event,
    ) -> int:
        """`frames` sent 20 ms apart, from a thread of its own: a member's client is another
        machine, whose packets go on arriving while the bot's event loop (which the tests share
        with the stand-ins) is busy. Paced on the event loop, a loop held up for a few hundred
        milliseconds on a busy machine held the packets too, and the bot heard a pause the
        member never made (a piece cut, a turn ended)."""
        started, sent = time.monotonic(), 0
        for n, frame in enumerate(frames):
            if member.left or call.ended or self._closing or stop.is_set():
                break
            sent += self._forward(call, member, member.seal(frame))
            member.last_sent = time.monotonic()  # the event loop's clock
            with contextlib.suppress(RuntimeError):  # the test's loop closed: its call is over
                loop.call_soon_threadsafe(self._notify)
            time.sleep(max(0.0, started + (n + 1) * 0.02 - time.monotonic()))
        return sent

    def _forward(self, call: Call, member: CallMember, frame: bytes, padding: int = -1) -> int:
        """One packet of `member`'s to the bot, as the voice server forwards it; 1 if sent. Safe
        from any thread: a packet is made and sent in one go, under the sender's lock (the
        server's nonce counter towards the bot is shared by every member speaking)."""
        assert call.outgoing is not None and call.address is not None and self._udp is not None
        with self._sending:
            if (call.grant.guild_id, call.grant.user_id) in self._deafened:
                self.withheld += 1
                return 0
            padding = padding_of(member.packets) if padding < 0 else padding
            packet = rtp_packet(member, frame, call.outgoing, padding=padding)
            try:
                self._sender.sendto(packet, call.address)
            except OSError:
                if not self._closing:
                    raise
                return 0  # the server closed under a member still speaking
        return 1

    async def wait_until(
        self, probe: Callable[[], Any], *, timeout: float = 15.0, what: str
    ) -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        while not (result := probe()):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return result

    def _notify(self) -> None:
        self._changed.set()

    # -- the voice gateway -------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        link = _Link(self, ws)
        try:
            if request.query.get("v") != GATEWAY_VERSION:
                raise Refusal(BAD_REQUEST, "The stand-in speaks voice gateway version 8 only.")
            await ws.send_str(json.dumps({"op": HELLO, "d": {
                "heartbeat_interval": self.heartbeat_interval * 1000}}))  # fmt: skip
            await link.serve()
        except Refusal as refusal:
            await self._close(ws, refusal.code, refusal.reason)
        finally:
            link.stop()
            # Who closed first decides: the stand-in's own code, else the one the bot sent.
            self.close_codes.append(self._closed_with.pop(id(ws), None) or ws.close_code)
            self._notify()
        return ws

    def _identify(self, data: Json) -> Call:
        self.identify_payloads.append(data)
        grant = self._grants.get(str(data.get("token")))
        if grant is None:
            raise Refusal(AUTHENTICATION_FAILED, "Authentication failed.")
        if data.get("server_id") != str(grant.guild_id):
            raise Refusal(SERVER_NOT_FOUND, "Server not found.")
        if (data.get("user_id"), data.get("session_id")) != (str(grant.user_id), grant.session_id):
            raise Refusal(SESSION_NO_LONGER_VALID, "Session is no longer valid.")
        dave_version = data.get("max_dave_protocol_version")
        if not isinstance(dave_version, int) or dave_version < DAVE_PROTOCOL_VERSION:
            raise Refusal(DAVE_REQUIRED, "E2EE/DAVE protocol required.")
        for earlier in self.calls:  # a new session of the bot's: the old one is over
            if (earlier.grant.guild_id, earlier.grant.user_id) == (grant.guild_id, grant.user_id):
                earlier.ended = True
        call = new_call(grant, self._members.get((grant.guild_id, grant.channel_id), []))
        if self._groups_held is not None:
            call.dave.hold_announcements(until=self._groups_held)
        self.calls.append(call)
        return call

    def hold_groups(self) -> asyncio.Event:
        """Keep every new call's commits and welcomes from the bot until the event is set: the
        bot is in the call but not yet in its DAVE group, so it cannot encrypt end to end."""
        self._groups_held = asyncio.Event()
        return self._groups_held

    def _resumed_call(self, data: Json) -> Call:
        for call in self.calls:
            grant = call.grant
            if (
                grant.token == data.get("token")
                and str(grant.guild_id) == data.get("server_id")
                and grant.session_id == data.get("session_id")
                and grant.token in self._grants
                and (call.ws is None or call.ws.closed)
            ):
                return call
        raise Refusal(SESSION_NO_LONGER_VALID, "Session is no longer valid.")

    # -- UDP ---------------------------------------------------------------------------------

    def _datagram(self, data: bytes, address: tuple[str, int]) -> None:
        if len(data) == 74 and data[:4] == struct.pack(">HH", 1, 70):
            self._discover(data, address)
        elif len(data) >= 12 and data[0] >> 6 == 2:
            self._rtp(data)
        else:
            self.stray_packets.append(f"neither IP discovery nor RTP: {data[:8].hex()}")
        self._notify()

    def _discover(self, data: bytes, address: tuple[str, int]) -> None:
        (ssrc,) = struct.unpack_from(">I", data, 4)
        if not any(c.ssrc == ssrc for c in self.calls) or self._udp is None:
            self.stray_packets.append(f"IP discovery for unknown ssrc {ssrc}")
            return
        host, port = address
        answer = struct.pack(">HHI64sH", 2, 70, ssrc, host.encode(), port)
        self._udp.sendto(answer, address)

    def _rtp(self, data: bytes) -> None:
        (ssrc,) = struct.unpack_from(">I", data, 8)
        call = next((c for c in self.calls if c.ssrc == ssrc), None)
        if call is None:
            self.stray_packets.append(f"RTP for unknown ssrc {ssrc}")
            return
        fault = _receive(call, data)
        if fault is not None:
            call.faults.append(fault)


class _Link:
    """One voice websocket: the opcodes it may send, in the order it may send them."""

    def __init__(self, server: VoiceServer, ws: web.WebSocketResponse) -> None:
        self.server, self.ws = server, ws
        self.call: Call | None = None
        self._heartbeat = asyncio.Event()
        self._watchdog: asyncio.Task[None] | None = None

    async def serve(self) -> None:
        self._watchdog = asyncio.create_task(self._watch_heartbeats())
        async for message in self.ws:
            if message.type is WSMsgType.TEXT:
                try:
                    payload = json.loads(message.data)
                except ValueError:
                    raise Refusal(FAILED_TO_DECODE, "Failed to decode payload.") from None
                await self._text(payload)
            elif message.type is WSMsgType.BINARY:
                await self._binary(message.data)
            self.server._notify()

    def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()

    async def _watch_heartbeats(self) -> None:
        while True:
            self._heartbeat.clear()
            try:
                await asyncio.wait_for(self._heartbeat.wait(), self.server.heartbeat_interval * 1.5)
            except TimeoutError:
                await self.server._close(self.ws, SESSION_TIMEOUT, "Session timed out.")
                return

    async def _text(self, payload: Any) -> None:
        if not isinstance(payload, dict) or not isinstance(payload.get("op"), int):
            raise Refusal(FAILED_TO_DECODE, "Failed to decode payload.")
        op, data = payload["op"], payload.get("d")
        if op == HEARTBEAT:
            await self._heartbeat_ack(data)
        elif op in (IDENTIFY, RESUME):
            await self._authenticate(op, data if isinstance(data, dict) else {})
        elif self.call is None:
            raise Refusal(NOT_AUTHENTICATED, "Not authenticated.")
        elif op == SELECT_PROTOCOL:
            await self._select_protocol(self.call, data)
        elif op == SPEAKING:
            if not isinstance(data, dict) or data.get("ssrc") != self.call.ssrc:
                raise Refusal(BAD_REQUEST, "Speaking for an ssrc that is not yours.")
            self.call.spoke = True
        elif op == TRANSITION_READY:
            await self._transition_ready(self.call, data)
        elif op == MLS_INVALID_COMMIT_WELCOME:
            self.call.faults.append(f"the bot could not process the MLS group: {data}")
        else:
            raise Refusal(UNKNOWN_OPCODE, f"Unknown opcode {op}.")

    async def _heartbeat_ack(self, data: Any) -> None:
        if (
            not isinstance(data, dict)
            or "t" not in data
            or not isinstance(data.get("seq_ack"), int)
        ):
            raise Refusal(BAD_REQUEST, "A version 8 heartbeat carries t and seq_ack.")
        self._heartbeat.set()
        if self.call is not None:
            self.call.heartbeats.append(data)
        await self.ws.send_str(json.dumps({"op": HEARTBEAT_ACK, "d": {"t": data["t"]}}))

    async def _authenticate(self, op: int, data: Json) -> None:
        if self.call is not None:
            raise Refusal(ALREADY_AUTHENTICATED, "Already authenticated.")
        if op == IDENTIFY:
            self.call = call = self.server._identify(data)
            call.ws = self.ws
            await self._send(call, READY, {
                "ssrc": call.ssrc, "ip": "127.0.0.1", "port": self.server.udp_port,
                "modes": list(self.server.modes),
                "heartbeat_interval": 1,  # an erroneous field, as Discord's
            })  # fmt: skip
            return
        self.call = call = self.server._resumed_call(data)
        call.ws = self.ws
        call.resumes += 1
        await self.ws.send_str(json.dumps({"op": RESUMED, "d": None}))
        seq_ack = data.get("seq_ack", -1)
        for seq, message in call.outbox:
            if seq > seq_ack:  # what the bot missed, again (sequence numbers wrap at 2**16)
                await self._resend(message)

    async def _select_protocol(self, call: Call, data: Any) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
            raise Refusal(BAD_REQUEST, "Select protocol needs protocol and data.")
        if data.get("protocol") != "udp":
            raise Refusal(UNKNOWN_PROTOCOL, "Unknown protocol.")
        if data["data"].get("mode") not in self.server.modes:
            raise Refusal(UNKNOWN_ENCRYPTION_MODE, "Unknown encryption mode.")
        call.mode = data["data"]["mode"]
        address, port = data["data"].get("address"), data["data"].get("port")
        if isinstance(address, str) and isinstance(port, int):
            call.address = (address, port)
        call.outgoing = Outgoing(call.mode, call.secret_key)
        await call.send(SESSION_DESCRIPTION, {
            "audio_codec": "opus", "mode": call.mode, "secret_key": list(call.secret_key),
            "dave_protocol_version": DAVE_PROTOCOL_VERSION,
        })  # fmt: skip
        await call.dave.greet()

    async def _binary(self, data: bytes) -> None:
        call = self.call
        if call is None:
            raise Refusal(NOT_AUTHENTICATED, "Not authenticated.")
        op, payload = data[0], data[1:]
        if op == MLS_KEY_PACKAGE:
            call.spawn(call.dave.bot_key_package(payload))
        elif op == MLS_COMMIT_WELCOME:
            try:
                call.dave.bot_commit(split_commit_welcome(payload))
            except ValueError as error:
                raise Refusal(BAD_REQUEST, f"Malformed commit: {error}") from None
        else:
            raise Refusal(UNKNOWN_OPCODE, f"Unknown binary opcode {op}.")

    async def _transition_ready(self, call: Call, data: Any) -> None:
        if not isinstance(data, dict) or not call.dave.bot_ready(data.get("transition_id")):
            raise Refusal(BAD_REQUEST, "Ready for a transition never announced.")

    async def _send(self, call: Call, op: int, data: Json) -> None:
        await call.send(op, data)

    async def _resend(self, message: str | bytes) -> None:
        with contextlib.suppress(ConnectionError):
            if isinstance(message, str):
                await self.ws.send_str(message)
            else:
                await self.ws.send_bytes(message)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: VoiceServer) -> None:
        self.server = server

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.server._datagram(data, addr)


def _receive(call: Call, data: bytes) -> str | None:
    """Check and decrypt one RTP packet of `call`; what is wrong with it, if anything."""
    if call.mode is None:
        return "RTP before SELECT PROTOCOL"
    if not call.spoke:
        return "RTP before any SPEAKING message (Discord disconnects: invalid SSRC)"
    if data[1] & 0x7F != OPUS_PAYLOAD_TYPE:
        return f"payload type {data[1] & 0x7F}, not 120"
    sequence, timestamp = struct.unpack_from(">HI", data, 2)
    # The rtpsize modes: the header, CSRCs and the extension preamble are authenticated, not
    # encrypted; the 32-bit nonce counter is appended.
    header_size = 12 + 4 * (data[0] & 0x0F) + (4 if data[0] & 0x10 else 0)
    header, sealed, nonce = data[:header_size], data[header_size:-4], data[-4:]
    (counter,) = struct.unpack(">I", nonce)
    if counter <= call._nonce:
        return f"nonce {counter} reused"
    call._nonce = counter
    try:
        if call.mode == "aead_aes256_gcm_rtpsize":
            payload = AESGCM(call.secret_key).decrypt(nonce + bytes(8), sealed, header)
        else:
            payload = crypto_aead_xchacha20poly1305_ietf_decrypt(
                sealed, header, nonce + bytes(20), call.secret_key
            )
    except Exception:
        return f"packet {sequence} does not decrypt with the session key"
    if data[0] & 0x10:  # the extension's body was encrypted with the payload
        (words,) = struct.unpack_from(">H", header, header_size - 2)
        payload = payload[4 * words :]
    return _accept(call, Frame(sequence, timestamp, payload, e2ee=False))


def _past_passthrough(call: Call) -> bool:
    """Whether an unencrypted frame is too late: DAVE's receivers take them for a while after
    a transition executes (libdave: passthrough allowed until the transition's expiry, 10 s),
    since frames sent before the sender saw the execution are still on their way; but not once
    the sender has begun encrypting."""
    late = time.monotonic() - call.dave.executed_at > PASSTHROUGH_GRACE
    return late or any(frame.e2ee for frame in call.frames)


def _accept(call: Call, frame: Frame) -> str | None:
    fault = None
    if call.frames:
        last = call.frames[-1]
        if frame.sequence != (last.sequence + 1) & 0xFFFF:
            fault = f"sequence {frame.sequence} after {last.sequence}"
        elif frame.timestamp != (last.timestamp + SAMPLES_PER_FRAME) & 0xFFFF_FFFF:
            fault = f"timestamp {frame.timestamp} after {last.timestamp}: not 960 on"
    opus = frame.opus
    if opus.endswith(DAVE_MARKER) and opus != OPUS_SILENCE:
        try:
            user = call.grant.user_id
            opus = call.dave.listener.decrypt(user, davey.MediaType.audio, opus)
        except Exception:
            return f"frame {frame.sequence} does not decrypt with the DAVE group's key"
        frame = Frame(frame.sequence, frame.timestamp, opus, e2ee=True, at=frame.at)
    elif call.dave.executed and opus != OPUS_SILENCE and _past_passthrough(call):
        fault = fault or f"frame {frame.sequence} not end-to-end encrypted after the transition"
    if opus.startswith(OGG_HEADER_PACKETS):
        fault = fault or f"an Ogg header packet ({opus[:8].decode()}) sent as audio"
    call.frames.append(frame)
    return fault


def decode_opus(packets: list[bytes]) -> bytes:
    """Opus packets (48 kHz stereo, as Discord carries them) decoded to 48 kHz mono PCM16."""
    decoder = av.CodecContext.create("opus", "r")
    decoder.sample_rate = SAMPLE_RATE  # type: ignore[attr-defined]
    decoder.layout = "stereo"  # type: ignore[attr-defined]
    mono = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    pcm = bytearray()
    for packet in packets:
        try:
            frames = decoder.decode(av.Packet(packet))
        except av.error.InvalidDataError:
            continue  # a listener's decoder drops it too
        for frame in frames:
            for out in mono.resample(frame):  # type: ignore[arg-type]
                pcm += bytes(out.planes[0])[: out.samples * 2]
    return bytes(pcm)


@cache
def _authority() -> trustme.CA:
    """A certificate authority for the stand-in's TLS, trusted by this process's aiohttp clients
    (discord.py among them) as a machine trusts the authorities of Discord's certificates."""
    authority = trustme.CA()
    authority.configure_trust(aiohttp.connector._SSL_CONTEXT_VERIFIED)
    return authority


def authority_file(folder: Path) -> Path:
    """The stand-in's certificate authority as a PEM file in `folder`: a bot in a process of its
    own trusts it with SSL_CERT_FILE pointing there (OpenSSL's default verify paths)."""
    path = folder / "voice-standin-ca.pem"
    _authority().cert_pem.write_to_path(str(path))
    return path


def worker_authority_file(tmp_path: Path) -> Path:
    """`authority_file` in the folder of this worker's test folders (the same file for all of
    them, written once): the bots the worker starts are forked from one zygote, which trusts
    the certificates of the file it was started with (tests/voicebridge_process.py)."""
    path = tmp_path.parent / "voice-standin-ca.pem"
    return path if path.exists() else authority_file(tmp_path.parent)


def _server_tls() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    _authority().issue_cert("127.0.0.1").configure_cert(context)
    return context


def _settle(future: asyncio.Future[int], result: int | BaseException) -> None:
    """A member's speaking thread's outcome, on the loop (unless its waiter was cancelled)."""
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)
