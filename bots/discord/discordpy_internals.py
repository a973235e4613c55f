"""Every part of discord.py we use that discord.py does not document, each behind one function
that says why we need it.

An upgrade of discord.py may change any of these without notice; `tests/unit/
test_discordpy_internals.py` checks that the installed discord.py still has each one in the shape
used here, so a change fails there, loudly, rather than at run time. Nothing else in the adapter
reaches into discord.py's private parts.
"""

from __future__ import annotations

import asyncio
import logging
import select
import struct
import subprocess
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord
import yarl
from discord import voice_client, voice_state
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bots.discord.global_request_limit import RequestPace

if TYPE_CHECKING:
    import davey

try:  # with the voice extras: Discord's preferred transport encryption (see ResumingVoiceClient)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError:  # pragma: no cover - the plain install, which never joins a call
    AESGCM = None  # type: ignore[assignment,misc]

__all__ = ["AES_GCM_MODE", "Parsers", "ResumingVoiceClient", "ResumingVoiceConnection",
           "TransportSession", "cog_listeners", "dave_protocol_version", "dave_session",
           "drop_http_session", "encrypts_end_to_end", "feed_interaction", "ffmpeg_process_of",
           "forget_thread_members", "gateway_parsers", "hold_event_tasks", "keep_member",
           "learn_thread_members", "listen_to_voice_socket", "mark_deferred", "pace_requests",
           "point_gateway_at", "point_rest_at", "post_form", "reader_ended_while_leaving",
           "recommended_gateway", "store_modal", "transport_session", "voice_libraries_installed",
           "voice_socket_unread"]  # fmt: skip

Parsers = dict[str, Callable[[Any], None]]
Listener = Callable[..., Coroutine[Any, Any, Any]]
SocketListener = Callable[[bytes], None]
AES_GCM_MODE = "aead_aes256_gcm_rtpsize"

log = logging.getLogger(__name__)


def point_rest_at(api_url: str) -> None:
    """Send every REST request to `api_url` (DISCORD_API_URL): discord.py holds its base URL in
    a class attribute (`Route.BASE`), so this holds for the whole process."""
    Route.BASE = api_url.rstrip("/")


def point_gateway_at(url: str) -> None:
    """Connect every shard to the gateway at `url`: discord.py takes it from a class attribute
    (`DiscordWebSocket.DEFAULT_GATEWAY`) once a shard count is given."""
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)


def pace_requests(client: discord.Client, pace: RequestPace) -> None:
    """Make every REST request of `client` wait for room in `pace`
    (`bots.discord.global_request_limit`): discord.py has no hook for a rate limiter of our own, so
    its HTTP client's `request`, which every call goes through, is wrapped."""
    request = client.http.request

    async def paced(route: Route, **kwargs: Any) -> Any:
        await pace.wait_for_room(route.path)
        return await request(route, **kwargs)

    client.http.request = paced  # type: ignore[method-assign]


def hold_event_tasks(client: discord.Client) -> set[asyncio.Task[Any]]:
    """The tasks discord.py starts for the events it dispatches (each listener of each event,
    `on_app_command_completion` marking a command's claim done among them), held until they
    end. discord.py starts them and lets them go (`Client._schedule_event`), so a stop would
    not know a listener still runs: it would close the storage under it, and the database
    connection it held would be closed later by the garbage collector, on a loop that is gone."""
    running: set[asyncio.Task[Any]] = set()
    schedule = client._schedule_event

    def held(coro: Listener, event_name: str, *args: Any, **kwargs: Any) -> asyncio.Task[Any]:
        task = schedule(coro, event_name, *args, **kwargs)
        running.add(task)
        task.add_done_callback(running.discard)
        return task

    client._schedule_event = held  # type: ignore[method-assign]
    return running


async def recommended_gateway(client: discord.Client) -> tuple[int, str]:
    """The shard count Discord recommends and the gateway URL it names (GET /gateway/bot):
    discord.py asks this only for itself, through its HTTP client."""
    shards, url, _ = await client.http.get_bot_gateway()
    return shards, url


