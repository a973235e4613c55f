"""MiMo's part of `voicebridge doctor` (`bots.cli.setup.doctor_command`): the key tried with a token
of text, then each model the bot uses checked against MiMo's list of the models it offers (`GET
/models`), and a tiny request to each one the list does not name, or to every one where there is no
list. A line for each model refused or no longer offered, naming its setting and, where MiMo names
one, the model to set instead. `voicebridge init` tries the key it is given the same way
(`check_mimo` without `models`), and `import telegram` tries the key before it begins (`asked_once`,
`try_the_key`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from bots.cli.exit_code_per_failure import missing_setting_line
from bots.doctor_check_lines import Check, failed, passed, warned
from core.domain import errors

if TYPE_CHECKING:
    from core.config import Settings
    from core.infra.mimo import MimoClient

__all__ = ["asked_once", "check_mimo", "try_the_key"]


async def check_mimo(
    settings: Settings, *, models: bool = True, env_file: Path | None = None
) -> list[Check]:
    """MIMO_API_KEY tried with one tiny request (a token of text) at MIMO_BASE_URL; then, with
    `models`, each other model the bot uses with the cheapest request it accepts. A key missing
    where no `env_file` was read is said as every command says it (`missing_setting_line`)."""
    from core.bootstrap import mimo_alone

    name = "MiMo"
    try:
        settings.require_mimo_key()
    except errors.MissingSetting as exc:
        return [failed(name, missing_setting_line(exc, env_file))]
    except errors.ConfigError as exc:
        return [failed(name, str(exc))]
    url = settings.mimo_base_url
    async with mimo_alone(asked_once(settings)) as mimo:
        try:
            refused = await try_the_key(mimo)
        except errors.MimoAuthError:
            return [failed(name, f"{url} refused MIMO_API_KEY: check the key, and that "
                           "MIMO_BASE_URL is its region's host (tp-... keys)")]  # fmt: skip
        except errors.MimoBalanceError:
            return [failed(name, "the key works, but the account's balance is used up: top it "
                           "up (MIMO_API_KEY's account)")]  # fmt: skip
        except errors.MimoUnreachable as exc:
            cause = exc.params.get("reason")
            return [failed(name, f"cannot reach {url} ({cause}): check the network and "
                           "MIMO_BASE_URL")]  # fmt: skip
        except errors.MimoError as exc:
            return [failed(name, f"{url} answered: {exc.detail or exc.key}; check "
                           "MIMO_BASE_URL and MIMO_CHAT_MODEL")]  # fmt: skip
        key = passed(name, f"the key works at {url}")
        if not models:
            chat = mimo.models.chat
            return [key] if refused is None else [key, _model_refused("chat", chat, refused)]
        return [key, *await _models(mimo, chat=refused)]


def asked_once(settings: Settings) -> Settings:
    """`settings` for a check: one request, not retried, no breaker to open."""
    return settings.model_copy(update={"mimo_max_retries": 0, "mimo_breaker_failures": 0})


async def try_the_key(mimo: MimoClient) -> errors.MimoModelRefused | None:
    """MIMO_API_KEY tried with one tiny request (a token of text): the `MimoError` MiMo
    answered is raised, but a chat model refused is returned (the key passed)."""
    try:
        await mimo.chat("Reply with OK.", max_tokens=1)
    except errors.MimoModelRefused as refused:
        return refused
    return None


async def _models(mimo: MimoClient, *, chat: errors.MimoError | None) -> list[Check]:
    """A line for each model MiMo no longer offers or refused, and one for the others. MiMo's
    list (`GET /models`) is read once; each model it does not list is tried with the cheapest
    request of its kind, all at once, and so is every model where the list cannot be read (the
    chat model's was `chat`, with the key); a model the audio and the chat settings both name
    is asked once."""
    from dataclasses import asdict

    from core.infra.mimo.model_kinds import MODEL_SETTINGS
    from core.infra.mimo.offered_models import KINDS, is_listed, offered_models, try_model

    ids: dict[str, str] = asdict(mimo.models)
    offered = await offered_models(mimo)
    shared = ids["audio"] == ids["chat"]
    asked = [k for k in KINDS if k != "chat" and not (k == "audio" and shared)
             and (offered is None or not is_listed(ids[k], offered))]  # fmt: skip
    answers = await asyncio.gather(*(try_model(mimo, k) for k in asked), return_exceptions=True)
    outcomes: dict[str, BaseException | None] = dict(zip(asked, answers, strict=True))
    outcomes["chat"] = chat
    if shared:
        outcomes["audio"] = chat
    found: list[Check] = []
    fine: dict[str, list[str]] = {}
    for kind in KINDS:
        line = _model_line(kind, ids[kind], outcomes.get(kind), offered)
        if line is None:
            fine.setdefault(ids[kind], []).append(MODEL_SETTINGS[kind])
        else:
            found.append(line)
    named = ", ".join(f"{model} ({', '.join(settings)})" for model, settings in fine.items())
    words = f"offered: {named} (MiMo's list)" if offered is not None else f"accepted: {named}"
    return [*found, passed("MiMo models", words)] if fine else found


def _model_line(
    kind: str, model: str, outcome: BaseException | None, offered: frozenset[str] | None
) -> Check | None:
    """The line of a model that MiMo refused or no longer lists; None for one it offers."""
    from core.infra.mimo.model_kinds import MODEL_SETTINGS
    from core.infra.mimo.offered_models import is_listed

    setting = MODEL_SETTINGS[kind]
    if isinstance(outcome, errors.MimoModelRefused):
        return _model_refused(kind, model, outcome)
    if isinstance(outcome, errors.MimoError):
        return failed("MiMo model", f"{setting} {model}: MiMo answered "
                      f"{outcome.detail or outcome.key}; check {setting}")  # fmt: skip
    if outcome is not None:
        raise outcome
    if offered is None or is_listed(model, offered):
        return None
    return warned("MiMo model", f"{setting} {model} is not among the models MiMo offers (its "
                  "list, GET /models), though it still answers: MiMo answers a model it retires "
                  f"by its successor for a while, then refuses it; set {setting} to a model MiMo "
                  "lists")  # fmt: skip


def _model_refused(kind: str, model: str, error: errors.MimoModelRefused) -> Check:
    from core.infra.mimo.model_kinds import MODEL_SETTINGS

    setting = MODEL_SETTINGS[kind]
    successor = error.params.get("successor")
    if successor:
        fix = f"set {setting} to {successor}, the model MiMo names instead"
        return failed("MiMo model", f"{setting} {model} is refused ({error.answer}): {fix}")
    words = f"{setting} {model} is refused ({error.answer}): set {setting} to a model MiMo offers"
    return failed("MiMo model", f"{words} (the configuration reference names them)")
