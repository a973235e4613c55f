"""`voicebridge init` as a new user runs it: the key and the tokens typed at its questions (Click's
runner types them, or a pipe, or a terminal), each checked against the stand-ins, who may use
the bot and its budget, and `.env` merged for `doctor` and `run` to read."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dotenv import dotenv_values

from bots.cli.voicebridge_command import voicebridge as group
from tests.integration.cli.process import (
    TIMEOUT,
    clean_env,
    on_a_terminal,
    rest_of,
    shown_until,
    voicebridge,
)
from tests.integration.conftest import free_ports
from tests.standins.discord_api import FakeDiscord
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi
from tests.voicebridge_process import SCRIPT

# `init` runs in this process, and sets logging up as every command does (or turns it off):
# the next test in this worker finds logging as it was.
pytestmark = pytest.mark.usefixtures("restored_logging")

OWNER = 4242  # the Telegram user who writes to the bot while init waits


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
    cwd: Path,
    services: dict[str, str],
    typed: list[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
) -> Result:
    """`voicebridge init` in `cwd`, each of `typed` answering a question in order."""
    monkeypatch.chdir(cwd)
    runner = CliRunner()
    # The command line reads the environment through os.environ: only the services' addresses.
    unset = {name: None for name in ("MIMO_API_KEY", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN")}
    return await asyncio.to_thread(
        runner.invoke,
        group,
        [*args, "init"],
        input="".join(f"{answer}\n" for answer in typed),
        env=services | unset,
        standalone_mode=False,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def owner_writes(bot_api: FakeBotApi) -> None:
    """The owner sends their bot a message, as init asks them to."""
    bot_api.push(bot_api.text_message(chat_id=OWNER, user_id=OWNER, text="/start"))


async def test_init_writes_a_private_env_that_works_for_its_owner_and_prints_the_invite_link(
    mimo: FakeMimo,
    bot_api: FakeBotApi,
    discord_api: FakeDiscord,
    services: dict[str, str],
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner_writes(bot_api)
    typed = [mimo.api_key, bot_api.token, discord_api.token, "", "", "", ""]
    done = await init(cwd, services, typed, monkeypatch)

    assert done.return_value == 0, done.output
    env_file = cwd / ".env"
    assert mode(env_file) == 0o600
    discord_owner = int(discord_api.owner["id"])
    assert dotenv_values(env_file) == {
        "MIMO_API_KEY": mimo.api_key,
        "TELEGRAM_BOT_TOKEN": bot_api.token,
        "DISCORD_BOT_TOKEN": discord_api.token,
        "ALLOWED_USERS": f"telegram:{OWNER}, discord:{discord_owner}",
        "DAILY_BUDGET_AUDIO_SECONDS": "7200",
        "DAILY_BUDGET_TTS_CHARS": "20000",
    }
    assert "✓ MiMo: the key works" in done.output
    assert f"✓ Telegram: the token is @{bot_api.bot_username}'s" in done.output
    assert (
        "✓ Discord invite: add the bot to a server with https://discord.com/oauth2/authorize?"
        f"client_id={discord_api.application_id}&scope=bot+applications.commands&permissions="
    ) in done.output
    assert f"The Discord application's owner: ann (discord:{discord_owner})." in done.output
    for secret in (mimo.api_key, bot_api.token, discord_api.token):
        assert secret not in done.output  # typed unseen, never repeated
    assert not (cwd / ".env.bak").exists()  # nothing was there before
    assert "Next: voicebridge doctor checks the rest, voicebridge run starts the bots." in (
        done.output
    )
    checked = await voicebridge("doctor", cwd=cwd, env=services)
    assert (checked.code, checked.err) == (0, ""), checked.text
    assert f"✓ settings: from {env_file}" in checked.text
    assert (
        "✓ allowlist: who may use the bot: on Telegram 1 user, on Discord 1 user "
        "(ALLOWED_USERS, ALLOWED_CHATS)"
    ) in checked.text
    assert "! " not in checked.text


async def test_running_init_again_keeps_every_setting_it_did_not_change(
    mimo: FakeMimo,
    bot_api: FakeBotApi,
    services: dict[str, str],
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new MiMo key typed, Enter everywhere else: the allowlist, the budget, the token Enter
    kept and what init never asks stay; the file before is kept, private."""
    env_file = cwd / ".env"
    before = (
        "# my bot\n"
        f'MIMO_API_KEY="sk-the-one-before-0123456789"\n'
        f"TELEGRAM_BOT_TOKEN={bot_api.token}\n"
        "ALLOWED_USERS=telegram:7,telegram:8\n"
        "DAILY_BUDGET_AUDIO_SECONDS=5400\n"
        "DAILY_BUDGET_TTS_CHARS=15000\n"
        "\n"
        "LOG_LEVEL=DEBUG  # while I set it up\n"
    )
    env_file.write_text(before)
    env_file.chmod(0o644)  # as an editor may leave it

    done = await init(cwd, services, [mimo.api_key, "", "", "", "", ""], monkeypatch)

    assert done.return_value == 0, done.output
    assert dotenv_values(env_file) == {
        "MIMO_API_KEY": mimo.api_key,
        "TELEGRAM_BOT_TOKEN": bot_api.token,
        "ALLOWED_USERS": "telegram:7,telegram:8",
        "DAILY_BUDGET_AUDIO_SECONDS": "5400",
        "DAILY_BUDGET_TTS_CHARS": "15000",
        "LOG_LEVEL": "DEBUG",
    }
    assert env_file.read_text() == before.replace(
        'MIMO_API_KEY="sk-the-one-before-0123456789"', f'MIMO_API_KEY="{mimo.api_key}"'
    )  # every other line as it was, comments too
    backup = cwd / ".env.bak"
    assert backup.read_text() == before
    assert (mode(env_file), mode(backup)) == (0o600, 0o600)
    assert f"Wrote {env_file}, readable by you only: MIMO_API_KEY (changed)." in done.output
    assert f"The file as it was is {backup}, readable by you only." in done.output
    assert (
        "Kept as they were: MIMO_API_KEY, TELEGRAM_BOT_TOKEN, ALLOWED_USERS, "
        "DAILY_BUDGET_AUDIO_SECONDS, DAILY_BUDGET_TTS_CHARS, LOG_LEVEL."
    ).replace("MIMO_API_KEY, ", "") in done.output
    assert "[****6789; Enter keeps it, - removes it]" in done.output  # the key, masked
    assert "sk-the-one-before" not in done.output

    again = await init(cwd, services, ["", "", "", "", "", ""], monkeypatch)
    assert again.return_value == 0, again.output
    assert f"Nothing changed in {env_file}." in again.output
    assert backup.read_text() == before  # nothing written, nothing backed up


