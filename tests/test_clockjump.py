"""Clock jumps: the wall clock steps by hours while `kiosk run` plays, as NTP steps the clock
of a box that booted without network.

One run of the real player (tests/clockshim.py moves its wall clock; monotonic time and the
timers are untouched, as with a real step), on Xvfb, in office hours 07:00-17:00 with a
slide valid only 09:00-11:00. Office-local time goes 10:00 -> (+3 h) 13:00 -> (-3 h) 10:00
-> (+9 h) 19:00. The tests below read what that run saw. Durations (the stall watch, an
item's time on screen, a set-aside file's retry delay, a new file's quiet period) are
measured on the monotonic clock, which no step moves; times of day on the wall clock.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.syncindex import Stat, SyncIndex
from tests.conftest import status_json
from tests.mediagen import make_clip, make_image
from tests.xserver import ScreenGrab, Xvfb

pytestmark = pytest.mark.xvfb

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SHIM = Path(__file__).resolve().parent / "clockshim.py"
CLK = os.sysconf("SC_CLK_TCK")


@dataclass
class Jump:
    hours: float
    at: float  # monotonic
    colours_at: int  # index into the grab's colours when it happened
    log_at: int  # stderr length then
    cpu_before: float = 0.0  # player CPU seconds over the 3 s before
    cpu_after: float = 0.0  # ... and the 3 s after
    log_lines_after: int = 0  # lines logged in the 3 s after


@dataclass
class Run:
    jumps: list[Jump] = field(default_factory=list)
    colours: list[tuple[float, str]] = field(default_factory=list)
    closed_after_s: float | None = None  # from the jump to 19:00 to status "closed"
    yellow_after_s: float | None = None  # from the copy (and the step back) to yellow shown
    status: dict[str, Any] = field(default_factory=dict)
    proof: list[dict[str, object]] = field(default_factory=list)
    stderr: str = ""

    def seen_between(self, start: int, end: int | None = None) -> set[str]:
        return {c for _, c in self.colours[start:end]}


def _wait(cond: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    tick = threading.Event()
    while time.monotonic() < deadline:
        if cond():
            return True
        tick.wait(0.02)
    return cond()


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


@pytest.fixture(scope="module")
def run(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    work = tmp_path_factory.mktemp("clockjump")
    sync, state = work / "sync", work / "state"
    make_clip(sync / "1-red.mp4", "red", seconds=2.0)
    make_image(sync / "2-blue.png", "blue")
    (sync / "2-blue.png.yaml").write_text('times: "09:00-11:00"\n', encoding="utf-8")
    make_clip(sync / "3-green.mp4", "green", seconds=0.6)
    make_clip(work / "yellow.mp4", "yellow", seconds=0.6)
    config = work / "office.yaml"
    config.write_text(
        "slides:\n  duration: 1\nsync:\n  quiet_seconds: 3\nheader:\n  enabled: true\n"
        'hours:\n  mon-sun: "07:00-17:00"\n',
        encoding="utf-8",
    )
    today = datetime.now(HCM).date()
    ten = datetime(today.year, today.month, today.day, 10, 0, tzinfo=HCM).timestamp()
    base = ten - time.time()  # the offset that makes it 10:00 at the office
    offset = work / "offset"
    offset.write_text(f"{base}\n", encoding="ascii")
    for f in sync.iterdir():
        os.utime(f, (ten - 60, ten - 60))  # settled, on the player's clock: admitted at start
    err = work / "stderr.log"
    env = dict(os.environ, DISPLAY=xvfb.display, QT_QPA_PLATFORM="xcb", KIOSK_AOUT="dummy")
    env.pop("KIOSK_CONFIG", None)
    grab = ScreenGrab(xvfb.display, xvfb.width, xvfb.height).start()
    with open(err, "wb") as stderr:
        proc = subprocess.Popen(
            [
                sys.executable,
                str(SHIM),
                str(offset),
                "run",
                "--config",
                str(config),
                "--sync-dir",
                str(sync),
                "--state-dir",
                str(state),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    result = Run()
    total = 0.0

    def on_clip() -> bool:
        recent = [c for _, c in grab.colours[-3:]]
        return len(recent) == 3 and len(set(recent)) == 1 and recent[0] in ("red", "green")

    def jump(hours: float) -> Jump:
        nonlocal total
        assert _wait(on_clip, 20), (grab.sequence(), err.read_text())  # mid-clip: watched
        total += hours * 3600
        j = Jump(hours, time.monotonic(), len(grab.colours), len(err.read_bytes()))
        offset.write_text(f"{base + total}\n", encoding="ascii")
        return j

    def measure_after(j: Jump) -> None:
        start = _cpu(proc.pid)
        _wait(lambda: time.monotonic() - j.at >= 3.0, 5)
        j.cpu_after = _cpu(proc.pid) - start
        j.log_lines_after = err.read_bytes()[j.log_at :].count(b"\n")

    try:
        assert _wait(lambda: {"red", "blue", "green"} <= set(grab.sequence()), 30), err.read_text(
            errors="replace"
        )
        # 10:00 -> 13:00: the slide's window is over; the office is still open.
        cpu0 = _cpu(proc.pid)
        _wait(lambda: False, 3)
        idle_cpu = _cpu(proc.pid) - cpu0
        j1 = jump(+3)
        measure_after(j1)
        _wait(lambda: time.monotonic() - j1.at >= 7, 10)
        # 13:00 -> 10:00 while a new clip that just landed is in its 3 s quiet period.
        _wait(on_clip, 20)
        os.rename(work / "yellow.mp4", sync / "4-yellow.mp4")
        copied = time.monotonic()
        _wait(lambda: time.monotonic() - copied >= 1.0, 2)  # seen (inotify), not yet settled
        j2 = jump(-3)
        measure_after(j2)
        if _wait(lambda: "yellow" in {c for _, c in grab.colours[j2.colours_at :]}, 12):
            result.yellow_after_s = time.monotonic() - copied
        _wait(lambda: "blue" in {c for _, c in grab.colours[j2.colours_at :]}, 10)
        # 10:00 -> 19:00: closed.
        j3 = jump(+9)
        measure_after(j3)
        if _wait(lambda: (status_json(state).get("now") or {}).get("state") == "closed", 10):
            result.closed_after_s = time.monotonic() - j3.at
        for j in (j1, j2, j3):
            j.cpu_before = idle_cpu
        result.jumps = [j1, j2, j3]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        grab.stop()
    result.colours = list(grab.colours)
    result.status = status_json(state)
    for f in sorted((state / "proof-of-play").glob("*.jsonl")):
        result.proof += [json.loads(line) for line in f.read_bytes().splitlines() if line]
    result.stderr = err.read_text(errors="replace")
    yield result


def test_the_player_went_through_the_jumps(run: Run) -> None:
    assert len(run.jumps) == 3, run.stderr
    assert "Traceback" not in run.stderr, run.stderr


def test_item_validity_follows_the_wall_clock(run: Run) -> None:
    j1, j2, _ = run.jumps
    # 13:00: the 09:00-11:00 slide is not shown (it was not on screen at the jump: red was).
    assert "blue" not in run.seen_between(j1.colours_at, j2.colours_at), run.colours
    assert {"red", "green"} <= run.seen_between(j1.colours_at, j2.colours_at)
    # Back at 10:00: it is shown again.
    assert "blue" in run.seen_between(j2.colours_at)


def test_office_hours_follow_the_wall_clock(run: Run) -> None:
    # Closing is judged at each item boundary: within the 2 s clip, plus a heartbeat.
    assert run.closed_after_s is not None and run.closed_after_s < 6, run.stderr


def test_no_timer_storm_after_a_jump(run: Run) -> None:
    for j in run.jumps:
        assert j.cpu_after <= 2 * j.cpu_before + 0.5, (j.hours, j.cpu_before, j.cpu_after)
        assert j.log_lines_after <= 30, run.stderr


def _local(text: object) -> datetime:
    return datetime.fromisoformat(str(text)).astimezone(HCM)


def test_proof_of_play_lines_carry_the_office_time_of_the_moment(run: Run) -> None:
    for line in run.proof:
        start = _local(line["start"])
        assert start.hour in (10, 13, 9, 12) or (start.hour, start.minute) == (19, 0), line
        if start.hour in (13, 12) and line["file"] == "2-blue.png":
            pytest.fail(f"a slide valid 09:00-11:00 was shown at {start}: {line}")
    hours = {_local(line["start"]).hour for line in run.proof}
    assert {10, 13} <= hours | {h + 1 for h in hours}, run.proof


def test_no_stall_is_reported_because_of_a_jump(run: Run) -> None:
    """The stall watch counts monotonic time (kiosk.core.stall): 3 h on is not 3 h frozen."""
    counters = run.status.get("counters") or {}
    assert counters.get("stalls") == 0, (counters, run.stderr)
    assert "stalled" not in run.stderr


def test_proof_of_play_durations_ignore_the_jump(run: Run) -> None:
    """The item on screen at each step: its line says how long it was shown (the monotonic
    clock), ending at the wall clock's time when it left the screen (Shown.ended)."""
    assert len(run.proof) >= 6, run.proof
    for line in run.proof:
        assert float(line["duration_s"]) <= 2.5, line  # type: ignore[arg-type]
        assert _local(line["end"]) >= _local(line["start"]), line


def test_a_file_copied_as_the_clock_steps_back_is_admitted(run: Run) -> None:
    """Its quiet period started before the step: it starts again, it does not last 3 h."""
    assert run.yellow_after_s is not None and run.yellow_after_s < 10, run.stderr


def test_a_quiet_period_restarts_when_the_clock_steps_back() -> None:
    """The same, on the sync index alone: 3 h back costs one quiet period, not 3 h."""
    index = SyncIndex("/srv/sync", quiet_s=2.0)
    now = 1_800_000_000.0
    index.observe("1-a.mp4", Stat("/srv/sync/1-a.mp4", 10, now), now)
    back = now - 3 * 3600 + 1
    assert index.next_due(back) == 2.0
    assert index.due(back + 1) == []
    assert [t.rel for t in index.due(back + 2)] == ["1-a.mp4"]
