"""The status file `kiosk status` reads: written atomically every few seconds by `run`.

Whether the player is alive is not judged from the file's age alone: right after a power cut
or a `kill -9`, the last status is fresh and still says "running". So the writer records who
wrote it (pid, the process's start time, the machine's boot id), and a reader on the same
machine checks that this very process still runs. A status read from another machine (a hub
receiving the state folder) can only be judged by its age.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import os
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.ages import ago
from kiosk.core.msg import Msg, _, os_reason, to_json
from kiosk.state.logsetup import log_file_problem

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"
HEARTBEAT_S = 2.0
# Status older than this many heartbeats means the player is dead or hung.
DEAD_AFTER_HEARTBEATS = 5


def write_atomic(path: Path, text: str) -> None:
    """Temp file + fsync + rename: a reader (or a power cut) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # backslashreplace: a file name that is not UTF-8 on disk holds lone surrogates; in
        # JSON text they come out as the \udcXX escapes a reader decodes back.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def boot_id(proc: Path = Path("/proc")) -> str:
    """This boot of this machine ("" where the kernel does not say): pids mean nothing across."""
    try:
        return (proc / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def start_ticks(pid: int, proc: Path = Path("/proc")) -> int | None:
    """When process `pid` started, in clock ticks since boot; None if it is not running.

    With the pid, it names one process: a pid reused by another program has another start.
    """
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    try:
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] in ("Z", "X"):
            return None  # a zombie: dead, not yet reaped by its parent
        return int(fields[19])  # field 22 of /proc/PID/stat, counted after "(comm)"
    except (IndexError, ValueError):
        return None


def writer_process(proc: Path = Path("/proc")) -> dict[str, Any]:
    """Who writes the status: what a reader needs to tell a live player from a dead one."""
    pid = os.getpid()
    return {
        "pid": pid,
        "start_ticks": start_ticks(pid, proc),
        "boot_id": boot_id(proc),
        "host": socket.gethostname(),
    }


LOW_BYTES = 64 * 1024  # below this, the status says the state folder's disk is full


def free_bytes(folder: Path) -> int | None:
    """Bytes an unprivileged writer may still use there (None if it cannot be told)."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


# Temp files of atomic writes (status, screenshot) that a cut between write and rename left.
_TEMP_PREFIXES = (f".{STATUS_FILE}.", ".screenshot.jpg.")
TEMP_STALE_S = 2.0  # older than any write in flight
SWEEP_EVERY = 300  # writes between two looks for them (10 min at one write per 2 s)


def sweep_temp_files(state_dir: Path, now: float | None = None) -> list[str]:
    """Deletes what atomic writes of an earlier run left behind; returns their names."""
    now = time.time() if now is None else now
    gone: list[str] = []
    try:
        entries = list(os.scandir(state_dir))
    except OSError:
        return gone
    for entry in entries:
        if not (entry.name.startswith(_TEMP_PREFIXES) and entry.name.endswith(".tmp")):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime >= TEMP_STALE_S:
                os.unlink(entry.path)
                gone.append(entry.name)
        except OSError:
            continue
    if gone:
        log.info("removed %d temporary file(s) left by an interrupted write", len(gone))
    return gone


def write_in_place(path: Path, status: dict[str, Any]) -> None:
    """Rewrites an existing status file inside the space it already holds: on a full disk
    this needs no new block, where an atomic replace needs room for a second copy.

    The text is padded with spaces (valid JSON) to the file's allocated size so that no old
    tail is left, after dropping the long lists, then all but what `kiosk status` needs most,
    if it would not fit. A reader may meet the file mid-write: `kiosk status` then says it
    cannot read it, and reads it again next time.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        room = max(st.st_size, st.st_blocks * 512)
        for data in _slimmer(status):
            if len(data) <= room:
                break
        else:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.pwrite(fd, data + b" " * (room - len(data)), 0)
        os.fsync(fd)
    finally:
        os.close(fd)


# Dropped first when the status must fit the blocks it has (each with its `_msg` twin)
_LONG_FIELDS = ("playlist", "recent_errors", "failed", "sync", "display", "hours")
# ... and then all but these: alive or not, what is on screen, what cannot be written
_ESSENTIAL = (
    *("version", "pid", "office", "state", "started_at", "updated_at", "heartbeat_s"),
    *("now", "counters", "process", "cannot_write", "cannot_write_msg"),
)


def _slimmer(status: dict[str, Any]) -> Iterator[bytes]:
    """The status as written, then ever smaller versions of it (compact JSON)."""
    yield _encode(status)
    long = {*_LONG_FIELDS, *(f"{k}_msg" for k in _LONG_FIELDS)}
    yield _encode({k: v for k, v in status.items() if k not in long}, compact=True)
    essential = {k: v for k, v in status.items() if k in _ESSENTIAL}
    yield _encode(essential, compact=True)
    essential.pop("cannot_write_msg", None)  # its English text alone
    yield _encode(essential, compact=True)


def _encode(status: dict[str, Any], compact: bool = False) -> bytes:
    text = json.dumps(
        status,
        ensure_ascii=False,
        indent=None if compact else 1,
        separators=(",", ":") if compact else None,
    )
    return text.encode("utf-8", "backslashreplace")


