"""`voicebridge doctor` as an operator runs it before the first start: against services that
answer (the stand-ins), and against none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.infra.storage import upgrade
from core.infra.storage.database_engines import head_revision
from tests.integration.cli.conftest import Silent
from tests.integration.cli.process import Done, clean_env, env, voicebridge
from tests.integration.conftest import free_ports
from tests.standins.discord_api import FakeDiscord
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

CACHE_CHAT = -1001234567890
# The permissions of the invite link docs/getting-started/discord.md explains, one by one.
DOCUMENTED_PERMISSIONS = 352118669151232


def checked(text: str) -> dict[str, str]:
    """Each line's check and mark: {"MiMo": "✓", ...}; every line is one check."""
    lines = text.splitlines()
    assert all(line[:2] in ("✓ ", "✗ ", "! ") for line in lines), lines
    return {line[2:].split(":", 1)[0]: line[0] for line in lines}


async def test_against_services_that_answer_every_check_passes(
    mimo: FakeMimo, bot_api: FakeBotApi, discord_api: FakeDiscord, cwd: Path
) -> None:
    database = f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}"
    await upgrade(database)
    bot_api.add_chat(CACHE_CHAT)
    bot_api.set_member_status(CACHE_CHAT, bot_api.bot_id, "administrator")
    settings = env(
        mimo,
        TELEGRAM_BOT_TOKEN=bot_api.token,
        TELEGRAM_API_URL=bot_api.root,
        TELEGRAM_INLINE_CACHE_CHAT=str(CACHE_CHAT),
        DISCORD_BOT_TOKEN=discord_api.token,
        DISCORD_API_URL=discord_api.api_url,
        DATABASE_URL=database,
        ALLOWED_USERS="telegram:1001, discord:1002",  # someone on each platform
        DAILY_BUDGET_AUDIO_SECONDS="7200",
        DAILY_BUDGET_TTS_CHARS="20000",
    )

    done = await voicebridge("doctor", cwd=cwd, env=settings)

    assert (done.code, done.err) == (0, "")
    assert checked(done.text) == {
        "settings": "✓", "MiMo": "✓", "MiMo models": "✓", "Telegram": "✓", "inline mode": "✓",
        "Discord": "✓", "Message Content intent": "✓", "Server Members intent": "✓",
        "Discord invite": "✓", "voice channels": "✓",
        "the database": "✓", "ffmpeg": "✓", "allowlist": "✓", "budget": "✓",
    }  # fmt: skip
    assert f"✓ Telegram: the token is @{bot_api.bot_username}'s" in done.text
    assert "migrations current" in done.text
    assert (
        "✓ Discord invite: add the bot to a server with https://discord.com/oauth2/authorize?"
        f"client_id={discord_api.application_id}&scope=bot+applications.commands"
        f"&permissions={DOCUMENTED_PERMISSIONS}"
    ) in done.text
    # MiMo's list read once, and one request: the key tried with a token of the chat model's.
    assert mimo.models_listed == 1
    assert [body["model"] for body in mimo.requests] == ["mimo-v2.6-flash"]
    assert (
        "✓ MiMo models: offered: mimo-v2.5-asr (MIMO_ASR_MODEL), mimo-v2.5-tts (MIMO_TTS_MODEL), "
        "mimo-v2.6-flash (MIMO_AUDIO_MODEL, MIMO_CHAT_MODEL), mimo-v2.5-tts-voicedesign "
        "(MIMO_VOICEDESIGN_MODEL), mimo-v2.5-tts-voiceclone (MIMO_VOICECLONE_MODEL) (MiMo's list)"
    ) in done.text.splitlines()


async def test_against_services_out_of_reach_each_is_one_failed_line(cwd: Path) -> None:
    mimo_port, telegram_port, discord_port, database_port = free_ports(4)
    settings = clean_env(
        MIMO_API_KEY="sk-not-checked-yet",
        MIMO_BASE_URL=f"http://127.0.0.1:{mimo_port}/v1",
        TELEGRAM_BOT_TOKEN="123456:" + "A" * 35,
        TELEGRAM_API_URL=f"http://127.0.0.1:{telegram_port}",
        DISCORD_BOT_TOKEN="MTA0.some.token",
        DISCORD_API_URL=f"http://127.0.0.1:{discord_port}/api/v10",
        DATABASE_URL=f"postgresql+asyncpg://vb:s3cret-pw@127.0.0.1:{database_port}/vb",
    )

    done = await voicebridge("doctor", cwd=cwd, env=settings)

    assert done.code == 1
    marks = checked(done.text)
    assert [name for name, mark in marks.items() if mark == "✗"] == [
        "MiMo", "Telegram", "Discord", "the database"
    ]  # fmt: skip
    for setting in ("MIMO_BASE_URL", "TELEGRAM_API_URL", "DISCORD_API_URL", "DATABASE_URL"):
        assert setting in done.text
    assert "s3cret-pw" not in done.text + done.err
    assert list(cwd.iterdir()) == []


