"""Ogg pages read in Python, without ffmpeg: enough to tell a voice note's length from its last
page, or that a file holds nothing but empty pages.

A page is a header (the capture pattern "OggS", version 0, flags, the granule position, the
stream's serial number, a sequence number, a checksum, a segment count), a segment table (one
byte per segment) and a body as long as the table's sum. For Opus the granule position counts
48 kHz samples up to the end of the page's last packet, pre-skip included.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["BEGINS_STREAM", "LONGEST_PAGE", "last_page", "page_at"]

_HEADER = struct.Struct("<4sBBqIIIB")
BEGINS_STREAM = 0x02  # the flag of a stream's first page
LONGEST_PAGE = _HEADER.size + 255 + 255 * 255  # 65,307 bytes


@dataclass(frozen=True)
class OggPage:
    flags: int
    granule: int  # -1: no packet ends on this page
    serial: int
    body: int  # where its body starts in the buffer it was read from
    end: int  # where it ends there


def page_at(data: bytes, at: int) -> OggPage | None:
    """The Ogg page at `at` in `data`, if a whole one is there."""
    if len(data) - at < _HEADER.size:
        return None
    capture, version, flags, granule, serial, _, _, count = _HEADER.unpack_from(data, at)
    table = data[at + _HEADER.size : at + _HEADER.size + count]
    if capture != b"OggS" or version != 0 or len(table) < count:
        return None
    body = at + _HEADER.size + count
    end = body + sum(table)
    return OggPage(flags, granule, serial, body, end) if end <= len(data) else None


def last_page(data: bytes) -> OggPage | None:
    """The last whole page of `data`, the tail of an Ogg file, if it ends exactly at its end."""
    at = data.rfind(b"OggS")
    while at >= 0:
        page = page_at(data, at)
        if page is not None and page.end == len(data):
            return page
        at = data.rfind(b"OggS", 0, at)
    return None
