"""The MiMo account the benchmarks measure the bot on: one whose minute MiMo raised far past what
they send, so that what they measure is the bot (its CPU, its database, the platforms' limits),
not MiMo's published minute (100 requests and 10,000 recognition tokens a minute, which 100
notes at once would wait on for a minute). The stand-in still holds this raised minute, and the
bot still paces to it: both sides are told the same figures. The account's own minute, at the
published figures, is measured by benchmark 20 (`python -m bench --only minute`).

    raised(mimo)        the stand-in's minute, raised
    RAISED              the bot's settings for it, in every benchmark process's environment
"""

from __future__ import annotations

import os
from typing import Any, TypeVar

REQUESTS = 100_000
TOKENS = 1_000_000_000
RAISED = {
    "MIMO_ASR_REQUESTS_PER_MINUTE": str(REQUESTS),
    "MIMO_ASR_TOKENS_PER_MINUTE": str(TOKENS),
    "MIMO_REQUESTS_PER_MINUTE": str(REQUESTS),
    "MIMO_TOKENS_PER_MINUTE": str(TOKENS),
}


M = TypeVar("M", bound=Any)


def raised(mimo: M) -> M:
    """`mimo`, MiMo's stand-in, holding the raised minute; given back for a `with` line."""
    mimo.minute.asr = mimo.minute.others = (REQUESTS, TOKENS)
    return mimo


def in_environment() -> None:
    """The bot of every benchmark process (and the processes it starts) paces to the raised
    minute, unless the benchmark's environment already says otherwise."""
    for name, value in RAISED.items():
        os.environ.setdefault(name, value)
