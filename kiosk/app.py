"""Composition root of `kiosk run`: build the parts, wire their signals, run the Qt loop."""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import signal
import socket
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from kiosk import __version__
from kiosk.config import Config
from kiosk.controller import Controller, Shown, State
from kiosk.media.images import load_image
from kiosk.media.probe import probe
from kiosk.state.diskwriter import DiskWriter
from kiosk.state.proofofplay import ProofOfPlay, Record
from kiosk.state.screenshot import save_screenshot
from kiosk.state.status import HEARTBEAT_S, StatusWriter
from kiosk.sync.ingest import Ingest
from kiosk.sync.playlist_source import FOLDER_PLAYLIST, ContentSource
from kiosk.system.display import ScreenSaverInhibitor, display_off, display_on
from kiosk.system.malloc import pin_mmap_threshold
from kiosk.system.sdnotify import Notifier
from kiosk.system.waitfor import wait_for_display
from kiosk.ui.closedslide import render_closed
from kiosk.ui.fonts import load_bundled_fonts
from kiosk.ui.slides import SlideRenderer
from kiosk.ui.stage import IdleContent
from kiosk.ui.theme import Theme
from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

SCREENSHOTS_KEPT = 40
SCREENSHOT_RETRY_MS = 5000


@dataclass(frozen=True)
class RunSettings:
    """What `run` needs: the validated config, plus what only the command line gives."""

    cfg: Config
    sync_dir: Path  # the configured one, or the bundled demo
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

    def take(self) -> None:
        self._count += 1
        name = self._folder / f"screen-{self._count:05d}.png"
        ok = grab_screen(self._window).save(str(name))
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
        "office": settings.cfg.office_name,
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
        "not_whole": [
            {"file": f.rel, "reason": f.reason, "when": f.when, "count": f.count}
            for f in controller.not_whole.values()
        ],
        "sync": {k: v for k, v in sync.items() if k != "failed"},
        "problems": [*settings.problems, *(str(p) for p in controller.playlist.problems)],
        "counters": {
            "played": controller.counters.played,
            "failed": controller.counters.failed,
            "loops": controller.counters.loops,
        },
    }


class RecentErrors(logging.Handler):
    """The last warnings and errors, for the status file: what went wrong lately, at a glance."""

    def __init__(self, keep: int = 20) -> None:
        super().__init__(logging.WARNING)
        self.lines: deque[str] = deque(maxlen=keep)

    def emit(self, record: logging.LogRecord) -> None:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.created))
        self.lines.append(f"{when} {record.levelname} {record.getMessage()}")


