"""Building the python-telegram-bot Application around the shared service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import BotCommand, Update
from telegram.error import InvalidToken
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bots.telegram.claims import ClaimingUpdateProcessor, tell_interrupted
from bots.telegram.gate import Gate
from bots.telegram.handlers import TelegramHandlers
from bots.telegram.replies import on_error
from bots.telegram.summaries import SUMMARY_COMMANDS, SummaryHandlers
from core.errors import ConfigError
from core.service import VoiceService
from core.summaries.digests import DigestService
from core.summaries.service import SummaryService
from core.work import WorkLedger

logger = logging.getLogger(__name__)

COMMANDS: tuple[tuple[str, str], ...] = (
    ("transcribe", "Transcript of the audio you reply to"),
    ("say", "Speak text as a voice note"),
    ("ask", "Ask about the audio you reply to"),
    ("voice", "Show or choose the voice"),
    ("style", "Show or set the speaking style"),
    ("language", "Transcript language: auto, zh, en"),
    ("autotranscribe", "Transcribe voice notes automatically: on, off"),
    ("usage", "What this chat used today, and what is left"),
    *SUMMARY_COMMANDS,
    ("settings", "This chat's settings"),
    ("help", "What I can do"),
)

# Edited messages are ignored: an edit must not produce a second transcript or voice note.
_NEW = filters.UpdateType.MESSAGE
_RECORDINGS = (
    filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE | filters.VIDEO | filters.Document.ALL
)
# What the chat log keeps of a group: texts and captions, never commands (transcripts are logged
# by the transcribing handler, once it has them).
_SAID_IN_GROUP = filters.ChatType.GROUPS & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
# What is claimed before it is handled (answered once, reported if a restart cuts it off): what
# leads to work or a reply. Group chatter is not: logging it is idempotent by itself.
_WORK = _NEW & (filters.COMMAND | _RECORDINGS)


def build_application(
    *,
    token: str,
    api_url: str,
    local_mode: bool,
    service: VoiceService,
    summaries: SummaryService,
    digests: DigestService,
    work: WorkLedger | None = None,
) -> Application:  # type: ignore[type-arg]
    """The bot, talking to the Bot API server at `api_url`, with every handler registered.

    With `work`, each message that leads to work is claimed first (`bots.telegram.claims`).
    """
    root = api_url.rstrip("/")
    gate = Gate(service.limiter)  # the allowlist: strangers are neither claimed nor handled
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .local_mode(local_mode)
        # Long transcriptions in one chat must not hold up replies in others.
        .concurrent_updates(
            True if work is None else ClaimingUpdateProcessor(work, _WORK & gate.allowed)
        )
        # Stays under Telegram's flood limits, and when a 429 comes anyway, waits out its
        # retry_after and sends again (up to 3 times) instead of dropping the reply.
        .rate_limiter(AIORateLimiter(max_retries=3))
        .read_timeout(30)
        .media_write_timeout(120)
        .build()
    )
    handlers = TelegramHandlers(service, summaries=summaries, local_mode=local_mode)
    summary_handlers = SummaryHandlers(summaries, digests)
    summary_names = {name for name, _ in SUMMARY_COMMANDS}
    for name in ("start", *(name for name, _ in COMMANDS)):
        owner = summary_handlers if name in summary_names else handlers
        application.add_handler(CommandHandler(name, getattr(owner, name), filters=_NEW))
    application.add_handler(MessageHandler(_RECORDINGS & _NEW, handlers.recording))
    # Last in its group, so only a command none of the handlers above took reaches it.
    application.add_handler(MessageHandler(filters.COMMAND & _NEW, handlers.unknown_command))
    # The log listens in a group of its own, so every message also reaches the handlers above,
    # and without blocking: storing a line never holds up a reply.
    log = MessageHandler(_SAID_IN_GROUP & _NEW, summary_handlers.log_message, block=False)
    application.add_handler(log, group=-1)
    application.add_handler(TypeHandler(Update, gate.turn_away), group=-2)
    application.add_error_handler(on_error)
    return application


async def _register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Publish the command list so Telegram clients offer it as the user types /."""
    await application.bot.set_my_commands([BotCommand(n, d) for n, d in COMMANDS])
    logger.info("Telegram bot @%s is ready", application.bot.username)


@asynccontextmanager
async def polling(application: Application) -> AsyncIterator[None]:  # type: ignore[type-arg]
    """Run the bot with long polling for as long as the block lasts, then stop it cleanly."""
    try:
        await application.initialize()  # `async with` below finds it done
    except InvalidToken:
        await application.shutdown()
        # Not chained: PTB's message quotes the token, and a traceback would print it.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN was refused by Telegram; copy it again from @BotFather "
            "(/mybots → your bot → API Token)"
        ) from None
    async with application:
        await tell_interrupted(application)  # before new work can be mistaken for leftovers
        await application.start()
        await _register_commands(application)
        assert application.updater is not None  # built by ApplicationBuilder
        await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()