@dataclass
class StatusWriter:
    """Writes status.json; a full or read-only disk is reported once, never fatal.

    On a full disk (ENOSPC) the file is rewritten in place (`write_in_place`), so that the
    status still says what cannot be written; the next write is atomic again.
    """

    state_dir: Path
    _failing: str = ""
    _process: dict[str, Any] = field(default_factory=writer_process)
    _writes: int = 0

    @property
    def path(self) -> Path:
        return self.state_dir / STATUS_FILE

    @property
    def problem(self) -> str:
        """Why the last write failed ("" when it worked)."""
        return self._failing

    def write(self, status: dict[str, Any]) -> bool:
        """Writes `status`, adding who writes it and what else cannot be written (the log
        file, a full disk)."""
        status.setdefault("process", self._process)
        if self._writes % SWEEP_EVERY == 0:
            sweep_temp_files(self.state_dir)  # a power cut's leftovers must not pile up
        self._writes += 1
        add_cannot_write(status, self._notes())
        try:
            try:
                write_atomic(self.path, json.dumps(status, ensure_ascii=False, indent=1))
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                problem = _(
                    "cannot replace {path}: {why}; rewritten in place",
                    path=str(self.path),
                    why=os_reason(e),
                )
                add_cannot_write(status, [problem])
                write_in_place(self.path, status)
                if problem != self._failing:
                    log.error(_("{problem} until the disk has room again", problem=problem))
                self._failing = problem
                return True
        except OSError as e:
            message = _("cannot write {path}: {why}", path=str(self.path), why=os_reason(e))
            if message != self._failing:
                log.error(_("{problem}; playback goes on, status is not updated", problem=message))
                self._failing = message
            return False
        if self._failing:
            log.info("status file writable again: %s", self.path)
            self._failing = ""
        return True

    def _notes(self) -> list[str]:
        notes = []
        problem = log_file_problem()
        if problem:
            notes.append(problem)
        free = free_bytes(self.state_dir)
        if free is not None and free < LOW_BYTES:
            notes.append(
                _(
                    "{folder}: the disk is full ({kb} kB free); free some space there: "
                    "writing resumes by itself",
                    folder=str(self.state_dir),
                    kb=free // 1024,
                )
            )
        return notes


def add_cannot_write(status: dict[str, Any], notes: list[str]) -> None:
    """Adds what cannot be written to the status, once each: as English text under
    `cannot_write` and as messages under `cannot_write_msg` (kiosk.i18n.texts)."""
    plain = status.get("cannot_write")
    if not isinstance(plain, list):
        plain = status["cannot_write"] = []
    stored = status.get("cannot_write_msg")
    if not isinstance(stored, list) or len(stored) != len(plain):
        stored = status["cannot_write_msg"] = [to_json(x) for x in plain]
    for note in notes:
        if str(note) not in plain:
            plain.append(str(note))
            stored.append(to_json(note))


@dataclass(frozen=True)
class StatusReport:
    data: dict[str, Any]
    age_s: float
    alive: bool
    problem: str = ""


def process_gone(data: dict[str, Any], proc: Path = Path("/proc")) -> str | None:
    """Why the process that wrote `data` is certainly not running, or None if it is (or if
    this machine cannot tell: another machine's status, or one written before the check)."""
    writer = data.get("process")
    if not isinstance(writer, dict) or not isinstance(writer.get("pid"), int):
        return None
    pid = writer["pid"]
    mine = boot_id(proc)
    if not mine or writer.get("boot_id") != mine:
        if writer.get("host") == socket.gethostname() and writer.get("boot_id") and mine:
            return _("the machine restarted since the player (pid {pid}) wrote its status", pid=pid)
        return None  # written elsewhere: only its age can tell
    started = start_ticks(pid, proc)
    if started is None:
        return _(
            "its process (pid {pid}) is gone: killed, crashed or cut off by a power cut", pid=pid
        )
    if writer.get("start_ticks") is not None and started != writer["start_ticks"]:
        return _("its process (pid {pid}) is gone; that pid is now another program", pid=pid)
    return None


def _age_problem(age: float, data: dict[str, Any], state_dir: Path) -> Msg:
    text = _("no heartbeat for {age}: the player looks dead or hung", age=ago(age))
    writer = data.get("process")
    if isinstance(writer, dict):
        text = _(
            "{problem}; its process (pid {pid}) is still there", problem=text, pid=writer.get("pid")
        )
    free = free_bytes(state_dir)
    if free is not None and free < LOW_BYTES:
        text = _(
            "{problem}; the state folder's disk is full ({kb} kB free): status not written",
            problem=text,
            kb=free // 1024,
        )
    return text


def read_status(
    state_dir: Path, now: float | None = None, proc: Path = Path("/proc")
) -> StatusReport:
    """Reads status.json; `alive` is False if it is missing, stale, says stopped, or if the
    process that wrote it is gone (checked by pid and start time on the machine that wrote it)."""
    path = state_dir / STATUS_FILE
    now = time.time() if now is None else now
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return StatusReport(
            {}, 0.0, False, _("no status file at {path}: is the player running?", path=str(path))
        )
    except (OSError, ValueError) as e:
        return StatusReport(
            {}, 0.0, False, _("cannot read {path}: {error}", path=str(path), error=str(e))
        )
    if not isinstance(data, dict):
        return StatusReport({}, 0.0, False, _("{path} is not a status file", path=str(path)))
    try:
        age = now - float(data.get("updated_at", 0))
        heartbeat = float(data.get("heartbeat_s", HEARTBEAT_S))
    except (TypeError, ValueError):
        age = heartbeat = math.nan
    if not (math.isfinite(age) and math.isfinite(heartbeat)):
        return StatusReport(
            {}, 0.0, False, _("{path} is not a status file (no valid times)", path=str(path))
        )
    if data.get("state") == "stopped":
        return StatusReport(data, age, False, _("the player has stopped"))
    gone = process_gone(data, proc)
    if gone is not None:
        return StatusReport(data, age, False, gone)
    if age > heartbeat * DEAD_AFTER_HEARTBEATS:
        return StatusReport(data, age, False, _age_problem(age, data, state_dir))
    return StatusReport(data, age, True)
