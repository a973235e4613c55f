"""The Telegram bot running: on long polling or on Telegram's webhook, for as long as a block
lasts, started patiently while Telegram is out of reach and stopped cleanly; a predecessor's
unfinished work taken over first."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bots.http_endpoints import serving
from bots.startup_retries import PATIENCE_SECONDS, reach
from bots.telegram.application.pending_updates import UpdateQueue
from bots.telegram.application.polling_outages import POLLING
from bots.telegram.claims_and_redo.update_claims import leases_renewed, sweep
from bots.telegram.commands.menu import register_commands
from core.domain.errors import ConfigError

if TYPE_CHECKING:
    from aiohttp import web  # the webhook's server only (`bots.http_endpoints`): polling needs none

logger = logging.getLogger(__name__)

__all__ = ["polling", "webhook"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)


@asynccontextmanager
async def polling(
    application: Application,  # type: ignore[type-arg]
    *,
    patience: float = PATIENCE_SECONDS,
) -> AsyncIterator[None]:
    """Run the bot with long polling for as long as the block lasts, then stop it cleanly;
    Telegram out of reach at start is tried again for `patience` seconds."""
    async with _running(application, patience=patience):
        assert application.updater is not None  # built by ApplicationBuilder
        # Also removes a webhook left from webhook mode: Telegram serves one or the other.
        start_polling = partial(
            application.updater.start_polling,
            allowed_updates=Update.ALL_TYPES,
            error_callback=POLLING[application].failed,
        )
        await _reach_telegram(start_polling, patience=patience)
        try:
            yield
        finally:
            await application.updater.stop()


@asynccontextmanager
async def webhook(
    application: Application,  # type: ignore[type-arg]
    *,
    url: str,
    listen: str,
    secret: str,
    routes: Sequence[web.RouteDef] = (),
    patience: float = PATIENCE_SECONDS,
) -> AsyncIterator[None]:
    """Run the bot on Telegram's webhook for as long as the block lasts: updates POSTed to the
    path of `url` on `listen` (with `routes` beside it) are handled once their secret token
    checks out.

    Every replica registers the same URL and secret, so any number of them behind one load
    balancer agree; a delivery that reaches two of them is answered once (the claims).
    """
    from aiohttp import web

    path = urlsplit(url).path or "/"
    receive = web.post(path, _webhook_handler(application, secret))
    async with (
        _running(application, patience=patience),
        serving(listen, [receive, *routes], what="the Telegram webhook"),
    ):
        set_webhook = partial(
            application.bot.set_webhook,
            url, secret_token=secret, allowed_updates=Update.ALL_TYPES,
        )  # fmt: skip
        await _reach_telegram(set_webhook, patience=patience)
        logger.info("Telegram sends updates to the webhook at %s", url)
        yield
    # Stopping leaves the webhook in place: the other replicas still serve it, and Telegram
    # keeps what arrives while none does (for up to a day).


def _webhook_handler(
    application: Application,  # type: ignore[type-arg]
    secret: str,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    from aiohttp import web

    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            logger.warning("webhook request without the right secret token refused")
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return web.Response(status=400, text="not an update")
        # Handled after the answer: Telegram waits for none, and retries what is not answered.
        queue = cast(UpdateQueue, application.update_queue)  # `build_application` gave it
        queue.arrived([data])
        try:
            await queue.offer(update)  # stored before Telegram hears "ok"
        except asyncio.QueueFull:
            logger.warning("webhook update refused: updates accepted and unfinished at the limit")
            return web.Response(status=503, text="busy", headers={"Retry-After": "5"})
        return web.Response(text="ok")

    return receive


async def _reach_telegram(step: Callable[[], Awaitable[object]], *, patience: float) -> None:
    """One step of the start that talks to Telegram, tried again while Telegram is out of
    reach (`bots.startup_retries.reach`): its bad minute may begin after getMe answered, and each
    step of the start waits for it as getMe does, rather than ending the run."""
    await reach(
        "Telegram",
        step,
        transient=(NetworkError,),  # timeouts and its front's 502 included
        setting="TELEGRAM_API_URL",
        patience=patience,
    )


@asynccontextmanager
async def _running(
    application: Application,  # type: ignore[type-arg]
    *,
    patience: float,
) -> AsyncIterator[None]:
    """Initialised and started, interrupted work taken over and commands registered; stopped
    (after handling what it received) when the block ends."""
    try:
        # `async with` below finds it done.
        await _reach_telegram(application.initialize, patience=patience)
    except InvalidToken:
        await application.shutdown()
        # Not chained: PTB's message quotes the token, and a traceback would print it.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN was refused by Telegram; copy it again from @BotFather "
            "(/mybots → your bot → API Token)"
        ) from None
    async with application:
        await application.start()
        try:
            await sweep(application)  # a predecessor's unfinished work first, before new updates
            async with leases_renewed(application):
                await _reach_telegram(partial(register_commands, application), patience=patience)
                logger.info("Telegram bot @%s is ready", application.bot.username)
                try:
                    yield
                finally:
                    await application.stop()  # the leases kept while it finishes
        finally:
            if application.running:  # stopped while starting: shut down only once stopped
                await application.stop()
