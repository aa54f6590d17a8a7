"""Reading the proof-of-play files that came back to the hub (offices/ID/proof-of-play/).

One file per office-local day, `proof-of-play-YYYY-MM-DD.jsonl` (kiosk.state.proofofplay).
The page wants an office's last few plays: it reads the ends of the newest files only, as a
day's file holds a thousand lines and the page covers 300 offices every 30 s. The report
wants whole days: it opens the files whose name falls in the range.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from kiosk.core.playstats import Play, parse
from kiosk.state.proofofplay import SUBDIR

_NAME = re.compile(r"^proof-of-play-(\d{4}-\d{2}-\d{2})\.jsonl$")
TAIL_BYTES = 32768


def day_files(state_dir: Path) -> list[tuple[date, Path]]:
    """The office's daily files, oldest first; other names are left alone."""
    folder = state_dir / SUBDIR
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    out = []
    for name in names:
        m = _NAME.match(name)
        if m is None:
            continue
        try:
            out.append((date.fromisoformat(m[1]), folder / name))
        except ValueError:
            continue
    return sorted(out)


def _tail(path: Path, size: int) -> tuple[str, bool]:
    """The last `size` bytes as text, and whether that is the whole file."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        end = f.tell()
        f.seek(max(0, end - size))
        data = f.read()
    whole = end <= size
    if not whole:
        data = data[data.find(b"\n") + 1 :]  # the first line is cut: drop it
    return data.decode("utf-8", errors="replace"), whole


def last_plays(state_dir: Path, count: int = 50) -> list[Play]:
    """The office's last `count` plays, oldest first."""
    plays: list[Play] = []
    for _day, path in reversed(day_files(state_dir)):
        size = TAIL_BYTES
        while True:
            try:
                text, whole = _tail(path, size)
            except OSError:
                break
            found, _bad = parse(text)
            if len(found) >= count - len(plays) or whole:
                break
            size *= 4
        plays = found[-(count - len(plays)) :] + plays if found else plays
        if len(plays) >= count:
            break
    return plays[-count:]


def plays_between(state_dir: Path, first: date, last: date) -> tuple[list[Play], int]:
    """Every play of the office's days from `first` to `last`, and the unreadable lines."""
    plays: list[Play] = []
    bad = 0
    for day, path in day_files(state_dir):
        if not first <= day <= last:
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found, unreadable = parse(text)
        plays += found
        bad += unreadable
    return plays, bad
