"""Who is in the call, and whose voice each SSRC carries, from the voice gateway's messages
(discord-api-docs, topics/opcodes-and-status-codes, "Voice"):

    2   READY              a new voice session: the SSRCs seen before mean nothing any more
    5   SPEAKING           {user_id, ssrc, speaking}: sent for a member when their first packet
                           reaches the voice server (and, since 2020 or so, not again when they
                           pause: a turn's end is found in the packets, not here)
    11  CLIENTS_CONNECT    {user_ids}: members in the call, on connecting and as they join
    13  CLIENT_DISCONNECT  {user_id}: a member left; their SSRC is no longer theirs

Written by the event loop (discord.py's voice websocket), read by the voice socket's reader
thread: a dict lookup, which the interpreter makes atomic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CallRoster"]

READY, SPEAKING, CLIENTS_CONNECT, CLIENT_DISCONNECT = 2, 5, 11, 13


class CallRoster:
    def __init__(self) -> None:
        self._users: dict[int, int] = {}  # ssrc -> user id
        self.present: set[int] = set()  # user ids in the call besides the bot

    def user_of(self, ssrc: int) -> int | None:
        return self._users.get(ssrc)

    def ssrc_of(self, user_id: int) -> int | None:
        return next((ssrc for ssrc, user in self._users.items() if user == user_id), None)

    def take_in(self, message: Mapping[str, Any]) -> int | None:
        """Take in one message; the user whose turn ends now (they left, or said they stopped
        speaking), if any."""
        op, data = message.get("op"), message.get("d")
        if op == READY:
            self._users.clear()
            self.present.clear()
            return None
        if not isinstance(data, Mapping):
            return None
        if op == SPEAKING:
            return self._speaking(data)
        if op == CLIENTS_CONNECT:
            self.present.update(_ids(data.get("user_ids")))
        elif op == CLIENT_DISCONNECT and (user := _id(data.get("user_id"))) is not None:
            self.present.discard(user)
            self._users = {s: u for s, u in self._users.items() if u != user}
            return user
        return None

    def _speaking(self, data: Mapping[str, Any]) -> int | None:
        user, ssrc = _id(data.get("user_id")), data.get("ssrc")
        if user is None or not isinstance(ssrc, int):
            return None
        # A member's new SSRC (they reconnected) replaces the old one.
        self._users = {s: u for s, u in self._users.items() if u != user}
        self._users[ssrc] = user
        self.present.add(user)
        return user if data.get("speaking") == 0 else None


def _id(value: Any) -> int | None:
    """A snowflake as Discord sends it (a string of digits)."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ids(values: Any) -> set[int]:
    if not isinstance(values, list):
        return set()
    return {user for value in values if (user := _id(value)) is not None}