async def test_refused_tokens_and_a_missing_key_name_their_settings(
    mimo: FakeMimo, bot_api: FakeBotApi, discord_api: FakeDiscord, cwd: Path
) -> None:
    settings = env(
        mimo,
        TELEGRAM_BOT_TOKEN="123456:" + "B" * 35,
        TELEGRAM_API_URL=bot_api.root,
        DISCORD_BOT_TOKEN="MTA0.wrong.token",
        DISCORD_API_URL=discord_api.api_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
    )
    del settings["MIMO_API_KEY"]

    done = await voicebridge("doctor", cwd=cwd, env=settings)

    assert done.code == 1
    assert "✗ MiMo: MIMO_API_KEY is not set" in done.text
    assert "✗ Telegram: Telegram refused TELEGRAM_BOT_TOKEN" in done.text
    assert "✗ Discord: Discord refused DISCORD_BOT_TOKEN" in done.text
    assert mimo.requests == []


async def test_a_privileged_intent_left_off_in_the_portal_is_named_before_the_start(
    mimo: FakeMimo, cwd: Path
) -> None:
    """Discord would close the gateway with 4014 at start: the doctor says which switch."""
    async with FakeDiscord(privileged_intents=frozenset({"guild_members"})) as discord_api:
        settings = env(
            mimo,
            DISCORD_BOT_TOKEN=discord_api.token,
            DISCORD_API_URL=discord_api.api_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
        )
        done = await voicebridge("doctor", cwd=cwd, env=settings)

    assert done.code == 1
    assert checked(done.text)["Discord"] == "✓"
    assert (
        "✗ Message Content intent: not granted, so Discord would refuse the bot at start: "
        "developer portal → Bot → Privileged Gateway Intents → Message Content Intent; without "
        "it voice messages posted in servers go untranscribed, and /remember, /summary and the "
        "channel reader see no message's text or files"
    ) in done.text.splitlines()
    assert checked(done.text)["Server Members intent"] == "✓"


async def test_each_privileged_intent_says_in_one_line_what_is_lost_without_it(
    mimo: FakeMimo, cwd: Path
) -> None:
    """An application Discord has not approved for the Server Members intent: asked for, it
    is a failure naming the switch and DISCORD_MEMBERS_INTENT; not asked for, a warning (exit
    0) saying what the bot does without it; Message Content, granted, says what it would lose."""
    async with FakeDiscord(privileged_intents=frozenset({"message_content"})) as discord_api:
        settings = env(
            mimo,
            DISCORD_BOT_TOKEN=discord_api.token,
            DISCORD_API_URL=discord_api.api_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
        )
        asked = await voicebridge("doctor", cwd=cwd, env=settings)
        unasked = settings | {"DISCORD_MEMBERS_INTENT": "false"}
        done = await voicebridge("doctor", cwd=cwd, env=unasked)

    lost = (
        "a private thread's voice messages show in /find only to those who manage its threads "
        "or search within it, and the channel reader asks Discord for everyone in its voice "
        "channel with each message"
    )
    assert asked.code == 1
    assert (
        "✗ Server Members intent: not granted, so Discord would refuse the bot at start: "
        "developer portal → Bot → Privileged Gateway Intents → Server Members Intent, or set "
        f"DISCORD_MEMBERS_INTENT=false; without it {lost}"
    ) in asked.text.splitlines()
    assert checked(done.text)["Message Content intent"] == "✓"
    assert "✓ Message Content intent: granted; without it voice messages posted" in done.text
    assert (
        f"! Server Members intent: not asked for (DISCORD_MEMBERS_INTENT=false): {lost}"
    ) in done.text.splitlines()


