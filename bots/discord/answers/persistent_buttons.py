"""Buttons that outlive the process: discord.py rebuilds one from each click's `custom_id` (a
`DynamicItem` registered with `add_dynamic_items`), and the button hands the click to what answers
it: the cog that answers a kind of button registers its methods for the button's class in the
bot's `clicks` (`Answerers`), so a click reaches them typed, with nothing looked up by name.
The Gist button (`discord_tldr_command`), the Speak button (`speak_button`) and the yes and no
buttons under /listen's opening line (`listen_consent_buttons`, registered by
`bots.discord.listening.listen_commands` as its cog loads) are built this way."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

import discord

from bots.discord.answers.discord_replies import Interaction

logger = logging.getLogger(__name__)

__all__ = ["Answerers", "AnswersClicks", "ClickButton", "view_of"]


class Named(Protocol):
    @property
    def custom_id(self) -> str:
        """Its button's `custom_id`, which Discord sends back with each click."""
        ...


At = TypeVar("At", bound=Named)
"""What a button is about, as its `custom_id` names it."""


@dataclass(frozen=True)
class Answerer:
    """What a kind of button hands its clicks to (a cog's methods)."""

    take: Callable[[Interaction], Awaitable[bool]]
    """Acknowledge the click at once; False when it is not this process's to answer."""
    answer: Callable[[Interaction, Any], Awaitable[None]]
    """Answer the click on a button about the given `At`."""


class Answerers:
    """Who answers each kind of button on this bot, registered by the cog that answers it (the
    bot's `clicks`): a click finds its answerer by its button's class, typed."""

    def __init__(self) -> None:
        self._by_button: dict[type[ClickButton[Any]], Answerer] = {}

    def register(
        self,
        button: type[ClickButton[At]],
        *,
        take: Callable[[Interaction], Awaitable[bool]],
        answer: Callable[[Interaction, At], Awaitable[None]],
    ) -> None:
        self._by_button[button] = Answerer(take=take, answer=answer)

    def of(self, button: type[ClickButton[Any]]) -> Answerer:
        found = self._by_button.get(button)
        if found is None:
            raise RuntimeError(f"nothing on the bot answers {button.__name__}")
        return found


class AnswersClicks(Protocol):
    """The bot, as a button sees it (`bot_intents.VoicebridgeBot` has it)."""

    clicks: Answerers


def answerer(interaction: Interaction, button: type[ClickButton[Any]]) -> Answerer:
    """What answers clicks on `button` on the bot `interaction` reached."""
    bot: AnswersClicks = interaction.client
    return bot.clicks.of(button)


_NEVER = re.compile(r"(?!)")  # the base itself: discord.py never hands it a click


class ClickButton(discord.ui.DynamicItem[discord.ui.Button[Any]], Generic[At], template=_NEVER):
    """A button about `at`, labelled `label`. A subclass names its `custom_id` template and how
    a match becomes `At` (`about`); its clicks go to whatever the bot's `clicks` holds for it."""

    default_label: ClassVar[str] = ""

    def __init__(self, at: At, *, label: str) -> None:
        super().__init__(plain_button(at.custom_id, label))
        self.at = at

    @classmethod
    def about(cls, match: re.Match[str]) -> At:
        raise NotImplementedError

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(cls.about(match), label=str(getattr(item, "label", None) or cls.default_label))

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """The click acknowledged (claimed, the allowlist checked); a failure is logged, since
        discord.py would drop it silently."""
        try:
            return await answerer(interaction, type(self)).take(interaction)
        except Exception:
            logger.exception("could not take up a click on %s", self.custom_id)
            return False

    async def callback(self, interaction: Interaction) -> None:
        await answerer(interaction, type(self)).answer(interaction, self.at)


def plain_button(custom_id: str, label: str) -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id)


def view_of(item: discord.ui.Item[Any]) -> discord.ui.View:
    """A view that never times out, holding `item`: the message keeps its button for good."""
    view = discord.ui.View(timeout=None)
    view.add_item(item)
    return view
