"""DAVE, the end-to-end layer (daveprotocol.com): each member's Opus frames are encrypted with
that member's key of the call's MLS group, which discord.py's `davey.DaveSession` holds. It
decrypts a frame with `decrypt(user_id, MediaType.audio, frame)`, one decryptor per member, which
exists once the bot and that member are in the same group (before: NoDecryptorForUser).

While the group changes (a member joins or leaves: a commit, then a transition), a few frames
fail: one sent with a key the bot does not hold yet. discord.js allows 36 in a row before it
calls the session broken; here they are dropped quietly up to `tolerance` in a row, and past it
the failure is logged once per member (and again only after their frames decrypted meanwhile).
A frame without DAVE's marker is plain Opus: taken when the call is not end-to-end encrypted, or
while the session lets that member's frames pass through (a transition to or from DAVE);
otherwise refused, since whoever forwards the packets could have made it up.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

import davey

logger = logging.getLogger(__name__)

__all__ = ["TOLERANCE", "EndToEnd"]

DAVE_MARKER = b"\xfa\xfa"
TOLERANCE = 36


class EndToEnd:
    """Opens the DAVE frames of one call, counting what fails, per member."""

    def __init__(
        self,
        *,
        session: Callable[[], davey.DaveSession | None],
        protocol_version: Callable[[], int],
        tolerance: int = TOLERANCE,
    ) -> None:
        self._session, self._version, self.tolerance = session, protocol_version, tolerance
        self.failures: Counter[int] = Counter()  # frames lost to decryption, by member
        self._in_a_row: Counter[int] = Counter()
        self._reported: set[int] = set()

    def open(self, user_id: int, frame: bytes) -> bytes | None:
        """The Opus frame `user_id` sent; None when it cannot be decrypted (counted)."""
        session = self._session()
        try:
            if session is not None and session.ready:
                opened = session.decrypt(user_id, davey.MediaType.audio, frame)
            elif not frame.endswith(DAVE_MARKER) and self._version() == 0:
                opened = frame  # the call is not end-to-end encrypted
            else:
                raise ValueError("not in the call's DAVE group yet")
        except ValueError as error:  # davey raises ValueError for every failure
            self._failed(user_id, error)
            return None
        if self._in_a_row.pop(user_id, 0) and user_id in self._reported:
            self._reported.discard(user_id)
            logger.info("frames from user %s decrypt again", user_id)
        return opened

    def _failed(self, user_id: int, error: ValueError) -> None:
        self.failures[user_id] += 1
        self._in_a_row[user_id] += 1
        if self._in_a_row[user_id] >= self.tolerance and user_id not in self._reported:
            self._reported.add(user_id)
            logger.warning(
                "%d frames in a row from user %s did not decrypt (%s): their voice is lost "
                "until the call's end-to-end encryption recovers",
                self._in_a_row[user_id], user_id, error,
            )  # fmt: skip
