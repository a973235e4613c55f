"""Building the python-telegram-bot Application around the use cases the runtime built."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BusinessConnectionHandler,
    BusinessMessagesDeletedHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bots.telegram.answers import ephemeral_api
from bots.telegram.answers.telegram_asker import Handler, with_request
from bots.telegram.answers.telegram_progress_pace import USUAL, Pace
from bots.telegram.answers.telegram_replies import error_handler
from bots.telegram.application.flood_limits import SparingRateLimiter
from bots.telegram.application.pending_updates import MAX_CONCURRENT_UPDATES, UpdateQueue
from bots.telegram.application.polling_outages import POLLING, WatchedPolling
from bots.telegram.business_and_guest_mode.business_handlers import BusinessHandlers
from bots.telegram.business_and_guest_mode.guest_answers import GuestAnswers, GuestHandlers
from bots.telegram.chat_log_entry import LOGGED
from bots.telegram.claims_and_redo.update_claims import ClaimingUpdateProcessor
from bots.telegram.commands.menu import COMMANDS, UnknownCommands
from bots.telegram.commands.telegram_allowlist import Access
from bots.telegram.memory.telegram_memory_commands import FIND_BUTTONS, MemoryHandlers
from bots.telegram.recordings.telegram_tldr_command import GistHandlers
from bots.telegram.recordings.telegram_transcribe_commands import RecordingHandlers
from bots.telegram.recordings.telegram_translate_commands import TranslationHandlers
from bots.telegram.recordings.transcript_status_notes import StatusNotes
from bots.telegram.settings.telegram_settings_commands import PreferencesHandlers
from bots.telegram.summaries.telegram_summary_commands import SummaryHandlers
from bots.telegram.voices.inline_queries import InlineHandlers
from bots.telegram.voices.voice_commands import VoiceHandlers

if TYPE_CHECKING:  # what the composition root built; importing it here would load it all
    from core.bootstrap import Runtime

logger = logging.getLogger(__name__)

__all__ = ["build_application"]

# Edited messages are ignored: an edit must not produce a second transcript or voice note.
_NEW = filters.UpdateType.MESSAGE
_RECORDINGS = (
    filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE | filters.VIDEO | filters.Document.ALL
)
# What the chat log keeps of a group is `bots.telegram.chat_log_entry.LOGGED` (texts and
# captions, never commands), but a member's ephemeral message (their reply to the bot's ephemeral
# one) is between them and the bot: never logged for the group's summaries, never transcribed for
# the group. That part is read with `answers.ephemeral_api`, which `chat_log_entry` sits below, so
# it is added here.
_EPHEMERAL = ephemeral_api.EphemeralMessages()
_SAID_IN_GROUP = LOGGED & ~_EPHEMERAL
# What is claimed as it arrives (handled once, redone if a kill cuts it off): what leads to work
# or a reply, and group chatter kept for /summary (so that a kill loses none of it).
_WORK = _NEW & (filters.COMMAND | _RECORDINGS | _SAID_IN_GROUP)
# Recordings in a Telegram Business owner's private chats
# (`bots.telegram.business_and_guest_mode.business_handlers`); an edit must not bring a second
# transcript, so only new ones. Claimed like any work: the owner is checked against the allowlist by
# the handler, as the update names only the other person.
_BUSINESS_WORK = filters.UpdateType.BUSINESS_MESSAGES & ~filters.UpdateType.EDITED & _RECORDINGS
# Guest queries (`bots.telegram.business_and_guest_mode.guest_answers`): the bot mentioned in a chat
# it is not in. Claimed like any work, under their query id; the allowlist is the caller's.
_GUEST_WORK = filters.UpdateType.GUEST_MESSAGE


def build_application(
    *,
    token: str,
    api_url: str,
    local_mode: bool,
    runtime: Runtime,
    max_pending_updates: int,
    claiming: bool = True,
    inline_cache_chat: int | None = None,
    pace: Pace = USUAL,
) -> Application:  # type: ignore[type-arg]
    """The bot, talking to the Bot API server at `api_url`, with every handler registered.

    With `claiming`, each message that leads to work is claimed first
    (`bots.telegram.claims_and_redo.update_claims`). At most `max_pending_updates` updates are
    accepted and unfinished at once (`bots.telegram.application.pending_updates`). Inline mode needs
    `inline_cache_chat`, where the voice notes it renders are stored
    (`bots.telegram.voices.inline_queries`); without it, it is off. `pace`: how often chat actions
    and progress edits are sent (tests turn it up).
    """
    access = Access(runtime.limiter)  # the allowlist: strangers are neither claimed nor handled
    queue = UpdateQueue(max_pending_updates)
    processor = _claiming(runtime, access, queue) if claiming else None
    application = _application(token, api_url, local_mode, queue, processor)
    notes = None if processor is None else processor.status_notes
    chat = _chat_handlers(runtime, local_mode=local_mode, pace=pace, status_notes=notes)
    _add_commands(application, runtime, chat)
    _add_messages(application, runtime, chat)
    guest = GuestHandlers(
        voice_notes=runtime.voice_notes, gists=runtime.gists, translations=runtime.translations,
        questions=runtime.questions, inline=runtime.inline, audiences=runtime.audiences,
        answers=GuestAnswers(None) if processor is None else processor.guest_answers,
        cache_chat=inline_cache_chat, piece_seconds=runtime.limits.asr_piece_seconds,
        local_mode=local_mode, pace=pace,
    )  # fmt: skip
    application.add_handler(MessageHandler(_GUEST_WORK, guest.message))
    _add_inline(application, runtime, queue, inline_cache_chat)
    # Last in its group, so only a command none of the handlers above took reaches it.
    unknown = UnknownCommands(runtime.preferences)
    application.add_handler(MessageHandler(filters.COMMAND & _NEW, unknown.answer))
    _add_watchers(application, runtime, chat, access)
    return application


def _claiming(runtime: Runtime, access: Access, queue: UpdateQueue) -> ClaimingUpdateProcessor:
    """Each update that leads to work claimed as it arrives, before Telegram hears it was
    received; strangers' are not."""
    wanted = ((_WORK | _GUEST_WORK) & access.allowed) | _BUSINESS_WORK
    processor = ClaimingUpdateProcessor(
        runtime.claims, wanted, chats=runtime.audiences, concurrent=MAX_CONCURRENT_UPDATES,
        business=runtime.business,
    )  # fmt: skip
    queue.intake = processor.receive  # claimed before Telegram hears it was received
    return processor


