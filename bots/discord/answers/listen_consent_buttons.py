"""The buttons under /listen's opening line: a member's yes or no to being transcribed in the
server, a click away, as `/listen_me` says it. Each click is answered privately, for whoever
clicked; the buttons name no member and no call, so they work for as long as the message stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import discord

from bots.discord.answers.persistent_buttons import ClickButton
from bots.discord.discord_wording import text

__all__ = ["ConsentAt", "ConsentButton", "consent_view"]


@dataclass(frozen=True)
class ConsentAt:
    """What a click says: yes (transcribe me) or no."""

    yes: bool

    PATTERN = re.compile(r"listen_me:(?P<answer>yes|no)")

    @property
    def custom_id(self) -> str:
        return f"listen_me:{'yes' if self.yes else 'no'}"


class ConsentButton(ClickButton[ConsentAt], template=ConsentAt.PATTERN):
    """ "Transcribe me" or "Don't transcribe me"; rebuilt by discord.py from each click."""

    default_label = "Transcribe me"

    @classmethod
    def about(cls, match: re.Match[str]) -> ConsentAt:
        return ConsentAt(match["answer"] == "yes")


def consent_view(locale: str) -> discord.ui.View:
    """Both buttons, labelled in `locale` (the channel's language, as the line above them)."""
    view = discord.ui.View(timeout=None)
    for yes in (True, False):
        label = text(f"discord.listen.button_{'yes' if yes else 'no'}", locale)
        view.add_item(ConsentButton(ConsentAt(yes), label=label))
    return view
