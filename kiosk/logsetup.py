"""Logs: one line per event on stderr (journald adds the time) and a capped file."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

FILE_BYTES = 1_000_000
FILE_BACKUPS = 3


def setup_logging(level: str, state_dir: Path | None) -> str | None:
    """Configure the root logger; returns a problem text if the log file cannot be opened."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    # libVLC warns about routine things on every clip ("Failed to create video converter"):
    # only its errors reach the log unless the admin asks for DEBUG.
    logging.getLogger("kiosk.playback.vlc.libvlc").setLevel(
        logging.DEBUG if level == "DEBUG" else logging.ERROR
    )
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter("kiosk %(levelname)s %(name)s: %(message)s"))
    root.addHandler(stderr)
    if state_dir is None:
        return None
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        to_file = logging.handlers.RotatingFileHandler(
            state_dir / "kiosk.log",
            maxBytes=FILE_BYTES,
            backupCount=FILE_BACKUPS,
            encoding="utf-8",
        )
    except OSError as e:
        message = f"cannot write the log file in {state_dir}: {e.strerror or e}"
        logging.getLogger(__name__).error("%s; logging to stderr only", message)
        return message
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(to_file)
    return None
