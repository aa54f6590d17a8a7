"""Heartbeat of the running player: status file, systemd keep-alive, screenshot, proof of play.

What is written is gathered here on the Qt thread; the writing (and its fsync) happens on
a DiskWriter thread, so a slow disk never freezes the picture.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from kiosk import __version__
from kiosk.config import Config
from kiosk.controller import Controller, Shown, State
from kiosk.core.hoursjson import hours_to_json
from kiosk.core.msg import N_, Msg, _, to_json
from kiosk.state.diskwriter import DiskWriter
from kiosk.state.proofofplay import ProofOfPlay, Record
from kiosk.state.screenshot import grab_screen, save_screenshot
from kiosk.state.status import HEARTBEAT_S, StatusWriter
from kiosk.sync.ingest import Ingest
from kiosk.system.sdnotify import Notifier

log = logging.getLogger(__name__)

SCREENSHOT_RETRY_MS = 5000


@dataclass(frozen=True)
class RunSettings:
    """What `run` needs: the validated config, plus what only the command line gives."""

    cfg: Config
    sync_dir: Path  # the configured one, or the bundled demo
    screenshot_dir: Path | None = None
    screenshot_every: float = 0.0
    problems: tuple[str, ...] = ()  # non-fatal start-up problems (Msg), shown in the status


def build_status(
    settings: RunSettings,
    controller: Controller,
    ingest: Ingest,
    started_at: float,
    state: str,
    display: dict[str, Any] | None = None,
) -> dict[str, Any]:
    now = controller.now
    item = now.item
    upcoming = controller.upcoming()
    sync = ingest.info()
    data: dict[str, Any] = {
        "version": __version__,
        "pid": os.getpid(),
        "office": settings.cfg.office_name,
        # For whoever reads this from afar (a province's hub): "closed" is judged with them.
        "hours": hours_to_json(settings.cfg.hours),
        "state": state,
        "started_at": started_at,
        "updated_at": time.time(),
        "heartbeat_s": HEARTBEAT_S,
        "sync_dir": str(settings.sync_dir),
        "now": {
            "state": now.state.value,
            "file": item.rel if item else None,
            "title": item.title if item else None,
            "kind": item.kind.value if item else None,
            "since": now.since,
        },
        "next": upcoming.rel if upcoming else None,
        "playlist": {
            "source": controller.playlist.source,
            "source_msg": to_json(controller.playlist.source),
            "count": len(controller.playlist.items),
            "items": [i.rel for i in controller.playlist.items],
        },
        "failed": [
            {
                "file": f.rel,
                "reason": f.reason,
                "reason_msg": to_json(f.reason),
                "when": f.when,
                "count": f.count,
            }
            for f in controller.failures.values()
        ]
        + [{**f, "count": 1} for f in sync["failed"]],
        # Clips that played but not whole: ended well before their length, or stuttered
        "not_whole": [
            {
                "file": f.rel,
                "reason": f.reason,
                "reason_msg": to_json(f.reason),
                "when": f.when,
                "count": f.count,
            }
            for f in controller.not_whole.values()
        ],
        "sync": {k: v for k, v in sync.items() if k != "failed"},
        **_texts(
            "problems",
            [
                *settings.problems,
                *(p.as_msg() for p in controller.playlist.problems),
                *(display or {}).get("problems", []),
            ],
        ),
        "counters": {
            "played": controller.counters.played,
            "failed": controller.counters.failed,
            "loops": controller.counters.loops,
        },
    }
    if display is not None:  # once the screen's switches are settled (they run off the Qt thread)
        data["display"] = display
    return data


def _texts(key: str, values: Sequence[str]) -> dict[str, list[Any]]:
    """A list of texts for status.json: in English under `key` (scripts, older readers), and
    as messages under `key_msg`, which `kiosk status` renders in its reader's language."""
    return {key: [str(v) for v in values], f"{key}_msg": [to_json(v) for v in values]}


class RecentErrors(logging.Handler):
    """The last warnings and errors, for the status file: what went wrong lately, at a glance.

    A message logged as a Msg is kept as one (with its id and arguments), so `kiosk status`
    shows it in its reader's language; other lines (libraries' own) stay as they were logged.
    """

    def __init__(self, keep: int = 20) -> None:
        super().__init__(logging.WARNING)
        self.lines: deque[str] = deque(maxlen=keep)

    def emit(self, record: logging.LogRecord) -> None:
        when = datetime.fromtimestamp(record.created)
        said = record.msg if isinstance(record.msg, Msg) and not record.args else None
        text = said if said is not None else record.getMessage()
        level = _level(record.levelname)
        self.lines.append(
            _("{when:%Y-%m-%d %H:%M:%S} {level} {message}", when=when, level=level, message=text)
        )


def _level(name: str) -> object:
    return Msg(_LEVELS[name]) if name in _LEVELS else name


