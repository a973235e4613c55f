"""The container image and the compose file, read as the tools read them: the image labelled
with this version, no setting file, database or virtual environment of a checkout in what the
build sees, secrets from .env only, one bot by default, and replicas that each have a name of
their own. `.ci/image` builds the image and tries it; these hold what needs no build."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml

from bots.cli.operations.health_command import healthz_url
from core.config import Settings, host_port

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = ROOT / "Containerfile"
SECRETS = ("MIMO_API_KEY", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET")


def instructions() -> list[tuple[str, str]]:
    """The Containerfile's instructions, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", CONTAINERFILE.read_text())
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def in_build_context(path: str) -> bool:
    """Whether .dockerignore lets `path` into the build context: the last pattern that matches
    it or a folder above it decides, `!` letting in again (Docker's rules)."""
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    kept = True
    for rule in rules:
        pattern = rule.removeprefix("!").rstrip("/")
        pattern = pattern.removeprefix("**/")
        names = prefixes if "/" in pattern else [*prefixes, *parts]
        if any(fnmatch.fnmatchcase(name, pattern) for name in names):
            kept = rule.startswith("!")
    return kept


def test_the_image_is_labelled_with_the_version_pyproject_gives() -> None:
    args = dict(rest.partition("=")[::2] for word, rest in instructions() if word == "ARG")
    labels = " ".join(rest for word, rest in instructions() if word == "LABEL")

    assert args["VERSION"] == version("voicebridge")
    assert 'org.opencontainers.image.version="${VERSION}"' in labels
    assert 'org.opencontainers.image.source="${SOURCE}"' in labels


@pytest.mark.parametrize(
    "path",
    [".env", ".env.bak", "voicebridge.db", ".venv/bin/python", "my.env", "bench/out/x",
     ".git/config", ".git/objects/pack/pack-1.pack", ".git/logs/HEAD"],
)  # fmt: skip
def test_no_settings_database_or_environment_of_the_checkout_reaches_the_build(path: str) -> None:
    assert not in_build_context(path)


@pytest.mark.parametrize(
    "path", ["pyproject.toml", "bots/cli/voicebridge_command.py",
             "core/chat/locales/de/LC_MESSAGES/voicebridge.po",
             "migrations/versions/0001_chat_preferences.py",
             ".git/HEAD", ".git/refs/heads/main", ".git/packed-refs"],
)  # fmt: skip
def test_what_the_install_needs_reaches_the_build(path: str) -> None:
    assert in_build_context(path)


def test_the_image_runs_the_bot_as_a_user_of_its_own_with_its_data_in_a_volume() -> None:
    found = instructions()
    final = found[max(i for i, (word, _) in enumerate(found) if word == "FROM") :]
    settings = " ".join(rest for word, rest in final if word == "ENV")

    assert ("USER", "voicebridge") in final
    assert ("VOLUME", "/data") in final
    assert "XDG_DATA_HOME=/data" in settings
    assert [rest for word, rest in final if word in ("ENTRYPOINT", "CMD")] == [
        '["voicebridge"]',
        '["run"]',
    ]
    assert not any(secret in settings for secret in SECRETS)


def test_compose_starts_the_bot_alone_unless_the_replicas_profile_is_asked_for() -> None:
    services = compose()["services"]
    default = [name for name, service in services.items() if "profiles" not in service]
    replicas = [
        name for name, service in services.items() if "replicas" in service.get("profiles", [])
    ]

    assert default == ["voicebridge"]
    assert sorted(replicas) == ["postgres", "voicebridge-2"]
    assert services["voicebridge"]["volumes"] == ["data:/data"]


