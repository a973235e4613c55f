"""A loopback stand-in for the Telegram Bot API, for integration tests.

`FakeBotApi` is the far end of the wire for the real python-telegram-bot (PTB) `Application`:
an aiohttp server on 127.0.0.1 (OS-chosen port) that speaks enough of the Bot API for PTB to
run unmodified, and records every call so a test can assert on what a user would have seen.

    async with FakeBotApi() as api:
        app = (
            ApplicationBuilder().token(api.token)
            .base_url(api.base_url).base_file_url(api.base_file_url).build()
        )
        ...
        api.push(api.voice_message(chat_id=42, user_id=42, data=ogg_bytes))
        [reply] = await api.wait_for("sendMessage", chat_id=42)

Wire format, as the real server accepts it:

- ``POST|GET /bot<token>/<method>``; method names are case-insensitive. Parameters come from the
  query string and from a JSON, ``application/x-www-form-urlencoded`` or ``multipart/form-data``
  body. PTB always sends a form: strings raw, everything else JSON-encoded, uploads as parts.
- ``GET /file/bot<token>/<file_path>`` serves a file registered with `add_file` (or uploaded by
  the bot). In ``local_mode`` getFile answers with an absolute path of a real file instead, as a
  self-hosted Bot API server does, and PTB reads it from disk.
- Answers are ``{"ok": true, "result": ...}``; errors are ``{"ok": false, "error_code": N,
  "description": ...}`` with the same HTTP status, which is what PTB maps to its exceptions
  (400 -> BadRequest, 401/404 -> InvalidToken/EndPointNotFound, 409 -> Conflict, 429 with
  ``parameters.retry_after`` -> RetryAfter).

Telegram's rules it keeps: text of at most 4,096 UTF-16 code units and captions of 1,024; 20
messages a minute per group, chat actions and edits included (429 with ``retry_after``; turn it
off with ``group_messages_per_minute=None``); replies to a message that is gone refused unless
``allow_sending_without_reply`` (`user_deletes` takes one away); no text edits of a message
without text; no message to a chat the bot is not in ("chat not found": a chat is known once an
update came from it, or `add_chat` put the bot there); a business reply only while the
connection allows it, and only in a chat whose other person wrote within the last 24 hours
(`age_business_chat`); inline answers kept for their ``cache_time`` and served from there;
a guest query answered once, within its lifetime, and its message then edited through its
``inline_message_id`` alone (`guest_query`; the chat it came from is not the bot's: nothing
reaches it by ``chat_id``);
drafts (sendMessageDraft) in private chats only, with a non-zero ``draft_id``, outside the
group budget, shown until the bot's next message there or ``draft_lifetime`` (30 s) after their
last change (`drafts`, `draft_on_screen`, `lapsed_drafts`); a private chat the user never
started is "bot can't initiate conversation with a user" (403).

Ephemeral messages (Bot API 10.2, reshaped by 10.3: core.telegram.org/bots/api#ephemeral-messages-
and-commands): a member sends a command the menu declares ``is_ephemeral`` (`ephemeral_command`),
which only they and the bot see (``message_id`` 0, an ``ephemeral_message_id``, the bot as its
``receiver_user``); the bot answers it with ``ephemeral_message_parameters`` (an
EphemeralMessageParameters: ``receiver_user_id``, optional ``callback_query_id`` and
``replace_callback_query_message``), within 15 s of the command (replying to it through
``reply_parameters.ephemeral_message_id``) or of a button's callback query (its id), or at any
time when the bot administers the group; only to a member of a group or supergroup who is no bot;
edited and deleted with editEphemeralMessageText and deleteEphemeralMessage. Where the real
server differs from the documentation, it answers as the server does (PLATFORMS.md): an edit's
text of more than 1,024 characters is ``MEDIA_CAPTION_TOO_LONG`` (`EPHEMERAL_EDIT_LIMIT`); a bot
that administers nothing sending outside the 15 seconds is ``BOT_NOT_ADMIN``; the message's
``message_id`` is always 0, and the ephemeral id of one deleted or expired (`expire_ephemeral`)
is handed out again to the bot's next one to that member; a message to a member who is
`offline` is accepted and never delivered. What the bot sends so
is kept apart from the group's history (`texts` never shows it): `ephemeral_texts` is what one
member sees of it, `seen_by` the whole chat as one member reads it. ``bot_api_version="10.0"``
answers as a server older than 10.2 does: the ephemeral methods are "method not found" (404),
and the unknown parameters and fields are ignored, so a message meant for one member is posted
for everyone, as the real server would post it. Refusals whose wording the documentation does
not give are worded here (marked "ours" where they are raised).

Dispatch is table-driven: each Bot API method is a coroutine decorated with ``@_api_method(name)``
taking ``(self, call)`` and returning the ``result`` or raising `BotApiError`. To add a method
(``getChatMember``, say), write one such coroutine; nothing else changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import math
import re
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlparse

from aiohttp import web

from tests.standins.telegram_description import RESULT_TYPES, bot_api_description

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_MEDIA_GROUP = 10  # messages in one album ("2-10 items")
# Bots may download up to 20 MB through api.telegram.org; a local server lifts the limit.
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
# Bots may upload up to 50 MB; leave room for the multipart envelope.
MAX_REQUEST_SIZE = 60 * 1024 * 1024
BUSINESS_REPLY_WINDOW = 24 * 3600  # a business bot replies where the other wrote within this
# Bots may send about 20 messages a minute to one group; chat actions and edits count too.
GROUP_MESSAGES_PER_MINUTE = 20
# Telegram keeps an inline answer for its `cache_time` (300 s unless the bot says otherwise) and
# answers the same text from it meanwhile, per user when `is_personal`, without asking the bot.
# An inline query must be answered soon after it is sent, and once: later, or again, Telegram
# answers 400. Its documentation names no figure; about 10 s is what bots observe.
INLINE_QUERY_LIFETIME = 10.0
MAX_INLINE_RESULTS = 50
# A guest query (Bot API 10.0) is answered with `answerGuestQuery` once; its documentation names
# no lifetime: taken to be an inline query's.
GUEST_QUERY_LIFETIME = INLINE_QUERY_LIFETIME
# answerInlineQuery result types (InlineQueryResult*), by their `type` field.
INLINE_RESULT_TYPES = frozenset(
    {"article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document", "location"}
    | {"venue", "contact", "game", "sticker"}
)
# A draft (sendMessageDraft) is a preview of text still being written, in private chats only:
# it shows for about 30 s after its last change, or until the bot sends a message there.
DRAFT_LIFETIME = 30.0
# Bot API 10.2: a bot answers a member's ephemeral command or button press ephemerally within
# this many seconds of it (unless it administers the group).
EPHEMERAL_REPLY_WINDOW = 15.0
# What the real server takes in editEphemeralMessageText, in UTF-16 code units: a caption's
# 1,024, not the 4,096 the documentation gives (tdlib/telegram-bot-api #881, open since 2 August
# 2026); a longer text is refused with MEDIA_CAPTION_TOO_LONG.
EPHEMERAL_EDIT_LIMIT = 1024
# Methods a server older than 10.2 does not have: "Not Found: method not found".
_EPHEMERAL_METHODS = frozenset(
    {"editephemeralmessagetext", "editephemeralmessagereplymarkup", "deleteephemeralmessage"}
)
_COUNTED_IN_GROUPS = ("send", "edit", "delete", "copy", "forward")
_NOT_COUNTED = ("sendmessagedraft",)  # a draft is no message and no edit

CHAT_MEMBER_STATUSES = frozenset(
    ["creator", "administrator", "member", "restricted", "left", "kicked"]
)
CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
_ADMIN_RIGHTS = [
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
]
_RESTRICTED_RIGHTS = [
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
]
# Form values are JSON unless the parameter is a string in the Bot API: PTB sends strings raw,
# so a text of "123" or "true" must not turn into a number or a bool here. File parameters are
# strings too (file_id, URL, attach://name, file:// path).
_STRING_PARAMS = frozenset(
    [
        "text",
        "caption",
        "parse_mode",
        "title",
        "performer",
        "description",
        "short_description",
        "name",
        "query",
        "emoji",
        "action",
        "callback_query_id",
        "inline_message_id",
        "file_id",
        "file_name",
        "message_effect_id",
        "business_connection_id",
        "inline_query_id",
        "guest_query_id",
        "language_code",
        "url",
        "secret_token",
        "voice",
        "audio",
        "document",
        "video",
        "video_note",
        "photo",
        "animation",
        "sticker",
        "thumbnail",
    ]
)
_ADMINISTERING = frozenset({"creator", "administrator"})
_NOT_IN_CHAT = frozenset({"left", "kicked"})
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_HTML_TAG = re.compile(r"<[^>]*>")
_HTML_TAG_NAME = re.compile(r"<(/?)([^\s<>/]*)")
_HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
    | {"code", "pre", "blockquote", "tg-emoji", "tg-time"}
)
_MARKDOWN_V2_CODE = re.compile(r"```.*?```|`[^`]*`", re.DOTALL)
# Characters MarkdownV2 never uses for formatting, so an unescaped one is always an error.
_MARKDOWN_V2_NEVER_FORMATTING = frozenset(".!+=#{}-")


@dataclass
class BotApiCall:
    """One Bot API request as the stand-in received and answered it.

    ``params`` are decoded (numbers, bools, ``reply_parameters`` and other objects as Python
    values; string parameters such as ``text`` stay strings). ``files`` holds uploaded parts by
    field name, plus bytes the bot sent as ``file://`` URIs in local mode. ``error`` is the
    description of a refused call (flood, validation, unknown method), else ``None``.
    """

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    file_names: dict[str, str] = field(default_factory=dict)
    content_types: dict[str, str] = field(default_factory=dict)
    result: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the stand-in accepted the call."""
        return self.error is None


# What Telegram's front (nginx) answers when the Bot API behind it is away for a moment.
_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class BotApiError(Exception):
    """An error answer of the Bot API; raise it from a method handler."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def response(self) -> web.Response:
        """The JSON error body with the matching HTTP status."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.code)


def bad_request(reason: str) -> BotApiError:
    """A 400 with the Bot API's "Bad Request: ..." wording."""
    return BotApiError(400, f"Bad Request: {reason}")


@dataclass
class _Draft:
    draft_id: int
    text: str
    shown_at: float  # `draft_clock()` at its last change


def _oldest_ephemeral(item: tuple[tuple[int, int, int], Any]) -> tuple[int, int, int]:
    """Ephemeral messages by chat, then in the order they were sent (id), then member."""
    (chat, member, number), _ = item
    return (chat, number, member)


