"""Rewriting one section of RESULTS.md and leaving the others as they are: a benchmark run alone
(`python -m bench --only ...`) replaces only its own."""

from __future__ import annotations

import textwrap

METHOD_HEADING = "## How the numbers are taken"


def replace_section(results: str, heading: str, text: str) -> str:
    """`results` with the section that starts at `heading` replaced by `text`; where there is no
    such section yet, `text` is added before the first section of a higher number ("## 18. "
    goes before "## 19. "), else before the method's section."""
    if heading in results:
        start = results.index(heading)
        end = results.find("\n## ", start + 1)
        return results[:start] + text + ("\n" + results[end + 1 :] if end != -1 else "")
    at = results.index(METHOD_HEADING)
    number = _number(heading)
    if number is not None:
        later = [
            start + 1 for start in _starts(results) if (_number(results[start + 1 :]) or 0) > number
        ]
        at = min([at, *later])
    return results[:at] + text + "\n" + results[at:]


def _starts(results: str) -> list[int]:
    """Where each section's heading line begins, less one (the newline before it)."""
    found, at = [], results.find("\n## ")
    while at != -1:
        found.append(at)
        at = results.find("\n## ", at + 1)
    return found


def _number(heading: str) -> int | None:
    """A numbered section's number ("## 17. /say..." is 17); None for another heading."""
    number = heading.removeprefix("## ").split(". ", 1)[0]
    return int(number) if heading.startswith("## ") and number.isdigit() else None


def reflow(text: str, width: int = 96) -> str:
    """Paragraphs filled to `width` again after their numbers went in; headings, tables and
    lists kept as they are."""
    blocks = text.split("\n\n")
    for i, block in enumerate(blocks):
        if block.strip() and not block.lstrip().startswith(("#", "|", "-")):
            end = "\n" if block.endswith("\n") else ""
            blocks[i] = textwrap.fill(" ".join(block.split()), width, break_on_hyphens=False) + end
    return "\n\n".join(blocks)


def loads(before: str | None, after: str | None) -> str:
    """The load average around a benchmark, as its section says it: "load average 1.2 0.9 0.8
    before, 2.1 1.1 0.9 after" (what measurements saved without one leave out)."""
    parts = [f"{before} before"] if before else []
    parts += [f"{after} after"] if after else []
    return f"load average {', '.join(parts)}" if parts else "load average not recorded"
