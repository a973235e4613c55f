"""Rewriting one section of RESULTS.md and leaving the others as they are: a benchmark run alone
(`python -m bench --only ...`) replaces only its own."""

from __future__ import annotations

METHOD_HEADING = "## How the numbers are taken"


def replace_section(results: str, heading: str, text: str) -> str:
    """`results` with the section that starts at `heading` replaced by `text`; where there is no
    such section yet, `text` is added before the method's section."""
    if heading in results:
        start = results.index(heading)
        end = results.find("\n## ", start + 1)
        return results[:start] + text + ("\n" + results[end + 1 :] if end != -1 else "")
    at = results.index(METHOD_HEADING)
    return results[:at] + text + "\n" + results[at:]
