"""Who sees an answer in a Telegram group: everyone, or only the member it is for.

An answer that is one person's business (their /find, their /usage, a refusal, what a button
they pressed shows them) is private; the rest (transcripts the chat asked for, summaries,
digests, /say) is for the chat. A handler says which (`answer_to(update, private=...)`) and
renders through what it gets back, which decides where the answer goes (the commands a member's
app sends for the bot alone, `PRIVATE_COMMANDS`, are declared here too):

- in a private chat, or when it is for the chat: a reply there, as always;
- to a member's ephemeral command (the menu declares it `is_ephemeral`: the group never saw
  it): an ephemeral message replying to it, which the member alone sees; a button's answer,
  the same through the button's callback query;
- to an ordinary command in a group: ephemeral when the bot administers the group (it may then
  send one at any time), else a reply in the group, as the question was asked there;
- on a Bot API server older than 10.2 (no ephemeral messages), to the member's private chat with
  the bot, under a line naming the group, when they have started one; else in the group.

Each destination offers the same few ways to answer
(`bots.telegram.answers.destinations.Destination`). An ephemeral answer, and where it goes when
Telegram will not take it (the fallback), is `bots.telegram.answers.ephemeral_delivery`'s
(`to_command`, `to_button`, `to_typed_command`).
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bots.telegram.answers import ephemeral_api, ephemeral_delivery
from bots.telegram.answers.destinations import Destination, InChat, InPrivateChat
from bots.telegram.telegram_wording import text as catalogue_text

__all__ = ["PRIVATE_COMMANDS", "answer_to"]

# Commands whose use is the asker's own business: the menu (`bots.telegram.commands.menu`)
# declares them ephemeral (Bot API 10.2's `is_ephemeral`), so a member's app sends them for the
# bot alone and the group never sees them. Where each answer goes is still its handler's to say
# (`answer_to(update, private=...)`): most of these answer the asker alone, /settings answers a
# group's administrator in the group. The other commands are for the chat: /say, /summary,
# /tldr, /translate, the chat's settings commands, /forget.
PRIVATE_COMMANDS = frozenset(
    {"transcribe", "find", "voice", "usage", "business", "settings", "help", "start"}
)


async def answer_to(update: Update, *, locale: str, private: bool = True) -> Destination:
    """Where the answer to `update` goes (see the module); `private`: it is one person's
    business; `locale`: the language of the line naming the group, in a private chat."""
    message = update.effective_message
    chat, user, query = update.effective_chat, update.effective_user, update.callback_query
    if message is None or chat is None:
        raise TelegramError("an answer needs a message to answer")
    here = InChat(message)
    bot = message.get_bot()
    asked = None if query is not None else ephemeral_api.incoming_id(message)
    if asked is not None and user is not None:  # asked privately: answered only so
        heading = catalogue_text("answers.from_group", locale, group=chat.title or "")
        return ephemeral_delivery.to_command(bot, chat.id, user.id, asked, heading=heading)
    if not private or chat.type == ChatType.PRIVATE or user is None or user.is_bot:
        return here
    if query is None and message.sender_chat is not None:
        return here  # an anonymous administrator, or a channel: nobody to answer alone
    if not await ephemeral_api.supported(bot):
        if query is not None:
            return here  # what a button shows belongs beside the button
        heading = catalogue_text("answers.from_group", locale, group=chat.title or "")
        return InPrivateChat(bot, user.id, heading, here)
    if query is not None:
        return ephemeral_delivery.to_button(bot, chat.id, user.id, query.id, here=here)
    if await ephemeral_api.administers(bot, chat.id):
        heading = catalogue_text("answers.from_group", locale, group=chat.title or "")
        return ephemeral_delivery.to_typed_command(
            bot, chat.id, user.id, message.message_id, heading=heading, here=here
        )
    return here