async def test_a_fresh_init_leaves_a_bot_only_its_owner_may_use_unless_everyone_is_typed(
    mimo: FakeMimo,
    bot_api: FakeBotApi,
    services: dict[str, str],
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No message to the bot yet: Enter finds nobody and asks again; once the owner writes,
    Enter takes them. Enter alone never opens the bot; "everyone" does, on purpose."""
    (cwd / "mine").mkdir()
    (cwd / "open").mkdir()

    async def owner_writes_while_init_waits() -> None:
        await bot_api.wait_for("getUpdates", timeout=TIMEOUT)  # init looked: nothing yet
        owner_writes(bot_api)

    typed = [mimo.api_key, bot_api.token, "", "", "", "", "", ""]
    writing = asyncio.create_task(owner_writes_while_init_waits())
    mine = await init(cwd / "mine", services, typed, monkeypatch)
    await writing
    opened = await init(
        cwd / "open", services, [mimo.api_key, bot_api.token, "", "-", "", "everyone", "", ""],
        monkeypatch,
    )  # fmt: skip

    assert mine.return_value == 0, mine.output
    assert "No message yet: send one to the bot, then press Enter again." in mine.output
    assert dotenv_values(cwd / "mine" / ".env")["ALLOWED_USERS"] == f"telegram:{OWNER}"
    assert opened.return_value == 0, opened.output
    assert "Name at least one id, or type everyone" in opened.output  # Enter was not enough
    assert "ALLOWED_USERS" not in dotenv_values(cwd / "open" / ".env")
    checked = await voicebridge("doctor", cwd=cwd / "open", env=services)
    assert "! allowlist: everyone may use the bot" in checked.text


async def test_a_malformed_token_is_asked_again_and_enter_skips_a_platform(
    mimo: FakeMimo, services: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = await init(cwd, services, [mimo.api_key, "123456:short", "", ""], monkeypatch)

    assert done.return_value == 0, done.output
    assert "✗ TELEGRAM_BOT_TOKEN does not look like a bot token" in done.output
    assert done.output.count("Telegram bot token") == 2  # asked again
    assert dotenv_values(cwd / ".env") == {"MIMO_API_KEY": mimo.api_key}
    assert "voicebridge run needs a bot token" in done.output
    assert "Who may use it" not in done.output  # the command line alone is not shared
    # With no bot to start, the next step is a shell command, not `run`.
    assert done.output.splitlines()[-1] == (
        "Next: voicebridge transcribe FILE transcribes a recording (voicebridge --help lists "
        "every command)."
    )
    assert "run starts the bots" not in done.output


async def test_the_next_step_names_the_env_file_init_was_given(
    mimo: FakeMimo, services: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = await init(
        cwd, services, [mimo.api_key, "", ""], monkeypatch, "--env-file", "my bot.env"
    )

    assert done.return_value == 0, done.output
    assert dotenv_values(cwd / "my bot.env") == {"MIMO_API_KEY": mimo.api_key}
    assert (
        "Next: voicebridge --env-file 'my bot.env' transcribe FILE transcribes a recording "
        "(voicebridge --env-file 'my bot.env' --help lists every command)."
    ) in done.output


async def test_everyone_is_taken_at_the_first_question_about_who(
    mimo: FakeMimo,
    bot_api: FakeBotApi,
    services: dict[str, str],
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The intro says to type everyone: the Telegram account's question, the first one, takes
    it too (it said "a Telegram user id is a number")."""
    done = await init(cwd, services, [mimo.api_key, bot_api.token, "", "Everyone", "", ""],
                      monkeypatch)  # fmt: skip

    assert done.return_value == 0, done.output
    assert "type everyone at the next question for that." in done.output
    assert "Everyone may use the bot: anyone who finds it spends your balance." in done.output
    assert "✗" not in done.output
    assert "ALLOWED_USERS" not in dotenv_values(cwd / ".env")


async def test_with_telegram_out_of_reach_its_id_is_asked_for_and_never_the_lookup_again(
    mimo: FakeMimo,
    bot_api: FakeBotApi,
    services: dict[str, str],
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enter after a failed lookup does not try it again (it said the same failure for ever),
    and says why and what to type instead; how to find one's id is said; 0 and a group's
    negative id are no user's; the token whose check failed is kept, and said so, without a
    question the piped answers do not hold."""
    [port] = free_ports()
    unreachable = services | {"TELEGRAM_API_URL": f"http://127.0.0.1:{port}"}
    typed = [mimo.api_key, bot_api.token, "", "", "", "0", "-42", "4242", "", "", ""]

    done = await init(cwd, unreachable, typed, monkeypatch)

    assert done.return_value == 0, done.output
    assert "Keep it anyway?" not in done.output
    assert "Kept all the same (the answers come from a pipe, so nothing is asked)" in done.output
    assert done.output.count("the bot's messages cannot be read") == 1
    assert (
        "so type your Telegram user id instead: a number above 0, which @userinfobot on "
        "Telegram replies with when you write to it."
    ) in done.output
    assert done.output.count("✗ a Telegram user id is a number above 0") == 2  # 0, then -42
    # Enter once the lookup failed: why nothing happens, and what to type
    said = (
        "✗ Nothing typed: Enter no longer looks for your message, the bot's messages being out "
        "of reach; type your Telegram user id (a number above 0, which @userinfobot on Telegram "
        "replies with when you write to it), - for none, or everyone."
    )
    assert done.output.count(said) == 1
    assert dotenv_values(cwd / ".env")["ALLOWED_USERS"] == "telegram:4242"


async def test_no_one_s_id_is_refused_in_the_list_of_who_may_use_the_bot(
    mimo: FakeMimo, bot_api: FakeBotApi, services: dict[str, str], cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    typed = [mimo.api_key, bot_api.token, "", "-", "telegram:0", "telegram:5", "", ""]
    done = await init(cwd, services, typed, monkeypatch)

    assert done.return_value == 0, done.output
    assert "✗ telegram:0: 0 is no one's id." in done.output
    assert dotenv_values(cwd / ".env")["ALLOWED_USERS"] == "telegram:5"


async def test_an_env_file_in_a_folder_that_is_not_there_is_refused_before_any_question(
    services: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = await init(cwd, services, [], monkeypatch, "--env-file", "nowhere/bot.env")

    assert done.return_value == 3
    assert "voicebridge: nowhere/bot.env: there is no folder nowhere; make it first" in (
        done.output
    )
    assert "MiMo API key" not in done.output
    assert list(cwd.iterdir()) == []


async def test_an_env_file_that_is_no_file_is_refused_before_any_question(
    services: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--env-file /dev/null` reads as an empty settings file; init, which replaces the file it
    writes, must never replace such a thing (a pipe here, as harmless as /dev/null is not)."""
    os.mkfifo(cwd / "pipe.env")

    done = await init(cwd, services, [], monkeypatch, "--env-file", "pipe.env")

    assert done.return_value == 3
    assert "voicebridge: pipe.env is not a file init can write: name the settings file" in (
        done.output
    )
    assert "MiMo API key" not in done.output
    assert stat.S_ISFIFO((cwd / "pipe.env").stat().st_mode)
    assert [p.name for p in cwd.iterdir()] == ["pipe.env"]


# --- A real process: answers piped in, and signals at a hidden prompt ---------------------------


async def test_answers_piped_in_work_without_a_warning_and_an_early_end_changes_nothing(
    mimo: FakeMimo, services: dict[str, str], cwd: Path
) -> None:
    answered = await voicebridge(
        "init", cwd=cwd, env=services, stdin=f"{mimo.api_key}\n\n\n".encode()
    )
    assert (answered.code, answered.err) == (0, "")
    assert dotenv_values(cwd / ".env") == {"MIMO_API_KEY": mimo.api_key}
    assert mimo.api_key not in answered.text

    written = (cwd / ".env").read_text()
    ended = await voicebridge("init", cwd=cwd, env=services, stdin=b"sk-a-new-key-0123456789\n")
    assert ended.code == 2
    assert ended.err.splitlines() == [
        "voicebridge: the input ended before init's questions did; .env was not changed."
    ]
    assert (cwd / ".env").read_text() == written
    assert "Warning" not in answered.err + ended.err  # no GetPassWarning


@pytest.mark.skipif(not SCRIPT.exists(), reason="voicebridge is not installed as a script")
async def test_the_next_step_is_typed_as_this_voicebridge_was_run(
    mimo: FakeMimo, services: dict[str, str], cwd: Path, tmp_path: Path
) -> None:
    """The virtual environment not activated, `Next: voicebridge doctor` would run another
    voicebridge, or none: the next step names the one that ran. MiMo out of reach, the key's
    failed check keeps it without a question, so three lines answer the three questions."""
    [port] = free_ports()
    elsewhere = [p for p in services["PATH"].split(os.pathsep) if Path(p) != SCRIPT.parent]
    away = services | {"PATH": os.pathsep.join(elsewhere),
                       "MIMO_BASE_URL": f"http://127.0.0.1:{port}/v1"}  # fmt: skip
    activated = services | {"PATH": os.pathsep.join([str(SCRIPT.parent), *elsewhere])}
    (tmp_path / "activated").mkdir()

    ran = await voicebridge("init", cwd=cwd, env=away, stdin=f"{mimo.api_key}\n\n\n".encode())
    on_path = await voicebridge(
        "init", cwd=tmp_path / "activated", env=activated, stdin=f"{mimo.api_key}\n\n\n".encode()
    )

    assert ran.code == 0, ran.err
    assert "✗ MiMo: cannot reach" in ran.text
    assert "Kept all the same" in ran.text
    assert f"Next: {SCRIPT} transcribe FILE transcribes a recording ({SCRIPT} --help" in ran.text
    assert on_path.code == 0, on_path.err
    assert "Next: voicebridge transcribe FILE transcribes a recording (voicebridge --help" in (
        on_path.text
    )


@pytest.mark.parametrize(
    ("stop", "code"),
    [("ctrl-c", 130), ("sigterm", 143)],
    ids=["Ctrl-C", "SIGTERM"],
)
async def test_a_signal_at_the_hidden_key_prompt_ends_init_at_once(
    services: dict[str, str], cwd: Path, stop: str, code: int
) -> None:
    """Before, the prompt ran inside the event loop, whose handlers never ran while it read:
    Ctrl-C did nothing until the process was killed."""
    with on_a_terminal("init", cwd=cwd, env=services) as (process, terminal):
        prompt = await asyncio.to_thread(shown_until, terminal, b"MiMo API key")
        assert b"MiMo API key" in prompt, prompt
        if stop == "ctrl-c":
            os.write(terminal, b"\x03")  # as typed: the terminal sends SIGINT
        else:
            process.send_signal(signal.SIGTERM)
        # The safety net: without the fix it waits for an answer for ever.
        returned = await asyncio.to_thread(process.wait, 20)
        shown = await asyncio.to_thread(rest_of, terminal)

    assert returned == code
    lines = [line for line in shown.decode().splitlines() if line.strip(" ^C")]
    assert lines == ["voicebridge: init stopped; .env was not changed."], shown
    assert list(cwd.iterdir()) == []


async def test_a_discord_owner_discord_does_not_name_is_asked_for_with_where_to_copy_the_id(
    mimo: FakeMimo,
    bot_api: FakeBotApi,
    discord_api: FakeDiscord,
    services: dict[str, str],
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Discord out of reach after its token was taken (kept, as piped answers keep it): its
    owner is asked for, with how Discord copies an id, instead of being left out without a
    word, which would leave the Discord bot serving nobody; `-` says so."""
    [port] = free_ports()
    away = services | {"DISCORD_API_URL": f"http://127.0.0.1:{port}/api/v10"}
    owner_writes(bot_api)
    typed = [mimo.api_key, bot_api.token, discord_api.token, "", "12", "80351110224678912", "",
             "", ""]  # fmt: skip
    asked = await init(cwd, away, typed, monkeypatch)
    (cwd / "none").mkdir()
    none = await init(cwd / "none", away, [mimo.api_key, bot_api.token, discord_api.token, "",
                                          "-", "", "", ""], monkeypatch)  # fmt: skip

    assert asked.return_value == 0, asked.output
    assert (
        "Discord did not say who owns the bot's application, so type your Discord user id: in "
        "Discord, turn on Settings → Advanced → Developer Mode, then right-click your name → "
        "Copy User ID."
    ) in asked.output
    assert "✗ a Discord user id is a number of 17 to 20 digits" in asked.output  # 12
    users = dotenv_values(cwd / ".env")["ALLOWED_USERS"]
    assert users == f"telegram:{OWNER}, discord:80351110224678912"
    assert "Nobody on" not in asked.output
    assert none.return_value == 0, none.output
    assert dotenv_values(cwd / "none" / ".env")["ALLOWED_USERS"] == f"telegram:{OWNER}"
    assert (
        "! Nobody on Discord may use the bot: its Discord bot will answer no one until "
        "ALLOWED_USERS names discord:ID"
    ) in none.output


async def test_a_mimo_key_of_the_wrong_shape_is_asked_again_before_mimo_hears_it(
    mimo: FakeMimo, services: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = await init(cwd, services, ["hello", mimo.api_key, "", ""], monkeypatch)

    assert done.return_value == 0, done.output
    assert (
        "✗ MIMO_API_KEY does not look like a MiMo API key (sk-..., or tp-... for a Token Plan, "
        "as the MiMo console shows it); paste the whole key"
    ) in done.output
    assert done.output.count("MiMo API key (sk-... or tp-...") == 2  # asked again
    assert len(mimo.requests) == 1  # the key's check: "hello" never reached MiMo
    assert dotenv_values(cwd / ".env") == {"MIMO_API_KEY": mimo.api_key}


async def test_a_token_plan_key_s_region_question_offers_a_default_and_says_where_to_look(
    services: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The region of a tp-... key: Enter takes cn, and the Base URL the console shows may be
    pasted whole (here the stand-in's, so that nothing leaves this machine)."""
    async with FakeMimo(api_key="tp-test-token-plan-key") as plan:
        unset = {k: v for k, v in services.items() if k != "MIMO_BASE_URL"}
        done = await init(cwd, unset, [plan.api_key, "mars", plan.base_url, "", ""], monkeypatch)

    assert done.return_value == 0, done.output
    assert (
        "Token Plan keys work only at their region's host, which the Base URL on the MiMo "
        "console's Token Plan page names (token-plan-REGION.xiaomimimo.com): which region (cn, "
        "sgp, ams; or paste that URL) [Enter: cn]"
    ) in done.output
    assert "✗ one of cn, sgp, ams, or the Base URL itself" in done.output  # mars
    assert "✓ MiMo: the key works" in done.output
    assert dotenv_values(cwd / ".env") == {
        "MIMO_API_KEY": plan.api_key,
        "MIMO_BASE_URL": plan.base_url,
    }
