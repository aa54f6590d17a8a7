"""Command-line values of `kiosk check --at` and `kiosk preview --size`: argparse types (a
bad value raises ArgumentTypeError: a usage message and exit code 2)."""

from __future__ import annotations

import argparse
import re
from datetime import datetime

_AT_HELP = (
    'write it as "2026-12-01 08:00" (office-local time), 2026-12-01T08:00 '
    'or "01/12/2026 08:00" (day first)'
)
_ISO_AT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?")
_VN_AT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})")


def parse_at(text: str) -> datetime:
    """`--at` value → datetime (naive = office-local; an explicit offset is kept).

    An argparse `type`: a bad value raises ArgumentTypeError, which argparse turns into a
    usage message and exit code 2. A date alone is refused rather than read as midnight,
    when almost every office is closed, which would look like an empty rotation.
    """
    value = " ".join(text.split())
    m = _VN_AT.fullmatch(value)
    try:
        if m is not None:
            day, month, year, hour, minute = (int(g) for g in m.groups())
            return datetime(year, month, day, hour, minute)
        if _ISO_AT.fullmatch(value):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid date and time ({e})") from e
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise argparse.ArgumentTypeError(f"{text!r} has no time of day; {_AT_HELP}")
    raise argparse.ArgumentTypeError(f"{text!r} is not a date and time; {_AT_HELP}")


def parse_size(text: str) -> tuple[int, int]:
    """`--size 1920x1080` → (1920, 1080); an argparse `type` (bad values exit 2)."""
    m = re.fullmatch(r"\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*", text)
    if m is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a screen size; write it like 1920x1080")
    w, h = int(m.group(1)), int(m.group(2))
    if not (160 <= w <= 7680 and 120 <= h <= 7680):
        raise argparse.ArgumentTypeError(
            f"{w}x{h} is not a plausible screen size (160x120 to 7680x7680)"
        )
    return w, h
