"""logind's idle inhibitor lock (what swayidle honours), against a stand-in systemd-logind on
a private system bus: taken by a real `kiosk run`, given back when it stops or is killed,
and a refusal shown in the status with why.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.cli import main
from kiosk.system.dbus_inhibit import REASON
from kiosk.system.idle import WAYFIRE_NOTE, XSET, IdleGuard, IdleReport
from kiosk.system.logind import HELD
from kiosk.system.session import Session
from tests.conftest import KioskRun
from tests.dbus_session import PrivateBus, connection_to, events
from tests.xserver import Xvfb

REFUSED = (
    "logind idle lock: refused by systemd-logind: Permission denied "
    "(polkit action org.freedesktop.login1.inhibit-block-idle)"
)


@pytest.fixture
def system(tmp_path: Path) -> Iterator[PrivateBus]:
    private = PrivateBus(tmp_path / "system-bus", bus_type="system").start()
    yield private
    private.stop()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[PrivateBus]:
    """An empty session bus: no desktop idle service, as on labwc or sway."""
    private = PrivateBus(tmp_path / "session-bus").start()
    yield private
    private.stop()


@pytest.fixture
def wayland(system: PrivateBus, qapp: object) -> Iterator[Callable[[str], IdleReport]]:
    """Starts and stops an IdleGuard on a Wayland desktop with no D-Bus idle service (as
    labwc, sway, wayfire), logind being whatever `system` serves; gives its report."""

    with connection_to(system) as connection:

        def run(desktop: str) -> IdleReport:
            session = Session("wayland", desktop, "wayland")
            guard = IdleGuard(session, bus=lambda: None, system=lambda: connection)
            report = guard.start()
            guard.stop()
            return report

        yield run


def block_inhibited(system: PrivateBus) -> str:
    """What swayidle reads to decide whether its timers run, read as it does (sd-bus)."""
    busctl = shutil.which("busctl")
    assert busctl is not None, "busctl (package systemd) is missing: run scripts/setup --test"
    out = subprocess.run(
        [busctl, "--system", "get-property", "org.freedesktop.login1", "/org/freedesktop/login1",
         "org.freedesktop.login1.Manager", "BlockInhibited"],
        env={"DBUS_SYSTEM_BUS_ADDRESS": system.address}, capture_output=True, text=True,
        timeout=10, check=True,
    )  # fmt: skip
    return out.stdout.strip()


def start_kiosk(
    run_kiosk: KioskRun, sync_dir: Path, system: PrivateBus, session: PrivateBus, qtbot: QtBot
) -> subprocess.Popen[bytes]:
    buses = {"DBUS_SYSTEM_BUS_ADDRESS": system.address, "DBUS_SESSION_BUS_ADDRESS": session.address}
    proc = run_kiosk("--sync-dir", str(sync_dir), env=buses)

    def started() -> bool:  # the display block is written once the start is complete
        run_kiosk.alive()
        return (run_kiosk.state / "status.json").exists() and "display" in run_kiosk.status()

    qtbot.waitUntil(started, timeout=20_000)
    return proc


def released(record: Path) -> bool:
    return any(e["event"] == "released" for e in events(record))


@pytest.mark.xvfb
def test_kiosk_run_holds_the_logind_idle_lock_and_releases_it_on_sigterm(
    xvfb: Xvfb, system: PrivateBus, session: PrivateBus, sync_dir: Path, run_kiosk: KioskRun,
    qtbot: QtBot,
) -> None:  # fmt: skip
    record = system.serve("login1")
    proc = start_kiosk(run_kiosk, sync_dir, system, session, qtbot)
    screen = run_kiosk.status()["display"]
    assert screen["kept_on_by"] == [XSET, HELD]
    assert events(record) == [{"event": "inhibit", "args": ["idle", "kiosk", REASON, "block"]}]
    assert block_inhibited(system) == 's "idle"'  # swayidle's timers are off
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    qtbot.waitUntil(lambda: released(record), timeout=5000)
    assert block_inhibited(system) == 's ""'  # swayidle may blank again


@pytest.mark.xvfb
def test_a_killed_kiosk_leaves_no_logind_lock_behind(
    xvfb: Xvfb, system: PrivateBus, session: PrivateBus, sync_dir: Path, run_kiosk: KioskRun,
    qtbot: QtBot,
) -> None:  # fmt: skip
    record = system.serve("login1")
    proc = start_kiosk(run_kiosk, sync_dir, system, session, qtbot)
    assert block_inhibited(system) == 's "idle"'
    proc.kill()  # SIGKILL: nothing of the player runs any more; the kernel closes the lock
    assert proc.wait(timeout=15) == -signal.SIGKILL
    qtbot.waitUntil(lambda: released(record), timeout=5000)
    assert block_inhibited(system) == 's ""'


@pytest.mark.xvfb
def test_a_refused_lock_is_reported_in_the_status_with_why(
    xvfb: Xvfb, system: PrivateBus, session: PrivateBus, sync_dir: Path, run_kiosk: KioskRun,
    qtbot: QtBot, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    record = system.serve("login1-deny")  # a polkit rule says no
    start_kiosk(run_kiosk, sync_dir, system, session, qtbot)
    screen = run_kiosk.status()["display"]
    assert screen["kept_on_by"] == [XSET]
    assert REFUSED in screen["not_used"]
    assert [e["event"] for e in events(record)] == ["refused"]
    assert main(["status", "--state-dir", str(run_kiosk.state)]) == 0
    shown = capsys.readouterr().out
    assert f"kept on by {XSET};" in shown
    assert f"\n    {REFUSED}\n" in shown


def test_on_labwc_the_logind_lock_alone_keeps_the_screen_on(
    system: PrivateBus,
    wayland: Callable[[str], IdleReport],
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Raspberry Pi OS's labwc and sway: no D-Bus idle service, swayidle blanks."""
    record = system.serve("login1")
    report = wayland("labwc:wlroots")
    assert report.held == [HELD]
    assert report.warning == ""
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    qtbot.waitUntil(lambda: released(record), timeout=5000)  # stopped: given back
    assert [e["event"] for e in events(record)] == ["inhibit", "released"]


