"""Power cuts: `kiosk run` killed with SIGKILL at random moments and started again.

Shared by tests/test_powercut.py (a few kills, in CI) and bench/powercut.py (hundreds).
One round: start the player on the real X screen, note when the first item's colour shows
(ScreenGrab), kill it with SIGKILL after a random delay, reap it, then check what it left:
- status.json parses, and `kiosk status` says the player is not running (its pid is gone);
- every proof-of-play line parses, except at most one torn line per kill;
- proof of play lost at most the item on screen: every item the log says was shown in
  this round, bar the last, has its line;
- no temporary files pile up in the state folder.
The next round's start is the restart after the cut; its time to the first picture is
compared with clean starts (empty state folder) measured in the same run.

SIGKILL loses nothing the kernel already has: it tests the player's own ordering (what it
writes when), not the disk's. A torn line as a real power cut leaves it is covered by
tests/test_fuzz_state.py, which starts the player over damaged state files.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.mediagen import COLOURS, make_clip, make_image
from tests.xserver import ScreenGrab, Xvfb

# The controller's log line as an item goes on screen (kiosk.controller.machine, in English:
# env() asks for it, the player speaking Vietnamese by default).
SHOWING = re.compile(
    r"kiosk INFO kiosk\.controller(?:\.\w+)*: showing (?P<rel>.+) \((?P<kind>\w+)\)$"
)
PICTURE_TIMEOUT_S = 20.0


def make_content(sync: Path) -> None:
    """Short items, so that a few seconds hold several switches and proof-of-play lines."""
    sync.mkdir(parents=True, exist_ok=True)
    make_clip(sync / "1-red.mp4", "red", seconds=0.6, size="320x180")
    make_clip(sync / "2-green.mp4", "green", seconds=0.6, size="320x180")
    make_image(sync / "3-blue.png", "blue", (320, 180))
    make_clip(sync / "4-magenta.mp4", "magenta", seconds=0.6, size="320x180")
    past = time.time() - 60
    for f in sync.iterdir():
        os.utime(f, (past, past))  # settled: admitted at start after their probe


@dataclass
class Round:
    started_ms: float | None  # start to the first item's picture, None: cut before it
    killed_after_s: float
    shown: int  # items the log says went on screen
    recorded: int  # proof-of-play lines for this round's items
    lost: int  # shown items without a line (the one on screen at the cut is expected)
    torn: int  # proof-of-play lines that do not parse
    status_ok: bool  # status.json absent (killed before the first write) or parses
    status_says_dead: bool  # `kiosk status` exit 1, naming the gone process
    leftovers: list[str] = field(default_factory=list)  # temp files in the state folder


@dataclass
class PowerCuts:
    xvfb: Xvfb
    work: Path
    kill_window_s: tuple[float, float] = (0.0, 4.0)
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self.sync = self.work / "sync"
        self.state = self.work / "state"
        self.config = self.work / "office.yaml"
        self.config.write_text("slides:\n  duration: 1\n", encoding="utf-8")
        make_content(self.sync)
        self.grab = ScreenGrab(self.xvfb.display, self.xvfb.width, self.xvfb.height).start()

    def stop(self) -> None:
        self.grab.stop()

    def env(self) -> dict[str, str]:
        env = dict(os.environ, DISPLAY=self.xvfb.display, QT_QPA_PLATFORM="xcb", KIOSK_AOUT="dummy")
        env["LANGUAGE"] = "en"  # the log and `kiosk status` lines read below
        env.pop("KIOSK_CONFIG", None)
        return env

    def start(self, state: Path, log: Path) -> tuple[subprocess.Popen[bytes], float]:
        with open(log, "wb") as err:
            began = time.monotonic()
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kiosk",
                    "run",
                    "--config",
                    str(self.config),
                    "--sync-dir",
                    str(self.sync),
                    "--state-dir",
                    str(state),
                ],
                env=self.env(),
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        return proc, began

    def first_picture_ms(self, began: float, proc: subprocess.Popen[bytes]) -> float | None:
        """From start to the first captured frame showing one of the items."""
        deadline = began + PICTURE_TIMEOUT_S
        seen = 0
        while time.monotonic() < deadline and proc.poll() is None:
            colours = self.grab.colours
            for at, colour in colours[seen:]:
                if at >= began and colour in COLOURS:
                    return (at - began) * 1000
            seen = len(colours)
            time.sleep(0.02)
        return None

    def clean_start_ms(self, index: int) -> float | None:
        """A start with an empty state folder: the normal start-up time, for comparison."""
        state = self.work / f"clean-state-{index}"
        proc, began = self.start(state, self.work / f"clean-{index}.log")
        try:
            return self.first_picture_ms(began, proc)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)

    def cut(self, index: int) -> Round:
        """One start (after the previous cut) and one cut."""
        log = self.work / f"run-{index}.log"
        before = proof_lines(self.state)
        proc, began = self.start(self.state, log)
        delay = self.rng.uniform(*self.kill_window_s)
        picture_ms = None
        seen = 0
        try:
            # Watch for the first picture until the moment of the cut (it may come first).
            while time.monotonic() < began + delay:
                colours = self.grab.colours
                for at, colour in colours[seen:]:
                    if picture_ms is None and at >= began and colour in COLOURS:
                        picture_ms = (at - began) * 1000
                seen = len(colours)
                time.sleep(0.005)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)  # reaped, as systemd would: no zombie left to find
        shown = [m["rel"] for m in map(SHOWING.match, log.read_text().splitlines()) if m]
        after = proof_lines(self.state)
        new = after[len(before) :]
        parsed = [parse_line(line) for line in new]
        torn = sum(1 for p in parsed if p is None)
        recorded = [p["file"] for p in parsed if p is not None]
        status_ok = status_parses(self.state)
        said = subprocess.run(
            [sys.executable, "-m", "kiosk", "status", "--state-dir", str(self.state)],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        dead = said.returncode == 1 and (
            "is gone" in said.stdout or "no status file" in said.stdout
        )
        return Round(
            started_ms=picture_ms,
            killed_after_s=delay,
            shown=len(shown),
            recorded=len(recorded),
            lost=max(0, len(shown) - len(recorded)),
            torn=torn,
            status_ok=status_ok,
            status_says_dead=dead,
            leftovers=sorted(p.name for p in self.state.rglob("*.tmp")),
        )


def proof_lines(state: Path) -> list[bytes]:
    lines: list[bytes] = []
    for f in sorted((state / "proof-of-play").glob("*.jsonl")):
        lines += [line for line in f.read_bytes().split(b"\n") if line]
    return lines


def parse_line(line: bytes) -> dict[str, object] | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) and "file" in data and "start" in data else None


def status_parses(state: Path) -> bool:
    path = state / "status.json"
    if not path.exists():
        return True
    try:
        return isinstance(json.loads(path.read_text(encoding="utf-8")), dict)
    except ValueError:
        return False
