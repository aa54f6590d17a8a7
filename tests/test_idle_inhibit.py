"""Idle inhibition over D-Bus, against stand-in services on a private session bus.

The player (real `kiosk run`, or the inhibitor in-process) must ask the desktop to stay
awake with the right method and signature, and give it back when it stops.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtDBus import QDBusConnection
from pytestqt.qtbot import QtBot

from kiosk.system.dbus_inhibit import FREEDESKTOP, GNOME, REASON, DbusIdleInhibitor
from kiosk.system.idle import IdleGuard
from kiosk.system.power import choose_power
from kiosk.system.session import Session
from tests.conftest import KioskRun
from tests.dbus_session import PrivateBus, connection_to, events
from tests.xserver import Xvfb


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[PrivateBus]:
    private = PrivateBus(tmp_path / "dbus").start()
    yield private
    private.stop()


@pytest.fixture
def connection(bus: PrivateBus, qapp: object) -> Iterator[QDBusConnection]:
    with connection_to(bus) as conn:
        yield conn


@pytest.mark.xvfb
def test_kiosk_run_holds_the_screensaver_inhibitor_and_releases_it_on_exit(
    xvfb: Xvfb, bus: PrivateBus, sync_dir: Path, run_kiosk: KioskRun, qtbot: QtBot
) -> None:
    record = bus.serve("screensaver")
    proc = run_kiosk("--sync-dir", str(sync_dir), env={"DBUS_SESSION_BUS_ADDRESS": bus.address})

    def held() -> bool:
        run_kiosk.alive()
        if not (run_kiosk.state / "status.json").exists():
            return False
        return "display" in run_kiosk.status()

    qtbot.waitUntil(held, timeout=20_000)
    screen = run_kiosk.status()["display"]
    assert screen["session"] == "x11"
    assert screen["kept_on_by"] == [
        "xset (X screensaver and DPMS off)",
        "org.freedesktop.ScreenSaver (D-Bus)",
    ]
    asked = events(record)
    assert asked == [{"event": "inhibit", "args": ["kiosk", REASON], "cookie": 1001}]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    qtbot.waitUntil(lambda: any(e["event"] == "gone" for e in events(record)), timeout=5000)
    after = events(record)[1:]
    # Released by name with its cookie, before the player left the bus.
    assert after[0] == {"event": "uninhibit", "cookie": 1001}
    assert [e["event"] for e in after] == ["uninhibit", "gone"]


def test_gnome_session_manager_is_asked_for_the_idle_flag(
    bus: PrivateBus, connection: QDBusConnection
) -> None:
    """Without org.freedesktop.ScreenSaver, GNOME's own (signature susu, flags 8 = idle)."""
    record = bus.serve("gnome")
    inhibitor = DbusIdleInhibitor(connection)
    assert inhibitor.inhibit() == GNOME.service
    inhibitor.release()
    assert events(record) == [
        {"event": "inhibit", "args": ["kiosk", 0, REASON, 8], "cookie": 1001},
        {"event": "uninhibit", "cookie": 1001},
    ]
    assert inhibitor.holder is None


def test_a_restarted_service_is_asked_again(
    bus: PrivateBus, connection: QDBusConnection, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    bus.serve("screensaver")
    inhibitor = DbusIdleInhibitor(connection, apis=(FREEDESKTOP,))
    assert inhibitor.inhibit() == FREEDESKTOP.service
    bus.stop_standins()  # the desktop shell restarts: its inhibitors are gone
    record = bus.serve("screensaver")
    qtbot.waitUntil(lambda: [e["event"] for e in events(record)] == ["inhibit"], timeout=5000)
    assert inhibitor.holder == FREEDESKTOP.service
    assert any("restarted" in r.getMessage() for r in caplog.records)
    inhibitor.release()
    assert [e["event"] for e in events(record)] == ["inhibit", "uninhibit"]


def test_with_no_service_nothing_holds_and_the_warning_says_what_to_set(
    bus: PrivateBus, connection: QDBusConnection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kiosk.system.idle")
    guard = IdleGuard(
        Session("wayland", "gnome", "wayland"), bus=lambda: connection, system=lambda: None
    )
    report = guard.start()
    guard.stop()
    assert report.held == []
    assert report.notes[0] == (
        "D-Bus idle inhibit: neither org.freedesktop.ScreenSaver nor "
        "org.gnome.SessionManager is on the session bus"
    )
    assert report.notes[1] == "logind idle lock: no D-Bus system bus to ask systemd-logind"
    assert "Wayland idle-inhibit protocol not used" in report.notes[2]
    assert report.warning.startswith("nothing keeps the screen from blanking on this wayland")
    assert "gsettings set org.gnome.desktop.session idle-delay 0" in report.warning
    assert len(caplog.records) == 1


def test_without_a_session_bus_the_pi_is_told_about_raspi_config() -> None:
    guard = IdleGuard(
        Session("wayland", "labwc:wlroots", "wayland"), bus=lambda: None, system=lambda: None
    )
    report = guard.start()
    assert report.notes[0].startswith("D-Bus idle inhibit: no D-Bus session bus")
    assert "raspi-config > Display Options > Screen Blanking > No" in report.warning


def test_gnome_power_switch_sets_mutter_power_save_mode(
    bus: PrivateBus, connection: QDBusConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = bus.serve("mutter")
    monkeypatch.setenv("PATH", str(tmp_path))  # no wlopm, no cec-ctl
    power = choose_power(
        "auto", Session("wayland", "gnome", "wayland"), tmp_path / "cec0", bus=lambda: connection
    )
    assert power.method.name == "wayland (GNOME)"
    power.off()
    power.on()
    assert power.state == "on" and power.problem == ""
    prop = ["org.gnome.Mutter.DisplayConfig", "PowerSaveMode"]
    assert events(record) == [
        {"event": "set", "signature": "ssv", "args": prop, "value": 3},
        {"event": "set", "signature": "ssv", "args": prop, "value": 0},
    ]
