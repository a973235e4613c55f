"""How a chat's usage reads (`/usage`): what it used today, against its quotas and rate limits,
and the asker's own share of the day, all their chats together, against their caps."""

from __future__ import annotations

from collections.abc import Callable

from core.chat.message_catalogue import text
from core.domain.quantities import Duration, waiting
from core.domain.rules.quotas_rules import UsageReport

__all__ = ["clone_attempts_line", "listening_line", "usage_text"]


def usage_text(report: UsageReport, locale: str) -> str:
    used, quotas = report.used, report.quotas
    lines = [
        text("limits.usage", locale, reset=waiting(report.resets_in)),
        _quota_line("audio", used.audio_seconds, quotas.audio_seconds, Duration, locale),
        _quota_line("speech", used.tts_chars, quotas.tts_chars, int, locale),
        _quota_line("summaries", used.summaries, quotas.summaries, int, locale),
        _quota_line("ask", used.ask_seconds, quotas.ask_seconds, Duration, locale),
        text("limits.usage.tokens", locale, total=used.tokens, prompt=used.prompt_tokens,
             completion=used.completion_tokens),
    ]  # fmt: skip
    lines += _person_lines(report, locale)
    if report.rates.user_per_minute:
        lines.append(text("limits.usage.user_rate", locale, limit=report.rates.user_per_minute))
    if report.rates.chat_per_minute:
        lines.append(text("limits.usage.chat_rate", locale, limit=report.rates.chat_per_minute))
    return "\n".join(lines)


def _person_lines(report: UsageReport, locale: str) -> list[str]:
    """The asker's share of the day, for each of their caps (none: not counted)."""
    used, caps = report.person_used, report.person_caps
    if used is None:
        return []
    shares = [("audio", used.audio_seconds, caps.audio_seconds, Duration),
              ("speech", used.tts_chars, caps.tts_chars, int)]  # fmt: skip
    return [
        text(f"limits.usage.person_{name}", locale, used=shown(spent), limit=shown(cap))
        for name, spent, cap, shown in shares
        if cap
    ]


def _quota_line(
    name: str, used: int, limit: int, shown: Callable[[int], object], locale: str
) -> str:
    if not limit:
        return text(f"limits.usage.{name}_unlimited", locale, used=shown(used))
    left = max(0, limit - used)
    return text(
        f"limits.usage.{name}", locale, used=shown(used), limit=shown(limit), left=shown(left)
    )


def listening_line(used: int, limit: int, locale: str) -> str:
    """`/usage`'s line of what a server's calls listened to had transcribed today."""
    return _quota_line("listen", used, limit, Duration, locale)


def clone_attempts_line(used: int, limit: int, locale: str) -> str:
    """`/usage`'s line of the asker's own attempts at cloning their voice today."""
    return text("usage.clone_attempts", locale, used=used, limit=limit)
