"""The undocumented parts of discord.py the adapter relies on (`bots.discord.discordpy_internals`)
are still there, in the shape it relies on, in the installed discord.py: an upgrade that changes one
fails here rather than in a running bot."""

from __future__ import annotations

import asyncio
import gc
import inspect
import io
import logging
import subprocess
from types import SimpleNamespace
from typing import Any

import discord
import pytest
import yarl
from discord import voice_client, voice_state
from discord.ext import commands
from discord.gateway import DiscordVoiceWebSocket, DiscordWebSocket
from discord.http import HTTPClient, Route
from discord.state import ConnectionState

from bots.discord import discordpy_internals
from bots.discord.global_request_limit import RequestPace
from core.infra.audio.ffmpeg_binary import ffmpeg_exe as ffmpeg_binary


@pytest.fixture(autouse=True)
def _restore_class_attributes() -> Any:
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


def a_bot() -> commands.AutoShardedBot:
    return commands.AutoShardedBot(
        command_prefix=commands.when_mentioned, intents=discord.Intents.none()
    )


def test_every_rest_request_goes_to_the_configured_api() -> None:
    discordpy_internals.point_rest_at("http://127.0.0.1:9/api/v10/")
    assert Route("GET", "/users/{user_id}", user_id=1).url == "http://127.0.0.1:9/api/v10/users/1"


def test_the_shards_connect_to_the_configured_gateway() -> None:
    discordpy_internals.point_gateway_at("ws://127.0.0.1:9/")
    connected_to = DiscordWebSocket.DEFAULT_GATEWAY
    assert connected_to == yarl.URL("ws://127.0.0.1:9/")
    # A sharded bot given its shard count connects there, not to a URL Discord named.
    assert "DiscordWebSocket.DEFAULT_GATEWAY" in inspect.getsource(discord.shard)


def test_the_recommended_gateway_is_asked_through_the_http_client() -> None:
    asks = HTTPClient.get_bot_gateway
    assert inspect.iscoroutinefunction(asks)
    assert list(inspect.signature(asks).parameters) == ["self"]
    assert "Tuple[int, str, SessionStartLimit]" in str(inspect.signature(asks).return_annotation)


def test_a_failed_login_leaves_no_connector_for_the_next_one() -> None:
    assert a_bot().http.connector is discord.utils.MISSING
    # The next login makes a connector only where it finds none.
    assert "if self.connector is MISSING" in inspect.getsource(HTTPClient.static_login)


def test_a_multipart_form_can_be_posted_through_the_http_client() -> None:
    parameters = inspect.signature(HTTPClient.request).parameters
    assert list(parameters)[:2] == ["self", "route"]
    assert "form" in parameters
    assert parameters["kwargs"].kind is inspect.Parameter.VAR_KEYWORD  # params= reaches aiohttp


def test_every_rest_request_goes_through_the_http_clients_request() -> None:
    # `pace_requests` wraps `request` on the instance: every call must reach it by attribute,
    # and the client's own methods, typing and messages alike, call it so.
    bot = a_bot()
    discordpy_internals.pace_requests(bot, RequestPace())
    assert bot.http.request.__name__ == "paced"
    for method in (HTTPClient.send_typing, HTTPClient.send_message, HTTPClient.edit_message):
        assert "self.request(" in inspect.getsource(method)
    assert Route("POST", "/channels/{channel_id}/typing", channel_id=1).path == (
        "/channels/{channel_id}/typing"
    )


def test_interactions_arrive_through_a_parser_we_can_wrap() -> None:
    bot = a_bot()
    parsers = discordpy_internals.gateway_parsers(bot)
    assert parsers["INTERACTION_CREATE"] == bot._connection.parse_interaction_create
    # The gateway looks each event's parser up in that same dict, every time.
    gateway = inspect.getsource(DiscordWebSocket)
    assert "ws._discord_parsers = client._connection.parsers" in gateway
    assert "self._discord_parsers[event]" in gateway


def test_an_interaction_can_be_fed_again_and_its_modal_stored() -> None:
    assert list(inspect.signature(ConnectionState.parse_interaction_create).parameters) == [
        "self", "data",
    ]  # fmt: skip
    store = inspect.signature(ConnectionState.store_view).parameters
    assert list(store)[:2] == ["self", "view"]
    assert store["message_id"].default is None