@dataclass
class _Ephemeral:
    """An ephemeral message: one member and the bot see it, nobody else."""

    message: dict[str, Any]  # as the receiver sees it now (edits applied)
    sender: int
    receiver: int
    sent_at: float  # `ephemeral_clock()` when sent
    deleted: bool = False  # deleted, or expired (`expire_ephemeral`)
    delivered: bool = True  # False: accepted while its receiver was `offline`, never shown


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_size: int
    file_path: str


# Who a group's anonymous administrator's messages come from (with `sender_chat` the group).
ANONYMOUS_ADMIN = {
    "id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"
}  # fmt: skip
_Handler = Callable[["FakeBotApi", BotApiCall], Awaitable[Any]]
# Lower-cased method name -> (canonical name, handler); filled by @_api_method.
_METHODS: dict[str, tuple[str, _Handler]] = {}


def _api_method(*names: str) -> Callable[[_Handler], _Handler]:
    """Register a handler for one or more Bot API method names."""

    def register(handler: _Handler) -> _Handler:
        for name in names:
            _METHODS[name.lower()] = (name, handler)
        return handler

    return register


class FakeBotApi:
    """The Telegram Bot API on a loopback port, with hooks to feed updates and inspect calls.

    Incoming side: build messages with `text_message`, `voice_message` and friends (they register
    the chat, the user and any file) and queue them with `push`; PTB fetches them via getUpdates.
    Outgoing side: `calls` lists every answered call in order; `sent` and `wait_for` look at the
    accepted ones. `flood_next` makes the next calls of a method fail with 429; `hold` keeps a
    method's calls unanswered until released.
    """

    long_poll_cap = 1.0
    """Seconds an empty getUpdates waits at most, whatever ``timeout`` PTB asks for."""

    polls_waiting = 0
    """1 while a getUpdates waits for an update to arrive (`wait_until` sees it begin)."""

    def __init__(
        self,
        token: str = "123456:TEST-token-ABCDEFGHIJKLMNOPQRSTUV",
        *,
        local_mode: bool = False,
        bot_username: str = "voicebridge_test_bot",
        group_messages_per_minute: int | None = GROUP_MESSAGES_PER_MINUTE,
        port: int = 0,  # 0: any free one
        bot_api_version: str = "10.3",
    ) -> None:
        self.token = token
        self.bot_api_version = tuple(int(part) for part in bot_api_version.split("."))
        self.group_messages_per_minute = group_messages_per_minute
        self._group_budgets: dict[int, tuple[float, float]] = {}  # chat: (level, when)
        self.port = port
        self.local_mode = local_mode
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0])
        self.calls: list[BotApiCall] = []
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] | None = None
        """What the last setWebhook asked for (url, secret_token, allowed_updates), if any."""
        self.invented: list[str] = []
        """Fields the stand-in put in a payload that their type does not have (always empty,
        unless the stand-in itself is wrong)."""
        self.downloads: list[str] = []
        """File paths served over ``/file/bot<token>/...``, in order."""
        self._commands_by_scope: dict[str, list[dict[str, Any]]] = {}
        self._updates: list[dict[str, Any]] = []
        self._pushed: dict[int, dict[str, Any]] = {}
        self._replays: list[dict[str, Any]] = []
        self.served: list[int] = []  # update_ids getUpdates handed out, in order (repeats too)
        self._update_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._last_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._members: dict[tuple[int, int], str] = {}
        self.business_mode = True  # BotFather → Bot Settings → Business Mode
        self.inline_mode = True  # BotFather's /setinline
        self.inline_query_lifetime = INLINE_QUERY_LIFETIME
        self.inline_answers: dict[str, dict[str, Any]] = {}  # query id: what answered it
        # Answers Telegram keeps for `cache_time` seconds, by (user, or None when the answer is
        # for everyone; the query's text): the same text typed again within that time is
        # answered from here, and the bot never hears of it.
        self._inline_cache: dict[tuple[int | None, str], tuple[float, dict[str, Any]]] = {}
        self.inline_from_cache: list[str] = []  # query ids Telegram answered from its cache
        self._inline_queries: dict[str, float] = {}  # unanswered query id: when it was sent
        self._inline_texts: dict[str, tuple[int, str]] = {}  # query id: (user, text)
        self._inline_numbers = itertools.count(1)
        self.guest_mode = True  # BotFather: Guest Mode (getMe's `supports_guest_queries`)
        self.guest_query_lifetime = GUEST_QUERY_LIFETIME
        self._guest_queries: dict[str, float] = {}  # unanswered guest query id: when sent
        self._guest_asked: dict[str, dict[str, Any]] = {}  # guest query id: the guest message
        self.guest_updates: dict[str, int] = {}  # guest query id: its update_id
        self.guest_answers: dict[str, str] = {}  # guest query id: its inline_message_id
        # inline_message_id: the message the guest bot posted, as the chat shows it now
        self.inline_messages: dict[str, dict[str, Any]] = {}
        self._outside: set[int] = set()  # chats the bot is not in (guest mode reaches them)
        self._business: dict[str, dict[str, Any]] = {}  # connection id: BusinessConnection
        self._business_chats: dict[str, set[int]] = {}  # connection id: its private chats
        # (connection id, chat): when the other person last wrote, in time.time() seconds
        self._business_incoming: dict[tuple[str, int], float] = {}
        self._business_messages: dict[tuple[str, int, int], dict[str, Any]] = {}
        self._business_numbers = itertools.count(1)
        self.draft_lifetime = DRAFT_LIFETIME
        self.draft_clock: Callable[[], float] = time.monotonic  # a test may move it by hand
        self.flood_clock: Callable[[], float] = time.monotonic  # a group's budget drains by it
        self._drafts: dict[int, _Draft] = {}  # private chat: the draft it shows, if any
        self.ephemeral_clock: Callable[[], float] = time.monotonic  # a test may move it
        # (chat, member, ephemeral id): the methods name one by chat, receiver and id, so an id
        # is only unique between one member and the bot (`ephemeral_command` may repeat one).
        self._ephemeral: dict[tuple[int, int, int], _Ephemeral] = {}
        self._ephemeral_ids = itertools.count(1)
        # (chat, member): the ephemeral ids of the bot's messages to them that were deleted or
        # expired, which the server hands out again first (an id names a message only while it
        # is there: the bot's next one to that member may take it over).
        self._freed_ephemeral_ids: dict[tuple[int, int], list[int]] = {}
        # Members who are offline: ephemeral messages to them are accepted and never delivered
        # ("not guaranteed, especially if the user is offline"), so they never see them.
        self.offline: set[int] = set()
        # callback query id: (who pressed, the chat, when, pressed on an ephemeral message)
        self._callback_queries: dict[str, tuple[int, int | None, float, bool]] = {}
        self._lapsed_drafts: dict[int, list[str]] = {}  # chat: texts that vanished unrenewed
        self._floods: dict[str, list[int]] = {}
        self._bad_gateways: dict[str, int] = {}  # method: calls still to answer 502
        self._poll_generation = 0
        self._updates_changed = asyncio.Event()
        self._calls_changed = asyncio.Event()
        # Methods whose calls wait, unanswered, while they are held (`hold`); the calls waiting.
        self._held_methods: dict[str, asyncio.Event] = {}
        self.waiting: list[str] = []
        self._closing = False
        self._root: str | None = None
        self._runner: web.AppRunner | None = None
        self._tmpdir: Path | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> FakeBotApi:
        app = web.Application(client_max_size=MAX_REQUEST_SIZE)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        port = self._runner.addresses[0][1]
        self._root = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Release long polls first so the runner does not wait for them.
        self._closing = True
        self._signal_updates()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    @property
    def root(self) -> str:
        """``http://127.0.0.1:PORT``: the value a user puts in TELEGRAM_API_URL."""
        if self._root is None:
            raise RuntimeError("FakeBotApi is not started; use `async with FakeBotApi()`")
        return self._root

    @property
    def base_url(self) -> str:
        """What PTB's ``ApplicationBuilder.base_url`` takes."""
        return f"{self.root}/bot"

    @property
    def base_file_url(self) -> str:
        """What PTB's ``ApplicationBuilder.base_file_url`` takes."""
        return f"{self.root}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot as a User object, the ``from`` of every message it sends."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "VoiceBridge Test",
            "username": self.bot_username,
        }

    # -- incoming side -----------------------------------------------------------------------

    def add_file(self, data: bytes, *, file_size: int | None = None) -> tuple[str, str]:
        """Register a downloadable voice file; returns ``(file_id, file_unique_id)``.

        ``file_size`` overrides the size getFile reports (to test size limits).
        """
        stored = self._store_file(data, folder="voice", ext="oga", file_size=file_size)
        return stored.file_id, stored.file_unique_id

    def text_message(
        self,
        *,
        chat_id: int,
        user_id: int,
        text: str,
        chat_type: str = "private",
        reply_to: dict[str, Any] | None = None,
        anonymous: bool = False,
    ) -> dict[str, Any]:
        """A text Message; ``/commands`` (also ``/cmd@botname``) get bot_command entities.
        `anonymous`: sent by one of the group's anonymous administrators (`user_id` is who
        they are, which Telegram does not tell: the message comes from GroupAnonymousBot, with
        the group as its `sender_chat`)."""
        assert utf16_length(text) <= MAX_TEXT_LENGTH, "no Telegram client sends a longer message"
        content: dict[str, Any] = {"text": text}
        entities = _command_entities(text)
        if entities:
            content["entities"] = entities
        message = self._incoming(chat_id, user_id, chat_type, reply_to, content)
        if anonymous:
            assert chat_type in ("group", "supergroup"), "only a group has anonymous admins"
            message["from"] = dict(ANONYMOUS_ADMIN)
            message["sender_chat"] = message["chat"]
        return message

    def ephemeral_command(
        self,
        *,
        chat_id: int,
        user_id: int,
        text: str,
        chat_type: str = "supergroup",
        reply_to: dict[str, Any] | None = None,
        ephemeral_message_id: int | None = None,
    ) -> dict[str, Any]:
        """A command the member sends so that only the bot sees it, as their app sends a
        command the bot's menu declares `is_ephemeral` (Bot API 10.2): ``message_id`` 0, an
        ``ephemeral_message_id``, the bot as ``receiver_user``; it may reply to a message of the
        group (`reply_to`). Nothing of it enters the group's history. `ephemeral_message_id`:
        an id another member's message has too (ids are only unique per member and bot)."""
        assert self.bot_api_version >= (10, 2), "ephemeral commands came with Bot API 10.2"
        assert chat_type in ("group", "supergroup"), "ephemeral commands are for groups"
        name = text.split()[0].removeprefix("/").split("@")[0]
        language = str(self._user(user_id).get("language_code") or "")[:2]
        menu = self.commands_for(language) or self.commands
        assert any(c.get("command") == name and c.get("is_ephemeral") for c in menu), (
            f"/{name} is not an ephemeral command of the bot's menu: the app sends it openly"
        )
        chat = self._remember_chat(chat_id, chat_type, user_id)
        message: dict[str, Any] = {
            "message_id": 0,
            "ephemeral_message_id": ephemeral_message_id or next(self._ephemeral_ids),
            "from": self._user(user_id),
            "receiver_user": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
            "entities": _command_entities(text),
        }
        if reply_to is not None:
            message["reply_to_message"] = _without_reply(reply_to)
        key = (chat_id, user_id, message["ephemeral_message_id"])
        self._ephemeral[key] = _Ephemeral(message, user_id, self.bot_id, self.ephemeral_clock())
        return message

    def ephemeral_reply(
        self, *, chat_id: int, user_id: int, text: str, reply_to: dict[str, Any]
    ) -> dict[str, Any]:
        """A member's reply to the bot's ephemeral message `reply_to` (Bot API 10.2): ephemeral
        itself, so only the bot sees it (``message_id`` 0, an ``ephemeral_message_id``, the bot
        as ``receiver_user``); nothing of it enters the group's history."""
        assert reply_to.get("ephemeral_message_id") is not None, "a reply to an ephemeral message"
        assert int(reply_to["receiver_user"]["id"]) == user_id, "only its receiver sees it"
        chat = self._chats[chat_id]
        message: dict[str, Any] = {
            "message_id": 0,
            "ephemeral_message_id": next(self._ephemeral_ids),
            "from": self._user(user_id),
            "receiver_user": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
            "reply_to_message": _without_reply(reply_to),
        }
        key = (chat_id, user_id, message["ephemeral_message_id"])
        self._ephemeral[key] = _Ephemeral(message, user_id, self.bot_id, self.ephemeral_clock())
        return message

    def voice_message(
        self,
        *,
        chat_id: int,
        user_id: int,
        data: bytes,
        duration: int = 3,
        chat_type: str = "private",
        mime_type: str = "audio/ogg",
        caption: str | None = None,
        reply_to: dict[str, Any] | None = None,
        file_size: int | None = None,
        copy_of: dict[str, Any] | None = None,
        forwarded_from: int | None = None,
        via_bot: int | None = None,
    ) -> dict[str, Any]:
        """A Message with a ``voice`` note whose file holds ``data``. As clients make them:
        `copy_of` another voice message sends its very file again (a "hide sender name"
        forward: the same `file_unique_id`, no forward header, `data` unused);
        `forwarded_from` a user adds the `forward_origin` a forward carries; `via_bot` (a
        bot's id) is a note sent through that inline bot."""
        if copy_of is not None:
            voice = dict(copy_of["voice"])
        else:
            stored = self._store_file(data, folder="voice", ext="oga", file_size=file_size)
            voice = _file_object(stored, duration=duration, mime_type=mime_type)
        content: dict[str, Any] = {"voice": voice}
        if forwarded_from is not None:
            content["forward_origin"] = {
                "type": "user", "date": int(time.time()) - 60,
                "sender_user": self._user(forwarded_from),
            }  # fmt: skip
        if via_bot is not None:
            content["via_bot"] = {
                "id": via_bot, "is_bot": True, "first_name": "Inline", "username": f"bot{via_bot}"
            }  # fmt: skip
        return self._incoming(chat_id, user_id, chat_type, reply_to, content, caption)

    def audio_message(
        self,
        *,
        chat_id: int,
        user_id: int,
        data: bytes,
        duration: int = 3,
        chat_type: str = "private",
        mime_type: str = "audio/mpeg",
        file_name: str = "audio.mp3",
        title: str | None = None,
        performer: str | None = None,
        caption: str | None = None,
        reply_to: dict[str, Any] | None = None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        """A Message with an ``audio`` file (music player attachment)."""
        stored = self._store_file(
            data, folder="music", ext=_extension(file_name, "mp3"), file_size=file_size
        )
        audio = _file_object(stored, duration=duration, mime_type=mime_type, file_name=file_name)
        audio.update(_present(title=title, performer=performer))
        return self._incoming(chat_id, user_id, chat_type, reply_to, {"audio": audio}, caption)

    def video_note_message(
        self,
        *,
        chat_id: int,
        user_id: int,
        data: bytes,
        duration: int = 3,
        length: int = 240,
        chat_type: str = "private",
        reply_to: dict[str, Any] | None = None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        """A Message with a round ``video_note`` (these have no caption and no mime type)."""
        stored = self._store_file(data, folder="video_notes", ext="mp4", file_size=file_size)
        note = _file_object(stored, duration=duration, length=length)
        return self._incoming(chat_id, user_id, chat_type, reply_to, {"video_note": note})

    def video_message(
        self,
        *,
        chat_id: int,
        user_id: int,
        data: bytes,
        duration: int = 3,
        width: int = 640,
        height: int = 360,
        chat_type: str = "private",
        mime_type: str = "video/mp4",
        file_name: str | None = None,
        caption: str | None = None,
        reply_to: dict[str, Any] | None = None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        """A Message with a ``video``."""
        stored = self._store_file(
            data, folder="videos", ext=_extension(file_name, "mp4"), file_size=file_size
        )
        video = _file_object(
            stored,
            duration=duration,
            width=width,
            height=height,
            mime_type=mime_type,
            file_name=file_name,
        )
        return self._incoming(chat_id, user_id, chat_type, reply_to, {"video": video}, caption)

    def document_message(
        self,
        *,
        chat_id: int,
        user_id: int,
        data: bytes,
        file_name: str = "file.bin",
        mime_type: str = "application/octet-stream",
        chat_type: str = "private",
        caption: str | None = None,
        reply_to: dict[str, Any] | None = None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        """A Message with a ``document`` (any file sent "as file")."""
        stored = self._store_file(
            data, folder="documents", ext=_extension(file_name, "bin"), file_size=file_size
        )
        document = _file_object(stored, file_name=file_name, mime_type=mime_type)
        return self._incoming(
            chat_id, user_id, chat_type, reply_to, {"document": document}, caption
        )

    def push(self, message: dict[str, Any]) -> int:
        """Queue ``message`` as a ``message`` Update for getUpdates; returns its update_id."""
        return self.push_update({"message": message})

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue any Update (edited_message, callback_query, ...); assigns ``update_id``."""
        update = {"update_id": next(self._update_ids), **update}
        self._check_payload("Update", update, "Update")
        query = update.get("callback_query")
        if isinstance(query, dict):  # a member pressed a button: the bot may answer them alone
            shown = query.get("message") or {}
            chat = (shown.get("chat") or {}).get("id")
            on_ephemeral = shown.get("ephemeral_message_id") is not None
            pressed = (int(query["from"]["id"]), chat, self.ephemeral_clock(), on_ephemeral)
            self._callback_queries[str(query["id"])] = pressed
        self._updates.append(update)
        self._pushed[int(update["update_id"])] = update
        self._signal_updates()
        return int(update["update_id"])

    def delete_business_messages(
        self, connection_id: str, chat: dict[str, Any], message_ids: list[int]
    ) -> int:
        """A contact (or the owner) deletes messages of a connected chat for both sides:
        Telegram tells the bot with `deleted_business_messages`."""
        return self.push_update({"deleted_business_messages": {
            "business_connection_id": connection_id, "chat": chat, "message_ids": message_ids,
        }})  # fmt: skip

    def redeliver(self, update_id: int) -> None:
        """Serve an update the bot already fetched once more, with the same update_id, as
        Telegram does when it never saw it confirmed (or retries a webhook)."""
        self._replays.append(self._pushed[update_id])
        self._signal_updates()

    def set_user_language(self, user_id: int, language_code: str | None) -> None:
        """The IETF tag the user's app reports (`from.language_code`: "en", "zh-hans",
        "pt-br"...); None: the field is absent, as for users whose app does not say."""
        user = self._user(user_id)
        user.pop("language_code", None)
        if language_code is not None:
            user["language_code"] = language_code

    def commands_for(self, language_code: str = "") -> list[dict[str, Any]]:
        """The command menu registered for the default scope in `language_code` ("" for
        everyone without their own)."""
        return self._commands_by_scope.get(_scope_key({"language_code": language_code}), [])

    def set_member_status(
        self, chat_id: int, user_id: int, status: str, *, by: int | None = None
    ) -> None:
        """What getChatMember answers for this user in this chat (default ``member``). A
        change of the bot's own status is told to the bot, as Telegram tells every bot, in a
        ``my_chat_member`` update (from ``by``: the administrator who made it)."""
        if status not in CHAT_MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        before = self._members.get((chat_id, user_id), "member")
        self._members[(chat_id, user_id)] = status
        if user_id == self.bot_id and status != before:
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            chat = self._chats.get(chat_id) or {"id": chat_id, "type": kind,
                                                "title": f"Chat {chat_id}"}  # fmt: skip
            changed = {
                "chat": chat, "from": self._user(by or 1), "date": int(time.time()),
                "old_chat_member": _chat_member(self.bot_user, before),
                "new_chat_member": _chat_member(self.bot_user, status),
            }  # fmt: skip
            self.push_update({"my_chat_member": changed})

    # -- Telegram Business ----------------------------------------------------------------------

    def connect_business(
        self, *, user_id: int, can_reply: bool = True, announced: bool = True
    ) -> str:
        """The user connects the bot to their account (Settings → Telegram Business → Chatbots):
        a ``business_connection`` update; returns the connection's id. ``can_reply``: the
        rights they gave it let it reply in their chats. ``announced`` false: the update is
        lost on the way (``getBusinessConnection`` still knows the connection). Telegram offers
        this only for a bot with Business Mode on."""
        assert self.business_mode, "BotFather's Business Mode is off: users cannot connect"
        connection_id = f"fake-business-{next(self._business_numbers)}"
        self._business[connection_id] = {
            "id": connection_id,
            "user": self._user(user_id),
            "user_chat_id": user_id,
            "date": int(time.time()),
            "is_enabled": True,
            "rights": {"can_reply": True} if can_reply else {},
        }
        self._business_chats[connection_id] = set()
        self._remember_chat(user_id, "private", user_id)  # `user_chat_id`: the bot may write
        if announced:
            self.push_update({"business_connection": dict(self._business[connection_id])})
        return connection_id

    def change_business_rights(self, connection_id: str, *, can_reply: bool) -> None:
        """The owner changes what the bot may do: a ``business_connection`` update."""
        connection = self._business[connection_id]
        connection["rights"] = {"can_reply": True} if can_reply else {}
        self.push_update({"business_connection": dict(connection)})

    def disconnect_business(self, connection_id: str) -> None:
        """The owner disconnects the bot: ``is_enabled`` false, and no more business messages."""
        connection = self._business[connection_id]
        connection["is_enabled"] = False
        self.push_update({"business_connection": dict(connection)})

    def business_voice_message(
        self,
        *,
        connection_id: str,
        chat_id: int,
        user_id: int,
        data: bytes,
        duration: int = 3,
        username: str | None = None,
    ) -> dict[str, Any]:
        """A voice note in the connection owner's private chat with `chat_id` (the other person),
        sent by `user_id` (either of them), as the bot sees it: with ``business_connection_id``.
        Telegram sends these only while the connection is enabled."""
        connection = self._business[connection_id]
        assert connection["is_enabled"], "Telegram sends nothing for a disconnected business bot"
        person = self._user(chat_id)
        if username is not None:
            person["username"] = username
        chat = {"id": chat_id, "type": "private", "first_name": person["first_name"]}
        chat.update(_present(username=person.get("username")))
        stored = self._store_file(data, folder="voice", ext="oga")
        key = (connection_id, chat_id, 0)
        number = 1 + max((k[2] for k in self._business_messages if k[:2] == key[:2]), default=0)
        message: dict[str, Any] = {
            "message_id": number,
            "from": self._user(user_id),
            "chat": chat,
            "date": int(time.time()),
            "business_connection_id": connection_id,
            "voice": _file_object(stored, duration=duration, mime_type="audio/ogg"),
        }
        self._business_chats[connection_id].add(chat_id)
        if user_id == chat_id:  # incoming: the other person wrote
            self._business_incoming[(connection_id, chat_id)] = time.time()
        self._business_messages[(connection_id, chat_id, number)] = message
        return message

    def age_business_chat(self, connection_id: str, chat_id: int, *, hours: float) -> None:
        """Date the last incoming message of the owner's chat with `chat_id` `hours` earlier,
        as if the other person had been quiet since."""
        key = (connection_id, chat_id)
        self._business_incoming[key] = self._business_incoming.get(key, time.time()) - hours * 3600

    def push_business(self, message: dict[str, Any]) -> int:
        """Queue ``message`` as a ``business_message`` Update."""
        return self.push_update({"business_message": message})

    def business_replies(self, connection_id: str, chat_id: int) -> list[BotApiCall]:
        """What the bot sent on the owner's behalf into their chat with `chat_id` (accepted)."""
        return [
            call
            for call in self.sent()
            if call.params.get("business_connection_id") == connection_id
            and str(call.params.get("chat_id")) == str(chat_id)
        ]

    # -- guest mode -------------------------------------------------------------------------

    def not_a_member(self, chat_id: int) -> None:
        """The bot is not in chat `chat_id` (a private chat between two people, a group it was
        never added to): messages made there (`voice_message(chat_id=...)`) do not put it there,
        and anything sent there by ``chat_id`` is "chat not found"."""
        self._outside.add(chat_id)
        self._chats.pop(chat_id, None)

    def guest_query(
        self,
        *,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        reply_to: dict[str, Any] | None = None,
        chat_type: str = "private",
        anonymous: bool = False,
    ) -> str:
        """User `user_id` mentions the bot in chat `chat_id` (one it is not in, see
        `not_a_member`), as a reply to `reply_to`: a ``guest_message`` update, a Message with
        its ``guest_query_id`` and the replied message; returns the query id. `text`: the
        message (default: the bare mention). Telegram sends these only with Guest Mode on."""
        assert self.guest_mode, "Guest Mode is off in BotFather: Telegram sends no guest query"
        assert chat_id in self._outside, "guest mode is for chats the bot is not in"
        words = f"@{self.bot_username}" if text is None else text
        mention = f"@{self.bot_username}"
        assert mention.casefold() in words.casefold(), "a guest query mentions the bot"
        start = words.casefold().index(mention.casefold())
        query_id = str(7_000_000 + next(self._inline_numbers))
        message = self._incoming(chat_id, user_id, chat_type, reply_to, {"text": words})
        message["entities"] = [
            {"type": "mention", "offset": utf16_length(words[:start]),
             "length": utf16_length(mention)}
        ]  # fmt: skip
        message["guest_query_id"] = query_id
        if anonymous:  # an anonymous administrator: Telegram sends the group as the sender
            message["from"] = dict(ANONYMOUS_ADMIN)
            message["sender_chat"] = message["chat"]
        self._guest_queries[query_id] = time.monotonic()
        self._guest_asked[query_id] = message
        self.guest_updates[query_id] = self.push_update({"guest_message": message})
        return query_id

    def guest_answer(self, query_id: str) -> dict[str, Any] | None:
        """The message the bot posted in answer to guest query `query_id`, as the chat shows it
        now (edits applied); None while it has not answered."""
        inline_message_id = self.guest_answers.get(query_id)
        return None if inline_message_id is None else self.inline_messages[inline_message_id]

    def guest_text(self, query_id: str) -> str | None:
        """The text of the guest answer to `query_id` as the chat reads it now."""
        answer = self.guest_answer(query_id)
        return None if answer is None else answer.get("text")

    # -- inline mode ------------------------------------------------------------------------

    def inline_query(self, *, user_id: int, query: str, chat_type: str = "private") -> str:
        """The user types `@bot query` in a chat of `chat_type`: an ``inline_query`` update
        (Telegram sends one per keystroke, each with its own id); returns the query's id.
        Telegram sends these only to a bot with inline mode on."""
        assert self.inline_mode, "BotFather's /setinline is off: Telegram sends no inline query"
        assert len(query) <= 256, "Telegram cuts inline queries at 256 characters"
        query_id = str(9_000_000 + next(self._inline_numbers))
        cached = self._cached_inline_answer(user_id, query)
        if cached is not None:
            self.inline_answers[query_id] = cached
            self.inline_from_cache.append(query_id)
            self._signal_calls()
            return query_id
        self._inline_queries[query_id] = time.monotonic()
        self.push_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": self._user(user_id),
                    "query": query,
                    "offset": "",
                    "chat_type": chat_type,
                }
            }
        )
        self._inline_texts[query_id] = (user_id, query)
        return query_id

    def _cached_inline_answer(self, user_id: int, query: str) -> dict[str, Any] | None:
        for key in ((user_id, query), (None, query)):
            kept = self._inline_cache.get(key)
            if kept is not None and time.monotonic() < kept[0]:
                return kept[1]
        return None

    async def typing_inline(self, *, user_id: int, text: str) -> list[str]:
        """The user types `text` one keystroke at a time: one inline query for each prefix,
        each sent once the one before reached the bot (a person types a key in a fraction of
        a second; the bot has each keystroke apart, as from a real user)."""
        typed: list[str] = []
        for end in range(1, len(text) + 1):
            query_id = self.inline_query(user_id=user_id, query=text[:end])
            typed.append(query_id)
            if query_id not in self.inline_from_cache:
                await self.wait_until(
                    lambda q=query_id: q in self._served_inline(), what=f"keystroke {end} fetched"
                )
        return typed

    def _served_inline(self) -> set[str]:
        served = set(self.served)
        return {
            str(update["inline_query"]["id"])
            for number, update in self._pushed.items()
            if number in served and "inline_query" in update
        }

    async def wait_for_inline_answers(self, query_ids: list[str], *, timeout: float = 15.0) -> None:
        """Wait until every one of `query_ids` was answered (accepted)."""
        await self.wait_until(
            lambda: all(query in self.inline_answers for query in query_ids),
            timeout=timeout,
            what=f"answers to inline queries {query_ids}",
        )

    def file_bytes(self, file_id: str) -> bytes:
        """The content of a file the bot has (uploaded, or received)."""
        return self._files[file_id].data

    # -- outgoing side -----------------------------------------------------------------------

    def sent(
        self,
        method: str | None = None,
        *,
        chat_id: int | None = None,
        include_rejected: bool = False,
    ) -> list[BotApiCall]:
        """Accepted calls (all calls with ``include_rejected``), filtered by method and chat."""
        return [
            call
            for call in self.calls
            if (include_rejected or call.ok)
            and (method is None or call.method.lower() == method.lower())
            and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
        ]

    async def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        chat_id: int | None = None,
        timeout: float = 15.0,
    ) -> list[BotApiCall]:
        """Wait until ``count`` accepted ``method`` calls happened; returns all matching calls.

        Raises AssertionError listing the calls seen so far when ``timeout`` runs out.
        """
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            changed = self._calls_changed
            found = self.sent(method, chat_id=chat_id)
            if len(found) >= count:
                return found
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                where = f" to chat {chat_id}" if chat_id is not None else ""
                raise AssertionError(
                    f"expected {count} {method} call(s){where} within {timeout}s, "
                    f"got {len(found)}.\n{self.describe_calls()}"
                )
            await _wait(changed, remaining)

    def texts(self, chat_id: int) -> list[str]:
        """The bot's text messages in a chat as people read them now: edits applied, deleted
        messages gone, oldest first."""
        return [
            str(message["text"])
            for (chat, _), message in sorted(self._messages.items())
            if chat == chat_id and message["from"]["id"] == self.bot_id and "text" in message
        ]

    def ephemeral_texts(self, chat_id: int, user_id: int) -> list[str]:
        """The bot's ephemeral messages in a group that `user_id` alone sees, as they read now
        (edits applied, deleted ones gone), oldest first."""
        return [
            str(kept.message.get("text") or kept.message.get("caption") or "")
            for (chat, _, _), kept in sorted(self._ephemeral.items(), key=_oldest_ephemeral)
            if chat == chat_id
            and kept.sender == self.bot_id
            and kept.receiver == user_id
            and not kept.deleted
            and kept.delivered
        ]

    def expire_ephemeral(self, chat_id: int, user_id: int) -> None:
        """The bot's ephemeral messages to `user_id` in a group vanish, as one does "after a
        while or when the app restarts": they can no longer be edited or deleted ("message to
        edit not found"), and their ids are handed out again, first, to the bot's next
        ephemeral messages to that member (an edit by such an id then lands on the new one)."""
        for (chat, member, number), kept in sorted(self._ephemeral.items()):
            if (chat, member) == (chat_id, user_id) and kept.sender == self.bot_id:
                self._ephemeral_gone(chat, member, number)

    def _ephemeral_gone(self, chat_id: int, user_id: int, number: int) -> None:
        kept = self._ephemeral[(chat_id, user_id, number)]
        if not kept.deleted:
            kept.deleted = True
            self._freed_ephemeral_ids.setdefault((chat_id, user_id), []).append(number)

    def ephemeral_sent(self, chat_id: int) -> list[dict[str, Any]]:
        """Every ephemeral message the bot sent in a group that is still there, with its
        receiver (``receiver_user``), oldest first."""
        return [
            dict(kept.message)
            for (chat, _, _), kept in sorted(self._ephemeral.items(), key=_oldest_ephemeral)
            if chat == chat_id and kept.sender == self.bot_id and not kept.deleted
        ]

    def seen_by(self, chat_id: int, user_id: int) -> list[str]:
        """What `user_id` reads of the bot in a group: its messages there for everyone (`texts`)
        and the ephemeral ones for them alone (`ephemeral_texts`)."""
        return self.texts(chat_id) + self.ephemeral_texts(chat_id, user_id)

    def history(self, chat_id: int) -> list[dict[str, Any]]:
        """The group's history as every member reads it: everyone's messages, the bot's too,
        oldest first; no ephemeral message is in it."""
        return [dict(m) for (chat, _), m in sorted(self._messages.items()) if chat == chat_id]

    def drafts(self, chat_id: int) -> list[str]:
        """The texts of the drafts the chat was shown, in order ("" for "Thinking…")."""
        calls = self.sent("sendMessageDraft", chat_id=chat_id)
        return [str(call.params.get("text") or "") for call in calls]

    def draft_on_screen(self, chat_id: int) -> str | None:
        """The draft the chat shows now, if any (not yet lapsed, not yet replaced by a message)."""
        self._draft_gone(chat_id, lapsed_only=True)
        draft = self._drafts.get(chat_id)
        return None if draft is None else draft.text

    def lapsed_drafts(self, chat_id: int) -> list[str]:
        """Drafts that vanished because nothing renewed them within `draft_lifetime`, before the
        next draft or the finished message came: the user saw the work stop showing."""
        self._draft_gone(chat_id, lapsed_only=True)
        return list(self._lapsed_drafts.get(chat_id, []))

    async def wait_until(
        self, condition: Callable[[], bool], *, timeout: float = 15.0, what: str = "condition"
    ) -> None:
        """Wait until `condition()` holds, checking after every call the bot makes."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            changed = self._calls_changed
            if condition():
                return
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"{what} not met within {timeout}s.\n{self.describe_calls()}")
            await _wait(changed, remaining)

    async def wait_for_texts(self, chat_id: int, expected: list[str], **kwargs: Any) -> None:
        """Wait until the chat reads exactly `expected` (see `texts`)."""
        try:
            await self.wait_until(lambda: self.texts(chat_id) == expected, **kwargs)
        except AssertionError as exc:
            reads = self.texts(chat_id)
            raise AssertionError(
                f"chat {chat_id} reads {reads!r}, not {expected!r}\n{exc}"
            ) from None

    def describe_calls(self) -> str:
        """A readable list of the calls so far (getUpdates only counted), for failures."""
        polls = sum(1 for call in self.calls if call.method == "getUpdates")
        lines = [f"calls so far ({polls} getUpdates not shown):"]
        for call in self.calls:
            if call.method != "getUpdates":
                lines.append(f"  {_describe(call)}")
        return "\n".join(lines)

    def replies_to(self, chat_id: int, message_id: int) -> list[dict[str, Any]]:
        """The bot's messages in the chat that reply to `message_id` and were not deleted, as
        they read now (after edits): what the chat sees in answer to that message."""
        return [
            message
            for (chat, _), message in sorted(self._messages.items())
            if chat == chat_id
            and message["from"]["id"] == self.bot_id
            and (message.get("reply_to_message") or {}).get("message_id") == message_id
        ]

    def lose_local_files(self) -> None:
        """In local mode: the server's disk is not this machine's (another container, another
        host): the paths getFile names exist nowhere here."""
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    def user_deletes(self, message: dict[str, Any]) -> None:
        """The user deletes `message` (one they sent): replies to it are refused from now on,
        unless they allow sending without it."""
        del self._messages[(message["chat"]["id"], message["message_id"])]

    def bad_gateway_next(self, method: str, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` as Telegram's front does in a bad
        minute: 502 Bad Gateway, with its HTML page, not the Bot API's JSON."""
        self._bad_gateways[method.lower()] = times

    def flood_next(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 "retry after N"."""
        self._floods[method.lower()] = [times, retry_after]

    # -- HTTP ----------------------------------------------------------------------------------

    def hold(self, method: str) -> asyncio.Event:
        """Calls of `method` wait unanswered (counted in `waiting`) until the event is set: a
        Bot API slow to answer one method."""
        released = self._held_methods[method] = asyncio.Event()
        return released

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return BotApiError(401, "Unauthorized").response()
        name = request.match_info["method"]
        entry = _METHODS.get(name.lower())
        call = BotApiCall(entry[0] if entry else name, {})
        held = self._held_methods.get(call.method)
        if held is not None and not held.is_set():
            self.waiting.append(call.method)
            self._signal_calls()
            await held.wait()
        if self._bad_gateways.get(call.method.lower(), 0) > 0:
            self._bad_gateways[call.method.lower()] -= 1
            call.error = "Bad Gateway"
            self.calls.append(call)
            self._signal_calls()
            return web.Response(status=502, text=_BAD_GATEWAY_PAGE, content_type="text/html")
        try:
            await _read_request(request, call)
            if entry is None or (
                call.method.lower() in _EPHEMERAL_METHODS and self.bot_api_version < (10, 2)
            ):
                raise BotApiError(404, "Not Found: method not found")
            described = bot_api_description().method(call.method)
            if described is not None:
                problem = bot_api_description().request_problem(described, call.params, call.files)
                if problem is not None:
                    raise bad_request(problem)
            self._check_flood(call.method)
            self._check_group_flood(call)
            call.result = await entry[1](self, call)
            self._check_payload(RESULT_TYPES.get(call.method), call.result, call.method)
        except BotApiError as exc:
            call.error = exc.description
            return exc.response()
        except AssertionError as exc:  # the stand-in's own mistake (`_check_payload`)
            call.error = str(exc)
            return BotApiError(500, f"Internal Server Error: {exc}").response()
        finally:
            self.calls.append(call)
            self._signal_calls()
        return web.json_response({"ok": True, "result": call.result})

    def _check_payload(self, type_name: str | None, value: Any, path: str) -> None:
        """Hand the bot nothing Telegram would not: a field its type does not have in the Bot
        API's description is the stand-in's own mistake, kept in `invented` and raised."""
        if type_name is None:
            return
        invented = list(bot_api_description().invented(type_name, value, path))
        if invented:
            self.invented.extend(invented)
            raise AssertionError(f"the Bot API stand-in invented {', '.join(invented)}")

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return BotApiError(401, "Unauthorized").response()
        path = request.match_info["path"]
        stored = self._files_by_path.get(path)
        if stored is None:
            return BotApiError(404, "Not Found").response()
        self.downloads.append(path)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    def _check_group_flood(self, call: BotApiCall) -> None:
        """Telegram's 20 messages a minute in a group, chat actions and edits included, as a
        leaky bucket (a burst of 20, then one every 3 s): 429 with the seconds to wait."""
        rate = self.group_messages_per_minute
        method = call.method.lower()
        if rate is None or not method.startswith(_COUNTED_IN_GROUPS) or method in _NOT_COUNTED:
            return
        try:
            chat_id = int(call.params.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):  # no chat, or a @channel username
            return
        if chat_id >= 0:
            return
        now = self.flood_clock()
        level, when = self._group_budgets.get(chat_id, (0.0, now))
        level = max(0.0, level - (now - when) * rate / 60)
        if level + 1 > rate:
            retry_after = math.ceil((level + 1 - rate) * 60 / rate)
            raise BotApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        self._group_budgets[chat_id] = (level + 1, now)

    def _check_flood(self, method: str) -> None:
        flood = self._floods.get(method.lower())
        if flood and flood[0] > 0:
            flood[0] -= 1
            retry_after = flood[1]
            raise BotApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )

    # -- Bot API methods -----------------------------------------------------------------------

    @_api_method("getMe")
    async def _get_me(self, call: BotApiCall) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.inline_mode,
            "can_connect_to_business": self.business_mode,
            "supports_guest_queries": self.guest_mode,
            "has_main_web_app": False,
        }

    @_api_method("getUpdates")
    async def _get_updates(self, call: BotApiCall) -> list[dict[str, Any]]:
        offset = int(call.params.get("offset") or 0)
        limit = min(max(int(call.params.get("limit") or 100), 1), 100)
        timeout = float(call.params.get("timeout") or 0)
        allowed = call.params.get("allowed_updates") or []
        if self.webhook is not None:  # as Telegram: one way of receiving updates at a time
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        self._confirm_updates(offset)
        # Like Telegram, a new getUpdates ends the one still waiting (409 Conflict).
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal_updates()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(timeout, self.long_poll_cap)
        try:
            while True:
                changed = self._updates_changed
                if generation != self._poll_generation:
                    raise BotApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                queued = [*self._replays, *self._updates]
                ready = [u for u in queued if not allowed or _update_type(u) in allowed]
                remaining = deadline - loop.time()
                if ready or remaining <= 0 or self._closing:
                    self._replays.clear()
                    self.served.extend(int(u["update_id"]) for u in ready[:limit])
                    return ready[:limit]
                if not self.polls_waiting:
                    self.polls_waiting = 1
                    self._signal_calls()
                await _wait(changed, remaining)
        finally:
            self.polls_waiting = 0

    @_api_method("deleteWebhook")
    async def _delete_webhook(self, call: BotApiCall) -> bool:
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        return True

    @_api_method("setWebhook")
    async def _set_webhook(self, call: BotApiCall) -> bool:
        url = str(call.params.get("url") or "")
        if not url:  # Telegram: an empty url removes the webhook
            self.webhook = None
            return True
        if urlparse(url).scheme != "https":
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = call.params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": call.params.get("allowed_updates"),
        }
        return True

    @_api_method("getWebhookInfo")
    async def _get_webhook_info(self, call: BotApiCall) -> dict[str, Any]:
        current = self.webhook or {}
        return {
            "url": current.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
            **_present(allowed_updates=current.get("allowed_updates")),
        }

    @_api_method("setMyCommands")
    async def _set_my_commands(self, call: BotApiCall) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("parameter commands is required")
        # "A two-letter ISO 639-1 language code", or empty for every language without its own.
        language = call.params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise bad_request("LANG_CODE_INVALID")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description is empty")
            ephemeral = command.get("is_ephemeral")
            if self.bot_api_version < (10, 2):  # a field it does not know: dropped
                command.pop("is_ephemeral", None)
            elif ephemeral is not None and not isinstance(ephemeral, bool):
                raise bad_request('can\'t parse BotCommand: field "is_ephemeral" must be Boolean')
        if not language:
            self.commands = commands  # the menu everyone without a language of their own sees
        self._commands_by_scope[_scope_key(call.params)] = commands
        return True

    @_api_method("getMyCommands")
    async def _get_my_commands(self, call: BotApiCall) -> list[dict[str, Any]]:
        return self._commands_by_scope.get(_scope_key(call.params), [])

    @_api_method("sendMessage")
    async def _send_message(self, call: BotApiCall) -> dict[str, Any]:
        text = _checked_text(call.params, too_long="message is too long")
        content: dict[str, Any] = {"text": text}
        if call.params.get("entities"):
            content["entities"] = call.params["entities"]
        return self._outgoing(call, content)

    @_api_method("editMessageText")
    async def _edit_message_text(self, call: BotApiCall) -> dict[str, Any] | bool:
        text = _checked_text(call.params, too_long="MESSAGE_TOO_LONG")
        inline_message_id = call.params.get("inline_message_id")
        if inline_message_id:
            return self._edit_inline_message(call, str(inline_message_id), text)
        key = (self._chat(call.params)["id"], int(call.params.get("message_id") or 0))
        message = self._messages.get(key)
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise bad_request("message can't be edited")
        if "text" not in message:  # a voice note, a document: editMessageCaption, if anything
            raise bad_request("there is no text in the message to edit")
        markup = call.params.get("reply_markup")
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message.update(text=text, edit_date=int(time.time()))
        message.update(_present(reply_markup=_inline_markup(markup)))
        return dict(message)

    def _edit_inline_message(self, call: BotApiCall, inline_message_id: str, text: str) -> bool:
        """An inline message is named by its id alone (no chat_id, no message_id); it answers
        True, not the Message."""
        if call.params.get("chat_id") is not None or call.params.get("message_id") is not None:
            raise bad_request("chat_id and message_id must be empty with inline_message_id")
        message = self.inline_messages.get(inline_message_id)
        if message is None:
            raise bad_request("MESSAGE_ID_INVALID")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        if message["text"] == text:
            raise bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message.update(text=text, edit_date=int(time.time()))
        return True

    @_api_method("editEphemeralMessageText")
    async def _edit_ephemeral_message_text(self, call: BotApiCall) -> bool:
        """Bot API 10.2: an ephemeral text message edited by chat, receiver and ephemeral id;
        it answers True."""
        text = _checked_text(call.params, too_long="MESSAGE_TOO_LONG")
        if _visible_units(text, call.params.get("parse_mode")) > EPHEMERAL_EDIT_LIMIT:
            raise bad_request("MEDIA_CAPTION_TOO_LONG")  # the real server's, not the docs' 4096
        kept = self._sent_ephemeral(call, missing="message to edit not found")
        if "text" not in kept.message:
            raise bad_request("there is no text in the message to edit")
        markup = _inline_markup(call.params.get("reply_markup"))
        if kept.message.get("text") == text and kept.message.get("reply_markup") == markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        kept.message.update(text=text, edit_date=int(time.time()))
        kept.message.update(_present(reply_markup=markup))
        return True

    @_api_method("editEphemeralMessageReplyMarkup")
    async def _edit_ephemeral_message_reply_markup(self, call: BotApiCall) -> bool:
        kept = self._sent_ephemeral(call, missing="message to edit not found")
        kept.message.pop("reply_markup", None)
        kept.message.update(_present(reply_markup=_inline_markup(call.params.get("reply_markup"))))
        return True

    @_api_method("deleteEphemeralMessage")
    async def _delete_ephemeral_message(self, call: BotApiCall) -> bool:
        self._sent_ephemeral(call, missing="message to delete not found")
        chat_id = int(self._chat(call.params)["id"])
        receiver = int(call.params.get("receiver_user_id") or 0)
        self._ephemeral_gone(chat_id, receiver, int(call.params["ephemeral_message_id"]))
        return True

    @_api_method("deleteMessage")
    async def _delete_message(self, call: BotApiCall) -> bool:
        key = (self._chat(call.params)["id"], int(call.params.get("message_id") or 0))
        if self._messages.pop(key, None) is None:
            raise bad_request("message to delete not found")
        return True

    @_api_method("sendChatAction")
    async def _send_chat_action(self, call: BotApiCall) -> bool:
        self._chat(call.params)
        if call.params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    @_api_method("sendMessageDraft")
    async def _send_message_draft(self, call: BotApiCall) -> bool:
        """Private chats only, a non-zero ``draft_id``, a message's text limit; an empty text
        shows Telegram's "Thinking…" placeholder (Bot API 10.0). The refusals' wording for a
        zero id and a long text is ours; TEXTDRAFT_PEER_INVALID is what bots see in groups."""
        chat = self._chat(call.params)
        if chat["type"] != "private":
            raise bad_request("TEXTDRAFT_PEER_INVALID")
        draft_id = call.params.get("draft_id")
        if isinstance(draft_id, bool) or not isinstance(draft_id, int) or draft_id == 0:
            raise bad_request("DRAFT_ID_INVALID")
        text = ""
        if str(call.params.get("text") or "").strip():
            text = _checked_text(call.params, too_long="TEXTDRAFT_TOO_LONG")
        self._draft_gone(chat["id"])
        self._drafts[chat["id"]] = _Draft(draft_id, text, self.draft_clock())
        return True

    def _draft_gone(self, chat_id: int, *, lapsed_only: bool = False) -> None:
        """The chat's draft ends: replaced (a new draft, a message), or lapsed on its own."""
        draft = self._drafts.get(chat_id)
        if draft is None:
            return
        if self.draft_clock() - draft.shown_at > self.draft_lifetime:
            self._lapsed_drafts.setdefault(chat_id, []).append(draft.text)
        elif lapsed_only:
            return
        del self._drafts[chat_id]

    @_api_method("sendVoice")
    async def _send_voice(self, call: BotApiCall) -> dict[str, Any]:
        duration = call.params.get("duration", 0)
        if isinstance(duration, bool) or not isinstance(duration, int):  # seconds, whole
            raise bad_request('field "duration" must be of type Integer')
        stored, _, _ = self._uploaded(call, "voice", folder="voice", ext="oga")
        voice = _file_object(stored, duration=duration, mime_type="audio/ogg")
        return self._outgoing(call, {"voice": voice, **_caption(call.params)})

    @_api_method("sendAudio")
    async def _send_audio(self, call: BotApiCall) -> dict[str, Any]:
        stored, name, mime = self._uploaded(call, "audio", folder="music", ext="mp3")
        audio = _file_object(
            stored,
            duration=int(call.params.get("duration") or 0),
            mime_type=mime or "audio/mpeg",
            file_name=name,
            title=call.params.get("title"),
            performer=call.params.get("performer"),
        )
        return self._outgoing(call, {"audio": audio, **_caption(call.params)})

    @_api_method("sendDocument")
    async def _send_document(self, call: BotApiCall) -> dict[str, Any]:
        stored, name, mime = self._uploaded(call, "document", folder="documents", ext="bin")
        document = _file_object(stored, file_name=name, mime_type=mime)
        return self._outgoing(call, {"document": document, **_caption(call.params)})

    @_api_method("sendMediaGroup")
    async def _send_media_group(self, call: BotApiCall) -> list[dict[str, Any]]:
        """An album of 2-10 documents or audio files, each a message of its own sharing a
        `media_group_id`. It has no ephemeral parameters (PLATFORMS.md: a media group cannot be
        ephemeral): one given is refused as unknown by the description check, where the real
        server would drop it and post the album to the whole group; a reply to an ephemeral
        message, which must itself be ephemeral, is refused too. Photos and videos are not
        modelled (refused, saying so)."""
        media = call.params.get("media")
        if isinstance(media, str):
            media = json.loads(media)
        if not isinstance(media, list) or not 2 <= len(media) <= MAX_MEDIA_GROUP:
            raise bad_request("wrong number of media specified")  # ours: "2-10 items"
        kinds = {item.get("type") for item in media if isinstance(item, dict)}
        if not kinds <= {"audio", "document"} or len(kinds) != 1:
            raise bad_request(  # ours: documents and audio are grouped only with their kind
                "the stand-in models albums of documents or of audio files, one kind each"
            )
        chat = self._chat(call.params)
        reply_to = self._reply_target(call.params, chat["id"])
        group_id = str(next(self._file_numbers) + 10_000_000)
        sent = []
        for item in media:
            kind = item["type"]
            stored, name, mime = self._uploaded(
                BotApiCall(
                    call.method, dict(item), call.files, call.file_names, call.content_types
                ),
                "media", folder="documents" if kind == "document" else "music", ext="bin",
            )  # fmt: skip
            seconds = int(item.get("duration") or 0) if kind == "audio" else None
            made = _file_object(stored, file_name=name, mime_type=mime, duration=seconds)
            content = {kind: made, **_caption(item), "media_group_id": group_id}
            message = self._outgoing(BotApiCall(call.method, {"chat_id": chat["id"]}), content)
            if reply_to is not None:
                message["reply_to_message"] = _without_reply(reply_to)
            sent.append(message)
        return sent

    @_api_method("getFile")
    async def _get_file(self, call: BotApiCall) -> dict[str, Any]:
        stored = self._files.get(str(call.params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        if not self.local_mode and stored.file_size > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        return _file_object(stored, file_path=stored.file_path)

    @_api_method("getChat")
    async def _get_chat(self, call: BotApiCall) -> dict[str, Any]:
        """A ChatFullInfo of a chat the bot is in, with the fields Telegram always sends."""
        gifts = {"unlimited_gifts": True, "limited_gifts": True, "unique_gifts": True,
                 "premium_subscription": True, "gifts_from_channels": True}  # fmt: skip
        return {**self._chat(call.params), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": gifts}  # fmt: skip

    @_api_method("getChatMember")
    async def _get_chat_member(self, call: BotApiCall) -> dict[str, Any]:
        chat = self._chat(call.params)
        user_id = int(call.params.get("user_id") or 0)
        status = self._members.get((chat["id"], user_id), "member")
        user = self.bot_user if user_id == self.bot_id else self._user(user_id)
        return _chat_member(user, status)

    @_api_method("getBusinessConnection")
    async def _get_business_connection(self, call: BotApiCall) -> dict[str, Any]:
        connection = self._business.get(str(call.params.get("business_connection_id") or ""))
        if connection is None:
            raise bad_request("BUSINESS_CONNECTION_INVALID")
        return dict(connection)

    @_api_method("answerInlineQuery")
    async def _answer_inline_query(self, call: BotApiCall) -> bool:
        """Once per query, within its lifetime, with at most 50 valid results; a cached voice
        must name a file the bot has."""
        query_id = str(call.params.get("inline_query_id") or "")
        sent = self._inline_queries.get(query_id)
        if sent is None or time.monotonic() - sent > self.inline_query_lifetime:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        results = call.params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        cache_time = call.params.get("cache_time", 300)
        if isinstance(cache_time, bool) or not isinstance(cache_time, int) or cache_time < 0:
            raise bad_request('field "cache_time" must be a non-negative Integer')
        if not isinstance(call.params.get("is_personal", False), bool):
            raise bad_request('field "is_personal" must be of type Boolean')
        ids: set[str] = set()
        for result in results:
            self._check_inline_result(result, ids)
        del self._inline_queries[query_id]
        self.inline_answers[query_id] = dict(call.params)
        user, text = self._inline_texts[query_id]
        if cache_time > 0:
            key = (user if call.params.get("is_personal") else None, text)
            self._inline_cache[key] = (time.monotonic() + cache_time, dict(call.params))
        return True

    @_api_method("answerGuestQuery")
    async def _answer_guest_query(self, call: BotApiCall) -> dict[str, Any]:
        """Once per guest query, within its lifetime, with one result: an article whose
        input_message_content is a text, or a cached voice. The message appears in the chat
        the query came from, from the bot, naming its caller; a SentGuestMessage comes back."""
        query_id = str(call.params.get("guest_query_id") or "")
        sent = self._guest_queries.get(query_id)
        if sent is None or time.monotonic() - sent > self.guest_query_lifetime:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        result = call.params.get("result")
        self._check_inline_result(result, set())
        content: dict[str, Any]
        if result["type"] == "article":
            if not str(result.get("title") or ""):
                raise bad_request("RESULT_TITLE_EMPTY")
            given = result.get("input_message_content")
            if not isinstance(given, dict) or "message_text" not in given:
                raise bad_request("MESSAGE_EMPTY")
            text = _checked_text(
                {**given, "text": given["message_text"]}, too_long="MESSAGE_TOO_LONG"
            )
            content = {"text": text}
        elif result["type"] == "voice" and "voice_file_id" in result:
            stored = self._files[str(result["voice_file_id"])]
            content = {"voice": _file_object(stored, duration=0, mime_type="audio/ogg")}
        else:
            raise bad_request("RESULT_TYPE_INVALID")  # what this stand-in does not model
        del self._guest_queries[query_id]
        asked = self._guest_asked[query_id]
        inline_message_id = f"guest-{query_id}"
        self.inline_messages[inline_message_id] = {
            "from": self.bot_user,
            "chat": asked["chat"],
            "guest_bot_caller_user": asked["from"],
            "date": int(time.time()),
            **content,
        }
        self.guest_answers[query_id] = inline_message_id
        return {"inline_message_id": inline_message_id}

    def _check_inline_result(self, result: Any, ids: set[str]) -> None:
        if not isinstance(result, dict) or result.get("type") not in INLINE_RESULT_TYPES:
            raise bad_request("RESULT_TYPE_INVALID")
        result_id = str(result.get("id") or "")
        if not 1 <= len(result_id.encode()) <= 64:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in ids:
            raise bad_request("RESULT_ID_DUPLICATE")
        ids.add(result_id)
        if result["type"] == "voice":
            if not str(result.get("title") or ""):
                raise bad_request("RESULT_TITLE_EMPTY")
            if "voice_file_id" in result:
                if str(result["voice_file_id"]) not in self._files:
                    raise bad_request("wrong file identifier/HTTP URL specified")
            elif not str(result.get("voice_url") or "").startswith(("http://", "https://")):
                raise bad_request("wrong HTTP URL specified")
        _check_caption(result)

    @_api_method("answerCallbackQuery", "setMessageReaction", "close", "logOut")
    async def _acknowledge(self, call: BotApiCall) -> bool:
        return True

    # -- helpers -------------------------------------------------------------------------------

    def _signal_updates(self) -> None:
        # Waiters hold the old event; replacing it avoids a clear() racing a new waiter.
        changed, self._updates_changed = self._updates_changed, asyncio.Event()
        changed.set()

    def _signal_calls(self) -> None:
        changed, self._calls_changed = self._calls_changed, asyncio.Event()
        changed.set()

    def _confirm_updates(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _store_file(
        self, data: bytes, *, folder: str, ext: str, file_size: int | None = None
    ) -> _StoredFile:
        number = next(self._file_numbers)
        path = f"{folder}/file_{number}.{ext}"
        if self.local_mode:
            if self._tmpdir is None:
                self._tmpdir = Path(tempfile.mkdtemp(prefix="fake-bot-api-"))
            local = self._tmpdir / path
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(data)
            path = str(local)
        stored = _StoredFile(
            file_id=f"fake-file-id-{number}",
            file_unique_id=f"fake-unique-{number}",
            data=data,
            file_size=len(data) if file_size is None else file_size,
            file_path=path,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[path.lstrip("/")] = stored
        return stored

    def _uploaded(
        self, call: BotApiCall, field_name: str, *, folder: str, ext: str
    ) -> tuple[_StoredFile, str | None, str | None]:
        """The file a send* call carries: an upload, attach://, file:// (local) or a file_id.

        Returns the stored file, its upload file name and content type (when uploaded).
        """
        _check_caption(call.params)
        value = call.params.get(field_name)
        part = field_name
        if isinstance(value, str) and value.startswith("attach://"):
            part = value.removeprefix("attach://")
        if part in call.files:
            name = call.file_names.get(part)
            stored = self._store_file(call.files[part], folder=folder, ext=_extension(name, ext))
            return stored, name, call.content_types.get(part)
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {field_name} in the request")
        if value.startswith("file://"):
            if not self.local_mode:
                raise bad_request("wrong HTTP URL specified")
            local = Path(unquote(urlparse(value).path))
            if not local.is_file():
                raise bad_request("file not found")
            call.files[field_name] = local.read_bytes()
            stored = self._store_file(
                call.files[field_name], folder=folder, ext=_extension(local.name, ext)
            )
            return stored, local.name, None
        if value in self._files:
            return self._files[value], None, None
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _user(self, user_id: int) -> dict[str, Any]:
        return self._users.setdefault(
            user_id,
            {
                "id": user_id,
                "is_bot": False,
                "first_name": f"User{user_id}",
                "username": f"user{user_id}",
                "language_code": "en",
            },
        )

    def _remember_chat(self, chat_id: int, chat_type: str, user_id: int) -> dict[str, Any]:
        if chat_type == "private":
            user = self._user(user_id)
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        else:
            chat = {"id": chat_id, "type": chat_type, "title": f"Chat {chat_id}"}
        if chat_id not in self._outside:  # a chat the bot is not in stays unknown to it
            self._chats[chat_id] = chat
        return chat

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        """The chat a call addresses: one the bot is in (a message came from it, or `add_chat`
        put the bot there); any other is "chat not found", as Telegram answers."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if chat_id not in self._chats:
            if chat_id in self._users and chat_id not in self._outside:
                # Someone the bot met in a group, who never started a private chat with it.
                raise BotApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        return self._chats[chat_id]

    def add_chat(self, chat_id: int, chat_type: str = "channel") -> None:
        """The bot is in chat `chat_id` (say, a channel it was made an administrator of)
        before anything was said there."""
        self._outside.discard(chat_id)
        self._remember_chat(chat_id, chat_type, chat_id)

    def _next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _incoming(
        self,
        chat_id: int,
        user_id: int,
        chat_type: str,
        reply_to: dict[str, Any] | None,
        content: dict[str, Any],
        caption: str | None = None,
    ) -> dict[str, Any]:
        chat = self._remember_chat(chat_id, chat_type, user_id)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": self._user(user_id),
            "chat": chat,
            "date": int(time.time()),
            **content,
            **_present(caption=caption),
        }
        if reply_to is not None:
            message["reply_to_message"] = _without_reply(reply_to)
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _outgoing(self, call: BotApiCall, content: dict[str, Any]) -> dict[str, Any]:
        """The Message a send* call creates: next id in the chat, from the bot, now."""
        if call.params.get("business_connection_id"):
            return self._on_behalf(call, content)
        chat = self._chat(call.params)
        ephemeral = self._ephemeral_parameters(call.params)
        if ephemeral is not None:
            return self._send_ephemeral(call, chat, ephemeral, content)
        reply_to = self._reply_target(call.params, chat["id"])
        self._draft_gone(chat["id"])  # the finished message takes the draft's place
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = _without_reply(reply_to)
        message.update(_present(reply_markup=_inline_markup(call.params.get("reply_markup"))))
        # A copy, so a later edit does not rewrite the result recorded in `calls`.
        self._messages[(chat["id"], message["message_id"])] = dict(message)
        return message

    def _ephemeral_parameters(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """Whom a send* call is ephemeral for, in the shape this server's version reads: 10.3's
        `ephemeral_message_parameters`, 10.2's `receiver_user_id` / `callback_query_id`; a
        server older than 10.2 reads neither (the message goes to everyone), and each version
        ignores the other's parameters, as the Bot API ignores any parameter it does not
        know."""
        if self.bot_api_version < (10, 2):
            return None
        if self.bot_api_version < (10, 3):
            if params.get("receiver_user_id") is None:
                return None
            return _present(
                receiver_user_id=params.get("receiver_user_id"),
                callback_query_id=params.get("callback_query_id"),
            )
        found = params.get("ephemeral_message_parameters")
        if found is None:
            return None
        receiver = found.get("receiver_user_id") if isinstance(found, dict) else None
        if isinstance(receiver, bool) or not isinstance(receiver, int):  # wording ours
            raise bad_request("can't parse ephemeral message parameters: receiver_user_id")
        return dict(found)

    def _send_ephemeral(
        self,
        call: BotApiCall,
        chat: dict[str, Any],
        ephemeral: dict[str, Any],
        content: dict[str, Any],
    ) -> dict[str, Any]:
        """A message one member of a group alone sees, refused as the documentation says: in a
        group or supergroup only, to a member who is no bot, within 15 s of their command or
        button press (or at any time from a bot that administers the group)."""
        chat_id = int(chat["id"])
        if chat["type"] not in ("group", "supergroup"):  # "for group and supergroup chats only"
            raise bad_request("ephemeral messages can be sent only to groups and supergroups")
        receiver = int(ephemeral["receiver_user_id"])
        if receiver != self.bot_id and receiver not in self._users:
            raise bad_request("user not found")
        if receiver == self.bot_id or self._users[receiver].get("is_bot"):  # wording ours
            raise bad_request("ephemeral messages can be sent only to non-bot members")
        if self._members.get((chat_id, receiver), "member") in _NOT_IN_CHAT:
            raise bad_request("USER_NOT_PARTICIPANT")
        now = self.ephemeral_clock()
        eligible = False
        query_id = ephemeral.get("callback_query_id")
        replace = ephemeral.get("replace_callback_query_message")
        if query_id is not None:
            pressed = self._callback_queries.get(str(query_id))
            if pressed is None or pressed[0] != receiver or pressed[1] not in (None, chat_id):
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            if replace and pressed[3]:  # wording ours
                raise bad_request(
                    "replace_callback_query_message must be False for a callback query of an "
                    "ephemeral message"
                )
            eligible = now - pressed[2] <= EPHEMERAL_REPLY_WINDOW
        elif replace:  # wording ours
            raise bad_request("replace_callback_query_message needs callback_query_id")
        reply = call.params.get("reply_parameters")
        reply = reply if isinstance(reply, dict) else {}
        target = None
        if reply.get("ephemeral_message_id") is not None:
            kept = self._ephemeral.get((chat_id, receiver, int(reply["ephemeral_message_id"])))
            if kept is None or kept.deleted or kept.sender != receiver:
                raise bad_request("message to be replied not found")
            eligible = now - kept.sent_at <= EPHEMERAL_REPLY_WINDOW
        elif reply.get("message_id") is not None:
            # `allow_sending_without_reply` is "always False" for a sent ephemeral message.
            target = self._messages.get((chat_id, int(reply["message_id"])))
            if target is None:
                raise bad_request("message to be replied not found")
        if not eligible and self._members.get((chat_id, self.bot_id)) not in _ADMINISTERING:
            # Outside the 15 seconds of a command or a button press (or with neither), as the
            # real server words it (PLATFORMS.md).
            raise bad_request("BOT_NOT_ADMIN")
        freed = self._freed_ephemeral_ids.get((chat_id, receiver))
        message: dict[str, Any] = {
            "message_id": 0,  # always: only the ephemeral id names it
            "ephemeral_message_id": freed.pop(0) if freed else next(self._ephemeral_ids),
            "from": self.bot_user,
            "receiver_user": self._user(receiver),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        if target is not None:
            message["reply_to_message"] = _without_reply(target)
        message.update(_present(reply_markup=_inline_markup(call.params.get("reply_markup"))))
        key = (chat_id, receiver, int(message["ephemeral_message_id"]))
        delivered = receiver not in self.offline  # accepted all the same
        self._ephemeral[key] = _Ephemeral(
            dict(message), self.bot_id, receiver, now, delivered=delivered
        )
        return message

    def _sent_ephemeral(self, call: BotApiCall, *, missing: str) -> _Ephemeral:
        """The bot's ephemeral message a call names (chat, receiver, ephemeral id)."""
        chat = self._chat(call.params)
        receiver = int(call.params.get("receiver_user_id") or 0)
        key = (int(chat["id"]), receiver, int(call.params.get("ephemeral_message_id") or 0))
        kept = self._ephemeral.get(key)
        if kept is None or kept.deleted or kept.sender != self.bot_id or kept.receiver != receiver:
            raise bad_request(missing)
        return kept

    def _on_behalf(self, call: BotApiCall, content: dict[str, Any]) -> dict[str, Any]:
        """A message sent through a business connection: only while it is enabled, only where
        its rights let the bot reply, only into one of the owner's private chats; it comes from
        the owner, with the bot named as ``sender_business_bot``."""
        connection_id = str(call.params["business_connection_id"])
        connection = self._business.get(connection_id)
        if connection is None or not connection["is_enabled"]:
            raise bad_request("BUSINESS_CONNECTION_INVALID")
        if not connection["rights"].get("can_reply"):
            raise bad_request("BUSINESS_CONNECTION_NOT_ALLOWED")
        try:
            chat_id = int(call.params.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if chat_id not in self._business_chats[connection_id]:
            raise bad_request("chat not found")
        # `can_reply` covers "the private chats that had incoming messages in the last 24 hours"
        last_incoming = self._business_incoming.get((connection_id, chat_id))
        if last_incoming is None or time.time() - last_incoming > BUSINESS_REPLY_WINDOW:
            raise bad_request("BUSINESS_PEER_INVALID")
        reply = call.params.get("reply_parameters")
        target = None
        if isinstance(reply, dict):
            key = (connection_id, chat_id, int(reply.get("message_id") or 0))
            target = self._business_messages.get(key)
            if target is None and not reply.get("allow_sending_without_reply"):
                raise bad_request("message to be replied not found")
        number = 1 + max(
            (k[2] for k in self._business_messages if k[:2] == (connection_id, chat_id)),
            default=0,
        )
        message: dict[str, Any] = {
            "message_id": number,
            "from": connection["user"],
            "sender_business_bot": self.bot_user,
            "chat": {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"},
            "date": int(time.time()),
            "business_connection_id": connection_id,
            **content,
        }
        if target is not None:
            message["reply_to_message"] = _without_reply(target)
        self._business_messages[(connection_id, chat_id, number)] = dict(message)
        return message

    def _reply_target(self, params: dict[str, Any], chat_id: int) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            if params.get("reply_to_message_id") is None:
                return None
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply"),
            }
        if reply.get("ephemeral_message_id") is not None and self.bot_api_version >= (10, 2):
            raise bad_request("a reply to an ephemeral message must be ephemeral")  # ours
        target_chat = int(reply.get("chat_id") or chat_id)
        target = self._messages.get((target_chat, int(reply.get("message_id") or 0)))
        if target is None and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return target


# -- module helpers ----------------------------------------------------------------------------


async def _read_request(request: web.Request, call: BotApiCall) -> None:
    """Fill ``call`` from the query string and a JSON, urlencoded or multipart body."""
    for key, value in request.query.items():
        call.params[key] = _decode_form_value(key, value)
    if request.content_type == "application/json":
        body = await request.text()
        if body.strip():
            try:
                call.params.update(json.loads(body))
            except ValueError:
                raise bad_request("can't parse JSON object") from None
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, part in form.items():
            if isinstance(part, web.FileField):
                call.files[key] = part.file.read()
                call.file_names[key] = part.filename
                call.content_types[key] = part.content_type
            else:
                call.params[key] = _decode_form_value(key, str(part))


def _decode_form_value(name: str, value: str) -> Any:
    """JSON-decode a form value unless the Bot API types that parameter as a string."""
    if name in _STRING_PARAMS:
        return value
    try:
        decoded = json.loads(value, parse_constant=_reject_constant)
    except ValueError:
        return value
    return value if decoded is None else decoded


def _reject_constant(constant: str) -> Any:
    raise ValueError(constant)


async def _wait(event: asyncio.Event, timeout: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)


def _checked_text(params: dict[str, Any], *, too_long: str) -> str:
    """The message text, refused as the Bot API does when empty, unparsable or too long.

    The 4096 limit applies to the text after entity parsing, in UTF-16 code units; HTML tags are
    stripped for counting, Markdown is counted as sent (slightly stricter than Telegram).
    """
    text = str(params.get("text") or "")
    _check_entities(text, params.get("parse_mode"))
    visible = text
    if str(params.get("parse_mode") or "").lower() == "html":
        visible = html.unescape(_HTML_TAG.sub("", text))
    if not visible.strip():
        raise bad_request("message text is empty")
    if utf16_length(visible) > MAX_TEXT_LENGTH:
        raise bad_request(too_long)
    return text


def _visible_units(text: str, parse_mode: Any) -> int:
    """A text's length as Telegram counts it once its HTML tags are parsed out."""
    if str(parse_mode or "").lower() == "html":
        text = html.unescape(_HTML_TAG.sub("", text))
    return utf16_length(text)


def utf16_length(text: str) -> int:
    """A length as Telegram counts it, a text's and its entities' offsets and lengths alike: in
    UTF-16 code units (an emoji past U+FFFF is two)."""
    return len(text.encode("utf-16-le")) // 2


def _check_caption(params: dict[str, Any]) -> None:
    caption = str(params.get("caption") or "")
    _check_entities(caption, params.get("parse_mode"))
    if utf16_length(caption) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")


def _check_entities(text: str, parse_mode: Any) -> None:
    """Refuse markup Telegram cannot parse: the classic bug of sending user text unescaped.

    Only errors that are certain are caught: an HTML ``<`` that opens no supported tag, and a
    MarkdownV2 character that is never formatting (``.``, ``!``, ``-``, ...) left unescaped.
    """
    mode = str(parse_mode or "").lower()
    problem = None
    if mode == "html":
        problem = _html_problem(text)
    elif mode == "markdownv2":
        problem = _markdown_v2_problem(text)
    if problem:
        raise bad_request(f"can't parse entities: {problem}")


def _html_problem(text: str) -> str | None:
    for match in _HTML_TAG_NAME.finditer(text):
        offset = len(text[: match.start()].encode())
        tag = match.group(2).lower()
        if not tag:
            return f"Unexpected end of name token at byte offset {offset}"
        if tag not in _HTML_TAGS:
            kind = "end" if match.group(1) else "start"
            return f'Unsupported {kind} tag "{tag}" at byte offset {offset}'
    return None


def _markdown_v2_problem(text: str) -> str | None:
    plain = _MARKDOWN_V2_CODE.sub("", text)
    escaped = False
    for char in plain:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in _MARKDOWN_V2_NEVER_FORMATTING:
            return f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    return None


def _caption(params: dict[str, Any]) -> dict[str, Any]:
    return _present(caption=params.get("caption") or None)


def _file_object(stored: _StoredFile, **fields: Any) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.file_size,
        **_present(**fields),
    }


def _present(**fields: Any) -> dict[str, Any]:
    """The fields that have a value: the Bot API leaves absent fields out."""
    return {key: value for key, value in fields.items() if value is not None}


def _extension(file_name: str | None, default: str) -> str:
    suffix = Path(file_name or "").suffix.lstrip(".")
    return suffix or default


def _command_entities(text: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "bot_command",
            "offset": utf16_length(text[: match.start()]),
            "length": utf16_length(match.group()),
        }
        for match in _COMMAND.finditer(text)
    ]


def _without_reply(message: dict[str, Any]) -> dict[str, Any]:
    # Telegram does not nest reply_to_message inside reply_to_message.
    return {key: value for key, value in message.items() if key != "reply_to_message"}


def _inline_markup(markup: Any) -> dict[str, Any] | None:
    # Only inline keyboards are echoed back on the sent message.
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def _scope_key(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)


def _update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def _chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember object with the fields PTB requires for ``status``."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
        member.update(can_be_edited=False, is_anonymous=False)
    elif status == "restricted":
        member.update(dict.fromkeys(_RESTRICTED_RIGHTS, False))
        member.update(is_member=True, until_date=0)
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _describe(call: BotApiCall) -> str:
    params = ", ".join(f"{key}={_short(value)}" for key, value in call.params.items())
    files = ", ".join(f"{key}=<{len(data)} bytes>" for key, data in call.files.items())
    outcome = f" -> {call.error}" if call.error else ""
    return f"{call.method}({', '.join(filter(None, [params, files]))}){outcome}"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