async def test_a_name_in_the_env_file_that_is_no_setting_is_named_with_the_closest_one(
    mimo: FakeMimo, cwd: Path
) -> None:
    """A typo would leave the setting meant at its default: Telegram never started, the quota
    meant never applied. A name of the environment that is nothing like a setting's is not
    judged: the environment holds every program's."""
    (cwd / ".env").write_text("TELEGRAM_TOKEN=123456:" + "A" * 35 + "\nDAILY_AUDIO_SECOND=10\n")
    (cwd / ".env").chmod(0o600)
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
                   SOME_OTHER_PROGRAMS_SETTING="1")  # fmt: skip

    done = await voicebridge("doctor", cwd=cwd, env=settings)
    told = await voicebridge("doctor", cwd=cwd, env=settings | {
        "IGNORED_ENV_NAMES": "telegram_token, DAILY_AUDIO_SECOND"})  # fmt: skip

    assert done.code == 1
    named = [line for line in done.text.splitlines() if line.startswith("✗ settings: ")]
    assert [line.split(" (")[0] for line in named] == [
        "✗ settings: TELEGRAM_TOKEN is not a setting: did you mean TELEGRAM_BOT_TOKEN?",
        "✗ settings: DAILY_AUDIO_SECOND is not a setting: did you mean DAILY_AUDIO_SECONDS?",
    ]
    assert all("IGNORED_ENV_NAMES" in line for line in named)
    assert "SOME_OTHER" not in done.text
    assert f"✓ settings: from {cwd / '.env'}" in told.text
    assert "is not a setting" not in told.text


async def test_a_name_in_the_environment_almost_a_setting_is_named_as_in_a_file(
    mimo: FakeMimo, cwd: Path
) -> None:
    """As in a container, whose .env compose hands in as environment: ALLOWED_USER (the S
    missing) would leave the bot open to everyone while doctor said the settings were fine."""
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
                   ALLOWED_USER="telegram:777", POSTGRES_PASSWORD="pw")  # fmt: skip

    done = await voicebridge("doctor", cwd=cwd, env=settings)
    told = await voicebridge(
        "doctor", cwd=cwd, env=settings | {"IGNORED_ENV_NAMES": "ALLOWED_USER"}
    )

    assert done.code == 1
    assert [line for line in done.text.splitlines() if line.startswith("✗ settings: ")] == [
        "✗ settings: ALLOWED_USER is not a setting: did you mean ALLOWED_USERS? (in the "
        "environment; list a name meant for another program in IGNORED_ENV_NAMES)"
    ]
    assert "POSTGRES_PASSWORD" not in done.text
    assert f"✓ settings: from the environment only (no .env in {cwd})" in told.text
    assert "is not a setting" not in told.text


async def test_an_env_file_others_may_read_is_said_with_the_fix(mimo: FakeMimo, cwd: Path) -> None:
    env_file = cwd / ".env"
    env_file.write_text(f"MIMO_API_KEY={mimo.api_key}\n")
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}")

    env_file.chmod(0o644)  # as `cp .env.example .env` leaves it
    exposed = await voicebridge("doctor", cwd=cwd, env=settings)
    env_file.chmod(0o600)
    private = await voicebridge("doctor", cwd=cwd, env=settings)

    assert (
        f"✗ .env: {env_file} holds secrets and other users of this machine may read it: "
        f"chmod 600 {env_file}"
    ) in exposed.text.splitlines()
    assert "✗ .env" not in private.text


async def test_a_database_file_that_cannot_be_created_fails_naming_database_url(
    mimo: FakeMimo, cwd: Path
) -> None:
    """Its folder is a file: `run` could not create it, so doctor must not pass it."""
    (cwd / "hostname").write_text("a file, not a folder\n")
    path = cwd / "hostname" / "x.db"
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{path}")

    done = await voicebridge("doctor", cwd=cwd, env=settings)

    assert done.code == 1
    assert (
        f"✗ the database: SQLite at {path} cannot be created: {cwd / 'hostname'} is a file, not "
        "a folder; name in DATABASE_URL a file"
    ) in done.text
    assert sorted(os.listdir(cwd)) == ["hostname"]  # the write test left nothing behind


