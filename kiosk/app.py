"""Composition root of `kiosk run`: build the parts, wire their signals, run the Qt loop.

Nothing here decides or draws: the controller alone writes to the main zone (videos,
slides, the idle and the closed picture); the window's bands, the status and the display
switch only follow it.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from kiosk import __version__
from kiosk.clock.qt import QtWorker
from kiosk.config import Config
from kiosk.controller import ClosedHours, Controller
from kiosk.media.images import load_image
from kiosk.media.probe import probe
from kiosk.playback.factory import PlayerFactory
from kiosk.state.heartbeat import Health, RunSettings
from kiosk.state.screenshot import ScreenshotSeries
from kiosk.sync.ingest import Ingest
from kiosk.sync.playlist_source import FOLDER_PLAYLIST, ContentSource
from kiosk.system.malloc import pin_mmap_threshold
from kiosk.system.power import choose_power
from kiosk.system.sdnotify import Notifier
from kiosk.system.session import detect_session
from kiosk.system.signals import SignalBridge
from kiosk.system.switch import DisplaySwitch
from kiosk.system.waitfor import wait_for_display
from kiosk.ui.closed import ClosedPicture
from kiosk.ui.fonts import load_bundled_fonts
from kiosk.ui.slides import SlideRenderer
from kiosk.ui.stage import IdleContent
from kiosk.ui.theme import Theme
from kiosk.ui.ticker import TICKER_FILE, Ticker
from kiosk.ui.window import KioskWindow, MainZoneSize

__all__ = ["RunSettings", "run"]

log = logging.getLogger(__name__)


def _logo(cfg: Config) -> QImage | None:
    if cfg.office_logo is None:
        return None
    loaded = load_image(str(cfg.office_logo))  # once, before the first picture
    if isinstance(loaded, str):
        log.warning("office logo %s: %s", cfg.office_logo, loaded)
        return None
    return loaded


def _window(cfg: Config, logo: QImage | None) -> KioskWindow:
    theme = Theme(
        background=QColor(cfg.theme_background),
        accent=QColor(cfg.theme_accent),
        text=QColor(cfg.theme_text),
        font_family=load_bundled_fonts(),  # the look must not depend on the machine's fonts
        logo=logo,
    )
    window = KioskWindow(
        IdleContent(cfg.office_name, logo), cfg.admin_exit_key, cfg.display_windowed, theme=theme
    )
    if cfg.header_enabled:
        window.enable_header(cfg.office_name, logo, cfg.office_timezone)
    return window


def _closed_hours(cfg: Config, window: KioskWindow, display: DisplaySwitch) -> ClosedHours | None:
    if cfg.hours.always_open:
        return None
    if cfg.closed_mode == "display_off":
        return ClosedHours(cfg.hours, on_closed=display.closed)
    picture = ClosedPicture(
        cfg.closed_slide, window.theme(), cfg.office_name, cfg.hours, window.main_size
    )
    return ClosedHours(cfg.hours, picture=picture)


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
    cfg = settings.cfg
    window = _window(cfg, _logo(cfg))
    window.exit_requested.connect(lambda: app.exit(0))
    factory = PlayerFactory(cfg.audio_volume, cfg.audio_mute)
    try:
        player, spare = factory()
    except RuntimeError as e:
        log.critical("%s: is libVLC installed (libvlc5, vlc-plugin-base)? exiting", e)
        bridge.close()
        return 3
    ingest = Ingest(
        settings.sync_dir,
        quiet_s=cfg.sync_quiet_seconds,
        rescan_s=cfg.sync_rescan_seconds,
        poll_mode=cfg.sync_poll,
        probe=probe,
    )
    source = ContentSource(
        settings.sync_dir, cfg.playlist, cfg.slides_duration, ingest.library, cfg.office_timezone
    )
    session = detect_session(QGuiApplication.platformName())
    display = DisplaySwitch(
        session,
        lambda: choose_power(
            cfg.display_power,
            session,
            cfg.display_cec_device,
            needed=cfg.closed_mode == "display_off",
        ),
        cfg.closed_mode,
    )
    controller = Controller(
        player,
        window.stage,
        source,
        SlideRenderer(theme=window.theme(), size=MainZoneSize(window)),
        player_factory=factory,
        spare=spare,
        closed=_closed_hours(cfg, window, display),
    )
    ticker = None
    if cfg.ticker_enabled:
        ticker = Ticker(settings.sync_dir, cfg.ticker_text, cfg.ticker_speed, window, QtWorker())
    ingest.changed.connect(controller.invalidate)
    ingest.gone.connect(controller.file_gone)

    def on_side_file(rel: str) -> None:
        if rel.split("/")[-1] == FOLDER_PLAYLIST and rel.count("/") <= 1:  # its own, a tier's
            controller.invalidate()
        elif rel == TICKER_FILE and ticker is not None:
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
    health.video_note = lambda: window.stage.video_note
    shots = None
    if settings.screenshot_dir is not None and settings.screenshot_every > 0:
        shots = ScreenshotSeries(window, settings.screenshot_dir, settings.screenshot_every)

    log.info(
        "kiosk %s starting: sync folder %s, playlist %s, state %s",
        __version__,
        settings.sync_dir,
        cfg.playlist or "whole sync folder",
        cfg.state_dir,
    )
    window.place(cfg.display_screen)
    display.start()
    health.display = display.status
    ingest.start()
    if ticker is not None:
        ticker.update()
    controller.start()
    health.start()
    if shots is not None:
        shots.start()
    try:
        app.exec()
    finally:
        if shots is not None:
            shots.stop()
        if ticker is not None:
            ticker.stop()
        controller.stop()
        ingest.stop()
        health.stop()
        for p in controller.players():
            p.close()
        factory.close()
        display.close()
        window.allow_close()
        window.close()
        bridge.close()
        notifier.close()
        log.info("kiosk stopped")
    return exit_code
