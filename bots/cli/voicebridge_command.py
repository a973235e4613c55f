"""The `voicebridge` command group, and `main`, the console script.

Click parses; each command's body runs through `bots.cli.common_options.run`, which turns failures
into exit codes. A mistake in the call itself (an unknown option, a missing argument) is one line
on stderr too, with exit code 2.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from bots.cli.common_options import say_failure
from bots.cli.exit_code_per_failure import failure
from bots.cli.exit_codes import ExitCode
from bots.cli.memory.find_command import find
from bots.cli.memory.import_command import import_
from bots.cli.operations.db_command import db
from bots.cli.operations.health_command import health
from bots.cli.operations.run_command import run
from bots.cli.operations.usage_command import usage
from bots.cli.recordings.ask_command import ask
from bots.cli.recordings.summarise_command import summarise
from bots.cli.recordings.transcribe_command import transcribe
from bots.cli.settings_file import env_file_option
from bots.cli.setup.doctor_command import doctor
from bots.cli.setup.init_command import init
from bots.cli.voices.say_command import say

__all__ = ["main", "voicebridge"]

CONTEXT = {"help_option_names": ["-h", "--help"]}


def _say_the_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`voicebridge 0.2.0+g1a9670af`: the release and, where it is known, the commit that runs
    (`bots.version`), read only when asked."""
    if not value or ctx.resilient_parsing:
        return
    from bots.version import running_version

    click.echo(f"{ctx.find_root().info_name} {running_version()}")
    ctx.exit()


@click.group(context_settings=CONTEXT, invoke_without_command=True)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_say_the_version,
    help="Show the version (and the commit, where it is known) and exit.",
)
@click.pass_context
def voicebridge(ctx: click.Context) -> int:
    """Voice notes to text and text to voice notes on Xiaomi MiMo: run the Telegram and Discord
    bots, or transcribe, speak, ask and summarise from a shell.

    Settings come from the environment or .env in the current folder (--env-file names
    another; MIMO_API_KEY for any speech work). `voicebridge init` writes .env, `voicebridge
    doctor` checks the set-up. Shell
    completion: eval "$(_VOICEBRIDGE_COMPLETE=bash_source voicebridge)" (zsh_source,
    fish_source for those shells).
    """
    if ctx.invoked_subcommand is not None:
        return ExitCode.OK  # the command's own code is the one returned
    click.echo(ctx.get_help(), err=True)
    return ExitCode.USAGE


voicebridge.params.append(env_file_option())
for command in (
    init,
    run,
    db,
    doctor,
    health,
    usage,
    transcribe,
    say,
    ask,
    summarise,
    find,
    import_,
):
    command.params.append(env_file_option())
    voicebridge.add_command(command)
for inner in import_.commands.values():  # `import telegram --env-file FILE` too
    inner.params.append(env_file_option())


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = voicebridge.main(args=argv, prog_name="voicebridge", standalone_mode=False)
    except click.UsageError as exc:
        say_failure(failure(exc).line, [])
        return ExitCode.USAGE
    except click.Abort:  # Ctrl-C while click itself was reading or parsing
        return ExitCode.INTERRUPTED
    return int(code or 0)
