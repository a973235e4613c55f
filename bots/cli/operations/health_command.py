"""`voicebridge health`: whether the bot running on this machine is alive, as a container's
health check asks it.

It asks the running bot's own `/healthz` on OPS_LISTEN (`bots.http_endpoints`: 200 while the process
answers and its database does, 503 once the database does not) from the same machine, at the
loopback where OPS_LISTEN listens on every address: no request leaves the machine, no MiMo key
or bot token is needed, and nothing slow is loaded (the standard library's HTTP client), so a
check every minute costs next to nothing. One line, ✓ or ✗; exit code 0 or 1 only, as container
health checks read them (Docker keeps 2 for itself).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from bots.cli.common_options import run_outside_a_loop, verbose_option
from bots.cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from core.config import Settings

__all__ = ["health", "healthz_url"]

ANSWER_SECONDS = 5.0


@click.command(short_help="Whether the running bot answers: its /healthz on OPS_LISTEN.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=ANSWER_SECONDS,
    show_default=True,
    help="Seconds the bot has to answer.",
)
@verbose_option
def health(timeout: float, verbose: int) -> int:
    """Ask the bot running on this machine (voicebridge run, with OPS_LISTEN set) whether it is
    alive: its /healthz on OPS_LISTEN, at 127.0.0.1 where it listens on every address. One
    line: ✓ while the bot and its database answer, else ✗ and why. Exit code 0 when healthy, 1
    otherwise (a container's health check). No request leaves the machine, and no MiMo key or
    bot token is needed."""
    return run_outside_a_loop(lambda settings: _health(settings, timeout), verbose=verbose)


def _health(settings: Settings, seconds: float) -> int:
    if settings.ops_listen is None:
        click.echo("✗ OPS_LISTEN is not set: voicebridge run serves /healthz there, which "
                   "this check asks; set it for both (OPS_LISTEN=127.0.0.1:9090)")  # fmt: skip
        return ExitCode.FAILED
    url = healthz_url(settings.ops_listen)
    status, body = _get(url, seconds)
    if status == 200:
        click.echo(f"✓ voicebridge answers at {url}, and so does its database")
        return ExitCode.OK
    if status == 503 and body.get("database") == "unreachable":
        click.echo(f"✗ voicebridge answers at {url}, but its database does not: check that it "
                   "runs, and DATABASE_URL (voicebridge doctor says more)")  # fmt: skip
    elif status is None:
        click.echo(f"✗ no answer at {url} ({body['error']}): is voicebridge run running here, "
                   "with this OPS_LISTEN? It serves it once its start is over")  # fmt: skip
    else:
        click.echo(f"✗ {url} answered {status}: is OPS_LISTEN the address voicebridge run "
                   "serves /healthz on?")  # fmt: skip
    return ExitCode.FAILED


def healthz_url(listen: str) -> str:
    """`/healthz` on OPS_LISTEN, as this machine reaches it: the loopback where the bot listens
    on every address (0.0.0.0, ::)."""
    from core.config import host_port

    host, port = host_port(listen)
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "*": "127.0.0.1"}.get(host, host)  # noqa: S104
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/healthz"


def _get(url: str, seconds: float) -> tuple[int | None, dict[str, str]]:
    """The status and the JSON of `url`'s answer; (None, {"error": why}) without one."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=seconds) as answer:  # noqa: S310  # http, ours
            return answer.status, _json(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, _json(refused.read())
    except (OSError, ValueError) as exc:  # refused, timed out, reset, not HTTP
        reason = getattr(exc, "reason", None) or exc
        return None, {"error": str(getattr(reason, "strerror", None) or reason)}


def _json(body: bytes) -> dict[str, str]:
    try:
        found = json.loads(body)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
