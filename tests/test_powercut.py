"""Power cuts: the player killed with SIGKILL and restarted; `kiosk status` after a death.

bench/powercut.py runs the same cuts 100 times; here a few, with a fixed seed.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.state.status import StatusWriter, read_status
from tests.powercut import PowerCuts
from tests.xserver import Xvfb

WRITER = """
import sys, time
from pathlib import Path
from kiosk.state.status import StatusWriter
StatusWriter(Path(sys.argv[1])).write({"state": "running", "updated_at": time.time()})
print("written", flush=True)
sys.stdin.read()
"""


def test_status_tells_a_killed_player_from_a_live_one(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "written\n"
        assert read_status(tmp_path).alive
        proc.kill()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    report = read_status(tmp_path)  # the file is seconds old and says "running"
    assert not report.alive
    assert f"its process (pid {proc.pid}) is gone" in report.problem


def _status_by(tmp_path: Path, **process: object) -> None:
    writer = StatusWriter(tmp_path)
    data = json.loads(json.dumps({"state": "running", "updated_at": time.time()}))
    writer.write(data)
    data = json.loads((tmp_path / "status.json").read_text())
    data["process"].update(process)
    (tmp_path / "status.json").write_text(json.dumps(data))


def test_status_a_reused_pid_or_a_reboot_is_not_the_player(tmp_path: Path) -> None:
    _status_by(tmp_path, start_ticks=1)  # this pid runs, but started at another time
    assert "that pid is now another program" in read_status(tmp_path).problem
    _status_by(tmp_path, boot_id="an-earlier-boot")
    assert "the machine restarted" in read_status(tmp_path).problem
    # Written on another machine (a hub reading an office's folder): only the age tells.
    _status_by(tmp_path, boot_id="another-machine", host="office-7", pid=999_999_999)
    assert read_status(tmp_path).alive


@pytest.mark.xvfb
def test_power_cuts_lose_at_most_the_item_on_screen(xvfb: Xvfb, tmp_path: Path) -> None:
    cuts = PowerCuts(xvfb, tmp_path, (0.3, 3.0), random.Random(17))
    try:
        clean = cuts.clean_start_ms(0)
        rounds = [cuts.cut(i) for i in range(4)]
    finally:
        cuts.stop()
    assert clean is not None
    for r in rounds:
        assert r.status_ok and r.status_says_dead, r
        assert r.torn == 0 and r.lost <= 1, r
        assert len(r.leftovers) <= 2, r  # this cut's own; the next start sweeps them
    assert sum(r.recorded for r in rounds) >= 2, rounds  # the cuts did fall mid-rotation
    # What went on screen is read from the player's log: a log line that changed would make
    # every "lost" 0 and the check above empty.
    assert sum(r.shown for r in rounds) >= sum(r.recorded for r in rounds), rounds
    restarts = [r.started_ms for r in rounds[1:] if r.started_ms is not None]
    assert restarts, rounds
    assert max(restarts) <= 2 * clean + 500, (clean, restarts)
