"""The command line's page says what each command's options take: the languages its page lists
for a command's --language are the ones the command itself accepts (its Click choices), so that
`ask -l de`, refused by `ask`, is never offered by the page."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from bots.cli.voicebridge_command import voicebridge

PAGE = Path(__file__).resolve().parents[2] / "docs" / "getting-started" / "command-line.md"
CODE = re.compile(r"`(auto|[a-z]{2}(?:_[A-Za-z]+)?)`")


def bullet(command: str) -> str:
    """The page's paragraph on `command`: its list item, continuation lines joined."""
    lines = PAGE.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"- **`{command} "))
    item = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        item.append(line.strip())
    return " ".join(item)


def documented(command: str, option: str) -> set[str]:
    """The codes in backquotes in the sentence of `command`'s paragraph that names `option`."""
    text = bullet(command)
    where = text.index(f"`{option}`")
    end = text.find(". ", where)
    start = text.rfind(". ", 0, where)
    return set(CODE.findall(text[start + 1 : end if end > 0 else None]))


def accepted(command: str, option: str) -> set[str]:
    found = voicebridge.commands[command]
    param = next(p for p in found.params if option in getattr(p, "opts", ()))
    assert isinstance(param.type, click.Choice)
    return {str(choice) for choice in param.type.choices}


@pytest.mark.parametrize("command", ["transcribe", "ask", "summarise"])
def test_the_page_lists_the_languages_each_command_takes(command: str) -> None:
    assert documented(command, "--language") == accepted(command, "--language")


def test_ask_and_summarise_take_different_languages_and_the_page_says_which() -> None:
    """`ask -l` is the answer's language (auto, zh, en); `summarise -l` the recording's (every
    language the bot speaks): the page once had them the other way round."""
    assert accepted("ask", "--language") == {"auto", "zh", "en"}
    assert accepted("summarise", "--language") == accepted("transcribe", "--language")
    assert "de" in documented("summarise", "--language")
    assert "de" not in documented("ask", "--language")
