"""The "Speak" button under Apps → Translate's answer: the translation as a voice message, in
the voice of the person who wrote or said the original (where they allowed it), else the
server's. A message menu takes no options, so the menu cannot ask for speech itself.

The button must work for as long as the translation is in the channel, restarts included, so it
holds no state in this process, as the Gist button (`discord_tldr_command`) holds none: its
`custom_id` names the original message and the language (`SpokenAt`); the translation, too long for
a `custom_id`, is made again from the message on each click. discord.py hands every click on any
such button to `SpeakButton` (a `persistent_buttons.ClickButton`), which the translations cog
registers bound to its own methods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Self

import discord

from bots.discord.answers.persistent_buttons import ClickButton, view_of
from bots.discord.discord_wording import text

__all__ = ["SpeakButton", "SpokenAt", "speak_view"]


@dataclass(frozen=True)
class SpokenAt:
    """A translation to speak: of the message `message_id` in `channel_id`, into `language` (a
    code or a name, as /translate takes it)."""

    channel_id: int
    message_id: int
    language: str

    PATTERN = re.compile(r"speak:(?P<channel>[0-9]+):(?P<message>[0-9]+):(?P<language>[\w-]+)")

    @classmethod
    def of(cls, message: discord.Message, language: str) -> Self:
        return cls(message.channel.id, message.id, language)

    @property
    def custom_id(self) -> str:
        """At most 48 characters and the language (a locale such as zh_Hant): Discord allows
        100."""
        return f"speak:{self.channel_id}:{self.message_id}:{self.language}"


class SpeakButton(ClickButton[SpokenAt], template=SpokenAt.PATTERN):
    """The "Speak" button; rebuilt by discord.py from the `custom_id` of each click."""

    default_label = "Speak"

    @classmethod
    def about(cls, match: re.Match[str]) -> SpokenAt:
        return SpokenAt(int(match["channel"]), int(match["message"]), match["language"])


def speak_view(at: SpokenAt, *, locale: str) -> discord.ui.View:
    """The button, labelled in `locale` (its caller's choice)."""
    return view_of(SpeakButton(at, label=text("discord.speak.button", locale)))
