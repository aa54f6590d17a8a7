"""display.power: which method `auto` takes, and the TV switched at the office's hours.

cec-ctl and wlopm are stand-ins on PATH that record their arguments (tests/fake_tools.py);
the hours are the real controller's, on a clock the test moves.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from kiosk.controller import Controller, State
from kiosk.core.model import Item, Kind, Playlist
from kiosk.core.schedule_yaml import parse_hours
from kiosk.core.yamlpos import parse_bytes
from kiosk.playback.fake import FakePlayer
from kiosk.system.power import DisplayPower, choose_power
from kiosk.system.session import Session
from kiosk.ui.slides import SlideRenderer
from tests.fake_tools import FAKE_CEC_CTL, FAKE_WLOPM, calls, install_tool, on_path
from tests.xserver import Xvfb

X11 = Session("x11", "", "xcb")
WAYLAND = Session("wayland", "labwc:wlroots", "wayland")
NO_BUS = lambda: None  # noqa: E731  (no D-Bus session bus: GNOME's switch is not there)


@pytest.fixture
def cec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in cec-ctl on PATH; its folder (calls, tv state)."""
    folder = install_tool(tmp_path / "cec", "cec-ctl", FAKE_CEC_CTL)
    on_path(monkeypatch, folder)
    return folder


@pytest.fixture
def wlopm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = install_tool(tmp_path / "wlopm", "wlopm", FAKE_WLOPM)
    on_path(monkeypatch, folder)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-test")
    return folder


DEVICE = Path("/dev/cec7")  # never opened: the stand-in only records it


def test_auto_takes_cec_when_a_tv_answers(cec: Path) -> None:
    power = choose_power("auto", X11, DEVICE, bus=NO_BUS)
    assert power.method.name == f"cec ({DEVICE})" and power.notes == []
    # Claimed a playback address first (unconfigured after boot), then asked the TV.
    assert calls(cec) == [
        f"-d {DEVICE} --playback",
        f"-d {DEVICE} -s --to 0 --give-device-power-status",
    ]


def test_auto_passes_over_a_silent_tv_and_an_x_server_without_dpms(
    cec: Path, xvfb: Xvfb, monkeypatch: pytest.MonkeyPatch
) -> None:
    (cec / "tv").write_text("silent")
    monkeypatch.setenv("DISPLAY", xvfb.display)
    power = choose_power("auto", X11, DEVICE, bus=NO_BUS)
    assert power.method.name == "none"
    assert power.notes[0].startswith(f"cec ({DEVICE}): the TV did not answer on {DEVICE}")
    assert "Not Acknowledged" in power.notes[0]
    assert power.notes[1] == "dpms: the X server has no DPMS"  # Xvfb has none


@pytest.mark.skipif(bool(list(Path("/dev").glob("cec[0-9]*"))), reason="a real CEC adapter here")
def test_auto_on_wayland_takes_wlopm_and_skips_cec_without_a_device(
    wlopm: Path, tmp_path: Path
) -> None:
    power = choose_power("auto", WAYLAND, None, bus=NO_BUS)  # no /dev/cec* on this machine
    assert power.method.name == "wayland (wlopm)"
    assert power.notes == ["cec: no CEC device (/dev/cec*)"]
    (wlopm / "unsupported").touch()  # a compositor without wlr-output-power-management
    power = choose_power("auto", WAYLAND, Path(tmp_path / "no-cec"), bus=NO_BUS)
    assert power.method.name == "none"
    assert power.notes[-2] == (
        "wayland (wlopm): ERROR: Wayland compositor does not support "
        "wlr-output-power-management-v1."
    )
    assert power.notes[-1] == "wayland (GNOME): no D-Bus session bus"


def test_an_explicit_method_is_kept_even_when_its_check_fails(cec: Path) -> None:
    (cec / "tv").write_text("silent")  # in deep standby at start, say
    power = choose_power("cec", WAYLAND, DEVICE, bus=NO_BUS)
    assert power.method.name == f"cec ({DEVICE})"
    assert "did not answer" in power.notes[0]


def test_not_needed_probes_nothing(cec: Path) -> None:
    power = choose_power("auto", X11, DEVICE, bus=NO_BUS, needed=False)
    assert power.method.name == "none" and calls(cec) == []


# -- the TV at the office's hours -----------------------------------------------------------