def test_each_replica_has_a_name_of_its_own_and_its_secrets_from_env() -> None:
    services = compose()["services"]
    bots = {name: service for name, service in services.items() if name != "postgres"}
    names = [service["environment"]["INSTANCE_NAME"] for service in bots.values()]

    assert len(set(names)) == len(names) == 2
    for service in bots.values():
        assert service["env_file"] == ".env"
        assert (service["build"]["context"], service["build"]["dockerfile"]) == (
            ".",
            "Containerfile",
        )
        assert not set(service["environment"]) & set(SECRETS)
    # PostgreSQL's password is read from .env by compose, never written here.
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${")


def test_compose_checks_health_as_the_image_does() -> None:
    command = next(rest for word, rest in instructions() if word == "HEALTHCHECK")
    image_check = json.loads(command.partition(" CMD ")[2])
    bots = [s for s in compose()["services"].values() if s.get("build")]

    assert image_check == ["voicebridge", "health"]
    assert len(bots) == 2
    for service in bots:
        assert service["healthcheck"]["test"] == ["CMD", *image_check]


def image_environment() -> dict[str, str]:
    """The settings the image's final stage gives (its ENV), as a container made from it has
    them."""
    found = instructions()
    final = found[max(i for i, (word, _) in enumerate(found) if word == "FROM") :]
    pairs = (pair.partition("=") for word, rest in final if word == "ENV" for pair in rest.split())
    return {name: value for name, _, value in pairs}


def test_the_image_s_own_settings_serve_the_health_check_it_asks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 103's slip: the image built without OPS_LISTEN, the setting its health check
    needs (the test above checks the health command, not that the image can answer it):
    `voicebridge run` served no /healthz, `voicebridge health` said no more than that it is
    not set, and every container of it became unhealthy. With the image's settings and no
    other, run serves /healthz (on OPS_LISTEN, `bots/platform_runner.py`) and health asks it there,
    on the container's own loopback. `.ci/image` runs the bot in the image with them and asks."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in image_environment().items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.ops_listen is not None
    _, port = host_port(settings.ops_listen)
    assert healthz_url(settings.ops_listen) == f"http://127.0.0.1:{port}/healthz"


def test_the_catalogues_are_compiled_into_the_installation_not_into_the_build_folder(
    tmp_path: Path,
) -> None:
    """The build stage compiles the catalogues in /src, the copy of the checkout pip installs
    from. Python puts the current folder first on its path, so a command that let it would
    import that copy and compile into it: the image would hold no compiled catalogue, and the
    bot (which may not write its installation) would compile them again at every start. The
    command is run here as the build runs it, in a folder holding a copy of `core/`."""
    run = next(rest for word, rest in instructions() if word == "RUN" and "catalogue_of" in rest)
    python = "/opt/voicebridge/bin/python"
    [compiling] = [step for step in run.split(" && ") if python in step and "catalogue_of" in step]
    build = tmp_path / "src"
    shutil.copytree(
        ROOT / "core", build / "core", ignore=shutil.ignore_patterns("__pycache__", "*.mo")
    )

    subprocess.run(
        ["sh", "-c", compiling.replace(python, sys.executable)], cwd=build, check=True, timeout=60
    )

    assert sorted(build.rglob("*.mo")) == []


@pytest.mark.parametrize("given", [True, False])
def test_compose_hands_the_build_the_certificate_authority_of_a_proxy_that_inspects_tls(
    tmp_path: Path, given: bool
) -> None:
    """Behind a company's proxy, pip in the build trusts PyPI's certificate only with the
    proxy's authority: compose hands the file PIP_CERT names to the build as the secret the
    Containerfile's install step reads (and an empty one where PIP_CERT is unset, which the
    step takes for none); `docker build` and `podman build` name it themselves, as the
    container page shows."""
    declared = compose()
    bots = [s for s in declared["services"].values() if s.get("build")]
    [step] = [rest for word, rest in instructions() if word == "RUN" and "pip install" in rest]
    authority = tmp_path / "company-proxy.crt"
    authority.write_text("-----BEGIN CERTIFICATE-----\n")
    source = declared["secrets"]["pip_ca"]["file"]
    # compose's ${NAME:-default}, with PIP_CERT set or not
    secret = Path(str(authority) if given else source.removeprefix("${PIP_CERT:-").rstrip("}"))
    command = " ".join(word for word in step.split(" ") if not word.startswith("--mount="))
    choosing = command.partition("&&")[0].replace("/run/secrets/pip_ca", str(secret))

    chosen = subprocess.run(
        ["sh", "-c", f'{choosing} && echo "${{PIP_CERT:-none}}"'],
        env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip

    assert all(service["build"]["secrets"] == ["pip_ca"] for service in bots)
    assert source == "${PIP_CERT:-/dev/null}"
    assert "--mount=type=secret,id=pip_ca" in step
    assert chosen == (str(authority) if given else "none")
    page = (ROOT / "docs" / "operations" / "running.md").read_text()
    for build in ("docker build ", "podman build "):
        [line] = [line for line in page.splitlines() if line.startswith(build)]
        assert "--secret id=pip_ca,src=" in line


def test_every_podman_build_the_docs_show_keeps_the_health_check() -> None:
    """Podman makes an OCI image unless told `--format docker`, and an OCI image keeps no
    HEALTHCHECK: a container of it is never healthy, and nothing says why but four warnings."""
    places = [CONTAINERFILE, ROOT / "compose.yaml", ROOT / "README.md",
              *sorted((ROOT / "docs").rglob("*.md"))]  # fmt: skip
    shown = [
        (place.relative_to(ROOT).as_posix(), build)
        for place in places
        for build in re.findall(r"podman build\b[^`\n]*", place.read_text())
    ]

    assert shown
    assert [(place, build) for place, build in shown if "--format docker" not in build] == []
