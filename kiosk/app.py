"""Composition root of `kiosk run`: build the parts, wire their signals, run the Qt loop."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from kiosk import __version__
from kiosk.content import FOLDER_PLAYLIST, ContentSource
from kiosk.controller import Controller
from kiosk.health import HEARTBEAT_S, StatusWriter
from kiosk.probe import probe
from kiosk.screensaver import ScreenSaverInhibitor
from kiosk.sync.ingest import Ingest
from kiosk.ui.images import load_image
from kiosk.ui.stage import IdleContent
from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

SCREENSHOTS_KEPT = 40


@dataclass(frozen=True)
class RunSettings:
    """Everything `run` needs, already validated (config file + flags)."""

    office_name: str
    office_logo: Path | None
    sync_dir: Path
    sync_poll: str
    sync_quiet_seconds: float
    sync_rescan_seconds: float
    playlist: Path | None
    slide_duration: float
    screen: int
    windowed: bool
    volume: int
    mute: bool
    state_dir: Path
    exit_key: str
    screenshot_dir: Path | None = None
    screenshot_every: float = 0.0
    problems: tuple[str, ...] = ()  # non-fatal start-up problems, shown in the status


class SignalBridge(QObject):
    """SIGTERM/SIGINT wake the Qt loop through a socket, so `systemctl stop` exits cleanly."""

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.received: int | None = None
        self._app = app
        self._rsock, self._wsock = socket.socketpair()
        self._rsock.setblocking(False)
        self._wsock.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._wsock.fileno())
        self._notifier = QSocketNotifier(self._rsock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.received = signum

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            self._rsock.recv(64)
        if self.received is not None:
            log.info("%s received: stopping", signal.Signals(self.received).name)
            # exit(), not quit(): Qt 6's quit() asks the windows first, and ours refuses.
            self._app.exit(0)

    def close(self) -> None:
        signal.set_wakeup_fd(self._old_fd)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        self._notifier.setEnabled(False)
        self._rsock.close()
        self._wsock.close()


class Screenshots:
    """Saves what the screen shows every few seconds (for a newcomer on a virtual screen)."""

    def __init__(self, window: KioskWindow, folder: Path, every_s: float) -> None:
        self._window = window
        self._folder = folder
        self._count = 0
        self._timer = QTimer()
        self._timer.setInterval(int(every_s * 1000))
        self._timer.timeout.connect(self.take)
        self._failing = False

    def start(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        log.info(
            "saving a screenshot every %.0f s into %s", self._timer.interval() / 1000, self._folder
        )
        self._timer.start()

    def grab(self) -> QImage:
        screen = self._window.screen()
        if QGuiApplication.platformName() == "xcb" and screen is not None:
            return screen.grabWindow(0).toImage()  # what the X screen really shows
        return self._window.grab().toImage()

    def take(self) -> None:
        self._count += 1
        name = self._folder / f"screen-{self._count:05d}.png"
        ok = self.grab().save(str(name))
        if not ok and not self._failing:
            log.error("cannot save screenshots into %s", self._folder)
        self._failing = not ok
        old = self._folder / f"screen-{self._count - SCREENSHOTS_KEPT:05d}.png"
        if self._count > SCREENSHOTS_KEPT:
            old.unlink(missing_ok=True)

    def stop(self) -> None:
        self._timer.stop()


def build_status(
    settings: RunSettings, controller: Controller, ingest: Ingest, started_at: float, state: str
) -> dict[str, Any]:
    now = controller.now
    item = now.item
    upcoming = controller.upcoming()
    sync = ingest.info()
    return {
        "version": __version__,
        "pid": os.getpid(),
        "office": settings.office_name,
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
            "count": len(controller.playlist.items),
            "items": [i.rel for i in controller.playlist.items],
        },
        "failed": [
            {"file": f.rel, "reason": f.reason, "when": f.when, "count": f.count}
            for f in controller.failures.values()
        ]
        + [{**f, "count": 1} for f in sync["failed"]],
        "sync": {k: v for k, v in sync.items() if k != "failed"},
        "problems": [*settings.problems, *(str(p) for p in controller.playlist.problems)],
        "counters": {
            "played": controller.counters.played,
            "failed": controller.counters.failed,
            "loops": controller.counters.loops,
        },
    }


def run(settings: RunSettings) -> int:
    """Runs until the admin exit key, SIGTERM or SIGINT. Returns the process exit code."""
    from kiosk.playback.vlc import VlcBackend, VlcPlayer

    QApplication.setApplicationName("kiosk")
    QApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(["kiosk"])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    bridge = SignalBridge(app)
    started_at = time.time()

    logo = None
    if settings.office_logo is not None:
        loaded = load_image(str(settings.office_logo))
        if isinstance(loaded, str):
            log.warning("office logo %s: %s", settings.office_logo, loaded)
        else:
            logo = loaded
    window = KioskWindow(
        IdleContent(settings.office_name, logo), settings.exit_key, settings.windowed
    )
    window.exit_requested.connect(lambda: app.exit(0))
    backend = VlcBackend()
    player = VlcPlayer(backend)
    player.set_volume(settings.volume, settings.mute)
    ingest = Ingest(
        settings.sync_dir,
        quiet_s=settings.sync_quiet_seconds,
        rescan_s=settings.sync_rescan_seconds,
        poll_mode=settings.sync_poll,
        probe=probe,
    )
    source = ContentSource(
        settings.sync_dir, settings.playlist, settings.slide_duration, ingest.library
    )
    controller = Controller(player, window.stage, source, load_image)
    ingest.changed.connect(controller.invalidate)
    ingest.gone.connect(controller.file_gone)
    ingest.side_changed.connect(
        lambda rel: controller.invalidate() if rel == FOLDER_PLAYLIST else None
    )

    status = StatusWriter(settings.state_dir)
    heartbeat = QTimer()
    heartbeat.setInterval(int(HEARTBEAT_S * 1000))
    heartbeat.timeout.connect(
        lambda: status.write(build_status(settings, controller, ingest, started_at, "running"))
    )
    screensaver = ScreenSaverInhibitor()
    shots = None
    if settings.screenshot_dir is not None and settings.screenshot_every > 0:
        shots = Screenshots(window, settings.screenshot_dir, settings.screenshot_every)

    log.info(
        "kiosk %s starting: sync folder %s, playlist %s, state %s",
        __version__,
        settings.sync_dir,
        settings.playlist or "whole sync folder",
        settings.state_dir,
    )
    window.place(settings.screen)
    screensaver.inhibit()
    ingest.start()
    controller.start()
    status.write(build_status(settings, controller, ingest, started_at, "running"))
    heartbeat.start()
    if shots is not None:
        shots.start()
    try:
        app.exec()
    finally:
        heartbeat.stop()
        if shots is not None:
            shots.stop()
        controller.stop()
        ingest.stop()
        status.write(build_status(settings, controller, ingest, started_at, "stopped"))
        player.close()
        backend.close()
        screensaver.restore()
        window.allow_close()
        window.close()
        bridge.close()
        log.info("kiosk stopped")
    return 0
