"""`voicebridge init`: the settings file written from a few questions, each answer checked.

It asks for the MiMo API key and the bot tokens (typed unseen; Enter skips one), checks each
with `doctor`'s own checks, and writes what was given to `.env` (or the `--env-file`), readable
by its owner only. A Discord token that works brings the link that invites the bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bots.checks import Check
from bots.cli.doctor import check_discord, check_mimo, check_telegram
from bots.cli.env_file import write_private
from bots.cli.exits import CommandFailed, ExitCode
from bots.cli.messages import text
from bots.cli.shell import named_env_file, verbose_option
from bots.cli.shell import run as run_command
from core.domain import errors

if TYPE_CHECKING:
    from core.config import Settings

HEADER = """voicebridge settings, written by `voicebridge init`. Every other setting, with its
default, is in .env.example and the configuration reference (docs/reference/configuration.md).
Only its owner may read this file: keep it so (chmod 600)."""
# Token Plan keys (tp-...) work only at their region's host.
REGIONS = ("cn", "sgp", "ams")


@click.command(short_help="Write .env: the MiMo key and the bot tokens, each checked.")
@verbose_option
def init(verbose: int) -> int:
    """Ask for the MiMo API key and the Telegram and Discord bot tokens (typed unseen; Enter
    skips one), check each as `voicebridge doctor` does, and write them to .env in the current
    folder (or the --env-file), readable by you only. An existing file is replaced only if you
    say so. Once a Discord token works, the link that invites the bot to a server is printed.
    The services' addresses (MIMO_BASE_URL...) come from the environment, as in doctor."""
    target = named_env_file() or Path(".env")
    if target.exists() and not click.confirm(f"{target} is there already: replace it?"):
        click.echo(f"{target} is left as it was.")
        return ExitCode.OK
    return run_command(partial(_init, target), verbose=verbose, read_env_file=False)


async def _init(target: Path, settings: Settings) -> int:
    click.echo(f"The key and the tokens go into {target}, readable by you only. What you type "
               "is not shown; Enter skips a question.")  # fmt: skip
    values: dict[str, str] = {}
    key = await _asked(
        "MiMo API key (sk-... or tp-..., from the MiMo console's API Keys page)",
        partial(_mimo, settings, values),
    )
    if key is not None:
        values["MIMO_API_KEY"] = key
    for name, prompt, check in (
        ("TELEGRAM_BOT_TOKEN", "Telegram bot token (from @BotFather; Enter: no Telegram bot)",
         partial(_telegram, settings)),
        ("DISCORD_BOT_TOKEN", "Discord bot token (developer portal → Bot → Reset Token; Enter: "
         "no Discord bot)", partial(_discord, settings)),
    ):  # fmt: skip
        token = await _asked(prompt, check)
        if token is not None:
            values[name] = token
    return _written(target, values)


Checking = Callable[[str], Awaitable[list[Check]]]


async def _asked(prompt: str, check: Checking) -> str | None:
    """The answer to `prompt` once its check passes (or the user keeps it anyway), None when
    skipped."""
    from core.infra.logs import Redactor

    while True:
        value = click.prompt(prompt, default="", hide_input=True, show_default=False).strip()
        if not value:
            return None
        try:
            found = await check(value)
        except errors.ConfigError as exc:  # malformed: no use keeping it
            click.echo(f"  ✗ {exc}")
            continue
        for line in found:
            click.echo(f"  {Redactor([value]).redact(line.line)}")
        # Kept anyway: the network may be down while the key is right.
        if found[0].ok or click.confirm("Keep it anyway?", default=False):
            return value


async def _mimo(settings: Settings, values: dict[str, str], key: str) -> list[Check]:
    from pydantic import SecretStr

    update: dict[str, object] = {"mimo_api_key": SecretStr(key)}
    if key.startswith("tp-") and "mimo_base_url" not in settings.model_fields_set:
        region = click.prompt(
            "Token Plan keys work at their region's host: which region",
            type=click.Choice(REGIONS),
        )
        values["MIMO_BASE_URL"] = update["mimo_base_url"] = (
            f"https://token-plan-{region}.xiaomimimo.com/v1"
        )
    return await check_mimo(settings.model_copy(update=update))


async def _telegram(settings: Settings, token: str) -> list[Check]:
    from pydantic import SecretStr

    given = settings.model_copy(update={"telegram_bot_token": SecretStr(token)})
    return await check_telegram(given, _well_formed(given.telegram_token(), "TELEGRAM_BOT_TOKEN"))


async def _discord(settings: Settings, token: str) -> list[Check]:
    from pydantic import SecretStr

    given = settings.model_copy(update={"discord_bot_token": SecretStr(token)})
    return await check_discord(given, _well_formed(given.discord_token(), "DISCORD_BOT_TOKEN"))


def _well_formed(token: str | None, name: str) -> str:
    """The token as the settings read it; ConfigError (asked again) when it is malformed or a
    placeholder, which the settings take for no token at all."""
    if token is None:
        raise errors.ConfigError(f"{name} looks like a placeholder; paste the real one")
    return token


def _written(target: Path, values: dict[str, str]) -> int:
    if not values:
        raise CommandFailed(ExitCode.USAGE, f"nothing to write to {target}: no key or token "
                            "was given")  # fmt: skip
    try:
        write_private(target, values, header=HEADER)
    except OSError as exc:
        raise CommandFailed(
            ExitCode.FILE, text("cli.unwritable", path=target, reason=exc.strerror)
        ) from None
    click.echo(f"Wrote {', '.join(values)} to {target.resolve()}, readable by you only.")
    if "TELEGRAM_BOT_TOKEN" not in values and "DISCORD_BOT_TOKEN" not in values:
        click.echo("voicebridge run needs a bot token; transcribe, say and ask need the key alone.")
    click.echo("Next: voicebridge doctor checks the rest, voicebridge run starts the bots.")
    return ExitCode.OK
