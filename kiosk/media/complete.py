"""Is this video file whole? Its container says how long it should be: compare.

A sync tool can hand over a file that looks finished but is a cut-off earlier version: with
Syncthing, a clip still being copied into the sending folder reaches the receiving side
as a shorter file, atomically renamed into place and then still for seconds (FLEET.md).
libVLC opens many such files happily (a Matroska file, or an MP4 whose index comes first,
plays until the cut), so the quiet period and the libVLC probe alone do not catch them.

The containers declare their own length:
- MP4/MOV (ISO base media): a chain of top-level boxes, each starting with its size; a box
  running past the end of the file is incomplete, and so is a file without its index
  (`moov`, which most encoders write last) or without its media data (`mdat`, which comes
  last when the index was moved to the front for streaming).
- Matroska/WebM: an EBML header, then one Segment element whose size covers the rest; a file
  shorter than that is incomplete (a Segment of unknown size, as live recordings write, is
  not judged).
- AVI: a chain of RIFF chunks (one, or more past 1 GB), each starting with its size.
- ASF/WMV: a chain of top-level objects (header, data, indexes), each with a 64-bit size.
Other formats (MPEG transport and program streams, FLV) do not declare a length: a cut-off
copy of those plays its first part, and proof of play records it as ended early. Only
headers are read: a few bytes per box.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from kiosk.core.msg import N_, Msg, _

ReadAt = Callable[[int, int], bytes]  # (offset, count) -> at most count bytes

_MP4_FIRST = frozenset({b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"})
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_ASF_HEADER = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
_ASF_DATA = bytes.fromhex("3626b2758e66cf11a6d900aa0062ce6c")
_SEGMENT_ID = b"\x18\x53\x80\x67"
_VOID_ID = 0xEC
_MAX_BOXES = 100_000  # a file of more top-level boxes than this is not judged


def _short(declared: int, size: int) -> str:
    return _(
        "incomplete: the file declares {declared} bytes but holds {size}",
        declared=declared,
        size=size,
    )


def incomplete(path: str) -> str | None:
    """The reason if the container at `path` declares more than the file holds, else None."""
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)

            def read_at(offset: int, count: int) -> bytes:
                f.seek(offset)
                return f.read(count)

            return check(read_at, size)
    except OSError:
        return None  # unreadable: the probe that follows says why


def check(read_at: ReadAt, size: int) -> str | None:
    """`incomplete` on any byte source: `read_at(offset, count)` and its total `size`."""
    head = read_at(0, 16)
    if head[:4] == _EBML_MAGIC:
        return _matroska(read_at, size)
    if len(head) >= 8 and head[4:8] in _MP4_FIRST:
        return _iso_boxes(read_at, size)
    if head[:4] == b"RIFF":
        return _chain(read_at, size, b"RIFF", 4, 4, "little", extra=8)
    if head[:16] == _ASF_HEADER:
        return _chain(read_at, size, None, 16, 8, "little", extra=0, needed=_ASF_DATA)
    if 4 <= len(head) < 16 and _ASF_HEADER.startswith(head):
        return _short(24, size)  # ends inside the ASF header's own id
    return None


def _chain(
    read_at: ReadAt,
    size: int,
    magic: bytes | None,
    id_len: int,
    size_len: int,
    order: Literal["little", "big"],
    extra: int,
    needed: bytes | None = None,
) -> str | None:
    """A file made of top-level chunks (id, size, body...): does the last one fit the file?

    `extra`: bytes of the chunk not counted by its size field (RIFF counts only the body).
    A chunk whose size is 0 was never finished by its writer (a recording under way): not
    judged. A chunk id other than `magic` ends the chain (trailing bytes are not judged).
    A file without a chunk `needed` (ASF's data object) is incomplete too.
    """
    offset = 0
    header = id_len + size_len
    seen = needed is None
    for _chunk in range(_MAX_BOXES):
        if offset >= size:
            if not seen:
                return _(
                    "incomplete: its pictures and sound are missing from its {size} bytes",
                    size=size,
                )
            return None
        head = read_at(offset, header)
        if len(head) < header:
            return _short(offset + header, size) if offset else None
        if magic is not None and head[:id_len] != magic:
            return None
        length = int.from_bytes(head[id_len:header], order)
        if length == 0:
            return None
        seen = seen or head[:id_len] == needed
        end = offset + length + extra
        if end > size:
            return _short(end, size)
        offset = end + (end % 2 if magic is not None else 0)  # RIFF pads chunks to even sizes
    return None


def _iso_boxes(read_at: ReadAt, size: int) -> str | None:
    offset = 0
    seen: set[bytes] = set()
    for _box in range(_MAX_BOXES):
        if offset == size:
            break
        header = read_at(offset, 16)
        if len(header) < 8:
            return _short(offset + 8, size)  # ends inside a box header
        length = int.from_bytes(header[:4], "big")
        kind = header[4:8]
        if not all(0x20 <= b < 0x7F for b in kind):
            return None  # not a box: broken in another way; the libVLC probe judges it
        if length == 1:
            if len(header) < 16:
                return _short(offset + 16, size)
            length = int.from_bytes(header[8:16], "big")
        elif length == 0:
            seen.add(kind)
            break  # "runs to the end of the file": nothing more to compare
        if length < 8:
            return None
        seen.add(kind)
        if offset + length > size:
            return _short(offset + length, size)
        offset += length
    else:
        return None
    for kind, what in (
        (b"moov", N_("index, usually written last")),
        (b"mdat", N_("pictures and sound")),
    ):
        if kind not in seen:
            return _(
                "incomplete: no '{box}' box (the video's {what}) in its {size} bytes",
                box=kind.decode(),
                what=Msg(what),
                size=size,
            )
    return None


def _vint(data: bytes, at: int) -> tuple[int, int, bool] | None:
    """An EBML variable-size integer at `at`: (value, its length, all value bits set)."""
    if at >= len(data) or data[at] == 0:
        return None
    first = data[at]
    length = 8 - first.bit_length() + 1
    if at + length > len(data):
        return None
    value = first & (0xFF >> length)
    for b in data[at + 1 : at + length]:
        value = (value << 8) | b
    return value, length, value == (1 << (7 * length)) - 1


def _matroska(read_at: ReadAt, size: int) -> str | None:
    head = read_at(0, 12)
    header_size = _vint(head, 4)
    if header_size is None:
        return _short(len(head) + 1, size) if len(head) < 12 else None
    value, length, _rest = header_size
    offset = 4 + length + value
    for _void in range(16):  # Void elements may sit between the header and the Segment
        element = read_at(offset, 12)
        if len(element) < 5:
            return _short(offset + 5, size)
        if element[0] == _VOID_ID:
            void = _vint(element, 1)
            if void is None:
                return None
            offset += 1 + void[1] + void[0]
            continue
        if element[:4] != _SEGMENT_ID:
            return None
        segment = _vint(element, 4)
        if segment is None:
            return _short(offset + 12, size) if len(element) < 12 else None
        value, length, unknown = segment
        if unknown:
            return None  # a live recording's "unknown size": nothing to compare against
        declared = offset + 4 + length + value
        return _short(declared, size) if declared > size else None
    return None