class Health(QObject):
    """Heartbeat of the running player: status file, systemd keep-alive, screenshot, proof.

    What is written is gathered here on the Qt thread; the writing (and its fsync) happens
    on a DiskWriter thread, so a slow disk never freezes the picture.
    """

    _shot_failed = Signal()  # DiskWriter thread -> Qt thread: retry the screenshot later

    def __init__(
        self,
        settings: RunSettings,
        controller: Controller,
        ingest: Ingest,
        window: KioskWindow,
        notifier: Notifier,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.controller = controller
        self.ingest = ingest
        self.window = window
        self.notifier = notifier
        self.started_at = time.time()
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
        data = build_status(self.settings, self.controller, self.ingest, self.started_at, state)
        data["recent_errors"] = list(self.errors.lines)
        data["screenshot_at"] = self.screenshot_at or None
        data["video_note"] = self.window.stage.video_note or None
        data["counters"]["restarts"] = self.controller.counters.restarts
        data["counters"]["stalls"] = self.controller.counters.stalls
        cannot = [x for x in (self.proof.problem, self._screenshot_problem) if x]
        if self.status.problem:
            cannot.append(self.status.problem)
        data["cannot_write"] = cannot
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
        if not self._ready_sent and now.state in (State.VIDEO, State.SLIDE, State.IDLE):
            self._ready_sent = True
            self.notifier.ready()  # first picture on screen: systemd may consider us started
        if now.item is not None:
            self.notifier.status(f"showing {now.item.rel}")


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r: using UTC for the proof-of-play log", name)
        return UTC


def grab_screen(window: KioskWindow) -> QImage:
    """What the screen really shows (the X screen under xcb), else what the window paints."""
    screen = window.screen()
    if QGuiApplication.platformName() == "xcb" and screen is not None:
        return screen.grabWindow(0).toImage()
    return window.grab().toImage()


TICKER_FILE = "ticker.txt"


class Ticker:
    """The ticker band's text: `ticker.txt` in the sync folder if present, else the config."""

    def __init__(self, cfg: Config, sync_dir: Path, window: KioskWindow) -> None:
        self.cfg = cfg
        self.path = sync_dir / TICKER_FILE
        self.window = window

    def text(self) -> str:
        try:
            raw = self.path.read_bytes()[:20_000]
        except OSError:
            return self.cfg.ticker_text
        text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
        return " \u2022 ".join(line.strip() for line in text.splitlines() if line.strip())

    def update(self) -> None:
        if self.cfg.ticker_enabled:
            self.window.set_ticker(self.text(), self.cfg.ticker_speed)


class ClosedView:
    """Outside office hours: the closed slide (the admin's, or one listing the hours), or
    the display switched off and on again when the office opens."""

    def __init__(self, cfg: Config, theme: Theme, window: KioskWindow) -> None:
        self.cfg = cfg
        self.theme = theme
        self.window = window

    def set_closed(self, closed: bool) -> None:
        if self.cfg.closed_mode == "display_off":
            if closed:
                self.window.stage.show_idle("")  # should the display stay on: no video
                display_off()
            else:
                display_on()
            return
        if not closed:
            return
        image: QImage | str = "no closed slide configured"
        if self.cfg.closed_slide is not None:
            image = load_image(str(self.cfg.closed_slide))
            if isinstance(image, str):
                log.warning(
                    "closed.slide %s: %s; showing the generated one", self.cfg.closed_slide, image
                )
        if isinstance(image, str):
            image = render_closed(
                self.window.main_size(),
                self.theme,
                self.cfg.office_name,
                self.cfg.hours,
                datetime.now(tz=UTC),
            )
        self.window.stage.show_slide(image)


def vlc_args() -> tuple[str, ...]:
    """Extra libVLC options from $KIOSK_VLC_ARGS (e.g. "--avcodec-hw=none"), for experts."""
    return tuple(shlex.split(os.environ.get("KIOSK_VLC_ARGS", "")))


def make_players(backend_args: tuple[str, ...], volume: int, mute: bool) -> tuple[Any, list[Any]]:
    """A fresh libVLC instance and two players on it (one shows, one holds the next item)."""
    from kiosk.playback.vlc import VlcBackend, VlcPlayer

    backend = VlcBackend(backend_args)
    players = [VlcPlayer(backend), VlcPlayer(backend)]
    for player in players:
        player.set_volume(volume, mute)
    return backend, players


def run(settings: RunSettings) -> int:
    """Runs until the admin exit key, SIGTERM or SIGINT. Returns the process exit code."""
    pin_mmap_threshold()  # before Qt and libVLC allocate their first frame
    notifier = Notifier.from_env()
    notifier.status("waiting for the display")

    # Before Qt: after boot the X server may not be up yet. Wait, never fail.
    def patient_sleep(seconds: float) -> None:
        notifier.extend_timeout(seconds + 30)  # still starting, not hung
        time.sleep(seconds)

    wait_for_display(None, sleep=patient_sleep)

    QApplication.setApplicationName("kiosk")
    QApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(["kiosk"])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    bridge = SignalBridge(app)

    logo = None
    if settings.cfg.office_logo is not None:
        loaded = load_image(str(settings.cfg.office_logo))
        if isinstance(loaded, str):
            log.warning("office logo %s: %s", settings.cfg.office_logo, loaded)
        else:
            logo = loaded
    family = load_bundled_fonts()  # the look must not depend on the machine's fonts
    theme = Theme(
        background=QColor(settings.cfg.theme_background),
        accent=QColor(settings.cfg.theme_accent),
        text=QColor(settings.cfg.theme_text),
        font_family=family,
        logo=logo,
    )
    window = KioskWindow(
        IdleContent(settings.cfg.office_name, logo),
        settings.cfg.admin_exit_key,
        settings.cfg.display_windowed,
        theme=theme,
    )
    if settings.cfg.header_enabled:
        window.enable_header(settings.cfg.office_name, logo, settings.cfg.office_timezone)
    ticker = Ticker(settings.cfg, settings.sync_dir, window)
    ticker.update()
    window.exit_requested.connect(lambda: app.exit(0))
    backends: list[Any] = []

    def new_players() -> list[Any]:
        for old in backends:
            old.close()  # its players were closed by the controller first
        backend, players = make_players(
            vlc_args(), settings.cfg.audio_volume, settings.cfg.audio_mute
        )
        backends[:] = [backend]
        return players

    try:
        player, spare = new_players()
    except RuntimeError as e:
        log.critical("%s: is libVLC installed (libvlc5, vlc-plugin-base)? exiting", e)
        bridge.close()
        return 3
    ingest = Ingest(
        settings.sync_dir,
        quiet_s=settings.cfg.sync_quiet_seconds,
        rescan_s=settings.cfg.sync_rescan_seconds,
        poll_mode=settings.cfg.sync_poll,
        probe=probe,
    )
    cfg = settings.cfg
    source = ContentSource(
        settings.sync_dir, cfg.playlist, cfg.slides_duration, ingest.library, cfg.office_timezone
    )
    renderer = SlideRenderer(theme=theme, size=window.main_size)
    closed = ClosedView(cfg, theme, window)
    controller = Controller(
        player,
        window.stage,
        source,
        renderer,
        player_factory=new_players,
        spare=spare,
        hours=None if cfg.hours.always_open else cfg.hours,
        on_closed=closed.set_closed,
    )
    ingest.changed.connect(controller.invalidate)
    ingest.gone.connect(controller.file_gone)

    def on_side_file(rel: str) -> None:
        if rel == FOLDER_PLAYLIST:
            controller.invalidate()
        elif rel == TICKER_FILE:
            ticker.update()  # the ticker text changes live, not at a boundary

    ingest.side_changed.connect(on_side_file)
    exit_code = 0

    def on_fatal(reason: str) -> None:
        nonlocal exit_code
        log.critical("%s: exiting so that the service manager restarts the player", reason)
        exit_code = 3
        app.exit(3)

    controller.fatal.connect(on_fatal)
    health = Health(settings, controller, ingest, window, notifier)
    screensaver = ScreenSaverInhibitor()
    shots = None
    if settings.screenshot_dir is not None and settings.screenshot_every > 0:
        shots = Screenshots(window, settings.screenshot_dir, settings.screenshot_every)

    log.info(
        "kiosk %s starting: sync folder %s, playlist %s, state %s",
        __version__,
        settings.sync_dir,
        settings.cfg.playlist or "whole sync folder",
        settings.cfg.state_dir,
    )
    window.place(settings.cfg.display_screen)
    screensaver.inhibit()
    ingest.start()
    controller.start()
    health.start()
    if shots is not None:
        shots.start()
    try:
        app.exec()
    finally:
        if shots is not None:
            shots.stop()
        controller.stop()
        ingest.stop()
        health.stop()
        for p in controller.players():
            p.close()
        for backend in backends:
            backend.close()
        screensaver.restore()
        window.allow_close()
        window.close()
        bridge.close()
        notifier.close()
        log.info("kiosk stopped")
    return exit_code
