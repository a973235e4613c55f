"""Freed large blocks go back to the system at once, so the bot's memory does not grow with
every thread that once held a recording's piece.

glibc's malloc maps a block of 128 kB or more on its own and unmaps it when freed, but it raises
that threshold to the size of any such block freed (up to 32 MB), so that later blocks of that
size come from its heaps instead: one heap per thread that allocates, each keeping what it held.
A transcript's WAV pieces are 1.9 MB each, read in worker threads: an hour grew the converting
process from 25 MB to 42 MB, never given back. With the threshold fixed, it peaked at 31 MB.
Mapping a block costs a system call and its pages' first touch, nothing against what is done with
1.9 MB of audio.
"""

from __future__ import annotations

import ctypes
import functools
import logging

logger = logging.getLogger(__name__)

__all__ = ["return_large_blocks"]

_M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
LARGE_BLOCK = 256 * 1024


@functools.cache
def return_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Have every block of `threshold` bytes or more mapped and unmapped on its own (glibc's
    `mallopt`), once per process. False where the C library has no such setting (macOS), or
    ignores it (musl): nothing changes."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    done = bool(mallopt(_M_MMAP_THRESHOLD, threshold))
    if not done:
        logger.debug("malloc keeps its own threshold for mapping large blocks")
    return done
