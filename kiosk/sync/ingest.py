"""Admits files from the sync folder into the rotation: watch, debounce, wait, probe.

Runs on the Qt thread; the filesystem walks of full scans and the probes run on a thread
pool and come back by signal. Costs are proportional to what changed: an event re-stats the
paths it names, and the quiet-period timer only re-stats files still settling.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from kiosk.core.library import Library
from kiosk.core.model import kind_of
from kiosk.core.msg import _, to_json
from kiosk.core.names import is_ignored_dir, is_ignored_name
from kiosk.core.natural import nfc
from kiosk.core.syncindex import Change, Stat, SyncIndex
from kiosk.media.formats import unplayable_reason
from kiosk.media.probe import ProbeInconclusive
from kiosk.sync.scan import Listing, inside, rel_of, stat_file, walk
from kiosk.sync.watcher import Watcher

log = logging.getLogger(__name__)

DEBOUNCE_MS = 150
SETTLE_TICK_MS = 250
ROOT_CHECK_MS = 2000


class _Relay(QObject):
    """Carries results from pool threads back to the Qt thread (queued signals)."""

    # Paths travel as `object`, not `str`: Qt's QString drops the lone surrogates that stand
    # for a file name's non-UTF-8 bytes, and the answer would no longer match its file.
    scanned = Signal(object, float)  # Listing, when the scan started
    probed = Signal(object, object, object)  # rel, Stat, reason (str | None)
    undecided = Signal(object, object, object)  # rel, Stat, why the probe could not decide


def _guarded(work: Callable[[], None]) -> Callable[[], None]:
    """A pool job that logs its exception: a worker must never take the process down.

    Handed to QThreadPool as a plain callable, not as a QRunnable subclass: PySide6 6.11
    keeps ~1 in 4 of those alive for good when run() ends before start() returns.
    """

    def job() -> None:
        try:
            work()
        except Exception:
            log.exception("sync worker failed")

    return job


class Ingest(QObject):
    changed = Signal()  # the playable set, the failures or the side files changed
    gone = Signal(object)  # abs path (str) of a playable file deleted or replaced: cut it
    side_changed = Signal(object)  # rel path (str) of a non-media file (playlist.yaml, ...)

    def __init__(
        self,
        root: Path,
        quiet_s: float = 2.0,
        rescan_s: float = 60.0,
        poll_mode: str = "auto",
        probe: Callable[[str], str | None] = lambda _path: None,
        clock: Callable[[], float] = time.time,
        watcher: Watcher | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.root = str(root)
        self._probe = probe
        self._clock = clock
        self.index = SyncIndex(self.root, quiet_s)
        self.watcher = watcher or Watcher(self.root, poll_mode, parent=self)
        self.watcher.poked.connect(self._on_poke)
        self._relay = _Relay(self)
        self._relay.scanned.connect(self._on_scanned)
        self._relay.probed.connect(self._on_probed)
        self._relay.undecided.connect(self._on_undecided)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one probe or scan at a time: CPU stays for playback
        self._debounce = self._timer(DEBOUNCE_MS, self._drain, single=True)
        self._settle = self._timer(SETTLE_TICK_MS, self._tick, single=True)
        self._rescan = self._timer(int(rescan_s * 1000), self.rescan)
        self._root_check = self._timer(ROOT_CHECK_MS, self._check_root)
        self._root_id: tuple[int, int] | None = None
        # Files that are not media (a HEIC photo, a document): rel -> why, for the status.
        self.unplayable: dict[str, str] = {}
        self._scanning = False
        self._stopped = True
        self.last_scan: float = 0.0
        self.scan_seconds: float = 0.0

    def _timer(self, ms: int, slot: Callable[[], None], single: bool = False) -> QTimer:
        t = QTimer(self)
        t.setInterval(ms)
        t.setSingleShot(single)
        t.timeout.connect(slot)
        return t

    # ----------------------------------------------------------------- public
    def start(self, wait_first_scan: bool = True) -> None:
        """Full scan (synchronously, so the first playlist is complete), then watch."""
        self._stopped = False
        self._root_id = self._root_identity()
        if wait_first_scan:
            started = self._clock()
            self._apply_listing(walk(self.root), started)
        else:
            self.rescan()
        if self._root_id is not None:
            self.watcher.start()
        self._rescan.start()
        self._root_check.start()

    def stop(self) -> None:
        self._stopped = True
        for t in (self._debounce, self._settle, self._rescan, self._root_check):
            t.stop()
        self.watcher.stop()
        self._pool.clear()
        self._pool.waitForDone(15_000)

    def library(self) -> Library:
        return self.index.library()

    def info(self) -> dict[str, Any]:
        lib = self.index.library()
        return {
            "dir": self.root,
            "watching": self.watcher.how,
            "watching_msg": to_json(self.watcher.how),
            "readable": self.index.readable,
            "last_scan": self.last_scan,
            "scan_seconds": round(self.scan_seconds, 3),
            "playable": len(lib.files),
            "arriving": sorted(lib.pending),
            "failed": [
                {
                    "file": t.rel,
                    "reason": t.reason,
                    "reason_msg": to_json(t.reason),
                    "when": t.failed_at,
                }
                for t in self.index.failures()
            ],
            "unplayable": [
                {"file": rel, "reason": why, "reason_msg": to_json(why)}
                for rel, why in sorted(self.unplayable.items())
            ],
        }

    def rescan(self) -> None:
        """A full scan on the pool; events may have been lost (network shares, overflow)."""
        if self._scanning or self._stopped:
            return
        self._scanning = True
        started = self._clock()
        root = self.root
        self._pool.start(_guarded(lambda: self._relay.scanned.emit(walk(root), started)))

    # --------------------------------------------------------------- internals
    def _emit(self, change: Change) -> None:
        for path in change.gone:
            self.gone.emit(path)
        for rel in change.failed:
            t = self.index.get(rel)
            log.warning(
                _(
                    "not playable, skipped: {file}: {reason}",
                    file=rel,
                    reason=t.reason if t else "?",
                )
            )
        for rel in change.added:
            log.info("new in the rotation: %s", rel)
        if change.any:
            self.changed.emit()
        self._schedule_settle()

    def _apply_listing(self, listing: Listing, started: float) -> None:
        if not listing.readable:
            if self.index.readable:
                log.error(
                    _(
                        "sync folder {folder} cannot be read; keeping what was playable",
                        folder=self.root,
                    )
                )
                self.index.readable = False
                self.changed.emit()
            return
        if not self.index.readable:
            log.info("sync folder %s is readable again", self.root)
        change = self.index.reconcile(listing.files, listing.escaped, self._clock())
        self.last_scan = self._clock()
        self.scan_seconds = self.last_scan - started
        self._set_unplayable("", listing.unplayable)
        self._emit(change)
        if not self.index.readable:
            self.changed.emit()

    def _on_scanned(self, listing: Listing, started: float) -> None:
        self._scanning = False
        if not self._stopped:
            self._apply_listing(listing, started)

    def _on_poke(self) -> None:
        if not self._debounce.isActive():
            self._debounce.start()

    def _drain(self) -> None:
        """Handle the paths events named: cost proportional to the change."""
        if self._stopped:
            return
        now = self._clock()
        change = Change()
        root_real = os.path.realpath(self.root)
        for path in sorted(self.watcher.take()):
            if not inside(os.path.abspath(path), os.path.abspath(self.root)):
                continue
            rel = rel_of(self.root, path)
            if rel == ".":
                continue  # the root itself: handled by the root check
            parts = rel.split("/")
            if any(is_ignored_dir(p) for p in parts[:-1]) or is_ignored_name(parts[-1]):
                continue
            if os.path.isdir(path):
                listing = walk(self.root, below=rel)
                for known in [t.rel for t in self._under(rel) if t.rel not in listing.files]:
                    change += self.index.vanish(known)
                for r, st in listing.files.items():
                    change += self.index.observe(r, st, now)
                self._set_unplayable(rel, listing.unplayable)
                continue
            if kind_of(parts[-1]) is None and (
                os.path.lexists(path) or self.index.get(rel) is None
            ):
                # A file that is not media is listed; a path gone may have been a folder.
                why = unplayable_reason(parts[-1]) if os.path.isfile(path) else None
                self._set_unplayable(rel, {nfc(rel): why} if why else {}, exact=bool(why))
                self.side_changed.emit(rel)
                continue
            found = stat_file(root_real, path)
            if isinstance(found, Stat):
                change += self.index.observe(rel, found, now)
            else:
                change += self.index.vanish(rel)  # gone (or a folder gone with its files)
                self._set_unplayable(rel, {})
        self._emit(change)

    def _set_unplayable(self, rel: str, found: dict[str, str], exact: bool = False) -> None:
        """Replace what is known below `rel` ("" for all; only `rel` itself when `exact`)."""
        key = nfc(rel).strip("/")
        prefix = key + "/"
        kept = {
            r: why
            for r, why in self.unplayable.items()
            if not (r == key or (not exact and (key in ("", ".") or r.startswith(prefix))))
        }
        kept.update(found)
        if kept != self.unplayable:
            added = sorted(set(kept) - set(self.unplayable))
            for r in added:
                log.warning(_("{file} will never be shown: {why}", file=r, why=kept[r]))
            self.unplayable = kept
            self.changed.emit()

    def _under(self, rel: str) -> list[Any]:
        prefix = rel.rstrip("/") + "/"
        return [
            t
            for t in (self.index.get(r) for r in list(self._rels()))
            if t is not None and t.rel.startswith(prefix)
        ]

    def _rels(self) -> list[str]:
        return (
            [t.rel for t in self.index.settling()]
            + [f.rel for f in self.index.library().files]
            + [t.rel for t in self.index.failures()]
        )

    def _schedule_settle(self) -> None:
        wait = self.index.next_due(self._clock())
        if wait is None or self._stopped:
            return
        # Files already due (a settled folder at start-up) are probed on the next turn of
        # the event loop: the first clip of the day must not wait a tick for nothing.
        self._settle.start(0 if wait <= 0 else max(50, min(SETTLE_TICK_MS, int(wait * 1000) + 10)))

    def _tick(self) -> None:
        """Re-stat files in their quiet period; probe the ones that stayed still."""
        now = self._clock()
        root_real = os.path.realpath(self.root)
        change = Change()
        for t in self.index.settling():
            st = stat_file(root_real, t.stat.path)
            if isinstance(st, Stat):
                change += self.index.observe(t.rel, st, now)
            else:
                change += self.index.vanish(t.rel)
        for t in self.index.due(now):
            self._start_probe(t.rel, t.stat)
        self._emit(change)

    def _start_probe(self, rel: str, stat: Stat) -> None:
        probe, relay = self._probe, self._relay

        def work() -> None:
            try:
                reason = probe(stat.path)
            except ProbeInconclusive as e:
                relay.undecided.emit(rel, stat, str(e))
                return
            except Exception as e:  # a probe bug must not leave the file stuck
                reason = _("could not be checked: {error}", error=str(e))
            relay.probed.emit(rel, stat, reason)

        self._pool.start(_guarded(work))

    def _on_probed(self, rel: str, stat: Stat, reason: str | None) -> None:
        if self._stopped:
            return
        # The file may have changed while it was probed: check it is still the same.
        current = stat_file(os.path.realpath(self.root), stat.path)
        if isinstance(current, Stat) and current.stamp != stat.stamp:
            self._emit(self.index.observe(rel, current, self._clock()))
            return
        self._emit(self.index.probed(rel, stat, reason, self._clock()))

    def _on_undecided(self, rel: str, stat: Stat, reason: str) -> None:
        if self._stopped:
            return
        log.info("%s: %s; checking again shortly", rel, reason)
        self._emit(self.index.undecided(rel, stat, reason, self._clock()))

    def _root_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.root)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def _check_root(self) -> None:
        """One stat every few seconds: notices a deleted, recreated or remounted folder."""
        now_id = self._root_identity()
        if now_id == self._root_id:
            return
        self._root_id = now_id
        if now_id is None:
            log.warning(_("sync folder {folder} has disappeared", folder=self.root))
            self.watcher.stop()
            self.watcher.how = _("waiting for the folder to come back")
            change = self.index.vanish("")
            self._set_unplayable("", {})
            self.index.readable = False
            self._emit(change)
            self.changed.emit()
            return
        log.info("sync folder %s is (back) in place: rescanning", self.root)
        self.watcher.start()
        self.rescan()