async def drop_http_session(client: discord.Client) -> None:
    """Close the HTTP session a failed login opened, and its connector with it: the client's
    next login makes a new connector only where it finds none (`MISSING`)."""
    await client.http.close()
    client.http.connector = discord.utils.MISSING


async def post_form(
    client: discord.Client,
    path: str,
    *,
    form: list[dict[str, Any]],
    params: dict[str, str] | None = None,
    **route: Any,
) -> Any:
    """POST a multipart `form` to `path` (its `{placeholders}` filled from `route`) through
    discord.py's own HTTP client, with its rate limits, retries and base URL: discord.py has no
    public way to send a body it cannot build itself (a voice message's attachment entry)."""
    return await client.http.request(Route("POST", path, **route), form=form, params=params)


def gateway_parsers(client: discord.Client) -> Parsers:
    """discord.py's handlers of gateway events by name (`ConnectionState.parsers`): replacing
    INTERACTION_CREATE's is the one way to see an interaction as Discord sent it."""
    parsers: Parsers = client._connection.parsers
    return parsers


def feed_interaction(client: discord.Client, data: dict[str, Any]) -> None:
    """Handle the INTERACTION_CREATE event `data` as if the gateway had just sent it, so a
    command, click or modal submission runs through discord.py's own dispatch again."""
    client._connection.parse_interaction_create(data)  # type: ignore[arg-type]


def store_modal(client: discord.Client, modal: discord.ui.Modal) -> None:
    """Make `modal` the one a submission with its custom_id goes to, as if this process had
    sent it (discord.py does this only in `send_modal`)."""
    client._connection.store_view(modal)


def mark_deferred(interaction: discord.Interaction[Any]) -> None:
    """Treat `interaction` as deferred with "thinking…": another process deferred it, and
    discord.py has no public way to adopt an acknowledgement it did not make."""
    interaction.response._response_type = discord.InteractionResponseType.deferred_channel_message


async def learn_thread_members(thread: discord.Thread) -> None:
    """Ask Discord who is in `thread` and keep them where discord.py holds the members its
    events named (`Thread.members`): it fills that only from THREAD_MEMBERS_UPDATE, which
    tells a bot of those added after it joined, and `Thread.fetch_members` returns the list
    without keeping it. Needs the Server Members intent; `discord.Forbidden` without it."""
    for member in await thread.fetch_members():
        thread._add_member(member)


def keep_member(member: discord.Member) -> None:
    """Keep `member`, as Discord just answered for them, in their server's cache in place of
    what the events left there: discord.py updates a cached member from GUILD_MEMBER_UPDATE
    alone (which needs the Server Members intent), never from a fetch."""
    member.guild._add_member(member)


def forget_thread_members(thread: discord.Thread) -> None:
    """The bot was removed from `thread`: discord.py holds the thread, and the members it knew,
    but Discord tells the bot nothing more of who leaves it; what it knew is dropped, so that
    nobody counts as in it until the bot is added again."""
    thread._members.clear()
    thread.me = None


def cog_listeners(bot: commands.Bot | commands.AutoShardedBot, event: str) -> list[Listener]:
    """The cogs' listeners of `event`, which discord.py holds in `Bot.extra_events`, so the bot
    can run them in a task of its own."""
    return list(bot.extra_events.get(f"on_{event}", []))


def ffmpeg_process_of(source: discord.FFmpegAudio) -> subprocess.Popen[bytes] | None:
    """The ffmpeg behind `source`, once started: discord.py holds it in `_process` alone, and
    `clip_audio_source.ClipAudio` reaps it and reads its exit code."""
    process = getattr(source, "_process", None)
    return process if isinstance(process, subprocess.Popen) else None


def voice_libraries_installed() -> bool:
    """Whether PyNaCl and davey are there (the voice extras): discord.py says so only in two
    module flags, and raises at connect time without them."""
    return bool(voice_client.has_nacl and voice_state.has_dave)


@dataclass(frozen=True)
class TransportSession:
    """The transport encryption SESSION DESCRIPTION (opcode 4) gave a voice connection."""

    mode: str  # "aead_aes256_gcm_rtpsize" or "aead_xchacha20_poly1305_rtpsize"
    key: bytes  # 32 bytes


