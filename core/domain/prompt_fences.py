"""Chat text inside a prompt's data fence (`<conversation>`, `<text>`, `<transcript>`, ...),
made so it cannot close that fence or open another.

Taking our tags out of the text does not do it: one pass over `</conver</conversation>sation>`
leaves `</conversation>`, and a tag the pass does not know (`</TRANSCRIPT>`, `< /text >`,
`</text id="x">`) is left as it is. Instead every `<` that could begin markup becomes `‹`
(a look-alike the model reads the same, but no tag can start with). The only `<` kept are
those followed, past any whitespace, by a digit, `=`, `-`, `>` or the end (`x < 5`, `<=`,
`<-`, `<3`): none of them begins a tag. Replacing a `<` never makes a `<`, nor turns what
follows a kept one into a letter, so the result needs no second pass (`inert(inert(t)) ==
inert(t)`), and every character stays one character, so lengths (and prompt budgets) are
unchanged.
"""

from __future__ import annotations

import re

__all__ = ["LOOKALIKE", "fenced", "inert"]

LOOKALIKE = "\u2039"  # ‹ SINGLE LEFT-POINTING ANGLE QUOTATION MARK
# A `<` that begins no tag: past whitespace, a digit, a comparison or an arrow, or nothing.
_HARMLESS_AFTER = r"\s*(?:[0-9=\->]|\Z)"
_MARKUP = re.compile(rf"<(?!{_HARMLESS_AFTER})")


def inert(text: str) -> str:
    """`text` with every `<` that could begin a tag replaced by a look-alike."""
    return _MARKUP.sub(LOOKALIKE, text)


def fenced(tag: str, text: str) -> str:
    """`text` between `<tag>` and `</tag>` on lines of their own, unable to leave them."""
    return f"<{tag}>\n{inert(text)}\n</{tag}>"
