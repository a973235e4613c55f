"""The Telegram Bot API as Telegram publishes it, for the Bot API stand-in to hold requests and
payloads against.

``descriptions/telegram-bot-api-10.2.json`` is the Bot API 10.2 (14 July 2026) in machine-readable
form: ``methods`` maps each method to its parameters and ``types`` each type to its fields, each
with its ``type`` and whether it is ``required`` (taken from the form the aiogram project keeps of
core.telegram.org/bots/api). Bot API 10.3 (24 August 2026) is 10.2 with the changes `_BOT_API_10_3`
applies. From it, the stand-in:

- refuses a request naming a parameter the method does not have (the real server ignores it, so
  a misspelled parameter or one python-telegram-bot lets through ``api_kwargs`` is silently lost
  there: here it is a 400, worded ``parameter "X" is unknown``, ours), or a field an object
  parameter's type does not have (``field "reply_parameters.mesage_id" is unknown``, ours);
- refuses a request without a required parameter (``parameter "X" is required``, the real
  server's wording; ``message text is empty`` for a text);
- checks every payload it hands the bot (updates and results) for fields their types do not have,
  so that no test runs on a field Telegram never sends.

A parameter of 10.2 that 10.3 replaced (``receiver_user_id`` and ``callback_query_id`` on the send
methods) stays known: a 10.3 server ignores it, and the bot sends both shapes on purpose.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DESCRIPTION = Path(__file__).parent / "descriptions" / "telegram-bot-api-10.2.json"

_Fields = dict[str, dict[str, Any]]

# Types the description names without fields, that stand for one of several concrete types.
_KINDS = {
    "MaybeInaccessibleMessage": ("Message", "InaccessibleMessage"),
    "ChatMember": tuple(
        f"ChatMember{kind}"
        for kind in ("Owner", "Administrator", "Member", "Restricted", "Left", "Banned")
    ),
    "MessageOrigin": tuple(
        f"MessageOrigin{kind}" for kind in ("User", "HiddenUser", "Chat", "Channel")
    ),
    "InputMessageContent": tuple(
        f"Input{kind}MessageContent"
        for kind in ("Text", "Location", "Venue", "Contact", "Invoice", "Rich")
    ),
}
# Types that really have no fields (a service message saying only that something happened).
_EMPTY = frozenset(
    {"CallbackGame", "CommunityChatRemoved", "ForumTopicClosed", "ForumTopicReopened"}
    | {"GeneralForumTopicHidden", "GeneralForumTopicUnhidden", "VideoChatStarted"}
)
# Prefixes that also name a type of their own, not one of the kinds of the abstract type.
_NOT_A_KIND = frozenset({"InlineQueryResultsButton", "ChatMemberUpdated"})
_SCALARS = frozenset({"Integer", "String", "Boolean", "True", "Float", "InputFile"})

# What a method hands back, for the methods the stand-in serves that answer with an object.
RESULT_TYPES = {
    "getMe": "User",
    "getUpdates": "Array of Update",
    "getWebhookInfo": "WebhookInfo",
    "getMyCommands": "Array of BotCommand",
    "sendMessage": "Message",
    "sendVoice": "Message",
    "sendAudio": "Message",
    "sendDocument": "Message",
    "sendMediaGroup": "Array of Message",
    "editMessageText": "Message",
    "getFile": "File",
    "getChat": "ChatFullInfo",
    "getChatMember": "ChatMember",
    "getBusinessConnection": "BusinessConnection",
    "answerGuestQuery": "SentGuestMessage",
}


class BotApiDescription:
    """Bot API 10.3's methods and types, looked up by name (methods case-insensitively)."""

    def __init__(self, methods: dict[str, _Fields], types: dict[str, _Fields]) -> None:
        self.methods = methods
        self.types = types
        self._by_lower = {name.lower(): name for name in methods}

    def method(self, name: str) -> str | None:
        """The method's own spelling, or None when the Bot API has no such method."""
        return self._by_lower.get(name.lower())

    def request_problem(
        self, method: str, params: dict[str, Any], parts: dict[str, bytes]
    ) -> str | None:
        """Why the Bot API refuses these parameters of `method` (the reason after "Bad
        Request: "), or None. ``parts`` are the uploaded files by part name: one a parameter
        points to with ``attach://name`` is no parameter of its own."""
        described = self.methods[method]
        given = {**params, **{name: True for name in parts}}
        if "text" in described and described["text"]["required"] and "text" not in given:
            return "message text is empty"
        for name, about in described.items():
            if about["required"] and name not in given:
                return f'parameter "{name}" is required'
        attached = {value[len("attach://") :] for value in _strings(params)}
        for name in given:
            if name not in described and name not in attached:
                return f'parameter "{name}" is unknown'  # ours: the real server ignores it
        for name, value in params.items():
            if name not in described:
                continue
            if isinstance(value, str) and value[:1] in "[{":
                try:
                    value = json.loads(value)
                except ValueError:
                    continue
            for path in self.invented(described[name]["type"], value, name):
                return f'field "{path}" is unknown'  # ours, as for a parameter
        return None

    def invented(self, type_name: str, value: Any, path: str) -> Iterator[str]:
        """The paths of the fields in ``value`` that its type (a name as the description
        writes it: "Message", "Array of Update", "Integer or String"...) does not have."""
        if type_name.startswith("Array of "):
            if isinstance(value, list):
                inner = type_name[len("Array of ") :]
                for index, item in enumerate(value):
                    yield from self.invented(inner, item, f"{path}[{index}]")
            return
        if not isinstance(value, dict):
            return
        fields = self.fields(type_name)
        if fields is None:  # a scalar, or an abstract type whose kinds are not known here
            return
        for key, item in value.items():
            about = fields.get(key)
            if about is None:
                yield f"{path}.{key}"
            else:
                yield from self.invented(about["type"], item, f"{path}.{key}")

    def fields(self, type_name: str) -> _Fields | None:
        """The fields a value of ``type_name`` may carry (of any of its kinds or
        alternatives), or None when it is not an object type the description lists."""
        names = [name.strip() for name in type_name.split(" or ")]
        found: _Fields = {}
        known = False
        for name in names:
            if name in _SCALARS:
                continue
            for kind in self._kinds(name):
                own = self.types.get(kind)
                if own is None or (own == {} and kind not in _EMPTY):
                    continue  # not described, or abstract with kinds not known here
                known = True
                for key, about in own.items():
                    found.setdefault(key, about)
        return found if known else None

    def _kinds(self, name: str) -> tuple[str, ...]:
        if name in _KINDS:
            return _KINDS[name]
        if self.types.get(name) == {}:
            kinds = tuple(
                other
                for other in self.types
                if other.startswith(name) and other != name and other not in _NOT_A_KIND
            )
            if kinds:
                return kinds
        return (name,)


