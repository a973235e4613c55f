"""Redoing a command, message menu, modal submission or button click whose process died in the
middle of it.

Discord delivers an interaction once, to one process, and only that process's defer put up the
"thinking…" placeholder. So the claim on an acknowledged interaction stores the interaction as
Discord sent it (`RawInteractions` keeps it from the gateway event until the claim), its token
included: the one credential that can still answer it, for its 15 minutes, dropped with the rest
of the payload once the work ends (`core.app.claims`). A process that takes the claim over feeds
the same event through discord.py again (`redo`), marked acknowledged already (`acks.defer`), so
the command runs as if it had just arrived and its answer fills the same placeholder; past the
token's life a public answer reaches the channel (`replies.in_channel`). A private answer cannot
go there: a private command whose token would expire before the work is done is reported
instead, as is one whose interaction cannot be rebuilt.

A click is fed again as it came: discord.py finds its button by the `custom_id` (the Gist and
Speak buttons are `DynamicItem`s, which need nothing else). A modal submission is rebuilt
through its modal: its `custom_id` names the kind of modal, the message it is about and the
person (`modal_id`), and the cog that opens that kind rebuilds it (`ModalRebuilder`) before the
event is fed again.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from bots.discord.discordpy import mark_deferred

REDONE = "voicebridge.redone"
"""`Interaction.extras` key: this interaction is being redone by a process that took it over."""
TOKEN_LIFE = timedelta(minutes=15)
PRIVATE_MARGIN = timedelta(minutes=5)  # a private answer redone needs this much token left
# Interaction types: application command, message component (a click), modal submit.
_COMMAND, _COMPONENT, _MODAL_SUBMIT = 2, 3, 5
_MODAL_PREFIX = "voicebridge"

ModalRebuilder = Callable[[discord.Message, int, str], Awaitable[discord.ui.Modal | None]]
"""Rebuild the modal of one kind about `message`, for the user with that id, in `locale`; None
when the message no longer holds what it was about."""


class RawInteractions:
    """The interactions a claim may have to redo, as Discord sent them, by id: kept from the
    gateway event until claimed, and bounded (one that is never claimed, turned away or failed
    before its claim, goes out with the oldest)."""

    def __init__(self, limit: int = 256) -> None:
        self._kept: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._limit = limit

    def install(self, parsers: dict[str, Callable[[Any], None]]) -> None:
        """Keep each command, click and modal submission `parsers` (discord.py's gateway event
        parsers, `ConnectionState.parsers`) hands on."""
        parse = parsers["INTERACTION_CREATE"]

        def keeping(data: dict[str, Any]) -> None:
            if data.get("type") in (_COMMAND, _COMPONENT, _MODAL_SUBMIT):
                self._kept[int(data["id"])] = data
                while len(self._kept) > self._limit:
                    self._kept.popitem(last=False)
            parse(data)

        parsers["INTERACTION_CREATE"] = keeping

    def take(self, interaction_id: int) -> dict[str, Any] | None:
        """The event of `interaction_id`, taken out of the keep (its claim stores it)."""
        return self._kept.pop(interaction_id, None)


def redo_payload(data: dict[str, Any], *, private: bool) -> str:
    """What the claim on an acknowledged interaction stores to redo it from: the event, and
    whether its acknowledgement (so its answer) is private."""
    return json.dumps({"interaction": data, "private": private})


def stored_interaction(payload: str) -> tuple[dict[str, Any], bool] | None:
    """The interaction event and its privacy in a claim's payload; None when it holds none."""
    try:
        stored = json.loads(payload)
    except ValueError:
        return None
    data = stored.get("interaction") if isinstance(stored, dict) else None
    return (data, bool(stored.get("private"))) if isinstance(data, dict) else None


def can_redo(data: dict[str, Any], *, private: bool, now: datetime | None = None) -> bool:
    """Whether an answer redone now can still reach the person: a private one only through the
    interaction's token, which must then outlive the work by a margin."""
    if not private:
        return True
    sent = discord.utils.snowflake_time(int(data["id"]))
    return (now or datetime.now(UTC)) < sent + TOKEN_LIFE - PRIVATE_MARGIN


def modal_id(kind: str, message: discord.Message, user_id: int) -> str:
    """A modal's `custom_id`: enough to rebuild it after a restart (a person's second modal for
    the same message replaces the first, as Discord's client shows one at a time)."""
    return f"{_MODAL_PREFIX}:{kind}:{message.channel.id}:{message.id}:{user_id}"


def modal_target(data: dict[str, Any]) -> tuple[str, int, int] | None:
    """The kind, channel and message of the modal a submission answers, from its `custom_id`."""
    custom_id = str(data.get("data", {}).get("custom_id", ""))
    parts = custom_id.split(":")
    if len(parts) != 5 or parts[0] != _MODAL_PREFIX or not all(p.isdigit() for p in parts[2:]):
        return None
    return parts[1], int(parts[2]), int(parts[3])


def is_modal_submission(data: dict[str, Any]) -> bool:
    return data.get("type") == _MODAL_SUBMIT


def take_up(interaction: discord.Interaction[Any]) -> bool:
    """Whether `interaction` is one this process is redoing (its client's `redoing`); if so, it
    is marked acknowledged, as the process that died acknowledged it: its "thinking…"
    placeholder waits for this answer, and Discord would refuse a second defer."""
    redoing: set[int] = getattr(interaction.client, "redoing", set())
    if interaction.id not in redoing:
        return False
    redoing.discard(interaction.id)
    mark_deferred(interaction)
    interaction.extras[REDONE] = True
    return True