async def test_the_database_is_named_the_same_way_on_every_line_its_password_left_out(
    mimo: FakeMimo, cwd: Path
) -> None:
    """Before the first start, once migrated, and out of reach: the line names the database as
    `run` logs it, never by a URL that changes its form from one line to the next."""
    database = cwd / "data" / "voicebridge.db"
    sqlite = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{database}")
    [port] = free_ports()
    url = f"postgresql+asyncpg://voicebridge:s3cret-pw@127.0.0.1:{port}/voicebridge"

    before = await voicebridge("doctor", cwd=cwd, env=sqlite)
    await upgrade(f"sqlite+aiosqlite:///{database}")
    after = await voicebridge("doctor", cwd=cwd, env=sqlite)
    away = await voicebridge("doctor", "--timeout", "30", cwd=cwd, env=env(mimo, DATABASE_URL=url))

    def line(done: Done) -> str:
        [found] = [line for line in done.text.splitlines() if " the database: " in line]
        return found

    assert line(before) == (
        f"✓ the database: SQLite at {database} is not there yet; voicebridge run creates it, "
        "readable by you only"
    )
    assert line(after) == (
        f"✓ the database: SQLite at {database}, migrations current ({head_revision()})"
    )
    assert line(away).startswith(
        f"✗ the database: cannot reach PostgreSQL at 127.0.0.1:{port}/voicebridge ("
    )
    assert "s3cret-pw" not in away.text


async def test_a_bot_api_url_that_is_no_bot_api_is_named_not_the_token(
    mimo: FakeMimo, bot_api: FakeBotApi, cwd: Path
) -> None:
    """The token is right; TELEGRAM_API_URL has a path too many, which answers 404."""
    settings = env(
        mimo,
        TELEGRAM_BOT_TOKEN=bot_api.token,
        TELEGRAM_API_URL=f"{bot_api.root}/bot",
        DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
    )

    done = await voicebridge("doctor", cwd=cwd, env=settings)

    assert done.code == 1
    [line] = [line for line in done.text.splitlines() if line.startswith("✗ Telegram")]
    assert line.startswith(f"✗ Telegram: {bot_api.root}/bot is not a Bot API server (getMe: ")
    assert line.endswith(
        "check TELEGRAM_API_URL, the server's root such as https://api.telegram.org"
    )
    assert "TELEGRAM_BOT_TOKEN" not in line


async def test_a_malformed_discord_token_is_said_without_asking_discord(
    mimo: FakeMimo, cwd: Path
) -> None:
    """Half a token pasted: said as such, where it had been a network error."""
    [discord_port] = free_ports()  # nothing listens: a request would fail to connect
    settings = env(
        mimo,
        DISCORD_BOT_TOKEN="MTk4NjIyNDgzNDcxOTI1MjQ4",
        DISCORD_API_URL=f"http://127.0.0.1:{discord_port}/api/v10",
        DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
    )

    done = await voicebridge("doctor", cwd=cwd, env=settings)

    assert done.code == 1
    [line] = [line for line in done.text.splitlines() if line.startswith("✗ Discord")]
    assert line.startswith("✗ Discord: DISCORD_BOT_TOKEN does not look like a bot token")
    assert "cannot reach" not in done.text


