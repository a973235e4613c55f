"""The configuration contract: names, defaults, and clear start-up errors."""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest
from pydantic import ValidationError

from bots.cli.voices.say_command import _MODELS
from core.app.summaries.chat_summaries import SummaryLimits
from core.app.voices.own_voices import VoiceModels
from core.bootstrap.parts_from_settings import (
    account_limits,
    limit_policy_from,
    limits_from,
    pool_limits_from,
    reader_policy,
    summary_limits,
    voice_models,
)
from core.config import Settings, data_folder, misspelt_names, unknown_names
from core.domain.channel_reader.reader_rules import ReaderPolicy
from core.domain.errors import ConfigError
from core.domain.mimo import default_models
from core.domain.mimo.account_minute_rules import AccountLimits
from core.domain.rules.quotas_rules import LimitPolicy, RequestLimits
from core.infra.mimo.model_kinds import DEFAULT_MODELS
from core.infra.storage.database_engines import PoolLimits

CONTRACT = [
    "MIMO_API_KEY",
    "MIMO_BASE_URL",
    "MIMO_ASR_MODEL",
    "MIMO_TTS_MODEL",
    "MIMO_AUDIO_MODEL",
    "MIMO_CHAT_MODEL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "TELEGRAM_LOCAL_MODE",
    "DISCORD_BOT_TOKEN",
    "DISCORD_API_URL",
    "DISCORD_GATEWAY_URL",
    "DATABASE_URL",
]

_MODEL_ID = re.compile(r"\bmimo-v\d[\w.-]*")  # a model id, as MiMo names its models


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in {*CONTRACT, *(field.upper() for field in Settings.model_fields)}:
        monkeypatch.delenv(name, raising=False)  # nor any setting exported in the shell


def test_defaults_follow_the_contract() -> None:
    settings = Settings()
    assert settings.mimo_base_url == "https://api.xiaomimimo.com/v1"
    assert (settings.mimo_asr_model, settings.mimo_tts_model) == ("mimo-v2.5-asr", "mimo-v2.5-tts")
    assert settings.mimo_audio_model == settings.mimo_chat_model == "mimo-v2.6-flash"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.telegram_local_mode is False
    assert settings.discord_api_url == "https://discord.com/api/v10"
    assert settings.database_url == f"sqlite+aiosqlite:///{data_folder() / 'voicebridge.db'}"
    assert settings.telegram_token() is None


def test_the_cores_own_limits_default_to_the_settings_defaults() -> None:
    """The core's limits have defaults of their own (a test, a benchmark, a tool builds them
    bare); an operator's bot reads them from the settings. Both say the same, so a default
    changed in one place cannot leave the other behind. The services the bootstrap gives a
    setting are held likewise: tests/integration/test_own_defaults.py."""
    settings = Settings()

    assert limits_from(settings) == RequestLimits()
    assert limit_policy_from(settings) == LimitPolicy()
    assert summary_limits(settings) == SummaryLimits()
    assert pool_limits_from(settings) == PoolLimits()
    assert reader_policy(settings) == ReaderPolicy()
    assert account_limits(settings) == AccountLimits()
    assert voice_models(settings) == VoiceModels()


def test_a_model_id_is_written_once_where_every_default_reads_it() -> None:
    """Which MiMo models the bot uses unless told otherwise is `core.domain.mimo.default_models`'
    alone: a model MiMo retires is changed there once, and the settings (their refusals' advice
    too), the MiMo client, the voice studio, `voicebridge say`'s completion and the benchmarks that
    count a model's requests follow. Prose (docstrings, comments) may name ids; a string the code
    uses may not, whole or within a sentence."""
    root = Path(__file__).resolve().parents[2]
    sources = [*root.glob("core/**/*.py"), *root.glob("bots/**/*.py"), *root.glob("bench/*.py")]
    written = []
    for path in sorted(sources):
        if path == root / "core/domain/mimo/default_models.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        prose = {  # docstrings, of a module, class, function or field: a string alone
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        }
        written += [
            f"{path.relative_to(root)}:{node.lineno} {node.value}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _MODEL_ID.search(node.value)
            and id(node) not in prose
        ]
    assert written == []
    settings = Settings()
    chosen = (settings.mimo_tts_model, settings.mimo_chat_model)
    assert chosen == (default_models.TTS, default_models.CHAT)
    assert (DEFAULT_MODELS.asr, VoiceModels().clone) == (
        default_models.ASR,
        default_models.VOICECLONE,
    )
    assert _MODELS[0] == default_models.TTS


