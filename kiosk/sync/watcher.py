"""Watches the sync folder with watchdog: inotify where it works, polling where it cannot.

The observer thread only collects changed paths and pokes the Qt thread; it never touches
widgets, libVLC or the index. Network filesystems (SMB, NFS, FUSE...) never deliver inotify
events for changes made by other machines, so there the watcher polls by itself.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from kiosk.core.msg import _, os_reason

log = logging.getLogger(__name__)

NETWORK_FS = ("cifs", "smb3", "smbfs", "nfs", "nfs4", "9p", "afs", "ceph", "davfs", "fuse")
POLL_INTERVAL_S = 2.0


def fs_type(path: str, mounts_file: str = "/proc/mounts") -> str:
    """The filesystem type `path` lives on (longest matching mount point), or ""."""
    real = os.path.realpath(path)
    best, kind = "", ""
    try:
        with open(mounts_file, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mount = parts[1].replace("\\040", " ")
                hit = real == mount or real.startswith(mount.rstrip("/") + "/")
                if hit and len(mount) >= len(best):
                    best, kind = mount, parts[2]
    except OSError:
        return ""
    return kind


def needs_polling(kind: str) -> bool:
    return kind.startswith(NETWORK_FS) or kind.startswith("fuse.")


class _Handler(FileSystemEventHandler):
    def __init__(self, sink: Callable[[list[str]], None]) -> None:
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading a file changes nothing (and our own probes open files)
        paths = [os.fsdecode(event.src_path)]
        dest = getattr(event, "dest_path", "")
        if dest:
            paths.append(os.fsdecode(dest))  # a rename into a final name counts as creation
        self._sink(paths)


class Watcher(QObject):
    """Collects changed paths on the observer thread; `poked` tells the Qt thread to `take()`."""

    poked = Signal()

    def __init__(
        self,
        root: str,
        mode: str = "auto",
        poll_interval: float = POLL_INTERVAL_S,
        make_inotify: Callable[[], BaseObserver] = Observer,
        fs_type_of: Callable[[str], str] = fs_type,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.root = root
        self.mode = mode
        self.poll_interval = poll_interval
        self._make_inotify = make_inotify
        self._fs_type_of = fs_type_of
        self._observer: BaseObserver | None = None
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        self.how: str = _("not watching")

    @property
    def running(self) -> bool:
        return self._observer is not None

    def _queue(self, paths: list[str]) -> None:
        with self._lock:
            was_empty = not self._pending
            self._pending.update(paths)
        if was_empty:
            self.poked.emit()  # queued to the Qt thread; one poke per batch, not per event

    def take(self) -> set[str]:
        with self._lock:
            paths, self._pending = self._pending, set()
        return paths

    def start(self) -> str:
        """Start watching; returns how (for the log and the status), never raises."""
        self.stop()
        kind = self._fs_type_of(self.root)
        reason = ""
        if self.mode == "always":
            reason = _("sync.poll is 'always'")
        elif self.mode == "auto" and needs_polling(kind):
            reason = _(
                "{kind} is a network filesystem: inotify cannot see remote changes", kind=kind
            )
        if not reason:
            try:
                observer = self._make_inotify()
                observer.schedule(_Handler(self._queue), self.root, recursive=True)
                observer.start()
            except OSError as e:
                with_limit = e.errno in (errno.ENOSPC, errno.EMFILE)
                cause = (
                    _("the inotify watch limit is reached (fs.inotify.max_user_watches)")
                    if with_limit
                    else _("inotify failed: {why}", why=os_reason(e))
                )
                if self.mode == "never":
                    log.error(
                        _(
                            "cannot watch {folder}: {why}; relying on rescans",
                            folder=self.root,
                            why=cause,
                        )
                    )
                    self.how = _("rescans only ({why})", why=cause)
                    return self.how
                reason = cause
            else:
                self._observer = observer
                self.how = "inotify"
                log.info("watching %s with inotify", self.root)
                return self.how
        try:
            polling = PollingObserver(timeout=self.poll_interval)
            polling.schedule(_Handler(self._queue), self.root, recursive=True)
            polling.start()
        except OSError as e:
            log.error(
                _(
                    "cannot watch {folder}: {why}; relying on rescans",
                    folder=self.root,
                    why=str(e),
                )
            )
            self.how = _("rescans only")
            return self.how
        self._observer = polling
        self.how = _("polling every {seconds:g} s ({why})", seconds=self.poll_interval, why=reason)
        log.info("watching %s by polling: %s", self.root, reason)
        return self.how

    def stop(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join(timeout=10)
