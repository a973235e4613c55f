"""How often a Discord channel is shown that work goes on: "typing…", a transcript's status
edits, /remember's progress message, a listened call's captions. Telegram's twin is
`bots.telegram.answers.telegram_progress_pace`.

The defaults follow Discord's limits and are what users get (`USUAL`). How many requests the bot
sends in all, whatever for, is `bots.discord.global_request_limit`'.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["USUAL", "ProgressPace"]


@dataclass(frozen=True)
class ProgressPace:
    # A voice message shows "typing…" only once its transcript has taken this long: most are
    # answered sooner, and need no sign of work (bench/RESULTS.md, section 3).
    typing_after_seconds: float = 1.0
    # Discord shows "typing…" for 10 s, or until the bot's next message: sent again before it goes.
    typing_every_seconds: float = 8.0
    # Discord allows about five edits of a message in five seconds: a transcript's status is
    # edited at most this often.
    edit_seconds: float = 1.2
    # /remember's progress message in the channel: at most one edit in this long.
    remember_edit_seconds: float = 5.0
    # Seconds between a listened call's caption requests in a channel (a message or an edit): at
    # most five in any five seconds, within Discord's limits for a channel's messages, however
    # fast pieces come.
    caption_seconds: float = 1.1


USUAL = ProgressPace()
