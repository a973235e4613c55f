"""Telegram handlers: parse the update, call one use case, render the answer.

A command's handler is handed the request as the core read it once for the update (`Request`:
who asks, their language, the chat's, the chat's preferences; `requests.with_request`), and
hands it to the use case it calls; /say and /transcribe put who asks into their use case's
request instead, and render what it returns."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import ChatMember, Message, MessageEntity, Update
from telegram.constants import ChatAction, ChatType
from telegram.ext import ContextTypes

from bots.telegram.access import asker_of
from bots.telegram.answers import answer_to
from bots.telegram.arrivals import arrival_of
from bots.telegram.audiences import asking, person_locale, stranger_locale
from bots.telegram.destinations import Answer
from bots.telegram.drafts import WorkShown
from bots.telegram.inline import discarding
from bots.telegram.media import Recording, recording_in, remote
from bots.telegram.messages import CATALOGUE, text
from bots.telegram.progress_pace import USUAL, Pace
from bots.telegram.replies import chat_action, reply_long
from bots.telegram.transcript_replies import TelegramRecordingView
from core.app.recordings.questions import Questions
from core.app.rules.limits import Limiter
from core.app.rules.preferences import ChatPreferences, shown_or_set
from core.app.rules.requests import Audiences, Request
from core.app.voice_notes import RecordingEvent, VoiceNotes
from core.app.voices.clone_consent import ConsentAsk, ConsentHeard, VoiceConsents
from core.app.voices.speech import SayAsked, TextToSpeech
from core.app.voices.studio import VoiceStudio
from core.chat.exports import transcript_format
from core.chat.overview import (
    auto_gist_text,
    autotranslate_text,
    bot_language_text,
    catalogue_text,
    consent_heard_text,
    consent_sentence_text,
    on_off,
    settings_text,
    style_set_text,
    style_text,
    transcript_language,
)
from core.chat.usage import clone_attempts_line, usage_text
from core.domain import errors
from core.domain.quantities import Duration
from core.domain.values import Answer as Answered
from core.domain.values import ChatRef

T = TypeVar("T")


class TelegramHandlers:
    """Every command and media handler but those of gists, translations, summaries and
    Business (each has a class of its own), with the use cases they call; every setting of
    the chat's (`/tldr auto` and `/autotranslate` too)."""

    def __init__(
        self,
        *,
        voice_notes: VoiceNotes,
        audiences: Audiences,
        preferences: ChatPreferences,
        speech: TextToSpeech,
        questions: Questions,
        studio: VoiceStudio,
        consents: VoiceConsents,
        limiter: Limiter,
        piece_seconds: float,
        local_mode: bool,
        pace: Pace = USUAL,
    ) -> None:
        self.voice_notes = voice_notes
        self.audiences = audiences
        self.preferences = preferences  # the settings commands' use case
        self.speech = speech
        self.questions = questions
        self.studio = studio
        self.consents = consents
        self.limiter = limiter
        self.piece_seconds = piece_seconds  # what a transcript's progress counts in
        self.local_mode = local_mode
        self.pace = pace

    async def start(self, update: Update, request: Request) -> None:
        """Greet and explain."""
        answer = await answer_to(update, locale=request.locale)
        await answer.text(text("start", request.locale), quote=None)

    async def help(self, update: Update, request: Request) -> None:
        """List the commands."""
        locale = request.locale
        # The commands of recordings' gists and translations, in an entry of their own.
        await (await answer_to(update, locale=locale)).lines(
            f"{text('help', locale)}\n\n{text('help.more', locale)}\n"
            f"{text('help.voice_share', locale)}\n{text('help.memory', locale)}",
        )

    async def settings(self, update: Update, request: Request) -> None:
        """Show the chat's preferences."""
        prefs = request.prefs
        own = (await self.studio.catalogue(request)).own
        voice, model = request.voice, request.tts_model
        overview = settings_text(
            prefs, request.locale, chat_language=request.chat_locale, voice=voice, tts_model=model,
            own=own,
        )  # fmt: skip
        # One person's business where they may not change what it shows.
        answer = await answer_to(
            update, locale=request.locale, private=not await can_manage(update)
        )
        await answer.lines(overview)

    async def usage(self, update: Update, request: Request) -> None:
        """/usage: what this chat used today, and what is left."""
        report = await self.limiter.today(chat_of(update), asker_of(update))
        user = update.effective_user
        cloning = "" if user is None else "\n" + clone_attempts_line(
            await self.consents.attempts_today("telegram", str(user.id)),
            self.consents.attempts_per_day, request.locale,
        )  # fmt: skip
        answer = await answer_to(update, locale=request.locale)
        await answer.lines(usage_text(report, request.locale) + cloning)

    async def recording(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A voice note or other recording arrived: parsed once (`arrivals.arrival_of`), handed
        to the core once (`VoiceNotes.arrived`: a consent reading, a question, or a recording
        to transcribe), and what comes back rendered: a reading's answer, a question's."""
        arrival = arrival_of(update, local_mode=self.local_mode)
        if arrival is None:
            return
        message = message_of(update)
        came = await self.voice_notes.arrived(arrival, self._view(message))
        if isinstance(came, ConsentHeard):  # the sender's reading of their consent sentence
            await (await answer_to(update, locale=came.locale)).text(reading_answer(came))
        elif isinstance(came, Answered):  # the answer to the question its caption asked
            await reply_long(message, came.text, file_caption="", file_name="answer.txt")

    async def transcribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/transcribe [txt|srt] as a reply to a recording. Who asks goes into the request: the
        use case reads the chat's preferences once (`RecordingEvent`). In a group the transcript
        is for the asker alone where it can be (`answers.answer_to`), streamed as it comes."""
        message = message_of(update)
        target = message.reply_to_message
        recording = recording_in(target)
        if target is None or recording is None:
            await self._usage(update, "usage.transcribe")
            return
        source = remote(recording, local_mode=self.local_mode, message=target)
        answer = await answer_to(update, locale=stranger_locale(update))
        asked = RecordingEvent(
            chat=chat_of(update), source=source,
            view=self._view(target, answer=None if answer.here else answer),
            audience=asking(update), asker=asker_of(update), commander=True,
        )  # fmt: skip
        await self.voice_notes.asked(asked, format=transcript_format(command_argument(message)))

    async def say(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/say TEXT, or /say as a reply to a message: answer with a voice note. Who asks goes
        into the request: the use case reads the chat's preferences once (`SayAsked`)."""
        message = message_of(update)
        asked = say_asked(update)
        if asked is None:
            await self._usage(update, "usage.say")
            return
        async with chat_action(message, ChatAction.RECORD_VOICE, self.pace):
            said = await self.speech.say_notes(asked)
        for note in said.notes:
            await message.reply_voice(
                voice=note.data, duration=round(note.duration), filename="voice.ogg", do_quote=True
            )

    async def ask(self, update: Update, request: Request) -> None:
        """/ask QUESTION as a reply to a recording."""
        message = message_of(update)
        target = message.reply_to_message
        recording = recording_in(target)
        question = command_argument(message)
        if target is None or recording is None or not question:
            await message.reply_text(text("usage.ask", request.locale))
            return
        await self._ask(message, recording, question, request)

    async def voice(self, update: Update, request: Request) -> None:
        """/voice [NAME]: show or choose the voice; /voice design|clone|delete|share|unshare
        NAME ...: the chat's own voices."""
        message, chat, studio = message_of(update), chat_of(update), self.studio
        answer = await answer_to(update, locale=request.locale)
        choice = command_argument(message)
        words = choice.split(maxsplit=2)
        action = words[0].casefold() if words else ""
        actions = {"design": self._voice_design, "clone": self._voice_clone,
                   "delete": self._voice_delete, "share": self._voice_share,
                   "unshare": self._voice_unshare}  # fmt: skip
        if action in actions:
            await actions[action](update, words[1:], request.locale)
        elif choice:
            chosen = await studio.choose(
                chat, choice, can_manage=await can_manage(update), chooser=sender_id(message)
            )
            await answer.text(text("voice.set", request.locale, voice=chosen), quote=None)
        else:
            catalogue = await studio.catalogue(request)
            await answer.lines(catalogue_text(catalogue, request.locale, wording=CATALOGUE))

    async def _voice_design(self, update: Update, words: list[str], locale: str) -> None:
        """/voice design NAME DESCRIPTION: store the voice, answer with a sample of it."""
        message, answer = message_of(update), await answer_to(update, locale=locale)
        if len(words) < 2:
            await answer.text(text("usage.voice_design", locale), quote=None)
            return
        # "recording voice…" is for the whole group to see: not for a sample one member gets.
        shows = chat_action(message, ChatAction.RECORD_VOICE, self.pace) if answer.here else None
        async with shows or contextlib.nullcontext():
            note = await self.studio.design(
                chat_of(update), words[0], words[1], can_manage=await can_manage(update),
                designer=sender_id(message), locale=locale, asker=asker_of(update),
            )  # fmt: skip
        caption = text("voices.designed", locale, name=words[0])
        await answer.voice(note.data, duration=note.duration, caption=caption)

    async def _voice_clone(self, update: Update, words: list[str], locale: str) -> None:
        """/voice clone NAME: the sentence to read aloud, as a new voice note, for consent."""
        message, answer = message_of(update), await answer_to(update, locale=locale)
        person, user = sender_id(message), update.effective_user
        if person is None or user is None:
            raise errors.AnonymousCaller("only a person's own voice is cloned")
        if not words:
            await answer.text(text("usage.voice_clone", locale), quote=None)
            return
        asked = ConsentAsk(
            chat=chat_of(update), name=words[0], person=person, person_name=user.first_name,
            asked_in=str(message.chat_id), private_chat=person, locale=locale,
            asker=asker_of(update),
        )  # fmt: skip
        asked_to = await self.consents.ask(asked)
        lifetime = Duration(int(self.consents.lifetime.total_seconds()))
        shown = consent_sentence_text(
            asked_to.sentence, asked_to.english, locale, wait=lifetime, wording=CATALOGUE
        )
        await answer.text(shown)

    async def _voice_delete(self, update: Update, words: list[str], locale: str) -> None:
        """/voice delete NAME: the voice and its sample."""
        message, answer = message_of(update), await answer_to(update, locale=locale)
        if not words:
            await answer.text(text("usage.voice_delete", locale), quote=None)
            return
        name = await self.studio.delete(
            chat_of(update), words[0], can_manage=await can_manage(update),
            requested_by=sender_id(message), discard=discarding(message.get_bot()),
        )  # fmt: skip
        await answer.text(text("voices.deleted", locale, name=name), quote=None)

    async def _voice_unshare(self, update: Update, words: list[str], locale: str) -> None:
        await self._voice_share(update, words, locale, shared=False)

    async def _voice_share(
        self, update: Update, words: list[str], locale: str, *, shared: bool = True
    ) -> None:
        """/voice share NAME, /voice unshare NAME: the owner of a cloned voice lets it speak for
        the chat, or takes that back."""
        message, answer = message_of(update), await answer_to(update, locale=locale)
        if not words:
            await answer.text(text("usage.voice_share", locale), quote=None)
            return
        name = await self.studio.share(
            chat_of(update), words[0], owner=sender_id(message), shared=shared
        )
        key = "voices.shared" if shared else "voices.unshared"
        await answer.text(text(key, locale, name=name), quote=None)

    async def style(self, update: Update, request: Request) -> None:
        """/style [TEXT|off]: show or set the speaking style."""
        message, chat, locale = message_of(update), chat_of(update), request.locale
        choice = command_argument(message)
        if not choice:
            await message.reply_text(style_text(request.prefs, locale, wording=CATALOGUE))
            return
        style = await self.preferences.set_style(chat, choice, can_manage=await can_manage(update))
        await message.reply_text(style_set_text(style, locale))

    async def language(self, update: Update, request: Request) -> None:
        """/language [auto|zh|en]: show or set the transcript language."""
        message, locale = message_of(update), request.locale
        choice = command_argument(message)
        language = await self._shown_or_set(
            update, choice, request.prefs.language, self.preferences.set_language
        )
        key = "language.set" if choice else "language.current"
        await message.reply_text(text(key, locale, language=transcript_language(language, locale)))

    async def botlanguage(self, update: Update, request: Request) -> None:
        """/botlanguage [LANGUAGE|auto]: show or set the language of what the chat gets as a
        whole."""
        message, chat, locale = message_of(update), chat_of(update), request.locale
        choice = command_argument(message)
        now = request
        if choice:
            await self.preferences.set_interface_language(
                chat, choice, can_manage=await can_manage(update)
            )
            now = await self.audiences.request(chat, asking(update))
        reply = bot_language_text(
            now.prefs, locale, chat_language=now.chat_locale, wording=CATALOGUE,
            changed=bool(choice),
        )  # fmt: skip
        await message.reply_text(reply)

    async def autotranscribe(self, update: Update, request: Request) -> None:
        """/autotranscribe [on|off]."""
        message, locale = message_of(update), request.locale
        choice = command_argument(message)
        enabled = await self._shown_or_set(
            update, choice, request.prefs.auto_transcribe, self.preferences.set_auto_transcribe
        )
        key = "autotranscribe.set" if choice else "autotranscribe.current"
        await message.reply_text(text(key, locale, state=on_off(enabled, locale)))

    async def autotranslate(self, update: Update, request: Request) -> None:
        """/autotranslate [LANGUAGE|off]: every transcript here also gets its translation."""
        message, locale = message_of(update), request.locale
        language = await self._shown_or_set(
            update, command_argument(message), request.prefs.autotranslate,
            self.preferences.set_autotranslate,
        )  # fmt: skip
        await message.reply_text(autotranslate_text(language, locale, wording=CATALOGUE))

    async def gist_auto(self, update: Update, choice: str, request: Request) -> None:
        """/tldr auto [MINUTES|off]: recordings at least that long also get their gist."""
        message, locale = message_of(update), request.locale
        minutes = await self._shown_or_set(
            update, choice, request.prefs.gist_minutes, self.preferences.set_gist_minutes
        )
        await message.reply_text(auto_gist_text(minutes, locale, wording=CATALOGUE))

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A /command this bot does not have: say so where it was surely meant for this bot (a
        private chat, or /name@thisbot); in a group, another bot may own it."""
        message = message_of(update)
        typed = message.parse_entity(message.entities[0]).removeprefix("/")
        name, _, addressee = typed.partition("@")
        # Whoever runs a command, any bot's, leads the chat's language (`audiences.answered`);
        # /forget leaves nothing of the chat behind, not even that.
        locale = person_locale(update)
        if locale is not None and name.casefold() != "forget":
            await self.preferences.note_commander(chat_of(update), locale)
        if addressee.casefold() == context.bot.username.casefold() or (
            not addressee and message.chat.type == ChatType.PRIVATE
        ):
            raise errors.UnknownCommand(value=name)

    async def _usage(self, update: Update, key: str) -> None:
        """How a command is used (the catalogue's `key`), for a command its use case would have
        answered (`SayAsked`, `RecordingEvent`): in the language decided for the person."""
        request = await self.audiences.request(chat_of(update), asking(update), commander=True)
        answer = await answer_to(update, locale=request.locale)
        await answer.text(text(key, request.locale), quote=None)

    async def _shown_or_set(
        self, update: Update, choice: str, shown: T, change: Callable[..., Awaitable[T]]
    ) -> T:
        """A setting's command (`shown_or_set`): administrators change it in groups."""
        return await shown_or_set(
            chat_of(update), choice, shown=shown, change=change,
            allowed=lambda: can_manage(update),
        )  # fmt: skip

    def _view(self, message: Message, *, answer: Answer | None = None) -> TelegramRecordingView:
        return TelegramRecordingView(
            message, piece_seconds=self.piece_seconds, pace=self.pace, answer=answer
        )

    async def _ask(
        self, message: Message, recording: Recording, question: str, request: Request
    ) -> None:
        """Answer `question` about `recording`, asked in `request`, replying to `message`."""
        source = remote(recording, local_mode=self.local_mode)
        async with WorkShown(message, self.pace):  # a "Thinking…" draft, or "typing…"
            answered = await self.questions.ask(request, source, question)
        await reply_long(message, answered.text, file_caption="", file_name="answer.txt")


def command_argument(message: Message) -> str:
    """Everything after the leading /command, line breaks kept."""
    body = message.text or message.caption or ""
    for entity in message.entities or message.caption_entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return body[entity.length :].strip()
    return body.strip()


def say_asked(update: Update) -> SayAsked | None:
    """/say's request: the words typed, else those of the message replied to; whose words they
    are (the sender's, typed or their own message replied to). None without words."""
    message = message_of(update)
    replied = message.reply_to_message
    typed = command_argument(message)
    words = typed or (replied and (replied.text or replied.caption)) or ""
    if not words.strip():
        return None
    author = sender_id(message)
    if not typed and replied is not None and sender_id(replied) != author:
        author = None
    return SayAsked(
        chat=chat_of(update), text=words, audience=asking(update), asker=asker_of(update),
        author=author, commander=True,
    )  # fmt: skip


async def can_manage(update: Update) -> bool:
    """Private chats manage themselves; in groups only administrators (or anonymous admins) do."""
    chat, message, user = update.effective_chat, message_of(update), update.effective_user
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    member = await chat.get_member(user.id)
    return member.status in {ChatMember.ADMINISTRATOR, ChatMember.OWNER}


def reading_answer(heard: ConsentHeard) -> str:
    """What the reader hears once their voice is cloned, or why not."""
    return consent_heard_text(heard.name, heard.locale, refused=heard.refused, wording=CATALOGUE)


def sender_id(message: Message) -> str | None:
    """Who sent `message` as themselves: not a forward of someone else's message, not on behalf
    of a chat (an anonymous administrator, a channel). None when that cannot be told."""
    if message.forward_origin is not None or message.sender_chat is not None:
        return None
    return None if message.from_user is None else str(message.from_user.id)


def message_of(update: Update) -> Message:
    if update.effective_message is None:
        raise errors.UserInputError("update without a message")
    return update.effective_message


def chat_of(update: Update) -> ChatRef:
    return ChatRef("telegram", str(message_of(update).chat_id))
