"""How the values in a sentence read in the reader's language, from CLDR's data (Babel):
numbers ("12,345", "12 345", "12.345"), percentages ("12%", "12 %"), amounts of time ("5 hr,
12 min", "5小时12分钟"), sizes, lists ("happy, sad, and calm", "开心、难过和平静"), times of
day and moments; and how they sit in the sentence (`filled`).

The catalogue (`core.chat.i18n`) formats every parameter of a sentence with `shown`, so the core
hands over plain values (`int`, `core.domain.quantities`) and never a pre-formatted string.
"""

from __future__ import annotations

import functools
import re
import string
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Literal

from babel import Locale
from babel.dates import format_skeleton, format_time, get_datetime_format
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit, get_unit_name

from core.domain.quantities import Duration, Megabytes, Share

__all__ = ["day_and_time", "duration_words", "filled", "joined", "moment", "shown", "time_of_day"]

_UNITS = ("duration-hour", "duration-minute", "duration-second")
# CLDR's fallbacks for a list style a locale lacks, as Babel's `format_list` follows them; within
# a style a locale defines only in part, a missing pattern is CLDR root's, which Babel does not
# fill in (Spanish `unit-short` has only its "end").
_LIST_STYLE_FALLBACKS = {"unit-short": ("unit-short", "standard"), "standard": ("standard",)}
_ROOT_LIST_PATTERN = "{0}, {1}"
# Whose way of writing values a catalogue follows, where it is not the language's first
# country's: the Spanish catalogue is Latin American (its glossary), as CLDR's es_419 writes
# percentages, times and decimals (40%, 6:00 p.m., 7.5 MB).
_WRITTEN_AS = {"es": "es_419"}
# Spanish readers split on the separator of thousands: Spain, Argentina or Colombia read 12,345 as
# a decimal, Mexico 12.345. The RAE's rule (Ortografía, 2010), also Mexico's standard, is read
# one way by all: a narrow space between groups of three, none in a number of four digits.
_GROUPED_BY_SPACE = frozenset({"es"})
# Languages written without spaces between words. Their sentences put a space beside each
# placeholder, as their glossaries ask, for a value that begins or ends in Latin letters or
# digits ("在 Ann 的", "并在 5分钟"); where the value meets the sentence in two characters of the
# script itself, the space goes ("并在 5分钟 内" reads 并在 5分钟内).
_UNSPACED = frozenset({"zh_Hans", "zh_Hant", "ja"})
_HAN_OR_KANA = re.compile("[\u3005-\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def shown(value: object, locale: str) -> str:
    """`value` as it reads in a sentence for `locale`'s readers."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value, locale)
    if isinstance(value, Duration):
        return duration_words(value, locale)
    if isinstance(value, Megabytes):
        return _short_unit(value.amount, "digital-megabyte", locale)
    if isinstance(value, Share):
        text = str(format_percent(value.fraction, locale=_babel(locale)))
        whole = round(value.fraction * 100)  # "1,250%" in es_419: thousands as numbers have them
        return text.replace(format_decimal(whole, locale=_babel(locale)), _number(whole, locale), 1)
    return str(value)


def _number(value: float, locale: str) -> str:
    """ "12,345", "12.345"; where the thousands are `_GROUPED_BY_SPACE`, "12 345", "1234"."""
    if locale not in _GROUPED_BY_SPACE:
        return str(format_decimal(value, locale=_babel(locale)))
    grouped = abs(value) >= 10_000
    text = str(format_decimal(value, locale=_babel(locale), group_separator=grouped))
    return text.replace(",", "\u202f")


def filled(template: str, values: Mapping[str, str], locale: str) -> str:
    """`template`'s `{placeholders}` filled with `values` (`shown` already), spaced where they
    meet the sentence as `locale` writes (see `_UNSPACED`)."""
    if locale not in _UNSPACED:
        return template.format_map(values)
    text = ""
    for literal, field, spec, _conversion in string.Formatter().parse(template):
        text = _met(text, literal)
        if field is not None:
            text = _met(text, format(values[field], spec or ""))
    return text


def _met(left: str, right: str) -> str:
    """`left` and `right` (a value and the words beside it) put together without the space
    between them where it would stand between two Han or kana characters."""
    if left.endswith(" ") and _HAN_OR_KANA.match(left[-2:-1]) and _HAN_OR_KANA.match(right[:1]):
        return left[:-1] + right
    if right.startswith(" ") and _HAN_OR_KANA.match(left[-1:]) and _HAN_OR_KANA.match(right[1:2]):
        return left + right[1:]
    return left + right


def duration_words(duration: Duration, locale: str) -> str:
    """ "1 hr, 2 min, 5 sec", "1小时2分钟5秒": the hours, minutes and seconds that are not zero."""
    amounts = [(n, unit) for n, unit in zip(duration.parts(), _UNITS, strict=True) if n]
    if not amounts:
        amounts = [(0, _UNITS[-1])]
    words = [_short_unit(n, unit, locale) for n, unit in amounts]
    return joined(words, locale, style="unit-short")


def _short_unit(amount: float, unit: str, locale: str) -> str:
    """Babel's `format_unit(..., "short")`, except where a locale's short patterns lack the number's
    plural category: CLDR falls back to "other" ("1 h" in Spanish), Babel to the unit's name
    ("1 horas"). Such a fallback is told by what it reads, and said instead as a number of the
    "other" category would be, with this number. The number is written as `shown` writes one
    ("2000 MB" in Spanish, not "2,000 MB")."""
    data = _babel(locale)
    text = format_unit(amount, unit, length="short", locale=data)
    babels, number = format_decimal(amount, locale=data), _number(amount, locale)
    if text != f"{babels} {get_unit_name(unit, length='short', locale=data)}":
        return text.replace(babels, number, 1)
    other = next(n for n in _OTHER_SAMPLES if data.plural_form(n) == "other")
    shown = format_unit(other, unit, length="short", locale=data)
    return shown.replace(format_decimal(other, locale=data), number)


# A number of CLDR's "other" plural category in every locale there is one of these in.
_OTHER_SAMPLES = (7, 1.5, 100, 2, 0)


def joined(
    items: Sequence[str], locale: str, *, style: Literal["standard", "unit-short"] = "standard"
) -> str:
    """`items` as the locale writes a list: "a, b, and c", "a、b和c"; `unit-short` for the parts
    of one amount ("5 hr, 12 min")."""
    available = _babel(locale).list_patterns
    styles = [s for s in _LIST_STYLE_FALLBACKS[style] if s in available]
    patterns = available[styles[0]] if styles else {}

    def pattern(part: str) -> str:
        return str(patterns.get(part) or patterns.get("end") or _ROOT_LIST_PATTERN)

    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return pattern("2").format(*items)
    result = pattern("end").format(items[-2], items[-1])
    for item in reversed(items[1:-2]):
        result = pattern("middle").format(item, result)
    return pattern("start").format(items[0], result)


def time_of_day(at: time, locale: str) -> str:
    """ "18:00", "6:00 PM", "下午6:00": as the locale's clocks show it."""
    return str(format_time(at, "short", locale=_babel(locale)))


def moment(instant: datetime, zone: str, locale: str) -> str:
    """ "Nov 21, 2026, 6:05 PM Europe/Berlin": a date and time in `zone`, named after it."""
    local = instant.astimezone(zoneinfo.ZoneInfo(zone))
    day = format_skeleton("yMMMd", local, locale=_babel(locale))
    clock = format_time(local, "short", locale=_babel(locale))
    both = str(get_datetime_format("medium", locale=_babel(locale)))
    return f"{both.replace('{1}', day).replace('{0}', clock)} {zone}"


def day_and_time(instant: datetime, zone: str, locale: str) -> str:
    """ "Nov 24, 14:05", "11月24日 14:05": a date and time in `zone`, shortly, without the
    zone's name (said once, above)."""
    local = instant.astimezone(zoneinfo.ZoneInfo(zone))
    day = format_skeleton("MMMd", local, locale=_babel(locale))
    clock = format_time(local, "short", locale=_babel(locale))
    both = str(get_datetime_format("medium", locale=_babel(locale)))
    return both.replace("{1}", day).replace("{0}", clock)


@functools.cache
def _babel(locale: str) -> Locale:
    return Locale.parse(_WRITTEN_AS.get(locale, locale))
