"""A loopback stand-in for Discord: REST API, CDN and gateway websocket, for integration tests.

`FakeDiscord` is the far end of the wire for the real discord.py client: an aiohttp server on
127.0.0.1 (OS-chosen port) speaking enough of Discord's REST API (under ``/api/v10``), its CDN and
its gateway websocket for discord.py to log in, sync application commands, connect, receive
events and answer them, unmodified. It records what the bot does, so a test asserts what a user
would see.

    async with FakeDiscord() as discord_api:
        server = discord_api.add_guild()
        alice = discord_api.add_member(server, "alice", manage_guild=True)
        # the bot runs with DISCORD_BOT_TOKEN=discord_api.token, DISCORD_API_URL=discord_api.api_url
        await discord_api.wait_until_identified()
        note = await discord_api.post_voice_message(server.general, alice, ogg_bytes, duration=3)
        [reply] = await discord_api.wait_for_messages(server.general)
        asked = await discord_api.slash(server.general, alice, "say", text="Hello")
        [voice] = await asked.wait_for_messages()

What it checks, as Discord does:

- REST: ``Authorization: Bot <token>`` (401 otherwise). JSON answers carry a Content-Type of
  exactly ``application/json`` (discord.py reads anything else as text); errors are
  ``{"message", "code", "errors"?}`` with the HTTP status. Message bodies come as JSON or as
  multipart (``payload_json`` plus ``files[n]`` parts): content of at most 2000 characters, never
  empty; a voice message (flag 8192) has no content, exactly one attachment, and that attachment
  carries ``duration_secs`` and a base64 ``waveform`` of at most 256 bytes (codes 50159-50161);
  with ``refuse_voice_messages`` every voice message is refused with code 50173, as in a channel
  where they are not allowed, and without Send Voice Messages in ``bot_permissions`` with 403,
  code 50013. Permissions come computed, as Discord sends them: an administrator has every bit.
  String options hold at most 6,000 characters (the client lets nobody type more). The bot's
  own nickname (PATCH /guilds/{id}/members/@me) takes Change Nickname (@everyone's by default,
  and the bot's role's), 32 characters at most; null or empty resets it; GUILD_MEMBER_UPDATE
  follows.
- Member permissions per channel: `deny_in_channel` adds a member's permission overwrite to a
  channel (``permission_overwrites``, type 1, as the channel JSON carries it). An interaction's
  ``member.permissions`` are the member's in the interaction's channel: the server's, then the
  channel's @everyone overwrite, then the member's own (an administrator keeps every bit); no
  View Channel leaves none (Discord's implicit denial), and such a member cannot interact there
  at all: their client does not show the channel.
- Application commands (bulk overwrite): names, descriptions and the option rules Discord enforces,
  and their localizations (keys among Discord's locales, values by the same rules);
  ``integration_types`` (0 guild, 1 user install) and ``contexts`` (0 server, 1 the bot's DMs,
  2 other DMs and group DMs), null or lists of those values; at most 100 slash commands, 5 user
  menus and 5 message menus (30032).
- User installs: `install_to_user` adds the app to a user's account; `private_channel` is a DM or
  group DM between people, `add_guild(with_bot=False)` a server that never added the bot. A
  command is offered (`slash`, `message_command`, `autocomplete`) only where its declared
  installs and contexts allow. Interactions carry ``context`` and
  ``authorizing_integration_owners`` ("0": the server, or "0" in the bot's DMs; "1": the user),
  and, where the bot is not in the place, ``app_permissions`` of Attach Files, Embed Links and
  Mention Everyone only (voice messages refused: 403, 50013). The bot hears nothing from those
  places (no gateway events) and every REST call on their channels or server answers 403, code
  50001, Missing Access; the interaction's callback and follow-ups work as anywhere.
- Languages: interactions carry the user's ``locale`` and, in servers, the ``guild_locale``
  (`add_user` / `add_guild` say which); GET /channels/{id} and /guilds/{id} answer with what is
  known.
- Interactions: the first callback must come within 3 seconds of the event (else 10062 Unknown
  interaction; moments in which the whole test process stood still do not count: `stalls`),
  and only once (40060); follow-ups need a callback first (10015). After a deferred
  ("thinking") callback the first follow-up fills the placeholder: an edit, with the defer's
  flags (its ephemerality; never a voice message, whatever the follow-up asked). Deleting the
  original response removes the placeholder. The interaction's token lasts
  ``interaction_token_seconds`` (15 minutes): later follow-ups and edits answer 401, code 50027;
  the interaction's id is dated so that its creation time plus 15 minutes ends there too.
- Channel history (``GET /channels/{id}/messages``): newest first, ``limit`` 1-100 (default
  50), ``before`` / ``after`` message ids (with ``after`` alone, the oldest ``limit`` after it);
  ephemeral and deleted messages are not in it, nor are other channels' messages. In a server's
  channel the bot needs View Channel (else 403, code 50001) and gets no messages at all without
  Read Message History, as Discord answers.
- Modals: a callback of type 9 records the modal; `submit_modal` answers it as the user would,
  with a MODAL_SUBMIT interaction carrying the components and their values.
- Message components (buttons): a message's ``components`` are at most 5 action rows (type 1),
  each holding 1 to 5 buttons (type 2); a button has a style 1-5, a label of at most 80
  characters (or an emoji), and a ``custom_id`` of 1-100 characters unique in the message (a
  link button, style 5, a ``url`` instead). Anything else is refused with 400, code 50035,
  naming the field; component types and flags the stand-in does not model (select menus,
  Components V2) are refused the same way, saying so. Components are stored with the message,
  numbered (``id``) as Discord numbers them, returned with it (GET, history, the answer to the
  request) and replaced by an edit that sends ``components``. `click` presses a button as a
  user would: a MESSAGE_COMPONENT interaction (type 3) with ``data.custom_id``,
  ``component_type`` 2 and the message, only for a button the message shows and does not
  disable. Its callback may be 4 or 5 (a new message, as for a command), 6 (DEFERRED_UPDATE_MESSAGE:
  no placeholder, so a follow-up is a new message) or 7 (UPDATE_MESSAGE: the clicked message
  edited); 6 and 7 answer only a component (400, 50035, otherwise), and after them
  ``@original`` is the clicked message. A follow-up is edited through its own id
  (``PATCH /webhooks/{app}/{token}/messages/{id}``) as ``@original`` is.
- Gateway (``/gateway``, v10, JSON, plain or ``zlib-stream``): HELLO, IDENTIFY with the token (4004
  otherwise) and intents (privileged intents the application was not granted close the socket with
  4014; GET /oauth2/applications/@me shows the granted ones in its flags), READY, one GUILD_CREATE
  per guild, heartbeats acknowledged. An event reaches a session only if its intents cover it, and
  without MESSAGE_CONTENT a guild message arrives with its content, attachments and embeds blanked,
  as Discord sends it. Shards: IDENTIFY's ``shard`` [id, count] (4010 when invalid) decides which
  servers a session gets and whose events (Discord's formula, ``(guild_id >> 22) % count``; direct
  messages go to shard 0); GET /gateway/bot advises ``recommended_shards``.

- Voice: opcode 4 joins the bot to a voice channel (VOICE_STATE_UPDATE, then VOICE_SERVER_UPDATE
  with a token of `voice`, the voice server stand-in of `tests.standins.discord_voice`, and its
  endpoint) or takes it out (no channel); no answer for a channel that is not a voice channel of
  the server or where the bot lacks Connect. `disconnect_from_voice` is a moderator's
  Disconnect, `move_in_voice` their Move (the bot gets a new VOICE_SERVER_UPDATE), `leave_voice`
  a member leaving; `stale_voice_tokens` hands out tokens the voice server no longer accepts.
- Messages: a user's `<@id>` mentions fill the message's ``mentions`` (with the member);
  `post_webhook_message` is a webhook's (``webhook_id``, an author marked a bot).

Rate limits: at most `global_per_second` (50, Discord's global limit) requests a second with the
bot token; one more is answered 429 with ``"global": true`` and ``X-RateLimit-Global``.
Interaction and webhook routes, which the interaction's token authorises, do not count.

Faults: `held(route)` answers no request of the route until its block ends;
`rate_limit_next(route, times=N)` answers the next N requests of a route with 429, as
Discord does: ``{"message": "You are being rate limited.", "retry_after": 0.5, "global": false}``
with ``Retry-After``, the ``X-RateLimit-*`` headers and ``Via`` (discord.py takes a 429 without
``Via`` for a Cloudflare ban and gives up).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import math
import re
import secrets
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from tests.standins.discord_description import discord_api_description
from tests.standins.discord_voice import VoiceServer
from tests.standins.stalls import Stalls
from tests.standins.voice_group import BOT, Committer
from tests.standins.voice_members import CallMember

Json = dict[str, Any]

GLOBAL_PER_SECOND = 50  # Discord's global limit: requests a second with the bot token
API_PREFIX = "/api/v10"
MAX_CONTENT = 2000
MAX_WAVEFORM_BYTES = 256
INTERACTION_DEADLINE = 3.0
INTERACTION_TOKEN_SECONDS = 15 * 60  # follow-ups and edits after that: 401, code 50027
VOICE_MESSAGE_FLAG = 1 << 13
EPHEMERAL_FLAG = 1 << 6
_DISCORD_EPOCH_MS = 1_420_070_400_000

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_VOICE_STATES = 1 << 7
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
PRIVILEGED = {"guild_members": GUILD_MEMBERS, "guild_presences": GUILD_PRESENCES,
              "message_content": MESSAGE_CONTENT}  # fmt: skip
# The application's flags for each privileged intent switched on in the developer portal, as an
# app in fewer than 100 servers has them: the "_LIMITED" ones, which need no verification
# (https://discord.com/developers/docs/resources/application#application-object-application-flags).
GRANTED_FLAGS = {"guild_presences": 1 << 13, "guild_members": 1 << 15, "message_content": 1 << 19}

# Permissions (https://discord.com/developers/docs/topics/permissions). An interaction carries
# them computed: an administrator has every bit set.
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
READ_MESSAGE_HISTORY = 1 << 16
CONNECT = 1 << 20
SPEAK = 1 << 21
MUTE_MEMBERS = 1 << 22
MOVE_MEMBERS = 1 << 24
REQUEST_TO_SPEAK = 1 << 32
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
MENTION_EVERYONE = 1 << 17
SEND_VOICE_MESSAGES = 1 << 46
SET_VOICE_CHANNEL_STATUS = 1 << 48
MANAGE_CHANNELS = 1 << 4
CHANGE_NICKNAME = 1 << 26
VOICE_STATUS_CHARS = 500  # a voice channel status's longest
NICK_CHARS = 32  # a nickname's longest
ALL_PERMISSIONS = (1 << 51) - 1
EVERYONE_PERMISSIONS = (  # @everyone's in a new server
    CHANGE_NICKNAME
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | CONNECT
    | SPEAK
    | REQUEST_TO_SPEAK
)
# What a timed-out member keeps (resources/guild, "Modify Guild Member": they may read, nothing
# more), unless they are an administrator or the owner.
TIMED_OUT_KEEP = VIEW_CHANNEL | READ_MESSAGE_HISTORY
TEXT, VOICE, STAGE = 0, 2, 13  # channel types
PUBLIC_THREAD, PRIVATE_THREAD = 11, 12
MANAGE_THREADS = 1 << 34
# What the invite link asks for.
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | SEND_VOICE_MESSAGES | SET_VOICE_CHANNEL_STATUS
# An interaction's `app_permissions` where the bot is not in the place (installed to the user):
# what the app may do in its answers, and nothing of the channel's (no voice messages).
USER_INSTALL_PERMISSIONS = ATTACH_FILES | EMBED_LINKS | MENTION_EVERYONE
# Installation types (integration_types) and interaction contexts.
GUILD_INSTALL, USER_INSTALL = 0, 1
GUILD_CONTEXT, BOT_DM_CONTEXT, PRIVATE_CHANNEL_CONTEXT = 0, 1, 2

_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
# Discord's locales (reference: Locales), what localizations and interactions name.
LOCALES = frozenset({
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi",
    "th", "zh-CN", "ja", "zh-TW", "ko",
})  # fmt: skip
_OPTION_TYPES = {"string": 3, "integer": 4, "boolean": 5, "channel": 7, "attachment": 11}
MAX_OPTION = 6000  # characters in a string option, whatever its max_length says
_ROUTE_PARAM = re.compile(r"\{(\w+)\}")


class DiscordError(Exception):
    """An error answer of Discord's REST API; raise it from a route handler."""

    def __init__(self, status: int, code: int, message: str, errors: Json | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> Json:
        body: Json = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def invalid_form(field_name: str, code: str, message: str) -> DiscordError:
    """Discord's 50035 "Invalid Form Body" naming the field at fault."""
    errors = {field_name: {"_errors": [{"code": code, "message": message}]}}
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def _check_suggestions(data: Json) -> None:
    """An autocomplete answer as Discord takes it: at most 25 choices, each named in 1 to 100
    characters, a string value at most 6,000 (its API description's
    `InteractionApplicationCommandAutocompleteCallbackStringData`)."""
    choices = data.get("choices") or []
    if len(choices) > 25:
        raise invalid_form("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for index, choice in enumerate(choices):
        if not 1 <= len(choice.get("name") or "") <= 100:
            raise invalid_form(
                f"data.choices.{index}.name", "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )  # fmt: skip
        if isinstance(choice.get("value"), str) and len(choice["value"]) > 6000:
            raise invalid_form(
                f"data.choices.{index}.value", "BASE_TYPE_MAX_LENGTH",
                "Must be 6000 or fewer in length.",
            )  # fmt: skip


@dataclass
class RestCall:
    """One REST request as the stand-in received and answered it."""

    method: str
    route: str  # the route template, e.g. "POST /channels/{channel_id}/messages"
    params: dict[str, str]
    body: Any = None  # the JSON body, or the decoded payload_json of a multipart body
    files: list[SentFile] = field(default_factory=list)
    status: int = 200
    error_code: int | None = None
    at: float = field(default_factory=time.monotonic)  # when it arrived

    @property
    def ok(self) -> bool:
        return self.status < 400


@dataclass
class SentFile:
    field_name: str
    filename: str
    data: bytes
    content_type: str


@dataclass
class SentAttachment:
    filename: str
    data: bytes
    content_type: str
    duration_secs: float | None = None
    waveform: bytes | None = None


@dataclass
class SentMessage:
    """A message the bot posted, as the people in the channel see it."""

    id: int
    channel_id: int
    content: str
    flags: int
    attachments: list[SentAttachment]
    ephemeral: bool = False
    reply_to: int | None = None
    interaction_id: int | None = None
    allowed_mentions: Json | None = None
    deleted: bool = False
    components: list[Json] = field(default_factory=list)  # action rows, as Discord stores them

    @property
    def is_voice_message(self) -> bool:
        return bool(self.flags & VOICE_MESSAGE_FLAG)

    @property
    def buttons(self) -> list[Json]:
        """The buttons under the message, row by row."""
        return [c for row in self.components for c in row.get("components", []) if c["type"] == 2]


@dataclass
class Guild:
    id: int
    name: str
    general: int  # text channel ids
    random: int
    lounge: int  # a voice channel
    managers: int = 0  # roles every stand-in server has: Manage Server...
    admins: int = 0  # ...and Administrator


@dataclass
class FakeInteraction:
    """One interaction sent to the bot, and everything the bot answered to it."""

    id: int
    token: str
    name: str
    payload: Json
    owner: FakeDiscord
    sent_at: float = 0.0
    token_expired: bool = False  # `expire_tokens`: as if its token's time had run out
    callback_type: int | None = None
    callback_data: Json | None = None
    answered_at: float | None = None  # when the callback came (`time.monotonic`)
    loading: bool = False  # the "thinking…" placeholder is showing
    loading_ephemeral: bool = False
    placeholder_deleted: bool = False
    original: SentMessage | None = None
    messages: list[SentMessage] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return self.callback_type is not None

    @property
    def visible(self) -> list[SentMessage]:
        """What the user sees now: the interaction's messages that were not deleted."""
        return [m for m in self.messages if not m.deleted]

    @property
    def choices(self) -> list[Json]:
        """The autocomplete choices the bot offered."""
        assert self.callback_type == 8, f"not answered with autocomplete: {self.callback_type}"
        return list((self.callback_data or {}).get("choices", []))

    async def wait_for_messages(self, count: int = 1, timeout: float = 15.0) -> list[SentMessage]:
        """Wait until ``count`` visible messages answer this interaction."""
        return await self.owner.wait_until(
            lambda: self.visible if len(self.visible) >= count else None,
            timeout=timeout,
            what=f"{count} message(s) answering /{self.name}",
        )

    async def wait_for_contents(self, expected: list[str], timeout: float = 15.0) -> None:
        """Wait until what the user sees of this interaction reads exactly `expected`, edits
        applied: a status that turns into the answer ("Waiting for MiMo…") is not the answer."""
        try:
            await self.owner.wait_until(
                lambda: [m.content for m in self.visible] == expected,
                timeout=timeout,
                what=f"/{self.name}'s answer",
            )
        except AssertionError as exc:
            reads = [m.content for m in self.visible]
            raise AssertionError(f"/{self.name} reads {reads!r}, not {expected!r}\n{exc}") from None

    async def wait_for_callback(self, timeout: float = 15.0) -> int:
        return await self.owner.wait_until(
            lambda: self.callback_type, timeout=timeout, what=f"a callback to /{self.name}"
        )


@dataclass
class _Session:
    ws: web.WebSocketResponse
    zlib_stream: bool
    intents: int = 0
    identified: bool = False
    shard: tuple[int, int] = (0, 1)  # (id, count), as IDENTIFY gave it
    sequence: int = 0
    close_code: int | None = None
    session_id: str = ""  # READY's, which voice states carry too
    _compressor: Any = None

    async def close(self, code: int, reason: str) -> None:
        self.close_code = code
        await self.ws.close(code=code, message=reason.encode())

    async def send(self, payload: Json) -> None:
        data = json.dumps(payload)
        if not self.zlib_stream:
            await self.ws.send_str(data)
            return
        if self._compressor is None:
            self._compressor = zlib.compressobj()
        packed = self._compressor.compress(data.encode())
        packed += self._compressor.flush(zlib.Z_SYNC_FLUSH)  # one whole message per frame
        await self.ws.send_bytes(packed)


class FakeDiscord:
    """Discord's REST API, CDN and gateway on a loopback port, with hooks to act as users.

    World: `add_guild` (a server with #general, #random and a voice channel Lounge), `add_member`,
    `add_user` (for DMs), `join_voice`; user installs: `install_to_user`, `private_channel`.
    Incoming: `post_message` and `post_voice_message` send MESSAGE_CREATE (`edit_message`,
    MESSAGE_UPDATE; `delete_message`, MESSAGE_DELETE; `purge_messages`, MESSAGE_DELETE_BULK);
    `slash`,
    `message_command`, `autocomplete` and `click` (a button) send INTERACTION_CREATE.
    Outgoing: `calls` lists every REST request, `messages` every message the bot posted;
    `wait_for_messages` and `FakeInteraction.wait_for_messages` wait for them. Each message the
    bot posts that others see comes back to it as MESSAGE_CREATE, as Discord sends a bot its
    own messages (a reply is type 19, REPLY).
    """

    def __init__(
        self,
        *,
        token: str = "MTA0.fake-discord.token-for-tests",
        privileged_intents: frozenset[str] = frozenset({"message_content", "guild_members"}),
        refuse_voice_messages: bool = False,
        interaction_token_seconds: float = INTERACTION_TOKEN_SECONDS,
        bot_permissions: int = BOT_PERMISSIONS,
        advertised_gateway: str | None = None,
        recommended_shards: int = 1,
        global_per_second: int = GLOBAL_PER_SECOND,
        port: int = 0,  # 0: any free one
    ) -> None:
        self.token = token
        self.port = port
        self.recommended_shards = recommended_shards  # what GET /gateway/bot advises
        self.privileged_intents = privileged_intents
        self.refuse_voice_messages = refuse_voice_messages
        self.interaction_token_seconds = interaction_token_seconds
        self.bot_permissions = bot_permissions
        self.advertised_gateway = advertised_gateway
        self._ids = itertools.count(1)
        self.application_id = self.snowflake()
        self.bot_user: Json = _user(self.application_id, "voicebridge", bot=True)
        # Who owns the application (a developer's own account), as GET
        # /oauth2/applications/@me says.
        self.owner: Json = _user(self.snowflake(), "ann")
        self.calls: list[RestCall] = []
        self._echoes: set[asyncio.Future[None]] = set()  # the bot's own messages, on their way
        self._echo_failures: list[BaseException] = []
        self.stalls = Stalls()
        self.messages: list[SentMessage] = []
        self.edits: list[tuple[int, str]] = []  # (message id, new content) of every edit
        self.voice_statuses: dict[int, str | None] = {}  # a voice channel's status now
        self.voice_status_changes: list[tuple[int, str | None]] = []  # every one, in order
        self.nick_changes: list[tuple[int, str | None]] = []  # (server, the bot's new nickname)
        self.commands: list[Json] = []
        self.interactions: list[FakeInteraction] = []
        self.typing: list[int] = []  # channel ids, one per typing request
        self.downloads: list[str] = []  # CDN paths served
        self.unshaped: list[str] = []
        """Required properties the stand-in left out of an answer (always empty, unless the
        stand-in itself is wrong)."""
        self.closed_sessions: list[int | None] = []  # the close code of each ended gateway session
        self.identify_payloads: list[Json] = []
        self.voice_state_requests: list[Json] = []  # gateway op 4, as the bot sent them
        self._guilds: dict[int, Json] = {}
        self._channels: dict[int, Json] = {}
        self._users: dict[int, Json] = {}
        self._locales: dict[int, str] = {}  # user or guild -> its Discord locale ("zh-CN")
        self._roles: dict[int, list[Json]] = {}  # guild -> its roles, @everyone first
        self._members: dict[tuple[int, int], list[int]] = {}  # (guild, user) -> their role ids
        # (guild, user) -> what else Discord keeps of a member: timeout, server mute and deafen
        self._member_state: dict[tuple[int, int], Json] = {}
        self._bot_absent: set[int] = set()  # servers and channels the bot is not in
        self._thread_members: dict[int, set[int]] = {}  # thread -> the users in it
        self._user_installs: set[int] = set()  # users who installed the app to their account
        self._voice_states: dict[int, dict[int, int]] = {}  # guild -> user -> channel
        self.voice = VoiceServer()  # where VOICE_SERVER_UPDATE sends bots
        # The next N VOICE_SERVER_UPDATEs carry a token the voice server no longer accepts, as
        # one that a later update replaced.
        self.stale_voice_tokens = 0
        self._posted: dict[int, Json] = {}  # message id -> message JSON (users' and the bot's)
        self._files: dict[str, tuple[bytes, str]] = {}  # CDN path -> data, content type
        self._sessions: list[_Session] = []
        self._rate_limits: dict[str, list[Any]] = {}  # route -> [times left, retry_after, global]
        self._held: dict[str, asyncio.Event] = {}  # route -> set once its requests may go on
        self._dropped: dict[str, int] = {}  # route -> how many of its next requests to drop
        self.global_per_second = global_per_second
        self._last_second: deque[float] = deque()  # when the bot token's requests came
        # When a request arrives, for the global limit's second: a test that must know which
        # second its requests fall in sets its own (time passes alike on a loaded machine).
        self.clock: Callable[[], float] = time.monotonic
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        # A port given up front is known before the server starts: a bot may be told where
        # Discord will be before it is there.
        self._origin = f"http://127.0.0.1:{port}" if port else ""

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application(client_max_size=100 * 1024 * 1024)
        for method, template, handler in self._routes():
            app.router.add_route(
                method, API_PREFIX + template, self._rest(method, template, handler)
            )
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{path:.+}", self._cdn)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._origin = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        await self.voice.start()
        self.stalls.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for echo in self._echoes:
            echo.cancel()
        if self._echo_failures and exc_info[0] is None:
            raise self._echo_failures[0]  # the stand-in's own mistake, not to pass unseen
        for session in list(self._sessions):
            await session.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
        await self.voice.close()
        self.stalls.close()

    @property
    def api_url(self) -> str:
        """What a user puts in DISCORD_API_URL."""
        return self._origin + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """What a user puts in DISCORD_GATEWAY_URL (GET /gateway/bot also answers it)."""
        return self._origin.replace("http://", "ws://") + "/gateway"

    def snowflake(self, at: datetime | None = None) -> int:
        """A fresh id shaped like Discord's: milliseconds since 2015 (now, or `at`) above a
        counter."""
        now_ms = int((at.timestamp() if at else time.time()) * 1000) - _DISCORD_EPOCH_MS
        return (now_ms << 22) | (next(self._ids) & 0x3FFFFF)

    # -- the world ---------------------------------------------------------------------------

    def add_guild(
        self,
        name: str = "Test server",
        *,
        shard: tuple[int, int] | None = None,
        locale: str = "en-US",
        with_bot: bool = True,
    ) -> Guild:
        """A server with the bot in it: text channels #general and #random, voice channel Lounge.

        `shard` (id, count): an id that Discord's rule, (id >> 22) % count, puts on that shard.
        `locale`: the server's language (its `preferred_locale`, an interaction's `guild_locale`).
        `with_bot` False: a server that did not add the bot, where only a user's own install of
        it works (no gateway events, its channels refused to the bot's REST calls).
        """
        _check_locale(locale)
        guild_id = self.snowflake()
        if shard is not None:
            shard_id, count = shard
            guild_id += ((shard_id - (guild_id >> 22)) % count) << 22  # a few ms later
        channels = [
            self._add_channel(guild_id, "general", TEXT, position=0),
            self._add_channel(guild_id, "random", TEXT, position=1),
            self._add_channel(guild_id, "Lounge", VOICE, position=2),
        ]
        self._guilds[guild_id] = {"id": str(guild_id), "name": name, "channels": channels}
        self._locales[guild_id] = locale
        self._roles[guild_id] = [_role(guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0)]
        managers = self._new_role(guild_id, "Managers", MANAGE_GUILD)
        admins = self._new_role(guild_id, "Admins", ADMINISTRATOR)
        if with_bot:
            self._members[(guild_id, self.application_id)] = []
        else:
            self._bot_absent.update([guild_id, *(int(c["id"]) for c in channels)])
        ids = (int(c["id"]) for c in channels)
        return Guild(guild_id, name, *ids, managers=int(managers["id"]), admins=int(admins["id"]))

    def add_user(self, name: str, *, locale: str = "en-US", bot: bool = False) -> int:
        """A user whose Discord client is in `locale` (what their interactions carry); `bot`:
        another application's bot user."""
        _check_locale(locale)
        user_id = self.snowflake()
        self._users[user_id] = _user(user_id, name, bot=bot)
        self._locales[user_id] = locale
        return user_id

    def add_member(
        self,
        guild: Guild,
        name: str,
        *,
        manage_guild: bool = False,
        administrator: bool = False,
        locale: str = "en-US",
        bot: bool = False,
    ) -> int:
        """A member of `guild`; `manage_guild` grants Manage Server, `administrator` every
        permission (Discord computes it so: all bits set); `bot`: another application's bot."""
        user_id = self.add_user(name, locale=locale, bot=bot)
        roles = [guild.managers] if manage_guild else []
        if administrator:
            roles.append(guild.admins)
        self._members[(guild.id, user_id)] = roles
        return user_id

    # -- the world: roles, permission overwrites, members' state --------------------------
    # Each change reaches connected bots as Discord sends it: GUILD_ROLE_CREATE and
    # GUILD_ROLE_UPDATE (intent GUILDS), CHANNEL_UPDATE with the channel's whole
    # `permission_overwrites` and `nsfw` (GUILDS), GUILD_MEMBER_UPDATE with the member's
    # `roles` and `communication_disabled_until` (GUILD_MEMBERS, a privileged intent), and a
    # server mute as VOICE_STATE_UPDATE (GUILD_VOICE_STATES).

    async def add_role(self, guild: Guild, name: str, permissions: int) -> int:
        """A role an administrator creates (GUILD_ROLE_CREATE)."""
        role = self._new_role(guild.id, name, permissions)
        await self._dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role},
                             intent=GUILDS)  # fmt: skip
        return int(role["id"])

    async def set_role_permissions(self, guild: Guild, role_id: int, permissions: int) -> None:
        """An administrator changes what a role (@everyone's id is the server's) may do
        (GUILD_ROLE_UPDATE)."""
        [role] = [r for r in self._roles[guild.id] if r["id"] == str(role_id)]
        role["permissions"] = str(permissions)
        await self._dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role},
                             intent=GUILDS)  # fmt: skip

    async def give_role(self, guild: Guild, user_id: int, role_id: int) -> None:
        """A member is given a role (GUILD_MEMBER_UPDATE)."""
        roles = self._members[(guild.id, user_id)]
        if role_id not in roles:
            roles.append(role_id)
        await self._member_updated(guild.id, user_id)

    async def take_role(self, guild: Guild, user_id: int, role_id: int) -> None:
        """A member loses a role (GUILD_MEMBER_UPDATE)."""
        roles = self._members[(guild.id, user_id)]
        roles[:] = [r for r in roles if r != role_id]
        await self._member_updated(guild.id, user_id)

    async def time_out(self, guild: Guild, user_id: int, until: datetime | None) -> None:
        """A moderator times a member out until `until` (None lifts it): GUILD_MEMBER_UPDATE
        with `communication_disabled_until`. Meanwhile they keep only View Channel and Read
        Message History (an administrator keeps everything)."""
        state = self._member_state.setdefault((guild.id, user_id), {})
        state["communication_disabled_until"] = until.isoformat() if until else None
        await self._member_updated(guild.id, user_id)

    def voice_channel_of(self, guild: Guild, user_id: int) -> int | None:
        """The voice channel `user_id` sits in, as Discord's voice states say (the bot's own
        outlives a gateway session that ended without leaving, as with Discord until the
        session times out)."""
        return self._voice_states.get(guild.id, {}).get(user_id)

    async def server_mute(self, guild: Guild, user_id: int, muted: bool = True) -> None:
        """A moderator mutes a member in voice for the whole server: VOICE_STATE_UPDATE with
        `mute` where they sit in voice, and GUILD_MEMBER_UPDATE with the member's `mute`."""
        self._member_state.setdefault((guild.id, user_id), {})["mute"] = muted
        channel_id = self._voice_states.get(guild.id, {}).get(user_id)
        if channel_id is not None:
            state = self._voice_state(guild.id, user_id, channel_id)
            await self._dispatch("VOICE_STATE_UPDATE", state, intent=GUILD_VOICE_STATES)
        await self._member_updated(guild.id, user_id)

    async def overwrite(
        self, channel_id: int, target: int, *, allow: int = 0, deny: int = 0, role: bool = False
    ) -> None:
        """An administrator sets a permission overwrite on a channel for a member (or, with
        `role`, a role; the server's id is @everyone's): CHANNEL_UPDATE. Nothing allowed nor
        denied removes it."""
        channel = self._channels[channel_id]
        assert "guild_id" in channel, "permission overwrites belong to a server's channels"
        kept = [o for o in channel["permission_overwrites"] if o["id"] != str(target)]
        if allow or deny:
            kept.append({"id": str(target), "type": 0 if role else 1, "allow": str(allow),
                         "deny": str(deny)})  # fmt: skip
        channel["permission_overwrites"] = kept
        await self._dispatch("CHANNEL_UPDATE", channel, intent=GUILDS)

    async def deny_in_channel(self, channel_id: int, user_id: int, permissions: int) -> None:
        """A member's permission overwrite on a channel denying `permissions` (e.g.
        `READ_MESSAGE_HISTORY`), as an admin sets one in the channel's settings; 0 lifts it."""
        await self.overwrite(channel_id, user_id, deny=permissions)

    async def set_nsfw(self, channel_id: int, nsfw: bool = True) -> None:
        """An administrator marks a channel age-restricted (NSFW), or not: CHANNEL_UPDATE."""
        channel = self._channels[channel_id]
        channel["nsfw"] = nsfw
        await self._dispatch("CHANNEL_UPDATE", channel, intent=GUILDS)

    def permissions_in(self, channel_id: int, user_id: int) -> int:
        """A member's permissions in a server's channel, as Discord computes them
        (topics/permissions): the owner has every bit; else @everyone's and their roles'
        permissions, every bit for an administrator; then the channel's overwrites, @everyone's,
        their roles' (denials, then allowances), their own; a timed-out member keeps only View
        Channel and Read Message History; without View Channel, none (Discord denies the rest
        implicitly)."""
        channel = self._channels[channel_id]
        if channel["type"] in {PUBLIC_THREAD, PRIVATE_THREAD}:
            return self._thread_permissions(channel, user_id)
        guild_id = channel["guild_id"]
        key = (int(guild_id), user_id)
        permissions = self.guild_permissions(int(guild_id), user_id)
        if permissions & ADMINISTRATOR:
            return ALL_PERMISSIONS
        overwrites = channel.get("permission_overwrites") or []
        everyone = [o for o in overwrites if o["type"] == 0 and o["id"] == guild_id]
        roles = {str(r) for r in self._members[key]}
        of_roles = [o for o in overwrites if o["type"] == 0 and o["id"] in roles]
        own = [o for o in overwrites if o["type"] == 1 and o["id"] == str(user_id)]
        for overwrite in everyone:
            permissions = (permissions & ~int(overwrite["deny"])) | int(overwrite["allow"])
        permissions &= ~_bits(of_roles, "deny")
        permissions |= _bits(of_roles, "allow")
        for overwrite in own:
            permissions = (permissions & ~int(overwrite["deny"])) | int(overwrite["allow"])
        if self._timed_out(key):
            permissions &= TIMED_OUT_KEEP
        return permissions if permissions & VIEW_CHANNEL else 0

    def _thread_permissions(self, thread: Json, user_id: int) -> int:
        """A thread's are its channel's; a private thread shows to those in it and to those who
        may manage the channel's threads, to nobody else (topics/threads, "Permissions")."""
        permissions = self.permissions_in(int(thread["parent_id"]), user_id)
        private = thread["type"] == PRIVATE_THREAD and not permissions & MANAGE_THREADS
        if private and user_id not in self._thread_members[int(thread["id"])]:
            return 0
        return permissions

    def guild_permissions(self, guild_id: int, user_id: int) -> int:
        """A member's permissions in the server, before any channel's overwrites."""
        held = {str(r) for r in self._members[(guild_id, user_id)]} | {str(guild_id)}
        permissions = 0
        for role in self._roles[guild_id]:
            if role["id"] in held:
                permissions |= int(role["permissions"])
        return ALL_PERMISSIONS if permissions & ADMINISTRATOR else permissions

    def _timed_out(self, key: tuple[int, int]) -> bool:
        until = self._member_state.get(key, {}).get("communication_disabled_until")
        return until is not None and datetime.fromisoformat(until) > datetime.now(UTC)

    def _new_role(self, guild_id: int, name: str, permissions: int) -> Json:
        roles = self._roles[guild_id]
        role = _role(self.snowflake(), name, permissions, position=len(roles))
        roles.append(role)
        return role

    async def _member_updated(self, guild_id: int, user_id: int) -> None:
        member = self._member(guild_id, user_id, with_user=True)
        await self._dispatch("GUILD_MEMBER_UPDATE", {**member, "guild_id": str(guild_id)},
                             intent=GUILD_MEMBERS)  # fmt: skip

    def _voice_refusal(self, interaction: FakeInteraction | None = None) -> DiscordError | None:
        """Why a voice message would be refused here, if it would: a channel that forbids them,
        or a bot without Send Voice Messages (in an interaction's answer, as its
        `app_permissions` say: never where the bot is not in the place)."""
        if self.refuse_voice_messages:
            return DiscordError(400, 50173, "Cannot send voice messages in this channel")
        permissions = self.bot_permissions
        if interaction is not None:
            permissions = int(interaction.payload["app_permissions"])
        if not permissions & SEND_VOICE_MESSAGES:
            return DiscordError(403, 50013, "Missing Permissions")
        return None

    def dm_channel(self, user_id: int) -> int:
        """The direct-message channel between the bot and `user_id`."""
        for channel_id, channel in self._channels.items():
            if channel["type"] == 1 and channel["recipients"][0]["id"] == str(user_id):
                return channel_id
        channel_id = self.snowflake()
        self._channels[channel_id] = {
            "id": str(channel_id), "type": 1, "recipients": [self._users[user_id]],
            "last_message_id": None, "flags": 0,
        }  # fmt: skip
        return channel_id

    def install_to_user(self, user_id: int) -> None:
        """The user adds the app to their account (the user install link): its commands that
        declare `integration_types` 1 follow them into DMs, group DMs and other servers."""
        self._user_installs.add(user_id)

    def private_channel(self, *user_ids: int) -> int:
        """A DM between two people, or a group DM of more: the bot is not in it, hears none of
        its messages and may not read or post in it (403, code 50001, Missing Access)."""
        assert len(user_ids) >= 2, "a DM or group DM has at least two people"
        channel_id = self.snowflake()
        recipients = [self._users[u] for u in user_ids]
        channel: Json = {"id": str(channel_id), "type": 1 if len(user_ids) == 2 else 3,
                         "recipients": recipients, "last_message_id": None,
                         "flags": 0}  # fmt: skip
        if channel["type"] == 3:
            channel.update(name=None, icon=None, owner_id=str(user_ids[0]))
        self._channels[channel_id] = channel
        self._bot_absent.add(channel_id)
        return channel_id

    async def delete_channel(self, guild: Guild, channel_id: int) -> None:
        """A server's administrator deletes a channel (CHANNEL_DELETE to connected bots)."""
        channel = self._channels.pop(channel_id)
        listed = self._guilds[guild.id]["channels"]
        listed[:] = [c for c in listed if c["id"] != str(channel_id)]
        await self._dispatch("CHANNEL_DELETE", channel, intent=GUILDS)

    async def join_voice(self, guild: Guild, user_id: int, channel_id: int) -> None:
        """Put a member in a voice channel (VOICE_STATE_UPDATE for bots already connected)."""
        self._voice_states.setdefault(guild.id, {})[user_id] = channel_id
        state = self._voice_state(guild.id, user_id, channel_id)
        await self._dispatch("VOICE_STATE_UPDATE", state, intent=GUILD_VOICE_STATES)

    async def join_call(
        self, guild: Guild, user_id: int, channel_id: int, *, committer: Committer = BOT
    ) -> CallMember:
        """A member joins a voice channel and talks there: in its voice states, and a client of
        the voice server's call, with an SSRC and a DAVE session (`VoiceServer.member_joins`)."""
        await self.join_voice(guild, user_id, channel_id)
        return await self.voice.member_joins(guild.id, channel_id, user_id, committer=committer)

    async def leave_call(
        self, guild: Guild, member: CallMember, *, committer: Committer = BOT
    ) -> None:
        """The member hangs up: out of the call's group, then out of the voice channel."""
        await self.voice.member_leaves(member, committer=committer)
        await self.leave_voice(guild, member.user_id)

    async def disconnect_from_voice(self, guild: Guild, user_id: int) -> None:
        """A moderator disconnects a member (the bot, say) from voice: VOICE_STATE_UPDATE with no
        channel, and their voice websocket closed with 4014 (do not reconnect)."""
        self._voice_states.get(guild.id, {}).pop(user_id, None)
        self.voice.revoke(guild.id, user_id)
        state = self._voice_state(guild.id, user_id, None)
        if user_id == self.application_id:
            state["session_id"] = next((s.session_id for s in self._sessions), "")
        await self._dispatch("VOICE_STATE_UPDATE", state, intent=GUILD_VOICE_STATES)
        await self.voice.disconnect(guild.id, user_id)

    async def leave_voice(self, guild: Guild, user_id: int) -> None:
        """A member leaves voice on their own (VOICE_STATE_UPDATE without a channel)."""
        self._voice_states.get(guild.id, {}).pop(user_id, None)
        state = self._voice_state(guild.id, user_id, None)
        await self._dispatch("VOICE_STATE_UPDATE", state, intent=GUILD_VOICE_STATES)

    async def move_in_voice(self, guild: Guild, user_id: int, channel_id: int) -> None:
        """A moderator moves a member (the bot, say) to another voice channel: VOICE_STATE_UPDATE
        with the new channel and, for the bot, VOICE_SERVER_UPDATE with a token for it (the old
        one revoked); the bot then leaves its old voice websocket and connects anew."""
        kind = self._channels[channel_id]["type"]
        assert kind in {VOICE, STAGE}, "members are moved to voice channels"
        self._voice_states.setdefault(guild.id, {})[user_id] = channel_id
        if user_id != self.application_id:
            state = self._voice_state(guild.id, user_id, channel_id)
            await self._dispatch("VOICE_STATE_UPDATE", state, intent=GUILD_VOICE_STATES)
            return
        session = next(s for s in self._sessions if s.identified)
        state = self._voice_state(guild.id, user_id, channel_id, session_id=session.session_id,
                                  self_deaf=True)  # fmt: skip
        await self._dispatch("VOICE_STATE_UPDATE", state, intent=GUILD_VOICE_STATES)
        self.voice.revoke(guild.id, user_id)
        token = self.voice.grant(guild.id, channel_id, user_id, session.session_id)
        server = {"token": token, "guild_id": str(guild.id), "endpoint": self.voice.endpoint}
        await self._send_event(session, "VOICE_SERVER_UPDATE", server)

    async def add_voice_channel(
        self, guild: Guild, name: str, *, nsfw: bool = False, stage: bool = False
    ) -> int:
        """A server's administrator adds a voice channel, age-restricted with `nsfw`, or a
        stage channel (CHANNEL_CREATE to connected bots)."""
        return await self._new_channel(guild, name, STAGE if stage else VOICE, nsfw=nsfw)

    async def add_text_channel(self, guild: Guild, name: str, *, nsfw: bool = False) -> int:
        """A server's administrator adds a text channel (CHANNEL_CREATE)."""
        return await self._new_channel(guild, name, TEXT, nsfw=nsfw)

    async def add_thread(
        self, parent_id: int, owner_id: int, name: str, *, private: bool,
        members: Sequence[int] = (),
    ) -> int:  # fmt: skip
        """A member starts a thread in a text channel, public or private, and adds `members`
        one after the other (its owner is in it first). The bot hears of it only where it may
        see it: a public thread of a channel it reads (THREAD_CREATE), a private one once it is
        added (`members` holds the bot's id; `add_to_thread`), and then of those added after it
        only: who was in it before, it learns by asking (GET .../thread-members)."""
        parent = self._channels[parent_id]
        thread = self._add_channel(
            int(parent["guild_id"]), name, PRIVATE_THREAD if private else PUBLIC_THREAD,
            position=0,
        )  # fmt: skip
        thread.update(
            parent_id=str(parent_id), owner_id=str(owner_id), member_count=0, message_count=0,
            total_message_sent=0, flags=0, thread_metadata={
                "archived": False, "auto_archive_duration": 1440, "locked": False,
                "archive_timestamp": _now(), "invitable": not private,
            },
        )  # fmt: skip
        for key in ("position", "permission_overwrites", "nsfw", "topic"):
            thread.pop(key, None)
        self._thread_members[int(thread["id"])] = set()
        if self._bot_sees(thread):
            await self._dispatch("THREAD_CREATE", {**thread, "newly_created": True}, intent=GUILDS)
        for user_id in dict.fromkeys([owner_id, *members]):
            await self.add_to_thread(int(thread["id"]), user_id)
        return int(thread["id"])

    async def delete_thread(self, thread_id: int) -> None:
        """A moderator deletes a thread: THREAD_DELETE (its id, server, parent and type) to a
        bot that could see it."""
        thread = self._channels[thread_id]
        seen = self._bot_sees(thread)
        del self._channels[thread_id]
        self._thread_members.pop(thread_id, None)
        if seen:
            data = {key: thread[key] for key in ("id", "guild_id", "parent_id", "type")}
            await self._dispatch("THREAD_DELETE", data, intent=GUILDS)

    async def add_to_thread(self, thread_id: int, user_id: int) -> None:
        """`user_id` joins or is added to the thread: THREAD_MEMBERS_UPDATE, to a bot that may
        see the thread and holds the Server Members intent (without it, only of itself); the
        bot added to a private thread it did not see first gets THREAD_CREATE."""
        thread = self._channels[thread_id]
        seen_before = self._bot_sees(thread)
        self._thread_members[thread_id].add(user_id)
        thread["member_count"] = len(self._thread_members[thread_id])
        if user_id == self.application_id and not seen_before:
            await self._dispatch("THREAD_CREATE", {**thread, "member": self._thread_member(
                thread_id, user_id)}, intent=GUILDS)  # fmt: skip
        added = {
            **self._thread_member(thread_id, user_id),
            "member": self._member(int(thread["guild_id"]), user_id, with_user=True),
        }
        await self._thread_members_update(thread, user_id, {"added_members": [added]})

    async def remove_from_thread(self, thread_id: int, user_id: int) -> None:
        """`user_id` leaves or is removed from the thread: THREAD_MEMBERS_UPDATE."""
        thread = self._channels[thread_id]
        self._thread_members[thread_id].discard(user_id)
        thread["member_count"] = len(self._thread_members[thread_id])
        await self._thread_members_update(thread, user_id, {"removed_member_ids": [str(user_id)]})

    async def _thread_members_update(self, thread: Json, user_id: int, change: Json) -> None:
        if not self._bot_sees(thread) and user_id != self.application_id:
            return
        data = {"id": thread["id"], "guild_id": thread["guild_id"],
                "member_count": thread["member_count"], **change}  # fmt: skip
        intent = None if user_id == self.application_id else GUILD_MEMBERS
        await self._dispatch("THREAD_MEMBERS_UPDATE", data, intent=intent)

    def _thread_member(self, thread_id: int, user_id: int) -> Json:
        return {"id": str(thread_id), "user_id": str(user_id), "join_timestamp": _now(),
                "flags": 0}  # fmt: skip

    def _bot_sees(self, channel: Json) -> bool:
        """Whether the bot may see a server's channel or thread (View Channel)."""
        if int(channel["guild_id"]) in self._bot_absent:
            return False
        return bool(self.permissions_in(int(channel["id"]), self.application_id) & VIEW_CHANNEL)

    def _threads_seen(self, guild_id: int) -> list[Json]:
        """The active threads of a server the bot may see (GUILD_CREATE's `threads`), each with
        the bot's own thread member where it is in it."""
        seen = []
        for thread_id, members in self._thread_members.items():
            thread = self._channels[thread_id]
            if thread["guild_id"] != str(guild_id) or not self._bot_sees(thread):
                continue
            mine = self.application_id in members
            seen.append({**thread, **({"member": self._thread_member(thread_id,
                         self.application_id)} if mine else {})})  # fmt: skip
        return seen

    async def _new_channel(self, guild: Guild, name: str, kind: int, *, nsfw: bool) -> int:
        listed = self._guilds[guild.id]["channels"]
        channel = self._add_channel(guild.id, name, kind, position=len(listed))
        channel["nsfw"] = nsfw
        listed.append(channel)
        await self._dispatch("CHANNEL_CREATE", channel, intent=GUILDS)
        return int(channel["id"])

    # -- incoming: messages ------------------------------------------------------------------

    def attachment(
        self,
        data: bytes,
        *,
        filename: str,
        content_type: str,
        duration: float | None = None,
        waveform: bytes | None = None,
    ) -> Json:
        """An uploaded file served by the CDN; `duration` (and `waveform`) make a voice message."""
        attachment_id = self.snowflake()
        path = f"{self.snowflake()}/{attachment_id}/{filename}"
        self._files[path] = (data, content_type)
        url = f"{self._origin}/attachments/{path}"
        body: Json = {
            "id": str(attachment_id), "filename": filename, "size": len(data), "url": url,
            "proxy_url": url, "content_type": content_type,
        }  # fmt: skip
        if duration is not None:
            body["duration_secs"] = duration
            body["waveform"] = base64.b64encode(waveform or bytes(range(0, 250, 10))).decode()
        return body

    def expire(self, attachment: Json) -> None:
        """Make the CDN forget a file, as Discord's signed attachment links expire."""
        path = attachment["url"].split("/attachments/", 1)[1]
        self._files.pop(path, None)

    async def post_message(
        self,
        channel_id: int,
        author_id: int,
        content: str = "",
        *,
        attachments: Sequence[Json] = (),
        at: datetime | None = None,
    ) -> Json:
        """A user posts a message (sent now, or at `at`: it then sits that far back in the
        channel's history); the bot hears of it through MESSAGE_CREATE. `author_id` may be the
        bot's own (`application_id`): Discord sends a bot its own messages too."""
        flags = VOICE_MESSAGE_FLAG if any("duration_secs" in a for a in attachments) else 0
        author = self.bot_user if author_id == self.application_id else self._users[author_id]
        message = self._message(channel_id, author, content, list(attachments), flags=flags, at=at)
        await self._deliver(channel_id, author_id, message)
        return message

    async def _deliver(
        self, channel_id: int, author_id: int, message: Json, event: str = "MESSAGE_CREATE"
    ) -> None:
        """`event` (MESSAGE_CREATE, MESSAGE_UPDATE) for `message`, to the bot where it sees the
        channel."""
        channel = self._channels[channel_id]
        if channel_id in self._bot_absent:
            return  # the bot hears nothing of a place it is not in
        if "guild_id" in channel:
            if author_id != self.application_id:  # the bot posts only where it may
                assert self.permissions_in(channel_id, author_id) & VIEW_CHANNEL, (
                    f"Discord does not show channel {channel_id} to user {author_id}"
                )
            if not self._bot_sees(channel):
                return  # a private thread the bot is not in, a channel hidden from it
            guild_id = int(channel["guild_id"])
            message["member"] = self._member(guild_id, author_id, with_user=False)
            message["mentions"] = self._mentions(guild_id, message["content"])
            await self._dispatch(event, message, intent=GUILD_MESSAGES)
        else:
            await self._dispatch(event, message, intent=DIRECT_MESSAGES)

    def _echo(self, sent: SentMessage, event: str) -> None:
        """Discord sends a bot its own messages too, as everyone's: `event` for `sent`, unless
        only its asker sees it (ephemeral) or the bot is not where it was sent (an answer in
        a place it was not added to, a private thread it is not in)."""
        channel = self._channels[sent.channel_id]
        if sent.ephemeral or sent.channel_id in self._bot_absent:
            return
        if "guild_id" in channel and not self._bot_sees(channel):
            return
        message = dict(self._posted[sent.id])
        if event == "MESSAGE_DELETE":
            data = {key: message[key] for key in ("id", "channel_id", "guild_id") if key in message}
            intent = GUILD_MESSAGES if "guild_id" in message else DIRECT_MESSAGES
            sending = self._dispatch(event, data, intent=intent)
        else:
            sending = self._deliver(sent.channel_id, self.application_id, message, event)
        echo = asyncio.ensure_future(sending)
        self._echoes.add(echo)
        echo.add_done_callback(self._echoed)

    def _echoed(self, echo: asyncio.Future[None]) -> None:
        self._echoes.discard(echo)
        failure = None if echo.cancelled() else echo.exception()
        if failure is not None:
            self._echo_failures.append(failure)

    async def post_webhook_message(self, channel_id: int, name: str, content: str) -> Json:
        """A webhook posts in a server's channel: its author is the webhook's name, marked a bot,
        with the message's `webhook_id` and no member."""
        webhook_id = self.snowflake()
        author = _user(webhook_id, name, bot=True)
        message = self._message(channel_id, author, content, [], flags=0)
        message["webhook_id"] = str(webhook_id)
        await self._dispatch("MESSAGE_CREATE", message, intent=GUILD_MESSAGES)
        return message

    def _mentions(self, guild_id: int, content: str) -> list[Json]:
        """The users `content` mentions (`<@id>`), each with their member, as Discord fills
        a message's `mentions`."""
        mentioned = []
        for user_id in dict.fromkeys(int(i) for i in re.findall(r"<@!?(\d+)>", content)):
            if user_id in self._users:
                user = dict(self._users[user_id])
                if (guild_id, user_id) in self._members:
                    user["member"] = self._member(guild_id, user_id, with_user=False)
                mentioned.append(user)
        return mentioned

    async def post_voice_message(
        self, channel_id: int, author_id: int, ogg: bytes, *, duration: float
    ) -> Json:
        """A user records a voice message (OGG/Opus) in the channel."""
        voice = self.attachment(
            ogg, filename="voice-message.ogg", content_type="audio/ogg", duration=duration
        )
        return await self.post_message(channel_id, author_id, attachments=[voice])

    async def forward_message(self, channel_id: int, author_id: int, original: Json) -> Json:
        """A user forwards `original` into the channel, as Discord makes a forward: a message
        of its own with no content or attachments, a reference of type 1 (forward) to the
        original, and the original's content, attachments and flags in `message_snapshots`."""
        message = self._message(channel_id, self._users[author_id], "", [], flags=0)
        message["message_reference"] = {
            "type": 1, "message_id": original["id"], "channel_id": original["channel_id"],
            **({"guild_id": original["guild_id"]} if "guild_id" in original else {}),
        }  # fmt: skip
        snapshot = {key: original[key] for key in (
            "type", "content", "embeds", "attachments", "timestamp", "edited_timestamp",
            "flags", "mentions", "mention_roles", "components",
        )}  # fmt: skip
        message["message_snapshots"] = [{"message": snapshot}]
        channel = self._channels[channel_id]
        if "guild_id" in channel:
            message["member"] = self._member(int(channel["guild_id"]), author_id, with_user=False)
            await self._dispatch("MESSAGE_CREATE", message, intent=GUILD_MESSAGES)
        else:
            await self._dispatch("MESSAGE_CREATE", message, intent=DIRECT_MESSAGES)
        return message

    async def delete_message(self, message: Json) -> None:
        """Its author deletes a message `post_message` returned: gone from GET and the channel's
        history; connected bots get MESSAGE_DELETE."""
        self._posted.pop(int(message["id"]), None)
        data = {key: message[key] for key in ("id", "channel_id", "guild_id") if key in message}
        intent = GUILD_MESSAGES if "guild_id" in message else DIRECT_MESSAGES
        await self._dispatch("MESSAGE_DELETE", data, intent=intent)

    async def edit_message(self, message: Json, content: str) -> Json:
        """Its author edits a message `post_message` returned: GET and the channel's history
        show the new content, with `edited_timestamp`; connected bots get MESSAGE_UPDATE with
        the whole message as MESSAGE_CREATE carries it (its member, its mentions; the content
        blanked without MESSAGE_CONTENT), as Discord sends it (events/gateway-events,
        "Message Update")."""
        stored = self._posted[int(message["id"])]
        stored.update(content=content, edited_timestamp=_now())
        if int(stored["channel_id"]) in self._bot_absent:
            return stored  # the bot hears nothing of a place it is not in
        if "guild_id" in stored:
            guild_id, author_id = int(stored["guild_id"]), int(stored["author"]["id"])
            stored["member"] = self._member(guild_id, author_id, with_user=False)
            stored["mentions"] = self._mentions(guild_id, content)
            await self._dispatch("MESSAGE_UPDATE", dict(stored), intent=GUILD_MESSAGES)
        else:
            await self._dispatch("MESSAGE_UPDATE", dict(stored), intent=DIRECT_MESSAGES)
        return stored

    async def purge_messages(self, messages: Sequence[Json]) -> None:
        """A moderator (or their bot) deletes several messages of one server channel at once,
        as `POST /channels/{id}/messages/bulk-delete` does: gone from GET and the history;
        connected bots get one MESSAGE_DELETE_BULK with their `ids`."""
        [channel_id] = {message["channel_id"] for message in messages}
        guild_id = self._channels[int(channel_id)]["guild_id"]
        for message in messages:
            self._posted.pop(int(message["id"]), None)
        data = {"ids": [m["id"] for m in messages], "channel_id": channel_id, "guild_id": guild_id}
        await self._dispatch("MESSAGE_DELETE_BULK", data, intent=GUILD_MESSAGES)

    async def replay(self, event: str, data: Json) -> None:
        """Send an event the bot already had once more, as Discord replays missed events to a
        session that resumes: MESSAGE_CREATE with what `post_message` returned, or
        INTERACTION_CREATE with a `FakeInteraction.payload`."""
        await self._dispatch(event, data, intent=None)

    # -- incoming: interactions --------------------------------------------------------------

    async def slash(
        self, channel_id: int, user_id: int, name: str, /, **options: Any
    ) -> FakeInteraction:
        """A user runs the slash command `name`; attachment options take `attachment()` dicts."""
        command = self._command(name, 1)
        sent, resolved = self._options(command, options, user_id)
        data: Json = {"id": command["id"], "name": name, "type": 1, "options": sent}
        if resolved:
            data["resolved"] = resolved
        return await self._interact(channel_id, user_id, 2, data, name)

    async def message_command(
        self, channel_id: int, user_id: int, name: str, target: Json
    ) -> FakeInteraction:
        """A user picks Apps → `name` on the message `target`."""
        command = self._command(name, 3)
        data = {
            "id": command["id"], "name": name, "type": 3, "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }  # fmt: skip
        return await self._interact(channel_id, user_id, 2, data, name)

    async def submit_modal(self, opened: FakeInteraction, *values: str) -> FakeInteraction:
        """The user fills in the modal the bot opened in answer to `opened` (its text inputs, in
        order, get `values`) and submits it: a MODAL_SUBMIT interaction."""
        assert opened.callback_type == 9, f"no modal opened: callback {opened.callback_type}"
        modal = opened.callback_data or {}
        inputs = [c for c in _walk(modal.get("components") or []) if c.get("type") == 4]
        assert len(inputs) == len(values), f"the modal has {len(inputs)} text input(s)"
        for entry, value in zip(inputs, values, strict=True):
            assert len(value) <= entry.get("max_length", 4000), "value too long for the input"
        filled = iter(values)
        components = [_filled(c, filled) for c in modal.get("components") or []]
        data = {"custom_id": modal["custom_id"], "components": components}
        payload = opened.payload
        user = (payload.get("member") or {}).get("user") or payload["user"]
        return await self._interact(
            int(payload["channel_id"]), int(user["id"]), 5, data, str(modal.get("title"))
        )

    async def click(
        self, message: SentMessage, user_id: int, *, label: str | None = None
    ) -> FakeInteraction:
        """A user presses the button under `message` (the one labelled `label`, or its only one):
        a MESSAGE_COMPONENT interaction carrying the message as the channel shows it now. Only
        a message the user sees: not a deleted one, nor someone else's ephemeral answer."""
        assert not message.deleted, "nobody can click a deleted message"
        if message.ephemeral:
            [asked] = [i for i in self.interactions if i.id == message.interaction_id]
            owner = (asked.payload.get("member") or {}).get("user") or asked.payload["user"]
            assert owner["id"] == str(user_id), "only its user sees an ephemeral message"
        shown = [b for b in message.buttons if label is None or b.get("label") == label]
        assert len(shown) == 1, f"no single button {label!r} under the message: {message.buttons}"
        [button] = shown
        assert "custom_id" in button and not button.get("disabled"), f"not clickable: {button}"
        data = {"custom_id": button["custom_id"], "component_type": 2}
        extra = {"message": self._posted[message.id]}
        return await self._interact(
            message.channel_id, user_id, 3, data, str(button["custom_id"]), extra=extra
        )

    async def autocomplete(
        self, channel_id: int, user_id: int, name: str, focused: str, typed: str
    ) -> FakeInteraction:
        """A user types `typed` into the option `focused` of the slash command `name`."""
        command = self._command(name, 1)
        option = next(o for o in command.get("options", []) if o["name"] == focused)
        assert option.get("autocomplete"), f"/{name} {focused} has no autocomplete"
        sent = [{"name": focused, "type": option["type"], "value": typed, "focused": True}]
        data = {"id": command["id"], "name": name, "type": 1, "options": sent}
        return await self._interact(channel_id, user_id, 4, data, name)

    # -- faults ------------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """End the token of every interaction so far now, as its 15 minutes running out would:
        a test waits for what it needs first, instead of racing a short lifetime."""
        for interaction in self.interactions:
            interaction.token_expired = True

    def rate_limit_next(
        self, route: str, *, times: int = 1, retry_after: float = 0.5, is_global: bool = False
    ) -> None:
        """Answer the next `times` requests of `route` (a template as in `Call.route`, e.g.
        ``"POST /channels/{channel_id}/messages"``) with 429 and `retry_after` seconds."""
        self._rate_limits[route] = [times, retry_after, is_global]

    def drop_next(self, route: str, *, times: int = 1) -> None:
        """Close the connection of the next `times` requests of `route` (a template as in
        `Call.route`) unanswered, as a proxy on the way that drops it would."""
        self._dropped[route] = times

    @contextlib.contextmanager
    def held(self, route: str) -> Iterator[None]:
        """Answer no request of `route` (a template as in `Call.route`) until the block ends, as
        a slow Discord would; each is in `calls` as it arrives. Ended by a failure too."""
        self._held[route] = release = asyncio.Event()
        try:
            yield
        finally:
            self._held.pop(route, None)
            release.set()

    def _rate_limited(self, call: RestCall) -> web.Response | None:
        limit = self._rate_limits.get(call.route)
        if not limit or limit[0] <= 0:
            return None
        limit[0] -= 1
        return self._too_many(call, float(limit[1]), is_global=bool(limit[2]))

    def _over_global_limit(self, call: RestCall, template: str) -> web.Response | None:
        """A 429 for a request with the bot token past `global_per_second` in the last second."""
        if template.startswith(("/interactions/", "/webhooks/")):
            return None
        while self._last_second and self._last_second[0] <= call.at - 1.0:
            self._last_second.popleft()
        if len(self._last_second) >= self.global_per_second:
            return self._too_many(call, self._last_second[0] + 1.0 - call.at, is_global=True)
        self._last_second.append(call.at)
        return None

    def _too_many(self, call: RestCall, retry_after: float, *, is_global: bool) -> web.Response:
        call.status = 429
        body = {"message": "You are being rate limited.", "retry_after": retry_after,
                "global": is_global}  # fmt: skip
        headers = {
            "Content-Type": "application/json", "Via": "1.1 google",
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Scope": "global" if is_global else "user",
        }  # fmt: skip
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        else:
            headers.update({
                "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": f"{zlib.crc32(call.route.encode()):08x}",
            })  # fmt: skip
        return web.Response(body=json.dumps(body).encode(), status=429, headers=headers)

    # -- outgoing ----------------------------------------------------------------------------

    def sent(self, route: str | None = None, *, include_refused: bool = False) -> list[RestCall]:
        """Accepted REST calls (all with `include_refused`) whose route template matches."""
        return [
            c for c in self.calls
            if (include_refused or c.ok) and (route is None or c.route == route)
        ]  # fmt: skip

    def messages_in(self, channel_id: int) -> list[SentMessage]:
        return [m for m in self.messages if m.channel_id == channel_id and not m.deleted]

    async def wait_for_messages(
        self, channel_id: int, count: int = 1, timeout: float = 15.0
    ) -> list[SentMessage]:
        """Wait until the bot posted ``count`` messages in the channel (interaction answers
        included); returns all of them."""
        return await self.wait_until(
            lambda: found if len(found := self.messages_in(channel_id)) >= count else None,
            timeout=timeout,
            what=f"{count} message(s) in channel {channel_id}",
        )

    def contents(self, channel_id: int) -> list[str]:
        """What the channel reads now, the bot's side of it: its messages' current text (edits
        applied, deleted ones gone), oldest first."""
        return [message.content for message in self.messages_in(channel_id)]

    async def wait_for_contents(
        self, channel_id: int, expected: list[str], timeout: float = 15.0
    ) -> None:
        """Wait until the channel reads exactly `expected` (see `contents`)."""
        try:
            await self.wait_until(
                lambda: self.contents(channel_id) == expected, timeout=timeout, what="contents"
            )
        except AssertionError as exc:
            reads = self.contents(channel_id)
            raise AssertionError(f"channel reads {reads!r}, not {expected!r}\n{exc}") from None

    async def wait_until_identified(self, count: int = 1, timeout: float = 15.0) -> None:
        """Wait until ``count`` gateway sessions identified and got READY and their guilds."""
        await self.wait_until(
            lambda: len(self.identify_payloads) >= count or None,
            timeout=timeout,
            what=f"{count} gateway IDENTIFY(s)",
        )

    def servers_of_the_bot(self) -> list[int]:
        """The ids of the servers the bot is in (each session gets a GUILD_CREATE for those of
        its shard)."""
        return [guild for guild in self._guilds if guild not in self._bot_absent]

    async def wait_until(self, probe: Callable[[], Any], *, timeout: float, what: str) -> Any:
        """Wait until `probe()` returns something true; return it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            changed = self._changed
            found = probe()
            if found:
                return found
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"expected {what} within {timeout}s.\n{self.describe()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def describe(self) -> str:
        """The REST calls so far, for failure messages."""
        lines = ["calls so far:"]
        for call in self.calls:
            outcome = "" if call.ok else f" -> {call.status} ({call.error_code})"
            lines.append(f"  {_fill(call.route, call.params)}{outcome}")
        if still := self.stalls.stood_still(0.0):
            lines.append(f"the test process stood still for {still:.1f} s in all")
        return "\n".join(lines)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # -- REST plumbing -----------------------------------------------------------------------

    def _routes(self) -> list[tuple[str, str, Callable[[RestCall, web.Request], Any]]]:
        return [
            ("GET", "/users/@me", self._get_me),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/channels/{channel_id}", self._get_channel),
            ("GET", "/guilds/{guild_id}", self._get_guild),
            ("PUT", "/applications/{application_id}/commands", self._put_commands),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._callback),
            ("POST", "/webhooks/{application_id}/{token}", self._followup),
            ("GET", "/webhooks/{application_id}/{token}/messages/@original", self._get_original),
            ("PATCH", "/webhooks/{application_id}/{token}/messages/@original", self._edit_original),
            ("DELETE", "/webhooks/{application_id}/{token}/messages/@original",
             self._delete_original),
            ("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}",
             self._edit_followup),
            ("POST", "/channels/{channel_id}/messages", self._create_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message),
            ("GET", "/channels/{channel_id}/messages", self._history),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message),
            ("GET", "/channels/{channel_id}/thread-members", self._thread_members_list),
            ("POST", "/channels/{channel_id}/typing", self._typing),
            ("PUT", "/channels/{channel_id}/voice-status", self._set_voice_status),
            ("PATCH", "/guilds/{guild_id}/members/@me", self._edit_my_member),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
        ]  # fmt: skip

    def _rest(
        self, method: str, template: str, handler: Callable[[RestCall, web.Request], Any]
    ) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.Response:
            call = RestCall(
                method, f"{method} {template}", dict(request.match_info), at=self.clock()
            )
            self.calls.append(call)
            try:
                self._authenticate(request, template)
                self._check_access(call)
                await _read_body(request, call)
                if (held := self._held.get(call.route)) is not None:
                    self._notify()
                    await held.wait()
                if self._dropped.get(call.route, 0) > 0:
                    self._dropped[call.route] -= 1
                    call.status = 0  # no answer at all
                    assert request.transport is not None
                    request.transport.close()
                    raise web.HTTPBadRequest()  # never sent: the connection is closed
                limited = self._rate_limited(call) or self._over_global_limit(call, template)
                if limited is not None:
                    return limited
                _check_request_body(method, template, call.body)
                result = await handler(call, request)
                self._check_answer(method, template, result)
            except DiscordError as error:
                call.status, call.error_code = error.status, error.code
                return _json(error.body(), status=error.status)
            except AssertionError as error:  # the stand-in's own mistake (`_check_answer`)
                call.status = 500
                return _json({"message": str(error), "code": 0}, status=500)
            finally:
                self._notify()
            if result is None:
                call.status = 204
                return web.Response(status=204)
            return _json(result)

        return handle

    def _check_answer(self, method: str, template: str, result: Any) -> None:
        """Answer only in the shape Discord's OpenAPI description gives the route: a property
        its response schema requires and the answer lacks is the stand-in's own mistake, kept in
        `unshaped` and raised."""
        if result is None:
            return
        schema = discord_api_description().response_schema(method, template, 200)
        if schema is None:
            return
        missing = discord_api_description().missing(schema, result, "")
        if missing:
            self.unshaped.extend(f"{method} {template}: {name}" for name in missing)
            raise AssertionError(
                f"the Discord stand-in answered {method} {template} without {', '.join(missing)}"
            )

    def _authenticate(self, request: web.Request, template: str) -> None:
        """The bot token, except on interaction and webhook routes, where the token in the path
        is the credential (a bot token sent along is accepted, a wrong one is not)."""
        sent = request.headers.get("Authorization")
        by_path = template.startswith(("/interactions/", "/webhooks/"))
        if sent != f"Bot {self.token}" and not (by_path and sent is None):
            raise DiscordError(401, 0, "401: Unauthorized")

    def _check_access(self, call: RestCall) -> None:
        """The bot's REST calls on a server or channel it is not in: 403, Missing Access."""
        for key in ("channel_id", "guild_id"):
            if key in call.params and int(call.params[key]) in self._bot_absent:
                raise DiscordError(403, 50001, "Missing Access")

    async def _cdn(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        if path not in self._files:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(path)
        data, content_type = self._files[path]
        return web.Response(body=data, headers={"Content-Type": content_type})

    # -- REST: login and commands ------------------------------------------------------------

    async def _get_me(self, call: RestCall, request: web.Request) -> Json:
        # Get Current User answers with what only the user itself sees of itself, too.
        return {**self.bot_user, "mfa_enabled": False, "locale": "en-US"}

    async def _get_application(self, call: RestCall, request: web.Request) -> Json:
        flags = sum(GRANTED_FLAGS[name] for name in self.privileged_intents)
        return {
            "id": str(self.application_id), "name": "voicebridge", "description": "",
            "icon": None, "bot_public": True, "bot_require_code_grant": False,
            "owner": self.owner, "verify_key": "0" * 64,
            "flags": flags, "flags_new": str(flags),
            "team": None, "summary": "", "rpc_origins": [], "type": None,
            "redirect_uris": [], "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "approximate_guild_count": len(self._guilds),
            "approximate_user_install_count": len(self._user_installs),
            "approximate_user_authorization_count": 0, "explicit_content_filter": 0,
            "eligible_oauth2_scopes": ["bot", "applications.commands"],
        }  # fmt: skip

    async def _get_gateway_bot(self, call: RestCall, request: web.Request) -> Json:
        return {
            "url": self.advertised_gateway or self.gateway_url,
            "shards": self.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                    "max_concurrency": 1},
        }  # fmt: skip

    async def _get_channel(self, call: RestCall, request: web.Request) -> Json:
        channel = self._channels.get(int(call.params["channel_id"]))
        if channel is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        return channel

    async def _get_guild(self, call: RestCall, request: web.Request) -> Json:
        guild_id = int(call.params["guild_id"])
        if guild_id not in self._guilds:
            raise DiscordError(404, 10004, "Unknown Guild")
        found = self._guild_json(guild_id, intents=0)
        # REST answers a guild without what only the gateway sends (channels, members...).
        gateway_only = {"channels", "members", "voice_states", "presences", "threads",
                        "joined_at", "member_count", "large", "unavailable",
                        "stage_instances", "guild_scheduled_events"}  # fmt: skip
        return {key: value for key, value in found.items() if key not in gateway_only}

    async def _put_commands(self, call: RestCall, request: web.Request) -> list[Json]:
        if call.params["application_id"] != str(self.application_id):
            raise DiscordError(403, 50001, "Missing Access")
        if not isinstance(call.body, list):
            raise invalid_form("_root", "LIST_TYPE_CONVERT", "Must be a list.")
        for index, command in enumerate(call.body):
            _check_command(index, command)
        keys = [(c.get("type", 1), c["name"]) for c in call.body]
        # At most 100 slash commands, 5 user menus and 5 message menus per application.
        for kind, most in ((1, 100), (2, 5), (3, 5)):
            if sum(1 for k, _ in keys if k == kind) > most:
                raise DiscordError(400, 30032, "Maximum number of application commands reached")
        if len(keys) != len(set(keys)):
            raise invalid_form("_root", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Duplicate name.")
        self.commands = [self._registered(command) for command in call.body]
        return self.commands

    def _registered(self, command: Json) -> Json:
        """A command as Discord stores and returns it: ids added, omitted fields defaulted."""
        defaults: Json = {
            "type": 1, "description": "", "options": [], "default_member_permissions": None,
            "dm_permission": True, "nsfw": False, "contexts": None, "integration_types": [0],
        }  # fmt: skip
        ids = {"id": str(self.snowflake()), "application_id": str(self.application_id),
               "version": str(self.snowflake())}  # fmt: skip
        present = {k: v for k, v in command.items() if v is not None}
        return {**defaults, **present, **ids}

    # -- REST: messages ----------------------------------------------------------------------

    async def _create_message(self, call: RestCall, request: web.Request) -> Json:
        channel_id = int(call.params["channel_id"])
        if channel_id not in self._channels:
            raise DiscordError(404, 10003, "Unknown Channel")
        body = _check_message(call, refuse_voice=self._voice_refusal())
        reference = body.get("message_reference") or {}
        reply_to = int(reference["message_id"]) if reference.get("message_id") else None
        if reply_to is not None and reply_to not in self._posted:
            if reference.get("fail_if_not_exists") is False:
                reply_to = None  # sent all the same, as a plain message
            else:
                raise invalid_form("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                   "Unknown message")  # fmt: skip
        return self._record(call, channel_id, body, reply_to=reply_to)

    async def _history(self, call: RestCall, request: web.Request) -> list[Json]:
        channel_id = int(call.params["channel_id"])
        if channel_id not in self._channels:
            raise DiscordError(404, 10003, "Unknown Channel")
        channel = self._channels[channel_id]
        if "guild_id" in channel:
            # As Discord: without View Channel, 403; without Read Message History, no messages.
            permissions = self.permissions_in(channel_id, self.application_id)
            if not permissions & VIEW_CHANNEL:
                raise DiscordError(403, 50001, "Missing Access")
            if not permissions & READ_MESSAGE_HISTORY:
                return []
        query = request.query
        if "around" in query:
            raise AssertionError("the stand-in does not serve history around a message")
        limit = int(query.get("limit", "50"))
        if not 1 <= limit <= 100:
            raise invalid_form("limit", "NUMBER_TYPE_MAX", "Must be between 1 and 100.")
        before, after = int(query.get("before", 2**63)), int(query.get("after", 0))
        hidden = {m.id for m in self.messages if m.deleted or m.ephemeral}
        found = sorted(
            (i for i, m in self._posted.items()
             if m["channel_id"] == str(channel_id) and after < i < before and i not in hidden),
        )  # fmt: skip
        chosen = found[:limit] if "after" in query and "before" not in query else found[-limit:]
        return [self._posted[i] for i in reversed(chosen)]

    async def _thread_members_list(self, call: RestCall, request: web.Request) -> list[Json]:
        """List Thread Members: the app needs the Server Members intent granted, and to see the
        thread; without `with_member`, every member at once (resources/channel). Without the
        intent Discord refuses the list (403, Missing Access), as libraries that called it for
        every new thread found (Discord.Net #2065); it does not answer an empty one."""
        thread_id = int(call.params["channel_id"])
        thread = self._channels.get(thread_id)
        if thread is None or thread_id not in self._thread_members:
            raise DiscordError(404, 10003, "Unknown Channel")
        if "guild_members" not in self.privileged_intents or not self._bot_sees(thread):
            raise DiscordError(403, 50001, "Missing Access")
        assert "with_member" not in request.query, "the stand-in does not page thread members"
        return [self._thread_member(thread_id, u) for u in sorted(self._thread_members[thread_id])]

    async def _get_message(self, call: RestCall, request: web.Request) -> Json:
        channel_id, message_id = int(call.params["channel_id"]), int(call.params["message_id"])
        if channel_id not in self._channels:
            raise DiscordError(404, 10003, "Unknown Channel")
        message = self._posted.get(message_id)
        hidden = {m.id for m in self.messages if m.deleted or m.ephemeral}
        if message is None or message["channel_id"] != str(channel_id) or message_id in hidden:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _typing(self, call: RestCall, request: web.Request) -> None:
        self.typing.append(int(call.params["channel_id"]))

    # -- REST: interactions ------------------------------------------------------------------

    async def _callback(self, call: RestCall, request: web.Request) -> Json | None:
        interaction = self._interaction_by_id(call.params["interaction_id"], call.params["token"])
        late = self.stalls.running(interaction.sent_at) > INTERACTION_DEADLINE
        if late or interaction.acknowledged:
            if late:
                raise DiscordError(404, 10062, "Unknown interaction")
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        callback = call.body if isinstance(call.body, dict) else {}
        kind, data = callback.get("type"), callback.get("data") or {}
        clicked = interaction.payload["type"] == 3
        if kind in {6, 7} and not clicked:  # they update the message a component is on
            raise invalid_form(
                "type", "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid response type here."
            )
        if (kind == 8) != (interaction.payload["type"] == 4):  # suggestions answer typing only
            raise invalid_form(
                "type", "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid response type here."
            )
        if kind == 8:
            _check_suggestions(data)
        if kind in {6, 7}:
            interaction.original = self._bot_message(int(interaction.payload["message"]["id"]))
        if kind == 7 and interaction.original is not None:
            self._edited(interaction.original, data)
        interaction.callback_type, interaction.callback_data = kind, data
        interaction.answered_at = time.monotonic()
        if kind == 5:
            interaction.loading = True
            interaction.loading_ephemeral = bool(data.get("flags", 0) & EPHEMERAL_FLAG)
        elif kind == 4:
            refusal = self._voice_refusal(interaction)
            message = _check_message(call, refuse_voice=refusal, body=data)
            channel_id = int(interaction.payload["channel_id"])
            self._record(call, channel_id, message, interaction=interaction, original=True)
        if request.query.get("with_response") not in {"1", "true", "True"}:
            return None
        answer: Json = {
            "interaction": {"id": str(interaction.id), "type": interaction.payload["type"],
                            "response_message_loading": kind == 5,
                            "response_message_ephemeral": interaction.loading_ephemeral},
        }  # fmt: skip
        shown = interaction.original
        if kind in {4, 7} and shown is not None and shown.id in self._posted:
            # The message the answer made or updated; a defer makes none, so has no resource.
            answer["resource"] = {"type": kind, "message": self._posted[shown.id]}
        return answer

    async def _followup(self, call: RestCall, request: web.Request) -> Json | None:
        interaction = self._interaction_by_token(call.params)
        body = _check_message(call, refuse_voice=self._voice_refusal(interaction))
        channel_id = int(interaction.payload["channel_id"])
        # The first follow-up to a deferred response fills its placeholder.
        becomes_original = interaction.loading and interaction.original is None
        message = self._record(
            call, channel_id, body, interaction=interaction, original=becomes_original
        )
        return message if request.query.get("wait") in {"1", "true", "True"} else None

    async def _get_original(self, call: RestCall, request: web.Request) -> Json:
        interaction = self._interaction_by_token(call.params)
        if interaction.original is None or interaction.original.deleted:
            raise DiscordError(404, 10008, "Unknown Message")
        return self._posted[interaction.original.id]

    async def _edit_original(self, call: RestCall, request: web.Request) -> Json:
        interaction = self._interaction_by_token(call.params)
        body = call.body if isinstance(call.body, dict) else {}
        if body.get("flags", 0) & VOICE_MESSAGE_FLAG:
            raise DiscordError(400, 50162, "Voice messages cannot be edited")
        if interaction.original is None:
            if not interaction.loading:
                raise DiscordError(404, 10008, "Unknown Message")
            body = _check_message(call, refuse_voice=None)
            channel_id = int(interaction.payload["channel_id"])
            return self._record(call, channel_id, body, interaction=interaction, original=True)
        return self._edited(interaction.original, body)

    async def _edit_followup(self, call: RestCall, request: web.Request) -> Json:
        """Edit one of the interaction's messages by its id (`@original` included)."""
        if call.params["message_id"] == "@original":
            return await self._edit_original(call, request)
        interaction = self._interaction_by_token(call.params)
        body = call.body if isinstance(call.body, dict) else {}
        wanted = int(call.params["message_id"])
        for message in interaction.messages:
            if message.id == wanted and not message.deleted:
                return self._edited(message, body)
        raise DiscordError(404, 10008, "Unknown Message")

    async def _set_voice_status(self, call: RestCall, request: web.Request) -> None:
        """A voice channel's status (the line under its name), set or cleared (`null`): at most
        500 characters; by a member in the channel with Set Voice Channel Status, by anyone
        else only with Manage Channels; told to the server as VOICE_CHANNEL_STATUS_UPDATE."""
        channel_id = int(call.params["channel_id"])
        channel = self._channels.get(channel_id)
        if channel is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        if channel["type"] != VOICE:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        body = call.body if isinstance(call.body, dict) else {}
        if "status" not in body:
            raise invalid_form("status", "BASE_TYPE_REQUIRED", "This field is required")
        status = body["status"]
        if status is not None and not isinstance(status, str):
            raise invalid_form("status", "BASE_TYPE_STRING", "Must be a string.")
        if status is not None and len(status) > VOICE_STATUS_CHARS:
            raise invalid_form("status", "BASE_TYPE_MAX_LENGTH", "Must be 500 or fewer in length.")
        guild_id = int(channel["guild_id"])
        present = self._voice_states.get(guild_id, {}).get(int(self.bot_user["id"])) == channel_id
        if not self.bot_permissions & (SET_VOICE_CHANNEL_STATUS if present else MANAGE_CHANNELS):
            raise DiscordError(403, 50013, "Missing Permissions")
        self.voice_statuses[channel_id] = status or None
        self.voice_status_changes.append((channel_id, status or None))
        update = {"id": str(channel_id), "guild_id": str(guild_id), "status": status}
        await self._dispatch("VOICE_CHANNEL_STATUS_UPDATE", update, intent=GUILDS)

    async def _get_member(self, call: RestCall, request: web.Request) -> Json:
        """Get Guild Member (resources/guild): one member as they are now, their roles and
        timeout; no privileged intent needed, unlike the list of a server's members."""
        guild_id, user_id = int(call.params["guild_id"]), int(call.params["user_id"])
        if guild_id not in self._guilds or guild_id in self._bot_absent:
            raise DiscordError(404, 10004, "Unknown Guild")
        if (guild_id, user_id) not in self._members:
            raise DiscordError(404, 10007, "Unknown Member")
        member = self._member(guild_id, user_id, with_user=True)
        member.pop("permissions")  # an interaction's member alone carries them
        return {"banner": None, "premium_since": None, **member}  # as GuildMemberResponse has

    async def _edit_my_member(self, call: RestCall, request: web.Request) -> Json:
        """Modify Current Member (resources/guild): the bot's own nickname in a server, which
        takes Change Nickname there; 1 to 32 characters, empty or null resets it. The server
        hears of it as GUILD_MEMBER_UPDATE."""
        guild_id, bot = int(call.params["guild_id"]), self.application_id
        if guild_id not in self._guilds:
            raise DiscordError(404, 10004, "Unknown Guild")
        body = call.body if isinstance(call.body, dict) else {}
        if "nick" in body:
            nick = body["nick"]
            if nick is not None and not isinstance(nick, str):
                raise invalid_form("nick", "BASE_TYPE_STRING", "Must be a string.")
            if nick is not None and len(nick) > NICK_CHARS:
                raise invalid_form(
                    "nick", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."
                )
            granted = self.guild_permissions(guild_id, bot) | self.bot_permissions
            if not granted & CHANGE_NICKNAME:
                raise DiscordError(403, 50013, "Missing Permissions")
            self._member_state.setdefault((guild_id, bot), {})["nick"] = nick or None
            self.nick_changes.append((guild_id, nick or None))
            await self._member_updated(guild_id, bot)
        return self._member(guild_id, bot, with_user=True)

    def nick_of(self, guild: Guild, user_id: int) -> str | None:
        """A member's nickname in the server (None: none, their name shows)."""
        nick = self._member_state.get((guild.id, user_id), {}).get("nick")
        return nick if isinstance(nick, str) else None

    async def set_nick(self, guild: Guild, user_id: int, nick: str | None) -> None:
        """A moderator gives a member (the bot, say) a nickname (GUILD_MEMBER_UPDATE)."""
        self._member_state.setdefault((guild.id, user_id), {})["nick"] = nick
        await self._member_updated(guild.id, user_id)

    async def _edit_message(self, call: RestCall, request: web.Request) -> Json:
        body = call.body if isinstance(call.body, dict) else {}
        return self._edited(self._own_message(call.params), body)

    def _bot_message(self, message_id: int) -> SentMessage | None:
        return next((m for m in self.messages if m.id == message_id and not m.deleted), None)

    async def _delete_message(self, call: RestCall, request: web.Request) -> None:
        message = self._own_message(call.params)
        message.deleted = True
        self._echo(message, "MESSAGE_DELETE")

    def _own_message(self, params: dict[str, str]) -> SentMessage:
        """A message the bot sent in that channel and did not delete (edits and deletes of
        other people's messages are not what this bot does)."""
        for message in self.messages:
            if message.id == int(params["message_id"]) and not message.deleted:
                if message.channel_id != int(params["channel_id"]):
                    break
                return message
        raise DiscordError(404, 10008, "Unknown Message")

    def _edited(self, message: SentMessage, body: Json) -> Json:
        if message.is_voice_message:
            raise DiscordError(400, 50162, "Voice messages cannot be edited")
        if "content" in body:
            content = str(body["content"] or "")
            if len(content) > 2000:
                raise DiscordError(400, 50035, "Invalid Form Body")
            message.content = content
            self._posted[message.id]["content"] = content
            self.edits.append((message.id, content))
        if body.get("components") is not None:
            message.components = _checked_components(body)
            self._posted[message.id]["components"] = message.components
        self._posted[message.id]["edited_timestamp"] = _now()
        self._echo(message, "MESSAGE_UPDATE")
        return self._posted[message.id]

    async def _delete_original(self, call: RestCall, request: web.Request) -> None:
        interaction = self._interaction_by_token(call.params)
        if interaction.original is not None and not interaction.original.deleted:
            interaction.original.deleted = True
            self._echo(interaction.original, "MESSAGE_DELETE")
        elif interaction.loading and not interaction.placeholder_deleted:
            interaction.placeholder_deleted = True
        else:
            raise DiscordError(404, 10008, "Unknown Message")
        interaction.loading = False

    def _interaction_by_id(self, interaction_id: str, token: str) -> FakeInteraction:
        for interaction in self.interactions:
            if str(interaction.id) == interaction_id and interaction.token == token:
                return interaction
        raise DiscordError(404, 10062, "Unknown interaction")

    def _interaction_by_token(self, params: dict[str, str]) -> FakeInteraction:
        for interaction in self.interactions:
            mine = params["application_id"] == str(self.application_id)
            if mine and interaction.token == params["token"] and interaction.acknowledged:
                lapsed = time.monotonic() - interaction.sent_at > self.interaction_token_seconds
                if lapsed or interaction.token_expired:
                    raise DiscordError(401, 50027, "Invalid Webhook Token")
                return interaction
        raise DiscordError(404, 10015, "Unknown Webhook")

    def _record(
        self,
        call: RestCall,
        channel_id: int,
        body: Json,
        *,
        reply_to: int | None = None,
        interaction: FakeInteraction | None = None,
        original: bool = False,
    ) -> Json:
        """Store a message the bot sent; returns it as Discord's API would."""
        files = {f.field_name: f for f in call.files}
        attachments = [_sent_attachment(entry, files) for entry in body.get("attachments") or []]
        flags = int(body.get("flags") or 0)
        ephemeral = bool(flags & EPHEMERAL_FLAG)
        if original and interaction is not None and interaction.loading:
            # Filling a deferred placeholder is an edit: its flags are the defer's, and an edit
            # cannot make a voice message (the audio stays, as an ordinary file).
            ephemeral = interaction.loading_ephemeral
            flags = 0
            attachments = [replace(a, duration_secs=None, waveform=None) for a in attachments]
        sent = SentMessage(
            id=self.snowflake(), channel_id=channel_id, content=str(body.get("content") or ""),
            flags=flags & ~EPHEMERAL_FLAG | (EPHEMERAL_FLAG if ephemeral else 0),
            attachments=attachments, ephemeral=ephemeral, reply_to=reply_to,
            interaction_id=interaction.id if interaction else None,
            allowed_mentions=body.get("allowed_mentions"), components=_checked_components(body),
        )  # fmt: skip
        self.messages.append(sent)
        if interaction is not None:
            interaction.messages.append(sent)
            if original:
                interaction.original, interaction.loading = sent, False
        uploaded = [self._uploaded(channel_id, a) for a in attachments]
        message = self._message(channel_id, self.bot_user, sent.content, uploaded, flags=sent.flags)
        self._posted.pop(int(message["id"]))  # stored below under the id the bot was given
        message["id"], message["components"] = str(sent.id), sent.components
        if reply_to is not None:
            message["type"] = 19  # REPLY
            message["message_reference"] = {
                "type": 0,  # a reply (1 is a forward)
                "message_id": str(reply_to),
                "channel_id": str(channel_id),
            }
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
        self._posted[sent.id] = message
        self._echo(sent, "MESSAGE_CREATE")
        return message

    def _uploaded(self, channel_id: int, attachment: SentAttachment) -> Json:
        body = self.attachment(
            attachment.data, filename=attachment.filename, content_type=attachment.content_type
        )
        if attachment.duration_secs is not None:
            body["duration_secs"] = attachment.duration_secs
            body["waveform"] = base64.b64encode(attachment.waveform or b"").decode()
        return body

    # -- gateway -----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        if request.query.get("encoding", "json") != "json" or compress not in {None, "zlib-stream"}:
            await ws.close(code=4002, message=b"Unsupported encoding or compression.")
            return ws
        session = _Session(ws, zlib_stream=compress == "zlib-stream")
        self._sessions.append(session)
        try:
            await session.send({"op": 10, "d": {"heartbeat_interval": 41250}})
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    await self._gateway_op(session, json.loads(frame.data))
        finally:
            self._sessions.remove(session)
            # Who closed first decides: the stand-in's own code, else the one the bot sent.
            self.closed_sessions.append(session.close_code or ws.close_code)
            self._notify()
        return ws

    async def _gateway_op(self, session: _Session, payload: Json) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            await session.send({"op": 11})
        elif op == 2:
            await self._identify(session, data or {})
        elif op == 4:
            self.voice_state_requests.append(data or {})
            await self._voice_state_request(session, data or {})
            self._notify()
        elif op == 6:  # RESUME: sessions are not kept, so start over
            await session.send({"op": 9, "d": False})

    async def _voice_state_request(self, session: _Session, data: Json) -> None:
        """Opcode 4: the bot joins a voice channel (VOICE_STATE_UPDATE, then VOICE_SERVER_UPDATE
        with a token of the voice server's) or leaves one (channel_id null). Asking again for
        the channel it is in answers both again, with the same token, when its voice connection
        there has ended (a reconnect) or was made by another gateway session (a process started
        again); while it lasts, only VOICE_STATE_UPDATE (a change of its
        self_mute or self_deaf: VOICE_SERVER_UPDATE comes on joining and when the voice server
        fails over, gateway-events#voice-server-update). A channel that is not a voice channel
        of the server, or one where the bot lacks Connect, gets no answer: the bot times out, as
        with Discord."""
        guild_id, channel_id = int(data.get("guild_id") or 0), data.get("channel_id")
        if guild_id not in self._guilds or guild_id in self._bot_absent:
            return
        me = self.application_id
        if channel_id is None:
            self._voice_states.get(guild_id, {}).pop(me, None)
            self.voice.revoke(guild_id, me)
            left = self._voice_state(guild_id, me, None, session_id=session.session_id)
            await self._dispatch("VOICE_STATE_UPDATE", left, intent=GUILD_VOICE_STATES)
            return
        channel = self._channels.get(int(channel_id))
        in_guild = channel is not None and channel.get("guild_id") == str(guild_id)
        if channel is None or not in_guild or channel["type"] not in {VOICE, STAGE}:
            return
        if not self.permissions_in(int(channel_id), me) & CONNECT:
            return
        staying = self._voice_states.get(guild_id, {}).get(me) == int(channel_id)
        # A voice connection belongs to the gateway session that made it: a new session (the
        # bot's process started again) gets a voice session of its own, as with Discord.
        call = self.voice.live_call(guild_id, int(channel_id))
        live = staying and call is not None and call.grant.session_id == session.session_id
        self._voice_states.setdefault(guild_id, {})[me] = int(channel_id)
        flags = {key: bool(data.get(key)) for key in ("self_mute", "self_deaf")}
        self.voice.deafen(guild_id, me, flags["self_deaf"])
        state = self._voice_state(
            guild_id, me, int(channel_id), session_id=session.session_id, **flags
        )
        await self._dispatch("VOICE_STATE_UPDATE", state, intent=GUILD_VOICE_STATES)
        if live:
            return
        token = self.voice.grant(guild_id, int(channel_id), me, session.session_id)
        if self.stale_voice_tokens > 0:
            self.stale_voice_tokens -= 1
            self.voice.revoke(guild_id, me)
        server = {"token": token, "guild_id": str(guild_id), "endpoint": self.voice.endpoint}
        await self._send_event(session, "VOICE_SERVER_UPDATE", server)

    async def _identify(self, session: _Session, data: Json) -> None:
        if data.get("token") != self.token:
            await session.close(4004, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int):
            await session.close(4013, "Invalid intent(s).")
            return
        granted = sum(PRIVILEGED[name] for name in self.privileged_intents)
        if intents & sum(PRIVILEGED.values()) & ~granted:
            await session.close(4014, "Disallowed intent(s).")
            return
        shard = data.get("shard", [0, 1])
        if not (isinstance(shard, list) and len(shard) == 2 and 0 <= shard[0] < shard[1]):
            await session.close(4010, "Invalid shard.")
            return
        session.intents = intents
        session.shard = (shard[0], shard[1])
        guilds = [
            g for g in self._guilds
            if _shard_of(g, shard[1]) == shard[0] and g not in self._bot_absent
        ]  # fmt: skip
        session.session_id = secrets.token_hex(16)
        ready = {
            "v": 10, "user": self.bot_user, "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url, "shard": shard,
            "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [], "relationships": [], "presences": [],
        }  # fmt: skip
        await self._send_event(session, "READY", ready)
        if intents & GUILDS:
            for guild_id in guilds:
                await self._send_event(session, "GUILD_CREATE", self._guild_json(guild_id, intents))
        session.identified = True
        self.identify_payloads.append(data)
        self._notify()

    async def _send_event(self, session: _Session, event: str, data: Json) -> None:
        session.sequence += 1
        await session.send({"op": 0, "t": event, "s": session.sequence, "d": data})

    async def _dispatch(self, event: str, data: Json, *, intent: int | None) -> None:
        """Send an event to every identified session whose intents cover it, on the shard that
        owns its server (direct messages: shard 0)."""
        guild = data.get("guild_id")
        for session in list(self._sessions):
            if not session.identified or (intent is not None and not session.intents & intent):
                continue
            shard_id, count = session.shard
            if (_shard_of(int(guild), count) if guild else 0) != shard_id:
                continue
            await self._send_event(session, event, self._as_seen_by(session, event, data))

    def _as_seen_by(self, session: _Session, event: str, data: Json) -> Json:
        """Without MESSAGE_CONTENT, Discord blanks guild messages not aimed at the bot (its own
        are not blanked)."""
        if event not in {"MESSAGE_CREATE", "MESSAGE_UPDATE"} or "guild_id" not in data:
            return data
        if data["author"]["id"] == self.bot_user["id"]:
            return data
        if session.intents & MESSAGE_CONTENT:
            return data
        if any(u["id"] == self.bot_user["id"] for u in data.get("mentions", [])):
            return data
        return {**data, "content": "", "attachments": [], "embeds": [], "components": []}

    async def _interact(
        self,
        channel_id: int,
        user_id: int,
        kind: int,
        data: Json,
        name: str,
        *,
        extra: Json | None = None,
    ) -> FakeInteraction:
        channel = self._channels[channel_id]
        context, owners = self._installs_at(channel, user_id)
        if kind in {2, 4}:  # a command the user's client offers them here, or none
            command = self._command_by_id(data["id"])
            owners = self._offered(command, context, owners)
            self._permitted(command, channel, user_id)
        absent = channel_id in self._bot_absent
        # The id carries the interaction's creation time, which clients read its token's
        # 15 minutes from: dated so they end when this stand-in's shorter token does.
        born = time.time() - (INTERACTION_TOKEN_SECONDS - self.interaction_token_seconds)
        payload: Json = {
            "id": str(self.snowflake(datetime.fromtimestamp(born, UTC))),
            "application_id": str(self.application_id),
            "type": kind, "data": data, "channel_id": str(channel_id), "channel": channel,
            "token": secrets.token_urlsafe(24), "version": 1,
            "locale": self._locales.get(user_id, "en-US"),
            "app_permissions": str(USER_INSTALL_PERMISSIONS if absent else self.bot_permissions),
            "entitlements": [], "attachment_size_limit": 10 * 1024 * 1024,
            "context": context, "authorizing_integration_owners": owners, **(extra or {}),
        }  # fmt: skip
        if "guild_id" in channel:
            guild_id = int(channel["guild_id"])
            member = self._member(guild_id, user_id, with_user=True)
            # What the member may do in this channel, overwrites applied, as Discord sends it.
            member["permissions"] = str(self.permissions_in(channel_id, user_id))
            assert int(member["permissions"]) & VIEW_CHANNEL, (
                f"Discord does not show channel {channel_id} to this member: no View Channel"
            )
            payload.update(guild_id=str(guild_id), guild_locale=self._locales[guild_id],
                           member=member)  # fmt: skip
            if absent:  # a server the bot is not in: what little Discord says of it
                payload["guild"] = {"id": str(guild_id), "locale": self._locales[guild_id],
                                    "features": []}  # fmt: skip
        else:
            payload["user"] = self._users[user_id]
        interaction = FakeInteraction(int(payload["id"]), payload["token"], name, payload, self)
        self.interactions.append(interaction)
        interaction.sent_at = time.monotonic()
        await self._dispatch("INTERACTION_CREATE", payload, intent=None)
        return interaction

    def _installs_at(self, channel: Json, user_id: int) -> tuple[int, dict[str, str]]:
        """The interaction context of `channel`, and the installs that could authorize a
        command there (`authorizing_integration_owners`: "0" the server, "0" itself in the
        bot's DMs; "1" the user, where they installed the app)."""
        owners: dict[str, str] = {}
        if "guild_id" in channel:
            context = GUILD_CONTEXT
            if int(channel["guild_id"]) not in self._bot_absent:
                owners[str(GUILD_INSTALL)] = channel["guild_id"]
        elif int(channel["id"]) in self._bot_absent:
            context = PRIVATE_CHANNEL_CONTEXT
        else:
            context = BOT_DM_CONTEXT
            owners[str(GUILD_INSTALL)] = "0"
        if user_id in self._user_installs:
            owners[str(USER_INSTALL)] = str(user_id)
        return context, owners

    @staticmethod
    def _offered(command: Json, context: int, owners: dict[str, str]) -> dict[str, str]:
        """The installs a command is offered through here; a command declared for none of
        them, or not for this context, is not in the user's client at all."""
        declared = {str(kind) for kind in command.get("integration_types") or [GUILD_INSTALL]}
        contexts = command.get("contexts")  # None: every context
        through = {kind: owner for kind, owner in owners.items() if kind in declared}
        assert through and (contexts is None or context in contexts), (
            f"Discord does not offer {command['name']!r} here: context {context}, installs "
            f"{sorted(owners)}; it declares contexts {contexts}, installs {sorted(declared)}"
        )
        return through

    def _permitted(self, command: Json, channel: Json, user_id: int) -> None:
        """In a server, a command that declares `default_member_permissions` is shown only to
        members who have all of them (an administrator has every one); "0" shows it to
        administrators alone. Elsewhere (DMs, group DMs) the field does not apply."""
        needed = command.get("default_member_permissions")
        if needed is None or "guild_id" not in channel:
            return
        key = (int(channel["guild_id"]), user_id)
        held = self.guild_permissions(*key) if key in self._members else 0
        required = int(needed)
        shown = held & ADMINISTRATOR or (required != 0 and held & required == required)
        assert shown, (
            f"Discord does not show {command['name']!r} to this member: it needs permissions "
            f"{needed}, they have {held}"
        )

    def _command_by_id(self, command_id: str) -> Json:
        return next(c for c in self.commands if c["id"] == command_id)

    # -- JSON shapes -------------------------------------------------------------------------

    def _add_channel(self, guild_id: int, name: str, kind: int, *, position: int) -> Json:
        channel_id = self.snowflake()
        channel: Json = {
            "id": str(channel_id), "type": kind, "guild_id": str(guild_id), "name": name,
            "position": position, "permission_overwrites": [], "nsfw": False, "parent_id": None,
            "rate_limit_per_user": 0, "flags": 0,
        }  # fmt: skip
        if kind in {VOICE, STAGE}:
            channel.update(bitrate=64000, user_limit=0, rtc_region=None)
        else:
            channel.update(topic=None, last_message_id=None)
        self._channels[channel_id] = channel
        return channel

    def _member(self, guild_id: int, user_id: int, *, with_user: bool) -> Json:
        if (guild_id, user_id) not in self._members:
            raise KeyError(f"user {user_id} is not a member of guild {guild_id}")
        state = self._member_state.get((guild_id, user_id), {})
        member: Json = {
            "roles": [str(r) for r in self._members[(guild_id, user_id)]],
            "joined_at": _now(), "deaf": bool(state.get("deaf")),
            "mute": bool(state.get("mute")), "flags": 0, "pending": False,
            "nick": state.get("nick"),
            "avatar": None, "banner": None, "premium_since": None,
            "permissions": str(self.guild_permissions(guild_id, user_id)),
            "communication_disabled_until": state.get("communication_disabled_until"),
        }  # fmt: skip
        if with_user:
            member["user"] = self._users.get(user_id) or self.bot_user
        return member

    def _voice_state(
        self, guild_id: int, user_id: int, channel_id: int | None, **given: Any
    ) -> Json:
        """A voice state as Discord sends it: the server mute and deafen the member's; in a
        stage channel everyone joins as audience (`suppress`) until made a speaker."""
        member = self._member(guild_id, user_id, with_user=True)
        stage = channel_id is not None and self._channels[channel_id]["type"] == STAGE
        return {
            "guild_id": str(guild_id), "channel_id": str(channel_id) if channel_id else None,
            "user_id": str(user_id), "member": member,
            "session_id": secrets.token_hex(8), "deaf": member["deaf"], "mute": member["mute"],
            "self_deaf": False, "self_mute": False, "self_video": False, "suppress": stage,
            "request_to_speak_timestamp": None, **given,
        }  # fmt: skip

    def _guild_json(self, guild_id: int, intents: int) -> Json:
        guild = self._guilds[guild_id]
        states = self._voice_states.get(guild_id, {}) if intents & GUILD_VOICE_STATES else {}
        return {
            **guild, "icon": None, "owner_id": str(self.snowflake()), "unavailable": False,
            "roles": self._roles[guild_id], "emojis": [], "stickers": [], "features": [],
            "threads": self._threads_seen(guild_id),
            # Without GUILD_PRESENCES, Discord sends the bot and the members in voice only
            # (events/gateway-events, "Guild Create").
            "members": [
                self._member(guild_id, user, with_user=True)
                for user in dict.fromkeys([self.application_id, *states])
            ],
            "voice_states": [self._voice_state(guild_id, u, c) for u, c in states.items()],
            "presences": [], "stage_instances": [], "guild_scheduled_events": [],
            "member_count": sum(1 for g, _ in self._members if g == guild_id), "large": False,
            "joined_at": _now(), "preferred_locale": self._locales[guild_id], "afk_timeout": 300,
            "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
            "system_channel_flags": 0,
        }  # fmt: skip

    def _message(
        self,
        channel_id: int,
        author: Json,
        content: str,
        attachments: list[Json],
        *,
        flags: int,
        at: datetime | None = None,
    ) -> Json:
        message_id = self.snowflake(at)
        message: Json = {
            "id": str(message_id), "channel_id": str(channel_id), "author": author,
            "content": content, "timestamp": at.isoformat() if at else _now(),
            "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "embeds": [],
            "attachments": attachments, "pinned": False, "type": 0, "flags": flags,
            "components": [],
        }  # fmt: skip
        channel = self._channels[channel_id]
        if "guild_id" in channel:
            message["guild_id"] = channel["guild_id"]
        self._posted[message_id] = message
        return message

    def _command(self, name: str, kind: int) -> Json:
        for command in self.commands:
            if command["name"] == name and command["type"] == kind:
                return command
        raise AssertionError(f"the bot did not register command {name!r} of type {kind}")

    def _options(
        self, command: Json, given: dict[str, Any], user_id: int
    ) -> tuple[list[Json], Json]:
        """The options as Discord sends them (typed as registered), and what they resolve to:
        attachments, and channels (given by id) with the member's permissions there, only of
        the types the option allows."""
        declared = {o["name"]: o for o in command.get("options", [])}
        sent: list[Json] = []
        resolved: Json = {}
        for name, value in given.items():
            assert name in declared, f"/{command['name']} has no option {name!r}"
            kind = declared[name]["type"]
            if kind == _OPTION_TYPES["string"]:  # the client lets nobody type more
                assert len(value) <= declared[name].get("max_length", MAX_OPTION), (
                    f"Discord does not send {len(value)} characters in /{command['name']} {name}"
                )
            if kind == _OPTION_TYPES["attachment"]:
                resolved.setdefault("attachments", {})[value["id"]] = value
                value = value["id"]
            if kind == _OPTION_TYPES["channel"]:
                value = str(value)
                resolved.setdefault("channels", {})[value] = self._resolved_channel(
                    declared[name], int(value), user_id
                )
            sent.append({"name": name, "type": kind, "value": value})
        missing = [n for n, o in declared.items() if o.get("required") and n not in given]
        assert not missing, f"/{command['name']} needs {missing}"
        return sent, resolved

    def _resolved_channel(self, option: Json, channel_id: int, user_id: int) -> Json:
        """A channel option's value as Discord resolves it: the member's client offers only
        the types the option allows and the channels they can see."""
        channel = self._channels[channel_id]
        allowed = option.get("channel_types")
        assert not allowed or channel["type"] in allowed, f"the option takes {allowed} only"
        permissions = self.permissions_in(channel_id, user_id)
        assert permissions & VIEW_CHANNEL, "the member's client does not show that channel"
        keys = ("id", "name", "type", "parent_id", "guild_id")
        return {**{k: channel[k] for k in keys if k in channel}, "permissions": str(permissions)}


# -- request bodies ----------------------------------------------------------------------------


async def _read_body(request: web.Request, call: RestCall) -> None:
    """Decode a JSON or multipart body into `call.body` and `call.files`."""
    content_type = request.content_type
    if content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            name = part.name or ""
            if name == "payload_json":
                call.body = json.loads(data)
            else:
                kind = part.headers.get("Content-Type", "application/octet-stream")
                call.files.append(SentFile(name, part.filename or "", bytes(data), kind))
    elif request.can_read_body:
        raw = await request.read()
        if raw:
            if content_type != "application/json":
                raise DiscordError(400, 50109, "The request body contains invalid JSON.")
            call.body = json.loads(raw)


def _check_request_body(method: str, template: str, body: Any) -> None:
    """A request body's properties that its schema in Discord's OpenAPI description does not
    have, where the schema says ``additionalProperties: false``: 50035, naming the first."""
    schema = discord_api_description().request_schema(method, template)
    if schema is None or body is None:
        return
    for path in discord_api_description().unknown(schema, body, ""):
        raise invalid_form(path.lstrip("."), "UNKNOWN_FIELD", "Unknown field.")  # code ours


def _check_message(
    call: RestCall, *, refuse_voice: DiscordError | None, body: Json | None = None
) -> Json:
    """The message body if Discord would accept it; else the error Discord answers."""
    body = body if body is not None else (call.body if isinstance(call.body, dict) else {})
    content = str(body.get("content") or "")
    if len(content) > MAX_CONTENT:
        raise invalid_form(
            "content", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTENT} or fewer in length."
        )
    attachments = body.get("attachments") or []
    components = _checked_components(body)
    if not content and not call.files and not body.get("embeds") and not components:
        raise DiscordError(400, 50006, "Cannot send an empty message")
    if int(body.get("flags") or 0) & VOICE_MESSAGE_FLAG:
        _check_voice_message(content, attachments, call.files, refuse=refuse_voice)
    return body


MAX_ROWS, MAX_BUTTONS, MAX_CUSTOM_ID, MAX_LABEL = 5, 5, 100, 80
COMPONENTS_V2_FLAG = 1 << 15


def _checked_components(body: Json) -> list[Json]:
    """A message's `components` as Discord stores them (numbered), if it would accept them:
    action rows of buttons (see the module docstring); else the 50035 Discord answers."""
    rows = body.get("components") or []
    if int(body.get("flags") or 0) & COMPONENTS_V2_FLAG:
        raise DiscordError(400, 50035, "Components V2 are not modelled by this stand-in")
    if not isinstance(rows, list):
        raise invalid_form("components", "LIST_TYPE_CONVERT", "Must be a list.")
    if len(rows) > MAX_ROWS:
        raise invalid_form("components", "BASE_TYPE_MAX_LENGTH",
                           f"Must be {MAX_ROWS} or fewer in length.")  # fmt: skip
    numbers = itertools.count(1)
    custom_ids: set[str] = set()
    stored = []
    for index, row in enumerate(rows):
        spot = f"components.{index}"
        if not isinstance(row, dict) or row.get("type") != 1:
            raise invalid_form(f"{spot}.type", "UNION_TYPE_CHOICES",
                               "Value of field \"type\" must be one of (1,).")  # fmt: skip
        buttons = row.get("components") or []
        if not 1 <= len(buttons) <= MAX_BUTTONS:
            raise invalid_form(f"{spot}.components", "BASE_TYPE_BAD_LENGTH",
                               f"Must be between 1 and {MAX_BUTTONS} in length.")  # fmt: skip
        row_number = next(numbers)  # depth first: the row, then its buttons
        checked = [
            _checked_button(f"{spot}.components.{number}", button, custom_ids, next(numbers))
            for number, button in enumerate(buttons)
        ]
        stored.append({"type": 1, "id": row_number, "components": checked})
    return stored


def _checked_button(spot: str, button: Json, custom_ids: set[str], number: int) -> Json:
    kind = button.get("type") if isinstance(button, dict) else None
    if kind in {3, 5, 6, 7, 8}:
        raise DiscordError(400, 50035, f"select menus are not modelled by this stand-in ({spot})")
    if kind != 2:
        raise invalid_form(
            f"{spot}.type", "UNION_TYPE_CHOICES", "Value must be one of (2, 3, 5, 6, 7, 8)."
        )
    style, label = button.get("style"), button.get("label")
    if style == 6:
        raise DiscordError(400, 50035, f"premium buttons are not modelled here ({spot})")
    if style not in {1, 2, 3, 4, 5}:
        raise invalid_form(f"{spot}.style", "BASE_TYPE_CHOICES",
                           "Value must be one of (1, 2, 3, 4, 5, 6).")  # fmt: skip
    if label is None and not button.get("emoji"):
        raise invalid_form(f"{spot}.label", "BUTTON_LABEL_OR_EMOJI_REQUIRED",
                           "A button needs a label or an emoji.")  # fmt: skip
    if label is not None and not 1 <= len(str(label)) <= MAX_LABEL:
        raise invalid_form(f"{spot}.label", "BASE_TYPE_BAD_LENGTH",
                           f"Must be between 1 and {MAX_LABEL} in length.")  # fmt: skip
    if style == 5:
        if not button.get("url") or "custom_id" in button:
            raise invalid_form(f"{spot}.url", "BUTTON_COMPONENT_URL_REQUIRED",
                               "A link button has a url and no custom_id.")  # fmt: skip
        return {**button, "id": number}
    custom_id = button.get("custom_id")
    if not isinstance(custom_id, str) or "url" in button:
        raise invalid_form(f"{spot}.custom_id", "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED",
                           "A non-link button must have a custom_id.")  # fmt: skip
    if not 1 <= len(custom_id) <= MAX_CUSTOM_ID:
        raise invalid_form(f"{spot}.custom_id", "BASE_TYPE_BAD_LENGTH",
                           f"Must be between 1 and {MAX_CUSTOM_ID} in length.")  # fmt: skip
    if custom_id in custom_ids:
        raise invalid_form(f"{spot}.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED",
                           "Component custom id cannot be duplicated.")  # fmt: skip
    custom_ids.add(custom_id)
    return {**button, "id": number}


def _check_voice_message(
    content: str, attachments: list[Json], files: list[SentFile], *, refuse: DiscordError | None
) -> None:
    if refuse is not None:
        raise refuse
    if content or len(attachments) > 1:
        raise DiscordError(400, 50159, "Voice messages do not support additional content")
    if len(attachments) != 1 or len(files) != 1:
        raise DiscordError(400, 50160, "Voice messages must have a single audio attachment")
    entry = attachments[0]
    waveform = entry.get("waveform")
    if not isinstance(entry.get("duration_secs"), int | float) or not isinstance(waveform, str):
        raise DiscordError(400, 50161, "Voice messages must have supporting metadata")
    try:
        if len(base64.b64decode(waveform, validate=True)) > MAX_WAVEFORM_BYTES:
            raise ValueError("too long")
    except ValueError:
        raise invalid_form("attachments.0.waveform", "BASE_TYPE_BAD_WAVEFORM",
                           "Invalid waveform.") from None  # fmt: skip


def _sent_attachment(entry: Json, files: dict[str, SentFile]) -> SentAttachment:
    """Match an `attachments` entry to its uploaded part (``files[<id>]``)."""
    part = files.get(f"files[{entry.get('id')}]")
    if part is None:
        raise invalid_form("attachments", "ATTACHMENT_NOT_FOUND", "Unknown attachment.")
    waveform = entry.get("waveform")
    return SentAttachment(
        filename=str(entry.get("filename") or part.filename), data=part.data,
        content_type=part.content_type, duration_secs=entry.get("duration_secs"),
        waveform=base64.b64decode(waveform) if isinstance(waveform, str) else None,
    )  # fmt: skip


def _check_command(index: int, command: Json) -> None:
    """Discord's rules for one application command in a bulk overwrite."""
    kind, name = command.get("type", 1), str(command.get("name", ""))
    where = f"{index}"
    if kind == 1:
        if not _COMMAND_NAME.match(name) or name != name.lower():
            raise invalid_form(f"{where}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name")
        if not 1 <= len(str(command.get("description", ""))) <= 100:
            raise invalid_form(f"{where}.description", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 100 in length.")  # fmt: skip
    elif not 1 <= len(name) <= 32:
        raise invalid_form(f"{where}.name", "BASE_TYPE_BAD_LENGTH", "Must be 1 to 32 long.")
    _check_localizations(where, command, names="slash" if kind == 1 else "menu")
    _check_installs(where, command)
    options = command.get("options") or []
    if len(options) > 25:
        raise invalid_form(f"{where}.options", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer.")
    seen_optional = False
    for number, option in enumerate(options):
        spot = f"{where}.options.{number}"
        if not _COMMAND_NAME.match(str(option.get("name", ""))):
            raise invalid_form(f"{spot}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name")
        if not 1 <= len(str(option.get("description", ""))) <= 100:
            raise invalid_form(f"{spot}.description", "BASE_TYPE_BAD_LENGTH", "Bad length.")
        if option.get("required") and seen_optional:
            raise invalid_form(
                f"{spot}.required",
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            )
        seen_optional = seen_optional or not option.get("required")
        if len(option.get("choices") or []) > 25:
            raise invalid_form(f"{spot}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer.")
        _check_localizations(spot, option, names="slash")
        for index, choice in enumerate(option.get("choices") or []):
            _check_localizations(f"{spot}.choices.{index}", choice, names="choice")


def _check_installs(where: str, command: Json) -> None:
    """`integration_types` (0 guild install, 1 user install) and `contexts` (0 server, 1 the
    bot's DMs, 2 other DMs and group DMs): absent or null for the defaults, else lists of
    those values."""
    for key, allowed in (("integration_types", {0, 1}), ("contexts", {0, 1, 2})):
        values = command.get(key)
        if values is None:
            continue
        if not isinstance(values, list) or not values:
            raise invalid_form(f"{where}.{key}", "BASE_TYPE_MIN_LENGTH", "Must be 1 or more.")
        for index, value in enumerate(values):
            if value not in allowed or values.index(value) != index:
                raise invalid_form(f"{where}.{key}.{index}", "BASE_TYPE_CHOICES",
                                   f"Value must be one of {sorted(allowed)}.")  # fmt: skip


def _check_locale(locale: str) -> None:
    if locale not in LOCALES:
        raise ValueError(f"{locale!r} is not one of Discord's locales")


def _check_localizations(where: str, thing: Json, *, names: str) -> None:
    """`name_localizations` / `description_localizations`: keys among Discord's locales, values
    as the originals must be. `names`: "slash" (commands and options: 1-32 lower-case word
    characters), "menu" (1-32 of any) or "choice" (1-100); descriptions 1-100."""
    for locale, value in (thing.get("name_localizations") or {}).items():
        spot = f"{where}.name_localizations.{locale}"
        _check_locale_key(spot, locale)
        if names == "slash" and (not _COMMAND_NAME.match(value) or value != value.lower()):
            raise invalid_form(spot, "APPLICATION_COMMAND_INVALID_NAME", "Invalid name")
        if not 1 <= len(value) <= (100 if names == "choice" else 32):
            raise invalid_form(spot, "BASE_TYPE_BAD_LENGTH", "Bad length.")
    for locale, value in (thing.get("description_localizations") or {}).items():
        spot = f"{where}.description_localizations.{locale}"
        _check_locale_key(spot, locale)
        if not 1 <= len(value) <= 100:
            raise invalid_form(spot, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")


def _check_locale_key(spot: str, locale: str) -> None:
    if locale not in LOCALES:
        raise invalid_form(spot, "LOCALE_INVALID", "Invalid locale.")


# -- helpers -----------------------------------------------------------------------------------


def _walk(components: list[Json]) -> list[Json]:
    """Modal components depth first: action rows (1) and labels (18) hold the inputs."""
    found = []
    for component in components:
        found.append(component)
        found.extend(_walk(component.get("components") or []))
        if "component" in component:
            found.extend(_walk([component["component"]]))
    return found


def _filled(component: Json, values: Any) -> Json:
    """A modal component as the submit interaction sends it back: ids, types and values."""
    kind = component.get("type")
    if kind == 4:
        return {"type": 4, "custom_id": component["custom_id"], "value": next(values)}
    if kind == 18:
        return {"type": 18, "component": _filled(component["component"], values)}
    return {"type": kind, "components": [_filled(c, values) for c in component["components"]]}


def _json(data: Any, status: int = 200) -> web.Response:
    # Exactly application/json: discord.py reads a body as JSON only when the header says so
    # without a charset parameter.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def _role(role_id: int, name: str, permissions: int, *, position: int) -> Json:
    return {
        "id": str(role_id), "name": name, "permissions": str(permissions),
        "position": position, "color": 0, "hoist": False, "managed": False,
        "mentionable": False, "flags": 0,
    }  # fmt: skip


def _bits(overwrites: list[Json], which: str) -> int:
    """The union of `which` ("allow" or "deny") of several overwrites."""
    bits = 0
    for overwrite in overwrites:
        bits |= int(overwrite[which])
    return bits


def _user(user_id: int, name: str, *, bot: bool = False) -> Json:
    return {
        "id": str(user_id), "username": name, "discriminator": "0", "global_name": name,
        "avatar": None, "bot": bot, "public_flags": 0, "flags": 0, "primary_guild": None,
    }  # fmt: skip


def _shard_of(guild_id: int, shard_count: int) -> int:
    """The shard a server's events arrive on (Discord's sharding formula)."""
    return (guild_id >> 22) % shard_count


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _fill(template: str, params: dict[str, str]) -> str:
    return _ROUTE_PARAM.sub(lambda m: params.get(m.group(1), m.group(0))[:12], template)
