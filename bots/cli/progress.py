"""A transcription's progress bar: drawn on stderr when it is a terminal, absent otherwise (a pipe
or a log file gets nothing to clean up).

    meeting.m4a  [######---------------]   28%  16:40 of 58:10 · pieces done: 17 · 4:02 left

The bar moves by seconds of the recording transcribed; the time left is click's estimate from
the pace so far.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from math import ceil
from typing import Any

import click

from bots.cli.messages import text
from core.domain.text import format_duration
from core.domain.transcripts import Progress, ProgressCallback


@contextmanager
def progress_bar(label: str) -> Iterator[ProgressCallback | None]:
    """A progress callback drawing the bar for the recording `label`, or None off a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    with ExitStack() as stack:
        yield _Bar(label, stack)


class _Bar:
    """Started at the first report, which says how long the recording is."""

    def __init__(self, label: str, stack: ExitStack) -> None:
        self._label = label
        self._stack = stack
        self._bar: Any = None  # click's ProgressBar, which is not public
        self._pieces = 0

    def __call__(self, progress: Progress) -> None:
        if self._bar is None:
            self._bar = self._stack.enter_context(
                click.progressbar(
                    length=max(1, ceil(progress.total_seconds)),
                    label=self._label,
                    file=sys.stderr,
                    show_eta=False,  # said in words by `_info`
                    item_show_func=self._info,
                )
            )
        if progress.part is not None:
            self._pieces += 1
        seconds = max(0, round(progress.done_seconds) - self._bar.pos)
        self._bar.update(seconds, progress)
        if not seconds:
            self._bar.render_progress()  # the pieces' count moved within the same second

    def _info(self, progress: Progress | None) -> str | None:
        if progress is None:
            return None
        info = text(
            "cli.progress",
            done=format_duration(progress.done_seconds),
            total=format_duration(progress.total_seconds),
            pieces=self._pieces,
        )
        if self._bar is not None and self._bar.eta_known and self._bar.eta >= 1:
            info += text("cli.progress_left", left=format_duration(self._bar.eta))
        return info