def _application(
    token: str,
    api_url: str,
    local_mode: bool,
    queue: UpdateQueue,
    processor: ClaimingUpdateProcessor | None,
) -> Application:  # type: ignore[type-arg]
    """python-telegram-bot's Application on the Bot API at `api_url`, its updates through
    `queue`, handled at once (each claimed by `processor`, where there is one)."""
    from core.bootstrap.parts_from_settings import tls_context  # imported late, as the runtime is

    root = api_url.rstrip("/")
    tls: dict[str, Any] = {"verify": tls_context()}
    polling = WatchedPolling(httpx_kwargs=tls, arrived=queue.arrived)
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .local_mode(local_mode)
        .update_queue(queue)
        # Long transcriptions in one chat must not hold up replies in others.
        .concurrent_updates(MAX_CONCURRENT_UPDATES if processor is None else processor)
        # Stays under Telegram's flood limits, and when a 429 comes anyway, waits out its
        # retry_after and sends again (up to `flood_limits.MAX_RETRIES` times) instead of
        # dropping the reply; in groups, "typing…" only from the budget replies leave spare.
        .rate_limiter(SparingRateLimiter())
        # A reply still goes when the message it answers was deleted meanwhile (the /say or
        # /ask that asked for it): Telegram refuses it otherwise, and the work would be lost.
        .defaults(Defaults(allow_sending_without_reply=True))
        # A connection for each update handled at once (PTB's own pool size too), 1 for
        # getUpdates, on the process's one TLS context; a dropped connection while polling is
        # one line a try, not a traceback (`WatchedPolling`).
        .request(
            HTTPXRequest(
                MAX_CONCURRENT_UPDATES, read_timeout=30, media_write_timeout=120, httpx_kwargs=tls
            )
        )
        .get_updates_request(polling)
        .build()
    )
    POLLING[application] = polling
    return application


