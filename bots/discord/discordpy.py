"""Every part of discord.py we use that discord.py does not document, each behind one function
that says why we need it.

An upgrade of discord.py may change any of these without notice; `tests/unit/
test_discordpy_internals.py` checks that the installed discord.py still has each one in the shape
used here, so a change fails there, loudly, rather than at run time. Nothing else in the adapter
reaches into discord.py's private parts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import discord
import yarl
from discord import voice_client, voice_state
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

Parsers = dict[str, Callable[[Any], None]]
Listener = Callable[..., Coroutine[Any, Any, Any]]


def point_rest_at(api_url: str) -> None:
    """Send every REST request to `api_url` (DISCORD_API_URL): discord.py keeps its base URL in
    a class attribute (`Route.BASE`), so this holds for the whole process."""
    Route.BASE = api_url.rstrip("/")


def point_gateway_at(url: str) -> None:
    """Connect every shard to the gateway at `url`: discord.py takes it from a class attribute
    (`DiscordWebSocket.DEFAULT_GATEWAY`) once a shard count is given."""
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)


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


def listeners_of(bot: commands.Bot | commands.AutoShardedBot, event: str) -> list[Listener]:
    """The coroutines discord.py runs for `event`: the bot's own `on_<event>` and the cogs'
    listeners (`Bot.extra_events`), so the bot can run them in a task of its own."""
    own: Listener | None = getattr(bot, f"on_{event}", None)
    return [*([own] if own is not None else []), *bot.extra_events.get(f"on_{event}", [])]


def voice_libraries_installed() -> bool:
    """Whether PyNaCl and davey are there (the voice extras): discord.py says so only in two
    module flags, and raises at connect time without them."""
    return bool(voice_client.has_nacl and voice_state.has_dave)


class ResumingVoiceConnection(voice_state.VoiceConnectionState):
    """discord.py's voice connection, resumed the way Discord documents it.

    When the voice server drops the websocket with 4015 ("crashed: resume"), discord.py 2.7 asks
    the main gateway to join the channel again and waits for VOICE_STATE_UPDATE and
    VOICE_SERVER_UPDATE in an order that never completes it from a connected state, then for a
    new session description that a resume does not bring: the play stalls and the call is
    dropped. Discord's resume (topics/voice-connections, "Resuming Voice Connection") is a new
    websocket sending RESUME with the same token, session and `seq_ack`; the UDP socket, the
    ssrc, the session key and the DAVE group stay as they were. If the voice server refuses
    the resume, it closes the new websocket (4006) and discord.py connects afresh."""

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

    async def _resume(self) -> None:
        dropped = self.ws
        self.ws = await self._connect_websocket(True)  # RESUME with the last seq_ack
        self.ws.secret_key = self.secret_key  # the same session: the key stands
        await dropped.close()  # stops its heartbeats
        self.state = voice_state.ConnectionFlowState.connected


class ResumingVoiceClient(discord.VoiceClient):
    """discord.py's voice client on a `ResumingVoiceConnection`."""

    def create_connection_state(self) -> voice_state.VoiceConnectionState:
        return ResumingVoiceConnection(self)
