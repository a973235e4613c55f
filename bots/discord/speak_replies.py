"""The "Speak" button under Apps → Translate's answer: the translation as a voice message, in
the voice of the person who wrote or said the original (where they allowed it), else the
server's. A message menu takes no options, so the menu cannot ask for speech itself.

The button must work for as long as the translation is in the channel, restarts included, so it
holds no state in this process, as the Gist button (`gist_replies`) holds none: its `custom_id`
names the original message and the language (`SpokenAt`); the translation, too long for a
`custom_id`, is made again from the message on each click. discord.py hands every click on any
such button to `SpeakButton` (a `DynamicItem`, registered with `add_dynamic_items`), which asks
the translations cog (`SpeakClicks`) to answer it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, Self

import discord

from bots.discord.clicks import TakesClicks, answering_cog, cog_takes_click, plain_button, view_of
from bots.discord.messages import text
from bots.discord.replies import Interaction

TRANSLATIONS_COG = "TranslationsCog"
"""The cog that answers clicks (`SpeakClicks`), by its name on the bot."""


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


class SpeakClicks(TakesClicks, Protocol):
    """What answers a click on the button (the translations cog)."""

    async def speak_clicked(self, interaction: Interaction, at: SpokenAt) -> None: ...


class SpeakButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=SpokenAt.PATTERN):
    """The "Speak" button; rebuilt by discord.py from the `custom_id` of each click."""

    def __init__(self, at: SpokenAt, *, label: str) -> None:
        super().__init__(plain_button(at.custom_id, label))
        self.at = at

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        at = SpokenAt(int(match["channel"]), int(match["message"]), match["language"])
        return cls(at, label=str(getattr(item, "label", None) or "Speak"))

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        return await cog_takes_click(interaction, TRANSLATIONS_COG, self.at.custom_id)

    async def callback(self, interaction: Interaction) -> None:
        answerer: SpeakClicks = answering_cog(interaction, TRANSLATIONS_COG)
        await answerer.speak_clicked(interaction, self.at)


def speak_view(at: SpokenAt, *, locale: str) -> discord.ui.View:
    """The button, labelled in `locale` (the translation's reader's language)."""
    return view_of(SpeakButton(at, label=text("discord.speak.button", locale)))