def transport_session(voice: discord.VoiceClient) -> TransportSession | None:
    """The connection's encryption mode and key; None before the voice server sent them. A new
    session (a reconnect, a move) brings a new key: read it again for every packet."""
    state = voice._connection
    if not state.mode or not state.secret_key:  # discord.py's MISSING is falsy
        return None
    return TransportSession(state.mode, bytes(state.secret_key))


def dave_session(voice: discord.VoiceClient) -> davey.DaveSession | None:
    """The DAVE session discord.py runs for the call (its MLS group, every member's decryptor),
    or None before the voice server asked for DAVE. discord.py may re-initialise it in place or
    make a new one: read it again for every frame."""
    return voice._connection.dave_session


def dave_protocol_version(voice: discord.VoiceClient) -> int:
    """The call's DAVE protocol version as discord.py last executed it: 0 when the call is not
    end-to-end encrypted (frames arrive as plain Opus)."""
    return voice._connection.dave_protocol_version


def encrypts_end_to_end(voice: discord.VoiceClient) -> bool:
    """Whether what `voice` plays now is end-to-end encrypted where the call asks for it: true
    in a call without DAVE, and in a DAVE call once the bot is in its MLS group. Before that,
    discord.py sends the Opus frames as they are (`VoiceClient._get_voice_packet`)."""
    connection = voice._connection
    return connection.dave_protocol_version == 0 or connection.can_encrypt


def listen_to_voice_socket(voice: discord.VoiceClient, listener: SocketListener) -> None:
    """Hand every UDP datagram the connection receives to `listener`, in discord.py's socket
    reader thread (one per connection, reading the socket discord.py holds; it also serves
    discord.py's own IP discovery, and keeps reading across reconnects until the client is done;
    call it once the socket exists, after connecting, or the reader spins). `listener` must be
    quick and must not raise."""
    voice._connection.add_socket_listener(listener)


def voice_socket_unread(voice: discord.VoiceClient) -> bool:
    """Whether datagrams wait in the voice socket that discord.py's reader thread has not read
    yet (it is behind: a busy machine starves it); False with no socket. The socket is the
    connection state's (`socket`, non-blocking; a reconnect makes a new one); a poll with no
    timeout reads nothing, so it does not race the reader."""
    sock = voice._connection.socket
    if not sock or sock.fileno() < 0:  # MISSING before the first connect; -1 once closed
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):  # closed between the check and the poll
        return False
    return bool(readable)


