"""Proof of play: one JSON line per item shown, a file per office-local day, kept N days.

Offices are asked "was our notice really shown?", so the log must survive what an
unattended box meets: a power cut (each line is a single write(2) on an O_APPEND fd, then
fsync, so at most the line being written is lost), a torn last line from such a cut (the
next append starts on a fresh line, so one bad line never spoils the next), and a full or
read-only disk (the player keeps playing; `record` returns False, logs once, keeps the lines
in memory, up to BACKLOG_MAX, and writes them, in order, as soon as the disk takes them).
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Literal

from kiosk.core.msg import _, os_reason

log = logging.getLogger(__name__)

Outcome = Literal["completed", "skipped", "failed", "ended_early"]
FILE_PREFIX = "proof-of-play-"
FILE_SUFFIX = ".jsonl"
SUBDIR = "proof-of-play"
_NAME = re.compile(r"^proof-of-play-(\d{4})-(\d{2})-(\d{2})\.jsonl$")
# Lines kept in memory while the disk refuses them: a week of 20-second items, a few MB.
BACKLOG_MAX = 30_000


@dataclass(frozen=True)
class Record:
    """One item that was on screen. `start`/`end` are Unix times (time.time())."""

    start: float
    end: float
    file: str  # path relative to the sync folder
    kind: str  # "video" | "image" | ...
    outcome: Outcome
    reason: str = ""  # why it was skipped, failed or not shown whole ("" when completed whole)


def file_name(day: date) -> str:
    return f"{FILE_PREFIX}{day.isoformat()}{FILE_SUFFIX}"


def day_of(t: float, tz: tzinfo) -> date:
    """The office-local date of a Unix time: a line goes in the file of the day it started."""
    return datetime.fromtimestamp(t, tz).date()


def format_line(record: Record, tz: tzinfo) -> bytes:
    """One JSON object and a newline, times in ISO 8601 with the office's UTC offset."""
    data: dict[str, object] = {
        "start": datetime.fromtimestamp(record.start, tz).isoformat(timespec="milliseconds"),
        "end": datetime.fromtimestamp(record.end, tz).isoformat(timespec="milliseconds"),
        "file": record.file,
        "kind": record.kind,
        "duration_s": round(max(0.0, record.end - record.start), 3),
        "outcome": record.outcome,
    }
    if record.reason:
        data["reason"] = record.reason
    # ensure_ascii=False keeps Vietnamese names readable; json never emits a raw newline. A
    # name that is not UTF-8 on disk (a share with the wrong charset) holds lone surrogates:
    # backslashreplace writes them as the \udcXX escapes ensure_ascii would, still valid JSON.
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")


def files_to_delete(names: Iterable[str], today: date, keep_days: int) -> list[str]:
    """Names of our daily files older than the last `keep_days` days (today included).

    Only names matching our exact pattern are ever returned: anything else an admin put in
    the folder is left alone.
    """
    oldest_kept = today - timedelta(days=max(1, keep_days) - 1)
    old = []
    for name in names:
        m = _NAME.match(name)
        if m is None:
            continue
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
        if day < oldest_kept:
            old.append(name)
    return sorted(old)


class ProofOfPlay:
    """Appends records to `<dir>/proof-of-play-YYYY-MM-DD.jsonl`; never raises OSError."""

    def __init__(
        self,
        directory: Path,
        keep_days: int,
        tz: tzinfo,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.keep_days = keep_days
        self.tz = tz
        self._clock = clock
        self._fd: int | None = None
        self._day: date | None = None
        self._failing = ""
        self._pruned_for: date | None = None
        self._backlog: deque[Record] = deque()
        self.dropped = 0  # lines lost because the backlog was full

    @classmethod
    def in_state_dir(
        cls,
        state_dir: Path,
        keep_days: int,
        tz: tzinfo,
        clock: Callable[[], float] = time.time,
    ) -> ProofOfPlay:
        return cls(state_dir / SUBDIR, keep_days, tz, clock)

    @property
    def problem(self) -> str:
        """Why the last record could not be written ("" when the last one was): for status."""
        if not self._failing:
            return ""
        if self.dropped:
            return _(
                "{problem}; {n} line(s) kept in memory until it can, {lost} lost (too many)",
                problem=self._failing,
                n=len(self._backlog),
                lost=self.dropped,
            )
        return _(
            "{problem}; {n} line(s) kept in memory until it can",
            problem=self._failing,
            n=len(self._backlog),
        )

    @property
    def waiting(self) -> int:
        """Lines not yet on disk."""
        return len(self._backlog)

    def path_for(self, day: date) -> Path:
        return self.directory / file_name(day)

    def record(self, record: Record) -> bool:
        """Appends one line (after any the disk refused before); False, logged once per
        distinct problem, if some could not be written: they are kept for the next time."""
        if len(self._backlog) >= BACKLOG_MAX:
            self._backlog.popleft()
            self.dropped += 1
        self._backlog.append(record)
        try:
            self._write_backlog()
        except OSError as e:
            self._close()  # reopen next time: the fd may point at a dead file system
            self._report(
                _(
                    "cannot write the proof-of-play log in {folder}: {why}",
                    folder=str(self.directory),
                    why=os_reason(e),
                )
            )
            return False
        if self._failing:
            log.info("proof-of-play log writable again: %s", self.directory)
            self._failing = ""
        self._prune()
        return True

    def _write_backlog(self) -> None:
        """Writes the waiting lines in order, a day's run of them in one write and fsync."""
        while self._backlog:
            day = day_of(self._backlog[0].start, self.tz)
            batch = []
            for waiting in self._backlog:
                if day_of(waiting.start, self.tz) != day:
                    break
                batch.append(waiting)
            fd = self._open(day)
            lines = [format_line(r, self.tz) for r in batch]
            data = b"".join(lines)
            written = os.write(fd, data)
            done = 0
            while done < len(lines) and written >= len(lines[done]):
                written -= len(lines[done])
                done += 1
            for _line in range(done):
                self._backlog.popleft()
            if done < len(lines):
                # Nearly full disk: a torn line. Reopening checks the tail before the next,
                # and the torn record stays waiting.
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            os.fsync(fd)

    def close(self) -> None:
        self._close()

    def _open(self, day: date) -> int:
        if self._fd is not None and self._day == day:
            return self._fd
        self._close()
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(day)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            if _ends_without_newline(path):
                # A power cut tore the last line: finish it so our first line stands alone.
                os.write(fd, b"\n")
        except OSError:
            os.close(fd)
            raise
        self._fd, self._day = fd, day
        return fd

    def _close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = self._day = None

    def _prune(self) -> None:
        """Deletes files past retention, once per local day (cheap enough per record)."""
        today = day_of(self._clock(), self.tz)
        if self._pruned_for == today:
            return
        self._pruned_for = today
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in files_to_delete(names, today, self.keep_days):
            try:
                (self.directory / name).unlink()
                log.info("proof-of-play: deleted %s (kept %d days)", name, self.keep_days)
            except FileNotFoundError:
                pass
            except OSError as e:
                log.warning("proof-of-play: cannot delete %s: %s", name, e.strerror or e)

    def _report(self, message: str) -> None:
        if message != self._failing:
            log.error(
                _("{problem}; playback goes on, will retry at the next item", problem=message)
            )
            self._failing = message


def _ends_without_newline(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() == 0:
                return False
            f.seek(-1, os.SEEK_END)
            return f.read(1) != b"\n"
    except OSError as e:
        if e.errno == errno.ENOENT:
            return False
        raise
