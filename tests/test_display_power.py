"""display.power: which method `auto` takes, and the TV switched at the office's hours.

cec-ctl and wlopm are stand-ins on PATH that record their arguments (tests/fake_tools.py);
the hours are the real controller's, on a clock the test moves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from kiosk.clock.virtual import VirtualClock
from kiosk.controller import ClosedHours, Controller, State
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


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp()


@contextmanager
def office(power: DisplayPower, day: str) -> Iterator[tuple[Controller, VirtualClock]]:
    """An office open 08:00-17:00, its controller in virtual time from `day` 16:59:59.6."""
    node, problems = parse_bytes(b'hours:\n  mon-sun: "08:00-17:00"\n', "office.yaml")
    assert node is not None and not problems
    hours, problems = parse_hours(node.get("hours"), "office.yaml")  # type: ignore[union-attr]
    assert not problems
    clock = VirtualClock(wall=at(f"{day} 16:59:59.6"))
    player = FakePlayer(start_timeout=0.3, clock=clock)
    item = Item("/sync/red_0.2s.mp4", "red_0.2s.mp4", Kind.VIDEO, size=1, mtime=1.0)

    class Stage:
        def show_frame(self, *_: object) -> None: ...
        def show_slide(self, *_: object) -> None: ...
        def show_idle(self, *_: object) -> None: ...
        def begin_fade(self, *_: object) -> None: ...

    class Source:
        def reader(self) -> Callable[[], Playlist]:
            return lambda: Playlist((item,), "test")

    controller = Controller(
        player,
        Stage(),
        Source(),
        SlideRenderer(),
        clock=clock,
        # as the running player does with closed.mode: display_off
        closed=ClosedHours(hours, on_closed=lambda closed: power.off() if closed else power.on()),
    )
    try:
        yield controller, clock
    finally:
        controller.stop()  # never leave the hours timer armed
        player.close()


def run_a_day(controller: Controller, clock: VirtualClock, day: str, next_day: str) -> None:
    """Closing at 17:00, the hours looked at every minute overnight, opening at 08:00."""
    controller.start()
    assert clock.run_until(lambda: controller.state is State.CLOSED, 3.0)
    assert clock.run_until(lambda: clock.now() >= at(f"{next_day} 07:59:00"), 16 * 3600.0)
    assert controller.state is State.CLOSED
    assert clock.run_until(lambda: controller.state is not State.CLOSED, 120.0)
    assert clock.now() >= at(f"{next_day} 08:00")


def test_cec_off_at_closing_on_before_opening_nothing_repeated(cec: Path, qtbot: QtBot) -> None:
    power = choose_power("cec", X11, DEVICE, bus=NO_BUS)
    mark = len(calls(cec))
    with office(power, "2026-12-01") as (controller, clock):
        run_a_day(controller, clock, "2026-12-01", "2026-12-02")
    sent = calls(cec)[mark:]
    assert sent == [
        f"-d {DEVICE} -s --to 0 --standby",
        f"-d {DEVICE} -s --to 0 --image-view-on --active-source phys-addr=3.0.0.0",
    ]
    assert (cec / "tv").read_text() == "on" and power.state == "on"


def test_wlopm_off_at_closing_on_before_opening(wlopm: Path, qtbot: QtBot) -> None:
    power = choose_power("wayland", WAYLAND, None, bus=NO_BUS)
    with office(power, "2026-12-01") as (controller, clock):
        run_a_day(controller, clock, "2026-12-01", "2026-12-02")
    assert calls(wlopm) == ["", "--off *", "--on *"]  # the check lists outputs first


def test_a_tv_that_does_not_answer_is_logged_once(
    cec: Path, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.system.power")
    power = choose_power("cec", X11, DEVICE, bus=NO_BUS)
    (cec / "tv").write_text("silent")  # unplugged, or CEC turned off in the TV's menu
    for day, next_day in (("2026-12-01", "2026-12-02"), ("2026-12-02", "2026-12-03")):
        with office(power, day) as (controller, clock):
            run_a_day(controller, clock, day, next_day)
    failed = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(failed) == 1, [r.getMessage() for r in failed]
    assert "did not answer" in failed[0].getMessage()
    assert power.problem and "Not Acknowledged" in power.problem
    (cec / "tv").write_text("on")  # CEC turned back on: the next closing works, and says so
    power.off()
    assert power.problem == "" and power.state == "off"
    assert any("works again" in r.getMessage() for r in caplog.records)
