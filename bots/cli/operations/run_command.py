"""`voicebridge run`: the bots, after bringing the database up to date.

It logs as the bots do (LOG_LEVEL, LOG_FORMAT): a service manager keeps those lines. The
database's own commands are `voicebridge db` (`bots.cli.operations.db_command`).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import click

from bots.cli.common_options import run as run_command
from bots.cli.common_options import service_verbose_option
from bots.cli.exit_codes import ExitCode, StopSignal
from bots.cli.settings_file import chosen_env_file, exposed, refuse_unknown_names, settings_source

if TYPE_CHECKING:
    from core.config import Settings

logger = logging.getLogger(__name__)

__all__ = ["run"]


@click.command(short_help="Start the Telegram and Discord bots.")
@service_verbose_option
def run(verbose: int) -> int:
    """Start every bot whose token is set, after bringing the database up to date. A name in
    the settings file that is no setting stops it, and so does a name in the environment that
    is almost a setting's, such as ALLOWED_USER (IGNORED_ENV_NAMES lists those meant for
    another program).

    Ctrl-C or SIGTERM stops it: at once while it is still starting, after the work in progress
    once it runs; either way with exit code 0."""
    # The start loads a thousand modules: one collection after them (`_starting`, which turns
    # the collector back on), not the dozens it would make while they load, each walking all
    # loaded so far (about 0.07 s of CPU a start).
    gc.disable()
    try:
        return run_command(_run, verbose=verbose or None, before_the_loop=_starting)
    except StopSignal:
        # Ctrl-C or SIGTERM before the bots listened for it themselves (`_run`): loading, or
        # as the event loop was made. Once they listen, a signal is a stop, said as such.
        from bots.run_plan import STOPPED_WHILE_STARTING

        logger.info(STOPPED_WHILE_STARTING)
        raise
    finally:
        gc.enable()  # a start that failed before `_starting`


# What `run` loads before its event loop starts, where a signal ends it at once: an import
# blocks the loop, which would hear of a signal only once the import is over.
_LOADED_FIRST = (
    "bots.platform_runner",
    "core.bootstrap",
    "core.infra.storage",
    "core.infra.storage.database_engines",
)
_LOADED_FOR = {
    "Telegram": (
        "bots.telegram.application.update_filters",
        "bots.telegram.application.update_delivery",
        "bots.telegram.answers.telegram_progress_pace",
        "bots.telegram.summaries.telegram_summary_commands",
    ),
    "Discord": (
        "bots.discord.application.bot_intents",
        "bots.discord.application.gateway_connection",
        "bots.discord.voice_channels.speech_playback",
    ),
}
# A server of the bot's own (`bots.http_endpoints`): the webhook, or the operations endpoint.
# Telegram on polling without OPS_LISTEN runs none, and is spared aiohttp (a quarter of a second of
# CPU).
_LOADED_TO_SERVE = ("aiohttp.web",)


def _starting(settings: Settings) -> None:
    """The settings checked, one line saying what the bot will connect to, and the code the
    start needs loaded; a signal meanwhile ends it (`run` says so in one line more)."""
    from bots.run_plan import first_line, plan
    from bots.version import running_version

    env_file = chosen_env_file()
    refuse_unknown_names(settings, env_file)
    # A setting missing where no .env was read names init (`common_options`).
    chosen = plan(settings)
    source = settings_source(env_file)
    line = first_line(settings, chosen, version=running_version(), settings_from=source)
    logger.info(line)
    try:
        advice = exposed(env_file)
        if advice is not None:
            logger.warning("%s", advice)
        serves = settings.ops_listen is not None or (
            chosen.telegram_token is not None and settings.telegram_webhook_url is not None
        )
        for platform in (None, *chosen.platforms):
            for module in _LOADED_FOR[platform] if platform else _LOADED_FIRST:
                importlib.import_module(module)
        for module in _LOADED_TO_SERVE if serves else ():
            importlib.import_module(module)
        # What is loaded by now lives as long as the process: keep the collector from walking
        # it again and again (bench/load.py saw full collections stall the event loop 80-190 ms).
        gc.collect()
        gc.freeze()
    finally:
        gc.enable()


async def _run(settings: Settings) -> int:
    from bots.platform_runner import run_bots

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.set_default_executor(_NotWaitedFor())
    await run_bots(settings, stop)
    return ExitCode.OK


class _NotWaitedFor(ThreadPoolExecutor):
    """asyncio's thread pool for `run`, which the end of the event loop does not wait for: a
    stop while a host name is looked up (in a thread, as the libraries do; with the network
    down that takes up to half a minute) ends the process without it. What the bot's own work
    runs in threads is over by then: a stop waits for that work first."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=True)
