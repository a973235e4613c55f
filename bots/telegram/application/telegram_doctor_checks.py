"""`voicebridge doctor`'s Telegram checks: the token (getMe), and the chat inline mode keeps its
voice notes in (the bot an administrator there)."""

from __future__ import annotations

from telegram import Bot, ChatMember
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError

from bots.doctor_check_lines import Check, NoSenders, Person, failed, passed, reason

__all__ = ["private_senders", "telegram_checks"]

_ADMINS = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
INLINE_OFF = (
    "off; set TELEGRAM_INLINE_CACHE_CHAT to a chat where the bot may post (it stores the voice "
    "notes it renders there) to turn it on"
)


async def telegram_checks(
    *, token: str, api_url: str, inline_cache_chat: int | None
) -> list[Check]:
    """The token asked about with getMe; with TELEGRAM_INLINE_CACHE_CHAT, whether the bot is an
    administrator of that chat, and without it that inline mode is off."""
    root = api_url.rstrip("/")
    bot = Bot(token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
    try:
        await bot.initialize()  # getMe
    except InvalidToken as exc:
        answer = exc.__cause__ or exc  # initialize() words it again, naming the token
        if str(answer) != "Unauthorized":  # what a Bot API says of a token it does not know
            # 404, or an answer no Bot API gives: the URL is not one, whatever the token.
            return [failed("Telegram", f"{root} is not a Bot API server (getMe: {answer}): "
                           "check TELEGRAM_API_URL, the server's root such as "
                           "https://api.telegram.org")]  # fmt: skip
        return [failed("Telegram", "Telegram refused TELEGRAM_BOT_TOKEN: copy it again from "
                       "@BotFather (/mybots → your bot → API Token)")]  # fmt: skip
    except NetworkError as exc:
        return [failed("Telegram", f"cannot reach {root} ({reason(exc)}): check the network "
                       "and TELEGRAM_API_URL")]  # fmt: skip
    try:
        found = [passed("Telegram", f"the token is @{bot.username}'s")]
        if inline_cache_chat is None:
            found.append(passed("inline mode", INLINE_OFF))  # said here, not at every start
        else:
            found.append(await _inline_cache_chat(bot, inline_cache_chat))
        return found
    finally:
        await bot.shutdown()


async def _inline_cache_chat(bot: Bot, chat: int) -> Check:
    name = "inline mode"
    try:
        member = await bot.get_chat_member(chat, bot.id)
    except TelegramError as exc:
        return failed(name, f"TELEGRAM_INLINE_CACHE_CHAT {chat}: {reason(exc)}; add the bot to "
                      "that private channel as an administrator")  # fmt: skip
    if member.status not in _ADMINS:
        return failed(name, f"the bot is {member.status} in TELEGRAM_INLINE_CACHE_CHAT {chat}; "
                      "make it an administrator there")  # fmt: skip
    return passed(
        name, f"on; voice notes are kept in chat {chat}, where the bot is an administrator"
    )


async def private_senders(*, token: str, api_url: str) -> list[Person]:
    """Who sent the bot a message in a private chat, among the updates Telegram still holds
    (the last 24 hours, none confirmed: the bot answers them once it runs), newest first:
    Telegram tells a bot nothing of its owner, so `voicebridge init` asks them to write to it.
    `NoSenders` when the updates cannot be read (a webhook is set, or the bot runs elsewhere)."""
    root = api_url.rstrip("/")
    bot = Bot(token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
    try:
        async with bot:
            # No offset (nothing confirmed) and no allowed_updates (Telegram would keep them
            # for the running bot's later calls).
            updates = await bot.get_updates(timeout=0)
    except Conflict:
        raise NoSenders("its updates go elsewhere (a webhook, or the bot running)") from None
    except TelegramError as exc:
        raise NoSenders(reason(exc)) from None
    found: dict[int, Person] = {}
    for update in reversed(updates):
        message = update.message
        sender = message.from_user if message is not None else None
        if message is None or message.chat.type != "private" or sender is None or sender.is_bot:
            continue
        name = f"{sender.full_name} @{sender.username}" if sender.username else sender.full_name
        found.setdefault(sender.id, Person("telegram", sender.id, name))
    return list(found.values())
