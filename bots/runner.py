"""Running every configured bot in one process until asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from core.bootstrap import bootstrap
from core.config import Settings
from core.errors import ConfigError

logger = logging.getLogger(__name__)


async def run_bots(settings: Settings, stop: asyncio.Event) -> None:
    """Migrate the database, start each platform whose token is set, and run until `stop`."""
    from bots.telegram.app import build_application, polling

    telegram_token = settings.telegram_token()
    if telegram_token is None:
        raise ConfigError("no bot to start: set TELEGRAM_BOT_TOKEN")
    settings.require_mimo_key()
    async with bootstrap(settings) as runtime, contextlib.AsyncExitStack() as bots:
        application = build_application(
            token=telegram_token,
            api_url=settings.telegram_api_url,
            local_mode=settings.telegram_local_mode,
            service=runtime.service,
        )
        await bots.enter_async_context(polling(application))
        logger.info("voicebridge is running; press Ctrl-C to stop")
        await stop.wait()
    logger.info("voicebridge stopped")
