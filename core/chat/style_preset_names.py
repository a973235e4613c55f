"""A style preset as a user types it (`/style 开心`, `/style News  Anchor`): its name in any of
our languages read back as the preset it names (`preset_named`). The names themselves are the
catalogue's (`style.preset.*` in `message_catalogue.py`), translated as every sentence is.
"""

from __future__ import annotations

import functools

from core.chat.answer_languages import LOCALES
from core.chat.message_catalogue import text
from core.domain.voices.speaking_style_rules import STYLE_PRESETS

__all__ = ["preset_named"]


def preset_named(typed: str) -> str | None:
    """The preset a user means by `typed`, its name in any of our languages (`开心`, `Happy`,
    `nachrichtensprecher`), or None when it names none."""
    return _preset_names().get(" ".join(typed.casefold().split()))


@functools.cache
def _preset_names() -> dict[str, str]:
    return {
        text(f"style.preset.{preset}", locale).casefold(): preset
        for preset in STYLE_PRESETS
        for locale in LOCALES
    }