def test_an_acknowledgement_made_elsewhere_can_be_adopted() -> None:
    response = discord.InteractionResponse(SimpleNamespace())  # type: ignore[arg-type]
    assert not response.is_done()
    discordpy_internals.mark_deferred(SimpleNamespace(response=response))  # type: ignore[arg-type]
    assert response.is_done()
    assert response.type is discord.InteractionResponseType.deferred_channel_message


async def test_the_listeners_of_an_event_are_the_cogs() -> None:
    class Listening(commands.Cog):
        @commands.Cog.listener()
        async def on_message(self, message: discord.Message) -> None: ...

    bot, cog = a_bot(), Listening()
    await bot.add_cog(cog)
    assert discordpy_internals.cog_listeners(bot, "message") == [cog.on_message]
    assert discordpy_internals.cog_listeners(bot, "nothing_at_all") == []


def test_the_ffmpeg_behind_an_audio_source_can_be_reaped_and_its_exit_code_read() -> None:
    source = discord.FFmpegOpusAudio(io.BytesIO(b""), pipe=True, executable=ffmpeg_binary())
    process = discordpy_internals.ffmpeg_process_of(source)
    assert isinstance(process, subprocess.Popen)
    source.cleanup()
    assert process.wait(timeout=10) is not None


def test_the_voice_libraries_are_named_by_two_flags() -> None:
    assert isinstance(voice_client.has_nacl, bool)
    assert isinstance(voice_state.has_dave, bool)
    assert discordpy_internals.voice_libraries_installed() == (
        voice_client.has_nacl and voice_state.has_dave
    )


def test_a_voice_resume_overrides_the_connection_state_discord_py_makes() -> None:
    """`ResumingVoiceConnection` replaces `VoiceConnectionState._connect` (whose 4015 branch
    calls it with resume=True), opens the websocket through `_connect_websocket` and hands the
    session key over through the websocket's `secret_key`, which `_handshake_websocket` and
    the packets wait on; `VoiceClient.create_connection_state` is where the client makes it."""
    state = voice_state.VoiceConnectionState
    assert list(inspect.signature(state._connect).parameters) == [
        "self", "reconnect", "timeout", "self_deaf", "self_mute", "resume"
    ]  # fmt: skip
    assert list(inspect.signature(state._connect_websocket).parameters) == ["self", "resume"]
    assert "self.ws.secret_key is None" in inspect.getsource(state._handshake_websocket)
    assert "resume=True" in inspect.getsource(state._poll_voice_ws)
    assert voice_state.ConnectionFlowState.connected
    assert "create_connection_state()" in inspect.getsource(discord.VoiceClient.__init__)
    assert issubclass(discordpy_internals.ResumingVoiceClient, discord.VoiceClient)


def test_a_join_waits_for_the_connection_s_state_through_the_methods_overridden() -> None:
    """`ResumingVoiceConnection` overrides `_wait_for_state`, which the join awaits for both
    voice updates, and the `state` property, whose setter discord.py uses for every change."""
    state = voice_state.VoiceConnectionState
    assert list(inspect.signature(state._wait_for_state).parameters) == [
        "self", "state", "other_states", "timeout"
    ]  # fmt: skip
    joining = inspect.getsource(state._inner_connect)
    assert "await self._wait_for_state(ConnectionFlowState.got_both_voice_updates)" in joining
    assert isinstance(state.state, property) and state.state.fset is not None
    assert "self._state = state" in inspect.getsource(state.state.fset)
    for changes in ("voice_state_update", "voice_server_update"):
        assert "self.state = " in inspect.getsource(getattr(state, changes))


