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
from typing import Any

import click

from bots.cli.command_line_wording import text
from core.domain.message_splitting import format_duration
from core.domain.recordings.transcript_values import Progress, ProgressCallback

__all__ = ["progress_bar"]


@contextmanager
def progress_bar(label: str) -> Iterator[ProgressCallback | None]:
    """A progress callback drawing the bar for the recording `label`, or None off a terminal.
    Once the block ends without an error, the work is done: the bar ends full."""
    if not sys.stderr.isatty():
        yield None
        return
    with ExitStack() as stack:
        bar = _Bar(label, stack)
        yield bar
        bar.finish()


class _Bar:
    """Started at the first report, which says how long the recording is. It moves by whole
    seconds, the length and each report's seconds rounded alike, so that a recording of 4.01 s
    is done at 4 of 4 (taking the length's next whole second, it stayed at 80 %)."""

    def __init__(self, label: str, stack: ExitStack) -> None:
        self._label = label
        self._stack = stack
        self._bar: Any = None  # click's ProgressBar, which is not public
        self._pieces = 0
        self._last: Progress | None = None

    def __call__(self, progress: Progress) -> None:
        if self._bar is None:
            self._bar = self._stack.enter_context(
                click.progressbar(
                    length=max(1, round(progress.total_seconds)),
                    label=self._label,
                    file=sys.stderr,
                    show_eta=False,  # said in words by `_info`
                    item_show_func=self._info,
                )
            )
        if progress.part is not None:
            self._pieces += 1
        self._last = progress
        seconds = max(0, min(round(progress.done_seconds), self._bar.length) - self._bar.pos)
        self._bar.update(seconds, progress)
        if not seconds:
            self._bar.render_progress()  # the pieces' count moved within the same second

    def finish(self) -> None:
        """The whole recording done: the bar full, and its words saying so, whatever stretch
        the pieces' own lengths left uncounted."""
        if self._bar is None or self._last is None:
            return
        total = self._last.total_seconds
        done = Progress(total, total, None, None, self._last.in_order)
        self._bar.update(self._bar.length - self._bar.pos, done)
        self._bar.render_progress()

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
