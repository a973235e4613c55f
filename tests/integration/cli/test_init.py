"""`voicebridge init` as a new user runs it: the key and the tokens typed at its questions (Click's
runner types them), each checked against the stand-ins, and `.env` written for `doctor` and
`run` to read."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dotenv import dotenv_values

from bots.cli.app import voicebridge as group
from tests.integration.cli.process import clean_env, voicebridge
from tests.standins.discord_api import FakeDiscord
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

# `init` runs in this process, and sets logging up as every command does (or turns it off):
# the next test in this worker finds logging as it was.
pytestmark = pytest.mark.usefixtures("restored_logging")


@pytest.fixture
def services(
    mimo: FakeMimo, bot_api: FakeBotApi, discord_api: FakeDiscord, tmp_path: Path
) -> dict[str, str]:
    """Where the services are, as the environment says it (init asks only for secrets)."""
    return clean_env(
        MIMO_BASE_URL=mimo.base_url,
        TELEGRAM_API_URL=bot_api.root,
        DISCORD_API_URL=discord_api.api_url,
        XDG_DATA_HOME=str(tmp_path / "data"),
    )


async def init(
    cwd: Path, services: dict[str, str], typed: list[str], monkeypatch: pytest.MonkeyPatch
) -> Result:
    """`voicebridge init` in `cwd`, each of `typed` answering a question in turn."""
    monkeypatch.chdir(cwd)
    runner = CliRunner()
    # The command line reads the environment through os.environ: only the services' addresses.
    unset = {name: None for name in ("MIMO_API_KEY", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN")}
    return await asyncio.to_thread(
        runner.invoke,
        group,
        ["init"],
        input="".join(f"{answer}\n" for answer in typed),
        env=services | unset,
        standalone_mode=False,
    )


async def test_init_writes_a_private_env_that_works_and_prints_the_invite_link(
    mimo: FakeMimo,
    bot_api: FakeBotApi,
    discord_api: FakeDiscord,
    services: dict[str, str],
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    done = await init(cwd, services, [mimo.api_key, bot_api.token, discord_api.token], monkeypatch)

    assert done.return_value == 0, done.output
    env_file = cwd / ".env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert dotenv_values(env_file) == {
        "MIMO_API_KEY": mimo.api_key,
        "TELEGRAM_BOT_TOKEN": bot_api.token,
        "DISCORD_BOT_TOKEN": discord_api.token,
    }
    assert "✓ MiMo: the key works" in done.output
    assert f"✓ Telegram: the token is @{bot_api.bot_username}'s" in done.output
    assert (
        "✓ Discord invite: add the bot to a server with https://discord.com/oauth2/authorize?"
        f"client_id={discord_api.application_id}&scope=bot+applications.commands&permissions="
    ) in done.output
    for secret in (mimo.api_key, bot_api.token, discord_api.token):
        assert secret not in done.output  # typed unseen, never repeated
    checked = await voicebridge("doctor", cwd=cwd, env=services)
    assert (checked.code, checked.err) == (0, ""), checked.text
    assert f"✓ settings: from {env_file}" in checked.text


async def test_a_malformed_token_is_asked_again_and_enter_skips_a_platform(
    mimo: FakeMimo, services: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = await init(cwd, services, [mimo.api_key, "123456:short", "", ""], monkeypatch)

    assert done.return_value == 0, done.output
    assert "✗ TELEGRAM_BOT_TOKEN does not look like a bot token" in done.output
    assert done.output.count("Telegram bot token") == 2  # asked again
    assert dotenv_values(cwd / ".env") == {"MIMO_API_KEY": mimo.api_key}
    assert "voicebridge run needs a bot token" in done.output


async def test_an_env_file_that_is_there_is_replaced_only_when_the_user_says_so(
    mimo: FakeMimo, services: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = cwd / ".env"
    env_file.write_text("MIMO_API_KEY=sk-the-one-before\n")

    kept = await init(cwd, services, ["n"], monkeypatch)
    assert kept.return_value == 0, kept.output
    assert env_file.read_text() == "MIMO_API_KEY=sk-the-one-before\n"

    replaced = await init(cwd, services, ["y", mimo.api_key, "", ""], monkeypatch)
    assert replaced.return_value == 0, replaced.output
    assert dotenv_values(env_file) == {"MIMO_API_KEY": mimo.api_key}
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