@pytest.mark.parametrize("rounds", range(8))
async def test_a_join_sees_a_change_that_comes_as_it_begins_to_wait_again(rounds: int) -> None:
    """VOICE_STATE_UPDATE wakes the join, and VOICE_SERVER_UPDATE comes `rounds` rounds of the
    event loop later: at some of them, after the join was woken but before it waits again
    (discord.py 2.7's own wait then misses it and the join times out). It is seen at every one."""
    flow = voice_state.ConnectionFlowState
    connection = discordpy_internals.ResumingVoiceConnection(SimpleNamespace())  # type: ignore[arg-type]
    try:
        connection.state = flow.set_guild_voice_state
        joining = asyncio.create_task(connection._wait_for_state(flow.got_both_voice_updates))
        for _ in range(3):
            await asyncio.sleep(0)  # the join waits
        connection.state = flow.got_voice_state_update
        for _ in range(rounds):
            await asyncio.sleep(0)
        connection.state = flow.got_both_voice_updates
        await asyncio.wait_for(joining, timeout=5)
    finally:
        connection._socket_reader.stop()


def test_what_receiving_reads_off_the_voice_connection_is_where_it_was() -> None:
    """`transport_session`, `dave_session` and `dave_protocol_version` read the connection
    state's `mode`, `secret_key`, `dave_session` and `dave_protocol_version`, which SESSION
    DESCRIPTION and the DAVE opcodes set; `listen_to_voice_socket` registers with its reader;
    `voice_socket_unread` polls the socket it reads."""
    state = voice_state.VoiceConnectionState.__init__
    source = inspect.getsource(state)
    for attribute in (
        "self.mode",
        "self.secret_key",
        "self.dave_session",
        "self.dave_protocol_version",
    ):
        assert attribute in source
    received = inspect.getsource(DiscordVoiceWebSocket.received_message)
    assert "self._connection.mode = data['mode']" in received
    assert "self._connection.dave_protocol_version = data['dave_protocol_version']" in received
    assert (
        "self.secret_key = self._connection.secret_key = data['secret_key']"
        in inspect.getsource(DiscordVoiceWebSocket.load_secret_key)
    )
    register = inspect.signature(voice_state.VoiceConnectionState.add_socket_listener)
    assert list(register.parameters) == ["self", "callback"]
    reader = inspect.getsource(voice_state.SocketReader._do_run)
    assert "self.state.socket.recv(2048)" in reader and "cb(data)" in reader
    assert "self.socket: socket.socket = MISSING" in source  # `voice_socket_unread` polls it
    assert "self.socket.setblocking(False)" in inspect.getsource(
        voice_state.VoiceConnectionState._create_socket
    )


def test_the_voice_gateways_messages_reach_the_hook_the_connection_is_made_with() -> None:
    """`ResumingVoiceClient` hands its connection state a hook, which discord.py passes to every
    voice websocket it opens and awaits with each JSON message, its own handled first."""
    assert "hook" in inspect.signature(voice_state.VoiceConnectionState.__init__).parameters
    connect = inspect.getsource(voice_state.VoiceConnectionState._connect_websocket)
    assert "hook=self.hook" in connect
    received = inspect.getsource(DiscordVoiceWebSocket.received_message)
    assert received.rstrip().endswith("await self._hook(self, msg)")
    assert "self._hook = hook" in inspect.getsource(DiscordVoiceWebSocket.__init__)


def test_a_mode_is_sent_by_the_method_named_after_it_and_chosen_in_the_servers_order() -> None:
    """discord.py encrypts with `_encrypt_<mode>`, counting `_incr_nonce` with `checked_add`,
    and picks the first of READY's modes it supports: AES-256-GCM where offered, as Discord
    prefers, with `ResumingVoiceClient`'s own method."""
    packet = inspect.getsource(discord.VoiceClient._get_voice_packet)
    assert "getattr(self, '_encrypt_' + self.mode)" in packet
    assert "self._incr_nonce" in inspect.getsource(
        discord.VoiceClient._encrypt_aead_xchacha20_poly1305_rtpsize
    )
    choose = inspect.getsource(DiscordVoiceWebSocket.initial_connection)
    assert (
        "modes = [mode for mode in data['modes'] if mode in self._connection.supported_modes]"
        in choose
    )
    assert "mode = modes[0]" in choose
    client = discordpy_internals.ResumingVoiceClient
    assert client.supported_modes[0] == discordpy_internals.AES_GCM_MODE
    assert callable(client._encrypt_aead_aes256_gcm_rtpsize)


