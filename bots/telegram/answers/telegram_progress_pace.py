"""How often a Telegram chat is shown that work goes on: chat actions, drafts and progress edits
(a transcript's status edited at one pace in a private chat, another in a group:
`Pace.status_edit_seconds`).

The defaults follow Telegram's rules and are what users get; tests pass a quicker `Pace` to
`build_application` to see several rounds without waiting for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram.constants import ChatType

__all__ = ["USUAL", "Pace"]


@dataclass(frozen=True)
class Pace:
    # A chat action ("typing…") shows for about 5 s, or until the bot sends a message: it is
    # sent again a little before it would go.
    action_seconds: float = 4.5
    # Telegram asks bots for at most about one message a second in a chat and twenty a minute
    # in a group; edits count too. A private chat's progress for /ask and /tldr is a draft,
    # changed at most this often (no message, no edit, but still a request).
    draft_seconds: float = 1.0
    group_edit_seconds: float = 3.0
    # A transcript's status, edited as the work goes, in a private chat: one edit a second.
    private_edit_seconds: float = 1.0
    # A draft shows for about 30 s after its last change: work that pauses sends it again after
    # this long without a change, well before it would go.
    draft_renew_seconds: float = 20.0

    def status_edit_seconds(self, chat_type: str) -> float:
        """How often a transcript's status is edited in a chat of `chat_type`: a private chat's
        pace, else a group's."""
        private = chat_type == ChatType.PRIVATE
        return self.private_edit_seconds if private else self.group_edit_seconds


USUAL = Pace()