def _strings(value: Any) -> Iterator[str]:
    """The ``attach://`` references anywhere in a request's parameters."""
    if isinstance(value, str):
        if value.startswith("attach://"):
            yield value
        elif value[:1] in "[{":
            try:
                yield from _strings(json.loads(value))
            except ValueError:
                return
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _bot_api_10_3(methods: dict[str, _Fields], types: dict[str, _Fields]) -> None:
    """Bot API 10.3's changes over 10.2 (core.telegram.org/bots/api-changelog, 24 August 2026)."""
    optional_boolean = {"required": False, "type": "Boolean"}
    types["EphemeralMessageParameters"] = {
        "receiver_user_id": {"required": True, "type": "Integer"},
        "callback_query_id": {"required": False, "type": "String"},
        "replace_callback_query_message": optional_boolean,
    }
    for name, parameters in methods.items():
        if name.startswith("send") and "receiver_user_id" in parameters:
            parameters["ephemeral_message_parameters"] = {
                "required": False,
                "type": "EphemeralMessageParameters",
            }
    methods["sendRichMessage"]["ephemeral_message_parameters"] = {
        "required": False,
        "type": "EphemeralMessageParameters",
    }
    methods["editEphemeralMessageText"]["rich_message"] = {
        "required": False,
        "type": "InputRichMessage",
    }
    for name in ("sendMessageDraft", "sendRichMessageDraft"):
        methods[name]["can_stop"] = optional_boolean
        methods[name]["keep_on_stop"] = optional_boolean


@functools.cache
def bot_api_description() -> BotApiDescription:
    """The Bot API 10.3 description (10.2's file with 10.3's changes)."""
    data = json.loads(DESCRIPTION.read_text(encoding="utf-8"))
    methods: dict[str, _Fields] = data["methods"]
    types: dict[str, _Fields] = data["types"]
    _bot_api_10_3(methods, types)
    return BotApiDescription(methods, types)