_LEVELS = {"WARNING": N_("WARNING"), "ERROR": N_("ERROR"), "CRITICAL": N_("CRITICAL")}


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r: using UTC for the proof-of-play log", name)
        return UTC


class Health(QObject):
    _shot_failed = Signal()  # DiskWriter thread -> Qt thread: retry the screenshot later

    def __init__(
        self,
        settings: RunSettings,
        controller: Controller,
        ingest: Ingest,
        window: QWidget,
        notifier: Notifier,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.controller = controller
        self.ingest = ingest
        self.window = window
        self.notifier = notifier
        self.started_at = time.time()
        self.display: Callable[[], dict[str, Any] | None] | None = None  # the screen's block
        self.video_note: Callable[[], str] = lambda: ""  # what the screen's size costs video
        self.status = StatusWriter(settings.cfg.state_dir)
        self.errors = RecentErrors()
        self.proof = ProofOfPlay.in_state_dir(
            settings.cfg.state_dir,
            settings.cfg.proof_of_play_keep_days,
            _zone(settings.cfg.office_timezone),
        )
        self.disk = DiskWriter()
        self.screenshot_at = 0.0
        self._screenshot_problem = ""
        self._ready_sent = False
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(int(HEARTBEAT_S * 1000))
        self._heartbeat.timeout.connect(self.beat)
        self._shots = QTimer(self)
        self._shots.setInterval(int(settings.cfg.screenshot_every_seconds * 1000))
        self._shots.timeout.connect(self.screenshot)
        self._shot_retry = QTimer(self)
        self._shot_retry.setSingleShot(True)
        self._shot_retry.setInterval(SCREENSHOT_RETRY_MS)
        self._shot_retry.timeout.connect(self.screenshot)
        self._shot_failed.connect(self._shot_retry.start)  # queued: emitted off the Qt thread
        controller.item_ended.connect(self.record)
        controller.changed.connect(self._on_change)

    def start(self) -> None:
        logging.getLogger().addHandler(self.errors)
        self.beat()
        self._heartbeat.start()
        if self.settings.cfg.screenshot_every_seconds > 0:
            self._shot_retry.start(3000)  # a first look soon after start
            self._shots.start()

    def stop(self) -> None:
        self._heartbeat.stop()
        self._shots.stop()
        self._shot_retry.stop()
        self.notifier.stopping()
        self.write("stopped")
        self.disk.submit(self.proof.close)
        self.disk.close()
        logging.getLogger().removeHandler(self.errors)

    def beat(self) -> None:
        # On the Qt thread: if the main loop hangs, the keep-alives stop and systemd restarts us.
        self.notifier.watchdog()
        self.write("running")

    def write(self, state: str) -> None:
        display = self.display() if self.display is not None else None
        data = build_status(
            self.settings, self.controller, self.ingest, self.started_at, state, display
        )
        data.update(_texts("recent_errors", list(self.errors.lines)))
        data["screenshot_at"] = self.screenshot_at or None
        note = self.video_note()
        data["video_note"] = str(note) or None
        data["video_note_msg"] = to_json(note) if note else None
        data["counters"]["restarts"] = self.controller.counters.restarts
        data["counters"]["stalls"] = self.controller.counters.stalls
        cannot = [x for x in (self.proof.problem, self._screenshot_problem) if x]
        if self.status.problem:
            cannot.append(self.status.problem)
        data.update(_texts("cannot_write", cannot))
        self.disk.submit(lambda: self.status.write(data), key="status")

    def record(self, shown: Shown) -> None:
        record = Record(
            shown.start,
            shown.end,
            shown.item.rel,
            shown.item.kind.value,
            shown.outcome,
            shown.reason,
        )
        self.disk.submit(lambda: self.proof.record(record))

    def screenshot(self) -> None:
        image = grab_screen(self.window)  # the grab needs the Qt thread; the JPEG does not
        self.disk.submit(lambda: self._save_screenshot(image), key="screenshot")

    def _save_screenshot(self, image: QImage) -> None:
        """On the DiskWriter thread."""
        result = save_screenshot(image, self.settings.cfg.state_dir)
        if isinstance(result, str):
            if result != self._screenshot_problem:
                log.error("screenshot: %s", result)
            self._screenshot_problem = result
            self._shot_failed.emit()  # one pending retry at most: disks get fixed
            return
        self._screenshot_problem = ""
        self.screenshot_at = time.time()

    def _on_change(self) -> None:
        now = self.controller.now
        shown = (State.VIDEO, State.SLIDE, State.IDLE, State.CLOSED)
        if not self._ready_sent and now.state in shown:
            self._ready_sent = True
            self.notifier.ready()  # first picture on screen: systemd may consider us started
        if now.item is not None:
            self.notifier.status(f"showing {now.item.rel}")