def test_when_logind_refuses_on_labwc_the_warning_says_what_to_set(
    system: PrivateBus, wayland: Callable[[str], IdleReport]
) -> None:
    system.serve("login1-deny")
    report = wayland("labwc:wlroots")
    assert report.held == []
    assert REFUSED in report.notes
    assert "raspi-config > Display Options > Screen Blanking > No" in report.warning
    assert "swayidle would honour logind's idle lock" in report.warning


def test_on_gnome_the_logind_lock_alone_does_not_count(
    system: PrivateBus, wayland: Callable[[str], IdleReport]
) -> None:
    """GNOME's idle timer ignores logind's lock: with no GNOME service, still a warning."""
    system.serve("login1")
    report = wayland("gnome")
    assert report.held == [HELD]
    assert "gsettings set org.gnome.desktop.session idle-delay 0" in report.warning


def test_on_wayfire_the_status_says_its_own_idle_timeout_ignores_the_lock(
    system: PrivateBus, wayland: Callable[[str], IdleReport]
) -> None:
    system.serve("login1")
    report = wayland("wayfire")
    assert report.held == [HELD]
    assert WAYFIRE_NOTE in report.notes


def test_without_logind_the_status_says_so(wayland: Callable[[str], IdleReport]) -> None:
    report = wayland("sway")
    assert "logind idle lock: systemd-logind is not on the system bus" in report.notes


def test_the_standin_hands_out_locks_as_logind_does(system: PrivateBus, qtbot: QtBot) -> None:
    """The stand-in is what sd-bus clients (systemd-inhibit; swayidle's library) accept."""
    record = system.serve("login1")
    exe = shutil.which("systemd-inhibit")
    assert exe is not None, "systemd-inhibit (package systemd) is missing"
    subprocess.run(
        [exe, "--what=idle", "--who=test", "--why=check", "--mode=block", "true"],
        env={"DBUS_SYSTEM_BUS_ADDRESS": system.address}, timeout=10, check=True,
    )  # fmt: skip
    qtbot.waitUntil(lambda: released(record), timeout=5000)
    assert [e for e in events(record) if e["event"] != "gone"] == [
        {"event": "inhibit", "args": ["idle", "test", "check", "block"]},
        {"event": "released", "what": "idle"},
    ]
