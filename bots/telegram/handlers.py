"""Telegram handlers: parse the update, call one service method, render the answer."""

from __future__ import annotations

from telegram import ChatMember, Message, MessageEntity, Update
from telegram.constants import ChatAction, ChatType
from telegram.ext import ContextTypes

from bots.telegram.media import Recording, downloaded, recording_in
from bots.telegram.replies import chat_action, reply_long
from core import errors
from core.domain import ChatRef, Preferences
from core.messages import text
from core.service import VoiceService
from core.text import format_duration


class TelegramHandlers:
    """Every command and media handler, sharing one service."""

    def __init__(self, service: VoiceService, *, local_mode: bool) -> None:
        self.service = service
        self.local_mode = local_mode

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet and explain."""
        await _message(update).reply_text(text("start"))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the commands."""
        await _message(update).reply_text(text("help"))

    async def settings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the chat's preferences."""
        prefs = await self.service.preferences(_chat(update))
        await _message(update).reply_text(self._describe(prefs))

    async def recording(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A voice note or other recording arrived: transcribe it if the chat wants that."""
        message = _message(update)
        recording = recording_in(message)
        if recording is None:
            return
        prefs = await self.service.preferences(_chat(update))
        if prefs.auto_transcribe:
            await self._transcribe(message, recording)

    async def transcribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/transcribe as a reply to a recording."""
        target = _message(update).reply_to_message
        recording = recording_in(target)
        if target is None or recording is None:
            await _message(update).reply_text(text("usage.transcribe"))
            return
        await self._transcribe(target, recording)

    async def say(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/say TEXT, or /say as a reply to a message: answer with a voice note."""
        message = _message(update)
        replied = message.reply_to_message
        words = command_argument(message) or (replied and (replied.text or replied.caption)) or ""
        if not words.strip():
            await message.reply_text(text("usage.say"))
            return
        async with chat_action(message, ChatAction.RECORD_VOICE):
            note = await self.service.say(_chat(update), words)
        await message.reply_voice(
            voice=note.data, duration=round(note.duration), filename="voice.ogg", do_quote=True
        )

    async def ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/ask QUESTION as a reply to a recording."""
        message = _message(update)
        target = message.reply_to_message
        recording = recording_in(target)
        question = command_argument(message)
        if target is None or recording is None or not question:
            await message.reply_text(text("usage.ask"))
            return
        self.service.check_audio_size(recording.file_size)
        async with (
            chat_action(message, ChatAction.TYPING),
            downloaded(recording, local_mode=self.local_mode) as path,
        ):
            answer = await self.service.ask(_chat(update), path, question)
        await reply_long(message, answer.text, file_caption="", file_name="answer.txt")

    async def voice(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/voice [NAME]: show or choose the voice."""
        message, chat, choice = _message(update), _chat(update), command_argument(_message(update))
        if choice:
            chosen = await self.service.set_voice(chat, choice, can_manage=await can_manage(update))
            await message.reply_text(text("voice.set", voice=chosen))
            return
        prefs = await self.service.preferences(chat)
        listing = "\n".join(f"• {v.name} — {v.description}" for v in self.service.voices(prefs))
        await message.reply_text(
            text("voice.current", voice=self.service.voice_of(prefs), choices=listing)
        )

    async def style(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/style [TEXT|off]: show or set the speaking style."""
        message, chat, choice = _message(update), _chat(update), command_argument(_message(update))
        if not choice:
            prefs = await self.service.preferences(chat)
            await message.reply_text(text("style.current", style=prefs.style or text("value.none")))
            return
        style = await self.service.set_style(chat, choice, can_manage=await can_manage(update))
        reply = text("style.set", style=style) if style else text("style.cleared")
        await message.reply_text(reply)

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/language [auto|zh|en]: show or set the transcript language."""
        message, chat, choice = _message(update), _chat(update), command_argument(_message(update))
        if not choice:
            prefs = await self.service.preferences(chat)
            await message.reply_text(text("language.current", language=prefs.language))
            return
        language = await self.service.set_language(
            chat, choice, can_manage=await can_manage(update)
        )
        await message.reply_text(text("language.set", language=language))

    async def autotranscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/autotranscribe [on|off]."""
        message, chat, choice = _message(update), _chat(update), command_argument(_message(update))
        if not choice:
            prefs = await self.service.preferences(chat)
            state = _on_off(prefs.auto_transcribe)
            await message.reply_text(text("autotranscribe.current", state=state))
            return
        enabled = await self.service.set_auto_transcribe(
            chat, choice, can_manage=await can_manage(update)
        )
        await message.reply_text(text("autotranscribe.set", state=_on_off(enabled)))

    async def _transcribe(self, message: Message, recording: Recording) -> None:
        self.service.check_audio_size(recording.file_size)
        async with (
            chat_action(message, ChatAction.TYPING),
            downloaded(recording, local_mode=self.local_mode) as path,
        ):
            transcript = await self.service.transcribe(
                ChatRef("telegram", str(message.chat_id)), path
            )
        if not transcript.text:
            await message.reply_text(text("transcript.empty"), do_quote=True)
            return
        caption = text("transcript.file_caption", duration=format_duration(transcript.duration))
        await reply_long(message, transcript.text, file_caption=caption, file_name="transcript.txt")

    def _describe(self, prefs: Preferences) -> str:
        return text(
            "settings",
            voice=self.service.voice_of(prefs),
            style=prefs.style or text("value.none"),
            language=prefs.language,
            auto_transcribe=_on_off(prefs.auto_transcribe),
            tts_model=self.service.tts_model(prefs),
        )


def command_argument(message: Message) -> str:
    """Everything after the leading /command, line breaks kept."""
    body = message.text or message.caption or ""
    for entity in message.entities or message.caption_entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return body[entity.length :].strip()
    return body.strip()


async def can_manage(update: Update) -> bool:
    """Private chats manage themselves; in groups only administrators (or anonymous admins) do."""
    chat, message, user = update.effective_chat, _message(update), update.effective_user
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    member = await chat.get_member(user.id)
    return member.status in {ChatMember.ADMINISTRATOR, ChatMember.OWNER}


def _message(update: Update) -> Message:
    if update.effective_message is None:
        raise errors.UserInputError("update without a message")
    return update.effective_message


def _chat(update: Update) -> ChatRef:
    return ChatRef("telegram", str(_message(update).chat_id))


def _on_off(value: bool) -> str:
    return text("value.on") if value else text("value.off")
