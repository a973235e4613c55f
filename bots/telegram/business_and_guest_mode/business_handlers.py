"""Telegram Business: the bot connected to a user's own account transcribes the recordings their
contacts send them (`core.app.recordings.business_chats` holds the rules).

The owner alone hears of anything by default: transcripts, refusals and failures go to their own
chat with the bot, never into the chat the recording came from. Only when the owner chose it,
and the connection's rights allow it, does the transcript go into that chat, as a reply sent on
their behalf.
"""

from __future__ import annotations

import contextlib
import io
import logging

from telegram import Bot, Message, Update
from telegram import BusinessConnection as TelegramConnection
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bots.telegram.answers.group_visibility import answer_to
from bots.telegram.answers.telegram_replies import error_text, telegram_messages
from bots.telegram.recordings.media_files import recording_in, remote
from bots.telegram.telegram_wording import text
from core.app.memory.chat_search import MemorySearch
from core.app.recordings.business_chats import BusinessChats, Change
from core.app.recordings.piece_transcriber import NoLongerWanted
from core.app.recordings.transcription import Transcription
from core.app.rules.request_audience import Audiences, Request
from core.chat.answer_languages import Audience, ChatLanguages, resolve_locale
from core.chat.settings_wording import transcript_language
from core.domain import errors
from core.domain.message_splitting import MAX_MESSAGES_BEFORE_FILE
from core.domain.recordings.business_choices import BusinessConnection, Destination
from core.domain.shared_values import ChatRef

logger = logging.getLogger(__name__)

__all__ = ["BusinessHandlers", "known_connection"]

_DESTINATION_WORDS: dict[str, Destination] = {"private": "owner", "reply": "reply"}


async def _reply_on_behalf(message: Message, body: str) -> bool:
    """Reply with `body` in the chat, as the owner. Telegram lets a business bot write only in
    chats whose other person wrote within the last 24 hours: where it refuses, False, and the
    transcript goes to the owner instead of being lost."""
    try:
        for one in telegram_messages(body):
            await message.reply_text(one, do_quote=True)
    except BadRequest as refused:
        logger.info("a business reply was refused (%s); the owner gets the transcript", refused)
        return False
    return True


async def take_in(
    bot: Bot, chats: BusinessChats, languages: ChatLanguages, link: TelegramConnection
) -> Change:
    """Store a connection's news (`BusinessChats.connected`); the owner hears of a connection
    and of its end in their chat with the bot."""
    change = await chats.connected(
        connection_id=link.id,
        owner_user_id=str(link.user.id),
        owner_chat_id=str(link.user_chat_id),
        can_reply=bool(link.rights and link.rights.can_reply),
        enabled=link.is_enabled,
    )
    if change in ("connected", "disconnected"):
        locale = resolve_locale(link.user.language_code) or await languages.chat_locale(
            ChatRef("telegram", str(link.user_chat_id))
        )
        with contextlib.suppress(TelegramError):  # the owner may never have started the bot
            await bot.send_message(link.user_chat_id, text(f"business.{change}", locale))
    return change


async def known_connection(
    bot: Bot, chats: BusinessChats, languages: ChatLanguages, connection_id: str
) -> bool:
    """Whether the connection is stored; one the bot has not heard of (its update lost, or on
    its way in the same batch as this message) is asked of Telegram and taken in like any
    other. Only one Telegram says is gone or off, or whose owner is not served, is not."""
    if await chats.active(connection_id):
        return True
    try:
        link = await bot.get_business_connection(connection_id)
    except BadRequest:
        logger.info("a business message of a connection Telegram does not have: ignored")
        return False
    if not link.is_enabled or not chats.admits_owner(str(link.user.id), str(link.user_chat_id)):
        logger.info("a business message of a connection that is off or not served: ignored")
        return False
    return await take_in(bot, chats, languages, link) != "disconnected"