def test_an_aes_gcm_packet_opens_with_the_key_and_counts_its_nonce() -> None:
    """What `_encrypt_aead_aes256_gcm_rtpsize` sends opens as the receive side opens it."""
    from bots.discord.voice_channels.receive import rtp_packets
    from bots.discord.voice_channels.receive.transport_decryption import TransportCipher

    sender = SimpleNamespace(secret_key=list(range(32)), _incr_nonce=7)
    sender.checked_add = lambda attr, value, limit: setattr(
        sender, attr, getattr(sender, attr) + value
    )
    header = bytes([0x80, 0x78]) + bytes(10)
    seal = discordpy_internals.ResumingVoiceClient._encrypt_aead_aes256_gcm_rtpsize
    packet = rtp_packets.parse(seal(sender, header, b"opus"))  # type: ignore[arg-type]
    assert packet is not None and packet.nonce == b"\x00\x00\x00\x07" and sender._incr_nonce == 8
    session = discordpy_internals.TransportSession(
        discordpy_internals.AES_GCM_MODE, bytes(range(32))
    )
    assert TransportCipher(session).open(packet) == b"opus"


def test_a_voice_client_is_cleaned_up_once_its_call_is_over() -> None:
    """`ListeningVoiceClient.cleanup` tells its receiver the call ended: discord.py calls it
    when it disconnects for good (and its socket reader ends there too)."""
    disconnect = inspect.getsource(voice_state.VoiceConnectionState.disconnect)
    assert (
        "self.voice_client.cleanup()" in disconnect and "self._socket_reader.stop()" in disconnect
    )


def test_leaving_a_call_keeps_discord_pys_signature_and_its_reader_task() -> None:
    """`ResumingVoiceConnection.disconnect` wraps discord.py's: same parameters, and the task
    that reads the voice websocket is still `_runner`, which discord.py's own disconnect does
    not stop."""
    theirs = inspect.signature(voice_state.VoiceConnectionState.disconnect)
    assert inspect.signature(discordpy_internals.ResumingVoiceConnection.disconnect) == theirs
    assert "self._runner: " in inspect.getsource(voice_state.VoiceConnectionState.__init__)
    assert "_runner.cancel" not in inspect.getsource(voice_state.VoiceConnectionState.disconnect)


async def test_a_reader_that_fails_while_the_bot_leaves_logs_no_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def fails() -> None:
        raise ConnectionResetError("Cannot write to closing transport")

    caplog.set_level(logging.DEBUG, logger=discordpy_internals.__name__)
    reader = asyncio.get_running_loop().create_task(fails())
    reader.add_done_callback(discordpy_internals.reader_ended_while_leaving)
    await asyncio.wait([reader])
    await asyncio.sleep(0)  # the callback runs
    del reader
    gc.collect()  # an exception nobody read is logged here, at ERROR, by asyncio
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert "ended while leaving" in caplog.text


def test_a_thread_keeps_the_members_it_is_given_where_its_events_put_them() -> None:
    """`learn_thread_members` adds what `Thread.fetch_members` returns with `Thread._add_member`,
    as THREAD_MEMBERS_UPDATE does, and `Thread.members` lists them."""
    assert list(inspect.signature(discord.Thread._add_member).parameters) == ["self", "member"]
    assert "thread._add_member(member)" in inspect.getsource(
        ConnectionState.parse_thread_members_update
    )
    assert "self._members.values()" in inspect.getsource(discord.Thread.members.fget)
    assert inspect.iscoroutinefunction(discord.Thread.fetch_members)
    # `forget_thread_members`: the members are a dict, and `me` an attribute of its own.
    assert "self._members: Dict[int, ThreadMember] = {}" in inspect.getsource(discord.Thread)
    assert "self.me: Optional[ThreadMember]" in inspect.getsource(discord.Thread)


async def test_the_task_of_each_listener_dispatched_is_held_until_it_ends() -> None:
    bot = a_bot()
    running = discordpy_internals.hold_event_tasks(bot)
    release = asyncio.Event()
    heard: list[int] = []

    async def on_something(value: int) -> None:
        await release.wait()
        heard.append(value)

    bot.add_listener(on_something)
    async with bot:  # discord.py's event loop is set as a client is entered
        bot.dispatch("something", 7)
        [task] = running
        release.set()
        await task
    assert heard == [7]
    assert not running
