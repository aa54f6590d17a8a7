"""Reading the proof-of-play files that came back to the hub (offices/ID/proof-of-play/).

One file per office-local day, `proof-of-play-YYYY-MM-DD.jsonl` (kiosk.state.proofofplay).
The page wants an office's last few plays: it reads the ends of the newest files only, as a
day's file holds a thousand lines and the page covers 300 offices every 30 s. The report
wants whole days: it opens the files whose name falls in the range.
Each play appends to the day's file at the office, so Syncthing keeps replacing that file at
the hub, and it is missing for a moment each time: it is listed and read through
kiosk.fleet.received, which tells that moment from a file that never arrived (`index`: what
the hub's Syncthing holds in the office's state folder). A day is never skipped for it.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from datetime import date
from pathlib import Path

from kiosk.core.playstats import Play, parse
from kiosk.fleet.received import Index, no_index, read_with, received_names
from kiosk.state.proofofplay import SUBDIR

log = logging.getLogger(__name__)

_NAME = re.compile(r"^proof-of-play-(\d{4}-\d{2}-\d{2})\.jsonl$")
TAIL_BYTES = 32768


def day_files(state_dir: Path) -> list[tuple[date, Path]]:
    """The office's daily files, oldest first; other names are left alone."""
    folder = state_dir / SUBDIR
    try:
        names = received_names(folder)
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


def _read(path: Path, index: Index, size: int | None) -> tuple[str, bool] | None:
    """The file's last `size` bytes (None: all of it), whether that is the whole file; None
    when it has not arrived or cannot be read (logged: the hub's Syncthing holds it)."""
    holds = index(f"{SUBDIR}/{path.name}")
    read = functools.partial(_tail, size=size)
    try:
        return read_with(path, holds, read)
    except OSError as e:
        log.warning("proof of play: %s", e)
        return None


def _tail(path: Path, size: int | None) -> tuple[str, bool]:
    """The last `size` bytes as text (None: all), and whether that is the whole file."""
    if size is None:
        return path.read_bytes().decode("utf-8", errors="replace"), True
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        end = f.tell()
        f.seek(max(0, end - size))
        data = f.read()
    whole = end <= size
    if not whole:
        data = data[data.find(b"\n") + 1 :]  # the first line is cut: drop it
    return data.decode("utf-8", errors="replace"), whole


def last_plays(state_dir: Path, count: int = 50, index: Index = no_index) -> list[Play]:
    """The office's last `count` plays, oldest first."""
    plays: list[Play] = []
    for _day, path in reversed(day_files(state_dir)):
        size = TAIL_BYTES
        found: list[Play] = []
        while True:
            got = _read(path, index, size)
            if got is None:
                break
            text, whole = got
            found, _bad = parse(text)
            if len(found) >= count - len(plays) or whole:
                break
            size *= 4
        plays = found[-(count - len(plays)) :] + plays if found else plays
        if len(plays) >= count:
            break
    return plays[-count:]


def plays_between(
    state_dir: Path, first: date, last: date, index: Index = no_index
) -> tuple[list[Play], int]:
    """Every play of the office's days from `first` to `last`, and the unreadable lines."""
    plays: list[Play] = []
    bad = 0
    for day, path in day_files(state_dir):
        if not first <= day <= last:
            continue
        got = _read(path, index, None)
        if got is None:
            continue
        found, unreadable = parse(got[0])
        plays += found
        bad += unreadable
    return plays, bad