@dataclass(frozen=True)
class _ChatHandlers:
    """The handlers of what a chat sends the bot: its commands, recordings and buttons."""

    recordings: RecordingHandlers  # recordings, /transcribe, /ask as a reply
    voices: VoiceHandlers  # /say, /voice, /style
    settings: PreferencesHandlers  # the chat's settings, /usage, /help
    summaries: SummaryHandlers  # ...the chat log, /summary, /digest
    memory: MemoryHandlers  # ...and /ask, /find, /forget
    gists: GistHandlers
    translations: TranslationHandlers
    business: BusinessHandlers  # a Telegram Business owner's private chats


def _chat_handlers(
    runtime: Runtime, *, local_mode: bool, pace: Pace, status_notes: StatusNotes | None
) -> _ChatHandlers:
    """The handlers of a chat's commands, recordings and buttons, on the runtime's use cases;
    a transcript's status noted in its update's claim through `transcript_status_notes`."""
    recordings = RecordingHandlers(
        voice_notes=runtime.voice_notes, audiences=runtime.audiences,
        questions=runtime.questions, piece_seconds=runtime.limits.asr_piece_seconds,
        local_mode=local_mode, status_notes=status_notes, pace=pace,
    )  # fmt: skip
    voices = VoiceHandlers(
        audiences=runtime.audiences, preferences=runtime.preferences, speech=runtime.speech,
        studio=runtime.studio, consents=runtime.consents, pace=pace,
    )  # fmt: skip
    settings = PreferencesHandlers(
        audiences=runtime.audiences, preferences=runtime.preferences, studio=runtime.studio,
        consents=runtime.consents, limiter=runtime.limiter,
    )  # fmt: skip
    translations = TranslationHandlers(
        translations=runtime.translations, speech=runtime.speech,
        studio=runtime.studio, local_mode=local_mode, pace=pace,
    )  # fmt: skip
    business = BusinessHandlers(
        business=runtime.business, transcription=runtime.transcription,
        audiences=runtime.audiences, local_mode=local_mode, memory=runtime.memory,
    )  # fmt: skip
    return _ChatHandlers(
        recordings=recordings,
        voices=voices,
        settings=settings,
        summaries=SummaryHandlers(runtime.summaries, runtime.digests, pace=pace),
        memory=MemoryHandlers(
            runtime.memory, forgetting=runtime.forgetting, on_recording=recordings.ask
        ),
        gists=GistHandlers(
            gists=runtime.gists, auto=settings.gist_auto, local_mode=local_mode, pace=pace
        ),
        translations=translations,
        business=business,
    )