async def test_inline_mode_left_off_is_said_by_the_doctor(
    mimo: FakeMimo, bot_api: FakeBotApi, cwd: Path
) -> None:
    """The start no longer repeats it at every run: the doctor is where it is said."""
    settings = env(
        mimo,
        TELEGRAM_BOT_TOKEN=bot_api.token,
        TELEGRAM_API_URL=bot_api.root,
        DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
    )

    done = await voicebridge("doctor", cwd=cwd, env=settings)

    assert checked(done.text)["inline mode"] == "✓"
    assert (
        "✓ inline mode: off; set TELEGRAM_INLINE_CACHE_CHAT to a chat where the bot may post (it "
        "stores the voice notes it renders there) to turn it on"
    ) in done.text.splitlines()


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "no list"])
async def test_a_model_mimo_refuses_is_one_line_naming_its_setting(
    mimo: FakeMimo, cwd: Path, listed: bool
) -> None:
    """Model ids move: the chat ids were routed to a newer family, then refused. The chat and
    audio settings name the same model by default: both are said. Where MiMo's list cannot be
    read (a gateway without it), each model is tried, as the list would have said."""
    mimo.lists_models = listed
    mimo.refused_models |= {"mimo-v2.6-flash", "mimo-v2.5-tts-voiceclone"}
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}")

    done = await voicebridge("doctor", cwd=cwd, env=settings)

    assert done.code == 1
    refused = [line for line in done.text.splitlines() if line.startswith("✗ MiMo model: ")]
    assert [line.split(" is refused")[0] for line in refused] == [
        "✗ MiMo model: MIMO_AUDIO_MODEL mimo-v2.6-flash",
        "✗ MiMo model: MIMO_CHAT_MODEL mimo-v2.6-flash",
        "✗ MiMo model: MIMO_VOICECLONE_MODEL mimo-v2.5-tts-voiceclone",
    ]
    assert (
        "is refused (MiMo answered 400: Not supported model mimo-v2.5-tts-voiceclone): set "
        "MIMO_VOICECLONE_MODEL to a model MiMo offers"
    ) in refused[2]
    assert "✓ MiMo: the key works" in done.text
    fine = (
        "mimo-v2.5-asr (MIMO_ASR_MODEL), mimo-v2.5-tts (MIMO_TTS_MODEL), "
        "mimo-v2.5-tts-voicedesign (MIMO_VOICEDESIGN_MODEL)"
    )
    said = f"offered: {fine} (MiMo's list)" if listed else f"accepted: {fine}"
    assert f"✓ MiMo models: {said}" in done.text.splitlines()
    assert "GET /models" not in done.text


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "no list"])
async def test_retired_models_are_named_with_the_model_mimo_names_instead(
    mimo: FakeMimo, cwd: Path, listed: bool
) -> None:
    """An `.env` from before V2.6: the chat and audio settings name ids MiMo retired. Each is one
    line saying which setting to set to what, as MiMo's 404 names it. With MiMo's list, the
    models it lists are not asked; without it, each is tried once, the list's absence unsaid."""
    mimo.lists_models = listed
    settings = env(mimo, MIMO_CHAT_MODEL="mimo-v2.5", MIMO_AUDIO_MODEL="mimo-v2-omni",
                   DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}")  # fmt: skip

    done = await voicebridge("doctor", cwd=cwd, env=settings)

    assert done.code == 1
    refused = [line for line in done.text.splitlines() if line.startswith("✗ MiMo model: ")]
    assert refused == [
        "✗ MiMo model: MIMO_AUDIO_MODEL mimo-v2-omni is refused (MiMo answered 404: The model "
        "mimo-v2-omni has been retired; use mimo-v2.6-flash): set MIMO_AUDIO_MODEL to "
        "mimo-v2.6-flash, the model MiMo names instead",
        "✗ MiMo model: MIMO_CHAT_MODEL mimo-v2.5 is refused (MiMo answered 404: The model "
        "mimo-v2.5 has been retired; use mimo-v2.6-flash): set MIMO_CHAT_MODEL to "
        "mimo-v2.6-flash, the model MiMo names instead",
    ]
    assert "✓ MiMo: the key works" in done.text
    asked = sorted(body["model"] for body in mimo.requests)
    speech = ["mimo-v2.5-asr", "mimo-v2.5-tts", "mimo-v2.5-tts-voiceclone",
              "mimo-v2.5-tts-voicedesign"]  # fmt: skip
    assert asked == sorted(["mimo-v2-omni", "mimo-v2.5", *([] if listed else speech)])
    assert mimo.models_listed == (1 if listed else 0)
    assert "GET /models" not in done.text


async def test_a_model_mimo_no_longer_lists_but_still_answers_is_a_warning(
    mimo: FakeMimo, cwd: Path
) -> None:
    """A retirement's first weeks: MiMo answers the old id by its successor, and its list no
    longer names it. It works today, so doctor passes, with a ! naming the setting to change."""
    mimo.routed_models["mimo-v2.5"] = "mimo-v2.6-flash"
    settings = env(mimo, MIMO_CHAT_MODEL="mimo-v2.5",
                   DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}")  # fmt: skip

    done = await voicebridge("doctor", cwd=cwd, env=settings)

    [line] = [line for line in done.text.splitlines() if "MiMo model:" in line]
    assert line == (
        "! MiMo model: MIMO_CHAT_MODEL mimo-v2.5 is not among the models MiMo offers (its list, "
        "GET /models), though it still answers: MiMo answers a model it retires by its successor "
        "for a while, then refuses it; set MIMO_CHAT_MODEL to a model MiMo lists"
    )
    assert checked(done.text)["MiMo models"] == "✓"


async def test_a_model_id_mimo_never_offered_is_named_with_its_setting(
    mimo: FakeMimo, cwd: Path
) -> None:
    """A newcomer's typo, or an id read on a page of another provider: refused as MiMo refuses
    it, found by doctor before a user meets it."""
    settings = env(
        mimo, MIMO_TTS_MODEL="mimo-v9-tts", DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'vb.db'}"
    )

    done = await voicebridge("doctor", cwd=cwd, env=settings)

    assert done.code == 1
    [refused] = [line for line in done.text.splitlines() if line.startswith("✗ MiMo model: ")]
    assert refused.startswith("✗ MiMo model: MIMO_TTS_MODEL mimo-v9-tts is refused (MiMo ")
    assert "set MIMO_TTS_MODEL to a model MiMo offers" in refused


