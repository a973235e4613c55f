"""The drawn digits of spoken consent as the sentence shows them (`core.domain.consent_digits`
draws them): each digit apart, so that a reader says them one by one rather than as a number,
with a no-break space between two digits of a group (a group never wraps across lines), and the
groups as the language separates them in a list (`voices.consent.digit_groups`: "6 2 9 0,
7 3 5 1, 5 8 0"; 「6 2 9 0、7 3 5 1、5 8 0」)."""

from __future__ import annotations

from collections.abc import Sequence

from core.chat.messages import text

__all__ = ["shown_digits"]

DIGIT_SPACE = "\u00a0"  # no-break space


def shown_digits(groups: Sequence[str], locale: str) -> str:
    """`groups` (three, as `GROUPS` draws them) as the sentence in `locale` shows them."""
    first, second, third = (DIGIT_SPACE.join(group) for group in groups)
    return text("voices.consent.digit_groups", locale, first=first, second=second, third=third)
