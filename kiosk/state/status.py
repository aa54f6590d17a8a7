"""The status file `kiosk status` reads: written atomically every few seconds by `run`."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass
class StatusWriter:
    """Writes status.json; a full or read-only disk is reported once, never fatal."""

    state_dir: Path
    _failing: str = ""

    @property
    def path(self) -> Path:
        return self.state_dir / STATUS_FILE

    @property
    def problem(self) -> str:
        """Why the last write failed ("" when it worked)."""
        return self._failing

    def write(self, status: dict[str, Any]) -> bool:
        try:
            write_atomic(self.path, json.dumps(status, ensure_ascii=False, indent=1))
        except OSError as e:
            message = f"cannot write {self.path}: {e.strerror or e}"
            if message != self._failing:
                log.error("%s; playback goes on, status is not updated", message)
                self._failing = message
            return False
        if self._failing:
            log.info("status file writable again: %s", self.path)
            self._failing = ""
        return True


@dataclass(frozen=True)
class StatusReport:
    data: dict[str, Any]
    age_s: float
    alive: bool
    problem: str = ""


def read_status(state_dir: Path, now: float | None = None) -> StatusReport:
    """Reads status.json; `alive` is False if it is missing, stale, or says stopped."""
    path = state_dir / STATUS_FILE
    now = time.time() if now is None else now
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return StatusReport({}, 0.0, False, f"no status file at {path}: is the player running?")
    except (OSError, ValueError) as e:
        return StatusReport({}, 0.0, False, f"cannot read {path}: {e}")
    if not isinstance(data, dict):
        return StatusReport({}, 0.0, False, f"{path} is not a status file")
    age = now - float(data.get("updated_at", 0))
    heartbeat = float(data.get("heartbeat_s", HEARTBEAT_S))
    if data.get("state") == "stopped":
        return StatusReport(data, age, False, "the player has stopped")
    if age > heartbeat * DEAD_AFTER_HEARTBEATS:
        return StatusReport(
            data, age, False, f"no heartbeat for {age:.0f} s: the player looks dead or hung"
        )
    return StatusReport(data, age, True)
