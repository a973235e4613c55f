"""The command line's failures in its own words: a shell command that fails says what happened
("The file cannot be read as audio"), never as the chat bot says it to a chat ("I could not
read that file"), nor to "the bot's owner", who is the one at the shell. Every language has
the same sentences (tests/unit/test_translations.py)."""

from __future__ import annotations

import re

import pytest

from bots.cli.exit_code_per_failure import failure
from core.domain import errors
from core.domain.quantities import Duration

# What the shell commands (transcribe, say, ask, summarise, import, find) may end with.
FAILURES = [
    errors.AudioError("ffmpeg failed"),
    errors.UndecodableAudio("not audio"),
    errors.AudioTimedOut("took too long"),
    errors.EmptyAudio("no audio stream"),
    errors.TooLongToAsk("too long", limit=Duration(1800)),
    errors.NoSpeech(),
    errors.MimoAuthError("401"),
    errors.MimoBalanceError("402"),
    errors.MimoUnreachable("down", url="https://api.xiaomimimo.com/v1", reason="ConnectError"),
    errors.MimoUnavailable("503"),
    errors.MimoRateLimited("429"),
    errors.MimoCircuitOpen("open", wait=Duration(30)),
    errors.MimoBadResponse("not JSON"),
    errors.MimoBadRequest("400"),
    errors.MimoContentFiltered("421"),
    errors.MimoModelRefused("400", model="mimo-v1", setting="MIMO_CHAT_MODEL"),
    errors.NoSearchWords(),
    errors.StyleTooLong(length=5000, limit=200),
]
AS_THE_BOT = re.compile(r"\b(I|I'm|me|my|myself)\b|bot's owner")
A_CHAT_COMMAND = re.compile(r"(^|\s)/[a-z_]+\b")  # "/find WORDS" means nothing in a shell


@pytest.mark.parametrize("error", FAILURES, ids=lambda error: type(error).__name__)
def test_a_failure_is_said_as_the_command_line_says_it(
    error: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGUAGE", "en")
    line = failure(error).line

    assert not AS_THE_BOT.search(line), line
    assert not A_CHAT_COMMAND.search(line), line
    assert "{" not in line, line  # every value filled in
