"""`voicebridge health` as a container's health check runs it, beside a running bot: healthy
while the bot and its database answer, and not once the database goes bad or the bot is gone,
each said in one line; exit codes 0 and 1 alone, as health checks read them."""

from __future__ import annotations

from pathlib import Path

from tests.integration.cli.process import clean_env, voicebridge
from tests.integration.conftest import free_listens, running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi


async def test_health_says_whether_the_running_bot_and_its_database_answer(
    cwd: Path, bot_api: FakeBotApi, mimo: FakeMimo, tmp_path: Path
) -> None:
    [listen] = free_listens()
    database = tmp_path / "bot.db"
    url = f"sqlite+aiosqlite:///{database}"
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=url, ops_listen=listen)
    # The check needs OPS_LISTEN alone: no key, no token, no database of its own.
    check = clean_env(OPS_LISTEN=listen.replace("127.0.0.1", "0.0.0.0"))
    healthz = f"http://{listen}/healthz"

    async with running(settings, bot_api):
        healthy = await voicebridge("health", cwd=cwd, env=check)
        with database.open("r+b") as file:  # the disk under it goes bad
            file.write(b"\x00not a database any more" * 512)
        while (unhealthy := await voicebridge("health", cwd=cwd, env=check)).code == 0:
            pass  # the bot's own check is at most a second old
    gone = await voicebridge("health", cwd=cwd, env=check)
    unset = await voicebridge("health", cwd=cwd, env=clean_env())

    assert (healthy.code, healthy.err) == (0, "")
    assert healthy.text == f"✓ voicebridge answers at {healthz}, and so does its database\n"
    assert unhealthy.code == 1
    assert unhealthy.text.startswith(f"✗ voicebridge answers at {healthz}, but its database does "
                                     "not: check that it runs, and DATABASE_URL")  # fmt: skip
    assert gone.code == 1
    assert gone.text.startswith(f"✗ no answer at {healthz} (Connection refused): is voicebridge "
                                "run running here, with this OPS_LISTEN?")  # fmt: skip
    assert unset.code == 1
    assert unset.text.startswith("✗ OPS_LISTEN is not set")
    assert len(unhealthy.text.splitlines()) == len(gone.text.splitlines()) == 1
