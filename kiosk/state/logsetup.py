"""Logs: one line per event on stderr (journald adds the time) and a capped file.

Repeated identical warnings and errors are rate-limited (kiosk.state.logfilter), and the file is
capped at FILE_BYTES x (1 + FILE_BACKUPS), so months of a recurring fault cannot fill the
disk or push the useful lines out of the journal.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from kiosk.core.msg import _, os_reason
from kiosk.state.logfilter import RateLimitFilter

FILE_BYTES = 1_000_000
FILE_BACKUPS = 3
REPEAT_INTERVAL_S = 60.0  # an identical warning/error passes at most once a minute


class OneLineFormatter(logging.Formatter):
    """One event, one line: a file name holding a newline (any name a sync tool may bring)
    must not split a line, nor pass for a line of its own in the journal. A traceback
    still follows on its own lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = record.message.replace("\r", "\\r").replace("\n", "\\n")
        return super().formatMessage(record)


class CappedFileHandler(logging.handlers.RotatingFileHandler):
    """The size-capped log file; a full or read-only disk is reported once on stderr.

    The stock handler prints a traceback to stderr for every record it cannot write, which
    on a full disk would flood the journal with exactly the noise the cap is there to avoid.
    """

    failing = False  # the disk refused the last record; said once on stderr
    problem: str = ""  # why (a Msg), for the status file ("" while it works)
    _error_now = False

    def emit(self, record: logging.LogRecord) -> None:
        self._error_now = False
        super().emit(record)
        if self.failing and not self._error_now:
            self.failing, self.problem = False, ""
            sys.stderr.write(f"kiosk: writing the log file {self.baseFilename} works again\n")

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)  # a bad format string: Python's own report
            return
        self._error_now = True
        if self.failing:
            return
        self.failing = True
        self.problem = _(
            "cannot write the log file {path}: {why}; logging to stderr only until it works again",
            path=self.baseFilename,
            why=os_reason(error),
        )
        sys.stderr.write(f"kiosk: {self.problem}\n")


def log_file_problem() -> str:
    """Why the log file is not being written ("" when it is, or when there is none)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, CappedFileHandler) and handler.failing:
            return handler.problem
    return ""


def setup_logging(level: str, state_dir: Path | None) -> str | None:
    """Configure the root logger; returns a problem text if the log file cannot be opened."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    # libVLC warns about routine things on every clip ("Failed to create video converter"):
    # only its errors reach the log unless the admin asks for DEBUG.
    logging.getLogger("kiosk.playback.libvlc").setLevel(
        logging.DEBUG if level == "DEBUG" else logging.ERROR
    )
    flood = RateLimitFilter(REPEAT_INTERVAL_S)  # one instance: counts once for both handlers
    stderr = logging.StreamHandler(sys.stderr)
    stderr.addFilter(flood)
    stderr.setFormatter(OneLineFormatter("kiosk %(levelname)s %(name)s: %(message)s"))
    root.addHandler(stderr)
    if state_dir is None:
        return None
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        to_file = CappedFileHandler(
            state_dir / "kiosk.log",
            maxBytes=FILE_BYTES,
            backupCount=FILE_BACKUPS,
            encoding="utf-8",
            errors="backslashreplace",  # a file name that is not UTF-8 must not stop a line
        )
    except OSError as e:
        message = _(
            "cannot write the log file in {folder}: {why}",
            folder=str(state_dir),
            why=os_reason(e),
        )
        logging.getLogger(__name__).error(_("{problem}; logging to stderr only", problem=message))
        return message
    to_file.addFilter(flood)
    to_file.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(to_file)
    return None