def test_the_default_database_is_in_the_data_folder_from_any_folder(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    here = Settings().database_url
    monkeypatch.chdir(elsewhere)

    assert Settings().database_url == here
    assert here == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'voicebridge' / 'voicebridge.db'}"


def test_a_database_left_in_the_current_folder_by_earlier_releases_is_kept(tmp_path) -> None:
    earlier = sqlite3.connect(tmp_path / "voicebridge.db")  # in clean_env's folder
    earlier.execute("CREATE TABLE t (x)")
    earlier.close()

    assert Settings().database_url == f"sqlite+aiosqlite:///{tmp_path / 'voicebridge.db'}"


def test_an_empty_file_left_in_the_current_folder_is_no_database_to_keep(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `sqlite3 voicebridge.db ".backup ..."` run in the wrong folder leaves behind."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "voicebridge.db").write_bytes(b"")

    assert Settings().database_url == (
        f"sqlite+aiosqlite:///{tmp_path / 'data' / 'voicebridge' / 'voicebridge.db'}"
    )


def test_every_contract_name_is_read_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("MIMO_API_KEY", "sk-real-key-123")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081")
    monkeypatch.setenv("TELEGRAM_LOCAL_MODE", "true")
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///x.db")
    settings = Settings()
    assert settings.require_mimo_key() == "sk-real-key-123"
    assert settings.telegram_token() == "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    assert settings.telegram_local_mode is True
    assert settings.telegram_api_url == "http://127.0.0.1:8081"


def test_dotenv_file_is_read(tmp_path) -> None:
    (tmp_path / ".env").write_text("MIMO_API_KEY=from-dotenv-file\n")
    assert Settings().require_mimo_key() == "from-dotenv-file"


@pytest.mark.parametrize("value", ["your-api-key", "changeme", "xxx", "<key>", "..."])
def test_placeholder_key_is_named_in_one_line(monkeypatch, value: str) -> None:
    monkeypatch.setenv("MIMO_API_KEY", value)
    with pytest.raises(ConfigError, match=r"^MIMO_API_KEY still holds a placeholder"):
        Settings().require_mimo_key()


def test_missing_key_is_named() -> None:
    with pytest.raises(ConfigError, match=r"^MIMO_API_KEY is not set"):
        Settings().require_mimo_key()


def test_malformed_telegram_token_is_named_without_echoing_it(monkeypatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token-secretvalue")
    with pytest.raises(ConfigError) as caught:
        Settings().telegram_token()
    assert "TELEGRAM_BOT_TOKEN" in str(caught.value)
    assert "secretvalue" not in str(caught.value)


def test_secrets_are_hidden_in_repr(monkeypatch) -> None:
    monkeypatch.setenv("MIMO_API_KEY", "sk-very-secret")
    assert "sk-very-secret" not in repr(Settings())


def test_shard_settings_reach_discord_py_as_given(monkeypatch) -> None:
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "4")
    monkeypatch.setenv("DISCORD_SHARD_IDS", " 3, 1,1 ")
    assert Settings().shards() == (4, [1, 3])


def test_without_shard_settings_discord_decides() -> None:
    assert Settings().shards() == (None, None)


def test_a_shard_id_that_is_not_a_number_is_named(monkeypatch) -> None:
    monkeypatch.setenv("DISCORD_SHARD_IDS", "0,one")
    with pytest.raises(ValueError, match="shard ids are whole numbers from 0, got 'one'"):
        Settings()


@pytest.mark.parametrize("model", ["mimo-v2.5-tts-voicedesign", "mimo-v2.5-tts-voiceclone"])
def test_a_design_or_clone_model_as_the_tts_model_is_refused_in_one_line(
    monkeypatch, model: str
) -> None:
    monkeypatch.setenv("MIMO_TTS_MODEL", model)
    with pytest.raises(ValueError, match="use a preset-voice model such as"):
        Settings()


@pytest.mark.parametrize(
    ("name", "value", "example"),
    [
        ("MIMO_BASE_URL", "api.xiaomimimo.com", "https://api.xiaomimimo.com/v1"),
        ("TELEGRAM_API_URL", "api.telegram.org", "https://api.telegram.org"),
        ("DISCORD_API_URL", "ftp://discord.com/api", "https://discord.com/api/v10"),
        ("DISCORD_GATEWAY_URL", "https://gateway.discord.gg", "wss://gateway.discord.gg"),
    ],
)
def test_a_url_setting_without_its_scheme_is_refused_with_an_example(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, example: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    [error] = caught.value.errors()
    assert error["loc"] == (name.lower(),)
    assert f"such as {example} (got {value!r})" in error["msg"]


@pytest.mark.parametrize(
    ("token", "said"),
    [
        ("MTk4NjIyNDgzNDcxOTI1MjQ4", "does not look like a bot token"),  # a third of one
        ("MTk4.Cl2FMQ.ZnCj m1XV", "does not look like a bot token"),
        ("Bot MTk4.Cl2FMQ.ZnCjm1XV", "without 'Bot ' before it"),
    ],
)
def test_a_malformed_discord_token_is_named_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, token: str, said: str
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", token)
    with pytest.raises(ConfigError, match=r"^DISCORD_BOT_TOKEN") as caught:
        Settings().discord_token()
    assert said in str(caught.value)
    assert "ZnCj" not in str(caught.value).replace("ZnCjm1XV...", "")


def test_names_in_the_env_file_that_are_no_setting_come_with_the_closest_one(
    tmp_path: Path,
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "TELEGRAM_TOKEN=1\nexport DAILY_AUDIO_SECOND=10\nmimo_api_key=k\nPOSTGRES_PASSWORD=pw\n"
        "WHOLLY_UNLIKE_ANYTHING=1\n"
    )

    assert unknown_names(env_file) == [
        "TELEGRAM_TOKEN is not a setting: did you mean TELEGRAM_BOT_TOKEN?",
        "DAILY_AUDIO_SECOND is not a setting: did you mean DAILY_AUDIO_SECONDS?",
        "POSTGRES_PASSWORD is not a setting",
        "WHOLLY_UNLIKE_ANYTHING is not a setting",
    ]
    ignored = "postgres_password, WHOLLY_UNLIKE_ANYTHING,TELEGRAM_TOKEN,DAILY_AUDIO_SECOND"
    assert unknown_names(env_file, ignored=ignored) == []
    assert unknown_names(env_file, ignored="*") == []
    assert unknown_names(tmp_path / "absent.env") == []


def test_names_in_the_environment_are_judged_only_when_almost_a_setting() -> None:
    """Compose hands a container its .env as environment: a misspelt allowlist there must stop
    the bot as it does in the file. The environment holds every program's variables too, so
    only a name one or two letters from a setting's, sharing its first word or all the rest,
    is judged."""
    environ = [
        "ALLOWED_USER", "alowed_users", "MIMO_APIKEY", "DAILY_AUDIO_SECOND",  # typos
        "ALLOWED_USERS", "mimo_api_key",  # settings
        "PATH", "HOME", "LOGNAME", "HOSTNAME", "XDG_DATA_HOME", "PYTHONUNBUFFERED", "container",
        "POSTGRES_PASSWORD", "COMPOSE_PROFILES", "TEST_DATABASE_URL", "DATABASE_USER",
        "DATABASE_HOST", "LOG_DIR", "LOG_FILE", "OPS_PORT", "VOICEBRIDGE_ENV_FILE",
        "TELEGRAM_TOKEN",  # a word short: judged in a file, not here (no bot starts without it)
    ]  # fmt: skip

    assert misspelt_names(environ) == [
        "ALLOWED_USER is not a setting: did you mean ALLOWED_USERS?",
        "ALOWED_USERS is not a setting: did you mean ALLOWED_USERS?",
        "MIMO_APIKEY is not a setting: did you mean MIMO_API_KEY?",
        "DAILY_AUDIO_SECOND is not a setting: did you mean DAILY_AUDIO_SECONDS?",
    ]
    ignored = "allowed_user, ALOWED_USERS,MIMO_APIKEY, DAILY_AUDIO_SECOND"
    assert misspelt_names(environ, ignored=ignored) == []
    assert misspelt_names(environ, ignored="*") == []