class ResumingVoiceConnection(voice_state.VoiceConnectionState):
    """discord.py's voice connection, resumed the way Discord documents it.

    When the voice server drops the websocket with 4015 ("crashed: resume"), discord.py 2.7 asks
    the main gateway to join the channel again and waits for VOICE_STATE_UPDATE and
    VOICE_SERVER_UPDATE in an order that never completes it from a connected state, then for a
    new session description that a resume does not bring: the play stalls and the call is
    dropped. Discord's resume (topics/voice-connections, "Resuming Voice Connection") is a new
    websocket sending RESUME with the same token, session and `seq_ack`; the UDP socket, the
    ssrc, the session key and the DAVE group stay as they were. If the voice server refuses
    the resume, it closes the new websocket (4006) and discord.py connects afresh.

    It also waits for a state of the connection without missing one. discord.py's `state`
    setter sets an event and clears it at once, and `_wait_for_state` makes a new waiter each
    time round its loop: a change that comes after the waiter was woken by the one before but
    before its new waiter began to wait is lost, and the join waits out its whole timeout. That
    is what VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE read one just after the other do (seen
    where the bot joins at once after its start). Here a waiter is in place before the state
    is looked at, and every change wakes every waiter."""

    def __init__(self, voice_client: discord.VoiceClient, *, hook: Any = None) -> None:
        self._changes: list[asyncio.Future[None]] = []
        super().__init__(voice_client, hook=hook)

    @property
    def state(self) -> voice_state.ConnectionFlowState:
        return self._state

    @state.setter
    def state(self, state: voice_state.ConnectionFlowState) -> None:
        voice_state.VoiceConnectionState.state.fset(self, state)  # type: ignore[attr-defined]
        changes, self._changes = self._changes, []
        for changed in changes:
            if not changed.done():
                changed.set_result(None)

    async def _wait_for_state(  # discord.py's signature, overridden
        self,
        state: voice_state.ConnectionFlowState,
        *other_states: voice_state.ConnectionFlowState,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        states = (state, *other_states)
        while self.state not in states:
            changed = asyncio.get_running_loop().create_future()
            self._changes.append(changed)
            await asyncio.wait_for(changed, timeout)  # for each change, as discord.py waits

    async def _connect(  # discord.py's signature, overridden
        self,
        reconnect: bool,
        timeout: float,  # noqa: ASYNC109
        self_deaf: bool,
        self_mute: bool,
        resume: bool,
    ) -> None:
        if not resume:
            await super()._connect(reconnect, timeout, self_deaf, self_mute, resume)
            return
        await asyncio.wait_for(self._resume(), timeout=timeout)

    async def disconnect(
        self, *, force: bool = True, cleanup: bool = True, wait: bool = False
    ) -> None:
        # discord.py closes the voice websocket without stopping the task that reads it. If a
        # message was being answered then (Discord changing the call's encryption as a member
        # comes or goes), the answer meets a closing socket and the task ends with an error
        # nobody reads: asyncio logs it, traceback and all, when the task is collected, often
        # long after. Leaving ends that reader: what it ends with is read here.
        reader = self._runner
        await super().disconnect(force=force, cleanup=cleanup, wait=wait)
        if reader is not None and reader is not asyncio.current_task():
            reader.add_done_callback(reader_ended_while_leaving)

    async def _resume(self) -> None:
        dropped = self.ws
        self.ws = await self._connect_websocket(True)  # RESUME with the last seq_ack
        self.ws.secret_key = self.secret_key  # the same session: the key stands
        await dropped.close()  # stops its heartbeats
        self.state = voice_state.ConnectionFlowState.connected


def reader_ended_while_leaving(reader: asyncio.Task[None]) -> None:
    """The voice websocket's reader ended after the bot began to leave the call: whatever it
    ended with is part of leaving, logged for whoever debugs, not as an error."""
    if not reader.cancelled() and (error := reader.exception()) is not None:
        log.debug("The voice websocket's reader ended while leaving the call: %r", error)


class ResumingVoiceClient(discord.VoiceClient):
    """discord.py's voice client on a `ResumingVoiceConnection`, which also:

    - sends with AES-256-GCM where the voice server offers it, as Discord asks ("you should
      prefer aead_aes256_gcm_rtpsize"; discord.py 2.7 speaks only XChaCha20-Poly1305, which
      stays the fallback Discord always offers);
    - hands every message of the voice gateway to `voice_gateway_message` (discord.py reads
      only its own and drops the rest, such as who speaks with which SSRC: opcodes 5, 11, 13).
    """

    supported_modes = (
        *((AES_GCM_MODE,) if AESGCM is not None else ()),
        *discord.VoiceClient.supported_modes,
    )

    def create_connection_state(self) -> voice_state.VoiceConnectionState:
        return ResumingVoiceConnection(self, hook=self._heard_on_voice_gateway)

    async def _heard_on_voice_gateway(self, _ws: Any, message: dict[str, Any]) -> None:
        self.voice_gateway_message(message)

    def voice_gateway_message(self, message: dict[str, Any]) -> None:
        """A JSON message of the voice gateway, as it arrived (`op`, `d`, maybe `seq`), after
        discord.py handled it. Nothing here; a subclass listens."""

    def _encrypt_aead_aes256_gcm_rtpsize(self, header: bytes, data: bytes) -> bytes:
        # discord.py finds a mode's encryption by name (`_encrypt_<mode>`). As for XChaCha20:
        # the header authenticated, a 32-bit counter as the nonce (here padded to AES-GCM's 12
        # bytes), appended to the packet.
        assert AESGCM is not None  # only offered when it is there
        counter = struct.pack(">I", self._incr_nonce)
        self.checked_add("_incr_nonce", 1, 4294967295)
        sealed = AESGCM(bytes(self.secret_key)).encrypt(counter + bytes(8), data, header)
        return bytes(header) + sealed + counter
