"""The shell commands the documentation shows, as a reader would paste them: each fenced `sh`
(`bash`, `shell`, or `console` with its `$ ` prompts) block of README.md and docs/, cut into
commands, and the names each command rests on (a program, its subcommands and flags, the extras
it installs, the files of the repository it names).

A block is cut into lines (a line ending in a backslash goes on with the next; a `#` that
starts a word ends the line as a comment; a here-document's lines are its command's input, not
commands), and each line into the parts of its `&&` chain: a `Command` is one such part, the
unit tests/integration/test_docs_commands.py runs or lists.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SHELLS = ("sh", "bash", "shell", "console")
FENCE = re.compile(
    r"^(?P<indent> *)```(?P<language>[\w-]*)[^\n]*\n(?P<body>.*?)^ *```[ \t]*$", re.M | re.S
)
HEREDOC = re.compile(r"<<-?\s*(['\"]?)(\w+)\1")
# Where the systemd page clones the checkout: a path under it is the repository's.
INSTALLED_CHECKOUT = "/opt/voicebridge"


@dataclass(frozen=True)
class Block:
    page: str  # relative to the repository
    line: int  # of its opening fence
    text: str  # its lines, their indentation in a list item taken off


@dataclass(frozen=True)
class DocCommand:
    text: str  # as shown, continuations joined, the comment dropped
    page: str
    line: int
    block: Block
    stdin: str | None = None  # a here-document's lines

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def blocks(pages: list[Path] = PAGES) -> list[Block]:
    found = []
    for page in pages:
        markdown = page.read_text()
        for fence in FENCE.finditer(markdown):
            if fence["language"] not in SHELLS:
                continue
            indent = len(fence["indent"])
            lines = [
                line[indent:] if line[:indent].isspace() else line
                for line in fence["body"].splitlines()
            ]
            if fence["language"] == "console":
                lines = [line[2:] for line in lines if line.startswith("$ ")]
            number = markdown.count("\n", 0, fence.start()) + 1
            found.append(Block(str(page.relative_to(ROOT)), number, "\n".join(lines)))
    return found


def commands(block: Block) -> list[DocCommand]:
    """The block's commands in order: every part of every line's `&&` chain."""
    found: list[DocCommand] = []
    lines = block.text.splitlines()
    index = 0
    while index < len(lines):
        number = block.line + 1 + index
        line = lines[index]
        while line.endswith("\\") and index + 1 < len(lines):
            index += 1
            line = line[:-1].rstrip() + " " + lines[index].strip()
        index += 1
        line = without_comment(line).strip()
        if not line:
            continue
        stdin = None
        if here := HEREDOC.search(line):
            end = lines.index(here[2], index)
            stdin = "\n".join(lines[index:end]) + "\n"
            index = end + 1
        for part in split_top_level(line, ("&&",)):
            found.append(DocCommand(" ".join(part.split()), block.page, number, block, stdin))
    return found


def all_commands() -> list[DocCommand]:
    return [command for block in blocks() for command in commands(block)]


def without_comment(line: str) -> str:
    """`line` up to a `#` that starts a word outside quotes."""
    quote = ""
    for at, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (at == 0 or line[at - 1].isspace()):
            return line[:at]
    return line


def split_top_level(text: str, separators: tuple[str, ...]) -> list[str]:
    """`text` cut at each of `separators` outside quotes and parentheses (subshells, `$(...)`)."""
    parts, start, depth, quote, at = [], 0, 0, "", 0
    while at < len(text):
        char = text[at]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            separator = next((s for s in separators if text.startswith(s, at)), None)
            if separator and not (separator == "|" and text.startswith("||", at)):
                parts.append(text[start:at].strip())
                at += len(separator)
                start = at
                continue
        at += 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


@dataclass(frozen=True)
class Simple:
    """One program's run within a command: its words, the `sudo`, the variables set for it and
    the redirections taken off."""

    words: list[str]
    sudo: bool = False
    variables: dict[str, str] = field(default_factory=dict)

    @property
    def program(self) -> str:
        return self.words[0] if self.words else ""

    @property
    def name(self) -> str:
        """The program's name, without its folder (`.venv/bin/voicebridge`: `voicebridge`)."""
        return self.program.rsplit("/", 1)[-1]


ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def simple_commands(text: str) -> list[Simple]:
    """Every program a command runs: the parts of its pipes and lists, the insides of its
    subshells and of its `$(...)`."""
    found: list[Simple] = []
    for inner in re.findall(r"\$\(([^()]*)\)", text):
        found += simple_commands(inner)
    text = re.sub(r"\$\([^()]*\)", "SUBSTITUTED", text)
    for part in split_top_level(text, ("&&", "||", "|", ";")):
        if part.startswith("(") and part.endswith(")"):
            found += simple_commands(part[1:-1])
            continue
        part = HEREDOC.sub("", part)
        part = re.sub(r"\d?[<>]{1,2}\s*(\"[^\"]*\"|'[^']*'|\S+)", "", part)  # redirections
        words = shlex.split(part)
        sudo, variables = False, {}
        while words:
            if words[0] == "sudo":
                sudo = True
                words = words[1:]
                while words and words[0].startswith("-"):
                    words = words[2:] if words[0] in ("-u", "-g") else words[1:]
            elif words[0] in ("export", "eval", "env") and len(words) > 1:
                words = words[1:]
            elif ASSIGNMENT.match(words[0]):
                name, _, value = words[0].partition("=")
                variables[name] = value
                words = words[1:]
            else:
                break
        found.append(Simple(words, sudo, variables))
    return found


def flags(words: list[str]) -> list[str]:
    """The options among `words`: `--name` (without `=value`) and `-x`, not `-` alone."""
    return [word.split("=", 1)[0] for word in words if word.startswith("-") and word != "-"]


def extras_named(words: list[str]) -> list[tuple[str, list[str]]]:
    """What `pip install` installs from the repository: (the path, its extras) per target."""
    if len(words) < 2 or words[1] != "install":
        return []
    named = []
    for word in words[2:]:
        if match := re.fullmatch(r"(.+?)\[([\w,-]+)\]", word):
            named.append((match[1], match[2].split(",")))
    return named


def project_extras() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras: dict[str, list[str]] = project["optional-dependencies"]
    return extras


def in_repository(word: str) -> str | None:
    """The path within the repository that `word` names, if it names one (a file or folder of
    its top level, or under the systemd page's checkout), else None."""
    if "$" in word or "*" in word:
        return None
    if word.startswith(INSTALLED_CHECKOUT + "/"):
        word = word.removeprefix(INSTALLED_CHECKOUT + "/")
        return None if _a_venv(word) else word
    top = word.split("/", 1)[0]
    if (
        "/" in word
        and top
        and (ROOT / top).exists()
        and top not in (".", "..")
        and not _a_venv(word)
    ):
        return word
    return None


def _a_venv(path: str) -> bool:
    """A virtual environment is made by the quick start, not kept in the repository (and the
    tests may run in one of another name)."""
    return path.split("/", 1)[0].startswith(".venv")