@pytest.mark.parametrize("hanging", ["MiMo", "Discord"])
async def test_a_service_that_never_answers_is_named_with_its_setting(
    mimo: FakeMimo, silent: Silent, cwd: Path, hanging: str
) -> None:
    """It accepts the connection and says nothing: the line names which service and where its
    address is set, not "a service"."""
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}")
    if hanging == "MiMo":
        settings["MIMO_BASE_URL"] = address = f"{silent.url}/v1"
        setting = "MIMO_BASE_URL"
    else:
        settings["DISCORD_BOT_TOKEN"] = "MTA0.some.token"
        settings["DISCORD_API_URL"] = address = f"{silent.url}/api/v10"
        setting = "DISCORD_API_URL"

    done = await voicebridge("doctor", "--timeout", "1", cwd=cwd, env=settings)

    assert done.code == 1
    [line] = [line for line in done.text.splitlines() if line.startswith(f"✗ {hanging}:")]
    assert line == (
        f"✗ {hanging}: no answer from {address} in 1 s: check that it runs, the network, and "
        f"{setting}"
    )
    assert "a service" not in done.text


async def test_a_bot_everyone_may_use_is_a_warning_naming_the_setting_that_closes_it(
    mimo: FakeMimo, bot_api: FakeBotApi, cwd: Path
) -> None:
    settings = env(
        mimo,
        TELEGRAM_BOT_TOKEN=bot_api.token,
        TELEGRAM_API_URL=bot_api.root,
        DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
    )

    opened = await voicebridge("doctor", cwd=cwd, env=settings)
    closed = await voicebridge("doctor", cwd=cwd, env=settings | {"ALLOWED_USERS": "telegram:7"})

    assert opened.code == 0, opened.text  # it works: the warning is not a failure
    assert checked(opened.text)["allowlist"] == "!"
    assert (
        "! allowlist: everyone may use the bot, on your MiMo balance: set ALLOWED_USERS "
        "to your own id (telegram:ID, discord:ID; voicebridge init finds it), or ALLOWED_CHATS"
    ) in opened.text.splitlines()
    assert (
        "! budget: none: no cap on what a day costs, every chat together; set "
        "DAILY_BUDGET_AUDIO_SECONDS and DAILY_BUDGET_TTS_CHARS"
    ) in opened.text.splitlines()
    assert checked(closed.text)["allowlist"] == "✓"
    assert (
        "✓ allowlist: who may use the bot: on Telegram 1 user (ALLOWED_USERS, ALLOWED_CHATS)"
    ) in closed.text.splitlines()
    assert checked(closed.text)["budget"] == "✓"
    assert "! " not in closed.text


async def test_the_allowlist_is_counted_for_each_platform_and_a_bot_it_leaves_nobody_is_said(
    mimo: FakeMimo, bot_api: FakeBotApi, discord_api: FakeDiscord, cwd: Path
) -> None:
    """Both bots, the allowlist naming a Telegram user alone: the Discord bot would serve no
    one, which a count of '1 user' for the whole bot hid."""
    settings = env(
        mimo,
        TELEGRAM_BOT_TOKEN=bot_api.token,
        TELEGRAM_API_URL=bot_api.root,
        DISCORD_BOT_TOKEN=discord_api.token,
        DISCORD_API_URL=discord_api.api_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
        DAILY_BUDGET_AUDIO_SECONDS="3600",
    )

    telegram_only = await voicebridge("doctor", cwd=cwd, env=settings | {"ALLOWED_USERS":
                                      "telegram:7", "ALLOWED_CHATS": "telegram:-1001"})  # fmt: skip
    both = await voicebridge("doctor", cwd=cwd, env=settings | {"ALLOWED_USERS": "telegram:7, 8"})

    assert telegram_only.code == 0, telegram_only.text  # a warning, not a failure
    assert (
        "! allowlist: who may use the bot: on Telegram 1 user and 1 chat, on Discord no one: the "
        "Discord bot serves nobody; add discord:ID to ALLOWED_USERS (in Discord, turn on Settings "
        "→ Advanced → Developer Mode, then right-click your name → Copy User ID), or a chat to "
        "ALLOWED_CHATS"
    ) in telegram_only.text.splitlines()
    # An id without a platform counts on both.
    assert (
        "✓ allowlist: who may use the bot: on Telegram 2 users, on Discord 1 user "
        "(ALLOWED_USERS, ALLOWED_CHATS)"
    ) in both.text.splitlines()