class BusinessHandlers:
    """The connection's updates, its messages' recordings, and the owner's /business."""

    def __init__(
        self,
        *,
        business: BusinessChats,
        transcription: Transcription,
        audiences: Audiences,
        local_mode: bool,
        memory: MemorySearch,
    ) -> None:
        self.chats = business  # the connections and their owners' choices
        self.transcription = transcription
        self.memory = memory
        self.audiences = audiences
        self.local_mode = local_mode

    async def connection(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Connected, rights changed, or disconnected (then deleted at once); the owner hears
        of a connection and of its end in their chat with the bot."""
        link = update.business_connection
        if link is not None:
            await take_in(context.bot, self.chats, self.audiences, link)

    async def deleted(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A contact's messages deleted in a connected chat: what was kept of the recordings
        they carried goes too, from the owner's `/find` and `/ask`."""
        gone = update.deleted_business_messages
        if gone is not None:
            await self.memory.forget_said(
                self.chats.kept_under(gone.business_connection_id),
                [str(message_id) for message_id in gone.message_ids], place=str(gone.chat.id),
            )  # fmt: skip

    async def message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A recording in a connected owner's private chat: transcribed for the owner."""
        message = update.business_message
        recording = recording_in(message)
        if message is None or recording is None or message.business_connection_id is None:
            return
        business = self.chats
        connection_id = message.business_connection_id
        if not await known_connection(context.bot, business, self.audiences, connection_id):
            return
        sender = None if message.from_user is None else str(message.from_user.id)
        connection = await business.route(
            connection_id, chat_id=str(message.chat_id), sender_id=sender
        )
        if connection is None:
            return
        # The owner's request: their chat's preferences read once, for the transcript's
        # language and what they are told.
        owner = await self.audiences.request(
            business.owner_chat(connection), Audience(), asker=business.owner(connection)
        )
        locale = owner.chat_locale
        try:
            transcript = await self.transcription.transcribe_recording(
                owner.chat,
                remote(recording, local_mode=self.local_mode, message=message),
                prefs=owner.prefs,
                asker=owner.asker,
                kept_under=business.kept_under(connection),
                wanted=lambda: business.active(connection_id),
            )
        except NoLongerWanted:
            await business.disconnected(connection_id)
            return
        except errors.AlreadyTold:
            return
        except Exception as error:  # told to the owner alone, never in the chat it came from
            logger.log(
                logging.INFO if isinstance(error, errors.VoicebridgeError) else logging.ERROR,
                "business transcript failed",
                exc_info=not isinstance(error, errors.VoicebridgeError),
            )
            await self._tell_owner(context, connection, error_text(error, locale))
            return
        if not await business.active(connection_id):
            await business.disconnected(connection_id)
            return  # nothing more goes out for a connection that is gone
        body = transcript.text or text("transcript.empty", locale)
        if connection.replies and await _reply_on_behalf(message, body):
            return
        await self._send_to_owner(context, connection, message, body, locale)

    async def business(self, update: Update, request: Request) -> None:
        """/business [on|off|private|reply|skip CHAT_ID|unskip CHAT_ID]: the owner's choices."""
        message, user, locale = update.effective_message, update.effective_user, request.locale
        if message is None or user is None:
            return
        if message.chat.type != ChatType.PRIVATE:  # the status names the chats they skip
            answer = await answer_to(update, locale=locale)
            await answer.text(text("business.private_only", locale), quote=None)
            return
        owner, business = str(user.id), self.chats
        words = (message.text or "").split()[1:3]  # as python-telegram-bot splits its args
        choice = words[0].casefold() if words else ""
        connection = await business.settings(owner)
        if connection is None:
            await message.reply_text(text("business.not_connected", locale))
            return
        if choice in ("on", "off"):
            connection = await business.switch(owner, on=choice == "on")
        elif choice in _DESTINATION_WORDS:
            if choice == "reply" and not connection.can_reply:
                await message.reply_text(text("business.cannot_reply", locale))
                return
            connection = await business.send_to(owner, _DESTINATION_WORDS[choice])
        elif choice in ("skip", "unskip") and len(words) == 2 and words[1].lstrip("-").isdigit():
            connection = await business.skip(owner, words[1], skipped=choice == "skip")
        elif choice:
            await message.reply_text(text("usage.business", locale))
            return
        if connection is not None:
            await message.reply_text(await self._status(connection, locale))

    async def _status(self, connection: BusinessConnection, locale: str) -> str:
        owner = await self.audiences.request(self.chats.owner_chat(connection), Audience())
        prefs = owner.prefs
        destination = "reply" if connection.replies else "owner"
        skipped = ", ".join(sorted(connection.skipped_chats)) or text(
            "business.skipped.none", locale
        )
        state = "on" if connection.transcripts else "off"
        return text(
            "business.status",
            locale,
            state=text(f"business.transcripts.{state}", locale),
            destination=text(f"business.to_{destination}", locale),
            skipped=skipped,
            language=transcript_language(prefs.language, locale),
        )

    async def _send_to_owner(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        connection: BusinessConnection,
        message: Message,
        body: str,
        locale: str,
    ) -> None:
        """The transcript in the owner's chat with the bot, naming the chat and the sender, with
        a link to the person where Telegram gives one (a public username)."""
        person = message.chat.full_name or message.chat.first_name or str(message.chat_id)
        sender = person if message.from_user is None else message.from_user.full_name
        header = text(
            "business.transcript_from",
            locale,
            sender=sender,
            chat=person,
            chat_id=str(message.chat_id),
        )
        if message.chat.username:
            header = f"{header}\nhttps://t.me/{message.chat.username}"
        messages = telegram_messages(f"{header}\n\n{body}")
        owner_chat = int(connection.owner_chat_id)
        if len(messages) > MAX_MESSAGES_BEFORE_FILE:
            document = io.BytesIO(body.encode("utf-8"))
            await context.bot.send_document(
                owner_chat, document=document, filename="transcript.txt", caption=header
            )
            return
        for one in messages:
            await context.bot.send_message(owner_chat, one)

    @staticmethod
    async def _tell_owner(
        context: ContextTypes.DEFAULT_TYPE, connection: BusinessConnection, sentence: str
    ) -> None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(int(connection.owner_chat_id), sentence)