class Clock:
    """Office-local wall clock the test sets, running at the real pace in between."""

    def __init__(self, at: str) -> None:
        self.set(at)

    def set(self, at: str) -> None:
        when = datetime.fromisoformat(at).replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
        self._base, self._mono = when.timestamp(), time.monotonic()

    def __call__(self) -> float:
        return self._base + time.monotonic() - self._mono


@contextmanager
def office(power: DisplayPower, clock: Clock) -> Iterator[Controller]:
    node, problems = parse_bytes(b'hours:\n  mon-sun: "08:00-17:00"\n', "office.yaml")
    assert node is not None and not problems
    hours, problems = parse_hours(node.get("hours"), "office.yaml")  # type: ignore[union-attr]
    assert not problems
    player = FakePlayer(start_timeout=0.3)
    item = Item("/sync/red_0.2s.mp4", "red_0.2s.mp4", Kind.VIDEO, size=1, mtime=1.0)

    class Stage:
        def show_frame(self, *_: object) -> None: ...
        def show_slide(self, *_: object) -> None: ...
        def show_idle(self, *_: object) -> None: ...
        def begin_fade(self, *_: object) -> None: ...

    controller = Controller(
        player,
        Stage(),
        lambda: Playlist((item,), "test"),
        SlideRenderer(),
        clock=clock,
        hours=hours,
        # as ClosedView does with closed.mode: display_off
        on_closed=lambda closed: power.off() if closed else power.on(),
    )
    try:
        yield controller
    finally:
        controller.stop()  # never leave the hours timer armed
        player.close()


def run_a_day(controller: Controller, clock: Clock, qtbot: QtBot) -> None:
    """Closing at 17:00, the hours looked at every minute overnight, opening at 08:00."""
    clock.set("2026-12-01 16:59:59.6")
    controller.start()
    qtbot.waitUntil(lambda: controller.state is State.CLOSED, timeout=3000)
    for at in ("2026-12-01 17:01", "2026-12-01 23:00", "2026-12-02 03:00", "2026-12-02 07:59"):
        clock.set(at)  # the minute timer's looks, while closed
        controller._check_hours()
    clock.set("2026-12-02 07:59:40")  # 20 s before opening: the wake-up
    controller._check_hours()
    clock.set("2026-12-02 07:59:50")
    controller._check_hours()
    clock.set("2026-12-02 08:00:00.1")
    controller._check_hours()
    assert controller.state is not State.CLOSED


def test_cec_off_at_closing_on_before_opening_nothing_repeated(cec: Path, qtbot: QtBot) -> None:
    power = choose_power("cec", X11, DEVICE, bus=NO_BUS)
    clock = Clock("2026-12-01 16:59:59.6")
    mark = len(calls(cec))
    with office(power, clock) as controller:
        run_a_day(controller, clock, qtbot)
    sent = calls(cec)[mark:]
    assert sent == [
        f"-d {DEVICE} -s --to 0 --standby",
        f"-d {DEVICE} -s --to 0 --image-view-on --active-source phys-addr=3.0.0.0",
    ]
    assert (cec / "tv").read_text() == "on" and power.state == "on"


def test_wlopm_off_at_closing_on_before_opening(wlopm: Path, qtbot: QtBot) -> None:
    power = choose_power("wayland", WAYLAND, None, bus=NO_BUS)
    clock = Clock("2026-12-01 16:59:59.6")
    with office(power, clock) as controller:
        run_a_day(controller, clock, qtbot)
    assert calls(wlopm) == ["", "--off *", "--on *"]  # the check lists outputs first


def test_a_tv_that_does_not_answer_is_logged_once(
    cec: Path, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.system.power")
    power = choose_power("cec", X11, DEVICE, bus=NO_BUS)
    (cec / "tv").write_text("silent")  # unplugged, or CEC turned off in the TV's menu
    clock = Clock("2026-12-01 16:59:59.6")
    for _ in range(2):  # two days
        with office(power, clock) as controller:
            run_a_day(controller, clock, qtbot)
    failed = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(failed) == 1, [r.getMessage() for r in failed]
    assert "did not answer" in failed[0].getMessage()
    assert power.problem and "Not Acknowledged" in power.problem
    (cec / "tv").write_text("on")  # CEC turned back on: the next closing works, and says so
    power.off()
    assert power.problem == "" and power.state == "off"
    assert any("works again" in r.getMessage() for r in caplog.records)