def _add_commands(
    application: Application,  # type: ignore[type-arg]
    runtime: Runtime,
    chat: _ChatHandlers,
) -> None:
    """Every command of the menu, each to its handler.

    Each handler is handed the request as the core read it once for the update (who asks,
    where, their language, the chat's preferences), the commander's language noted with it
    (`with_request`), and hands it to its use case; /transcribe's and /say's use cases read it
    themselves, from what their requests say."""
    told = partial(with_request, runtime.audiences)
    recordings, voices, settings = chat.recordings, chat.voices, chat.settings
    summaries = chat.summaries
    commands: dict[str, Handler] = {  # in the order of the menu (`COMMAND_DESCRIPTIONS`)
        "transcribe": recordings.transcribe,  # who asks goes in its request (`RecordingEvent`)
        "say": voices.say,  # ...and in this one's (`SayAsked`)
        "ask": told(chat.memory.ask),
        "find": told(chat.memory.find),
        "tldr": told(chat.gists.tldr),
        "translate": told(chat.translations.translate),
        "autotranslate": told(settings.autotranslate),
        "voicetranslations": told(chat.translations.voicetranslations),
        "voice": told(voices.voice),
        "style": told(voices.style),
        "language": told(settings.language),
        "botlanguage": told(settings.botlanguage),
        "autotranscribe": told(settings.autotranscribe),
        "usage": told(settings.usage),
        "summary": told(summaries.summary),
        "digest": told(summaries.digest),
        "forget": told(chat.memory.forget, noted=False),  # nothing of the chat left
        "business": told(chat.business.business),
        "settings": told(settings.settings),
        "help": told(settings.help),
        "start": told(settings.start),
    }
    if list(commands) != list(COMMANDS):
        raise RuntimeError("every command in the menu needs its handler, and only those")
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=_NEW))


def _add_messages(
    application: Application,  # type: ignore[type-arg]
    runtime: Runtime,
    chat: _ChatHandlers,
) -> None:
    """A chat's recordings, the buttons of /find, and a Business owner's chats."""
    application.add_handler(
        MessageHandler(_RECORDINGS & _NEW & ~_EPHEMERAL, chat.recordings.recording)
    )
    pressed = with_request(runtime.audiences, chat.memory.button, noted=False)
    application.add_handler(CallbackQueryHandler(pressed, pattern=f"^{FIND_BUTTONS}"))
    business = chat.business
    application.add_handler(BusinessConnectionHandler(business.connection))
    application.add_handler(BusinessMessagesDeletedHandler(business.deleted))
    application.add_handler(MessageHandler(_BUSINESS_WORK, business.message))


def _add_inline(
    application: Application,  # type: ignore[type-arg]
    runtime: Runtime,
    queue: UpdateQueue,
    cache_chat: int | None,
) -> None:
    """Inline mode, where it has a chat to store the voice notes it renders in."""
    if cache_chat is None:
        # `voicebridge doctor` says so: a line at every start would be advice given again and
        # again to someone who chose not to take it.
        logger.debug(
            "Telegram inline mode is off: set TELEGRAM_INLINE_CACHE_CHAT to a chat where the bot "
            "may post (it stores the voice notes it renders there) to turn it on"
        )
        return
    inline = InlineHandlers(
        inline=runtime.inline,
        audiences=runtime.audiences,
        cache_chat=cache_chat,
        clock=runtime.clock,
    )
    queue.received = inline.received  # a user's older query superseded on arrival
    application.add_handler(InlineQueryHandler(inline.query))


def _add_watchers(
    application: Application,  # type: ignore[type-arg]
    runtime: Runtime,
    chat: _ChatHandlers,
    access: Access,
) -> None:
    """What sees every update before the handlers, each in a group of its own: the chat log,
    the allowlist, the bot's own rights; and the one error handler."""
    # The log listens in a group of its own, so every message also reaches the handlers above.
    # It blocks (a caption waits a few milliseconds for its line to be stored) so the message's
    # claim ends only once the line is stored: a kill before that redoes it.
    log = MessageHandler(_SAID_IN_GROUP & _NEW, chat.summaries.log_message)
    application.add_handler(log, group=-1)
    application.add_handler(TypeHandler(Update, access.refuse_stranger), group=-2)
    # Before the allowlist: the bot's own status, whoever changed it, is the bot's to know.
    rights = ChatMemberHandler(ephemeral_api.rights_told, ChatMemberHandler.MY_CHAT_MEMBER)
    application.add_handler(rights, group=-3)
    application.add_error_handler(error_handler(runtime.audiences))
