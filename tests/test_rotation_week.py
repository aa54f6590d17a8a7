"""The player and `kiosk check --at` agree, item for item, over a simulated week.

One schedule-heavy sync folder (valid dates, weekdays, time windows, a text slide with its
own hours, a broken clip) and an office with split hours, a short Saturday and a holiday.
The real Controller plays it with fake players in virtual time: at each step the wall
clock is set to a moment of the week, the player runs on until it has gone round its loop
(or closed), and what it started must be exactly what `kiosk check --at` lists for that
moment, in the same order (the loop may be entered anywhere); closed means nothing starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSize

from kiosk.cli import main
from kiosk.clock.virtual import VirtualClock
from kiosk.config import load_config
from kiosk.controller import ClosedHours, Controller, State
from kiosk.core.rotation import RETRY_FAILED_AFTER_S
from kiosk.playback.fake import FakePlayer
from kiosk.sync.playlist_source import ContentSource
from kiosk.sync.scan import scan
from kiosk.ui.fonts import load_bundled_fonts
from kiosk.ui.slides import SlideRenderer
from tests.mediagen import make_image
from tests.test_check_at import CONFIG  # split hours, a short Saturday, a holiday
from tests.test_controller import Recorder

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PLAYLIST = """\
items:
  - a-gioi-thieu_3s.mp4
  - file: b-buoi-sang_2s.mp4
    times: "07:30-09:30"
  - file: c-thu-246_2s.mp4
    weekdays: [mon, wed, fri]
  - file: d-bang-phi.png
    duration: 3
    valid_until: 2026-12-03
  - file: e-phi-moi.png
    duration: 3
  - broken.mp4
  - f-buoi-chieu.md
"""
AFTERNOON_SLIDE = """\
---
duration: 2
times: "13:30-17:00"
---
# Nhận kết quả buổi chiều
1. Xuất trình giấy hẹn
2. Nhận kết quả
"""
WEEK = [date(2026, 11, 30) + timedelta(days=n) for n in range(7)]  # Monday to Sunday
# At every edge of a rule, and between them; never less than 2 minutes before an edge, so
# that the rules stay the same while the player goes round its loop.
TIMES = [
    "06:00", "07:27", "07:30", "08:15", "09:27", "09:30", "10:45", "11:27",
    "11:30", "12:30", "13:27", "13:30", "15:00", "16:57", "17:00", "21:00",
]  # fmt: skip
WITHIN_S = 120  # the hours are looked at every minute at least; a loop takes 15 s


@pytest.fixture
def office(tmp_path: Path, clips: dict[str, Path], qapp: object) -> tuple[Path, Path]:
    load_bundled_fonts()
    sync = tmp_path / "sync"
    sync.mkdir()
    for name, colour in (("a-gioi-thieu_3s", "red"), ("b-buoi-sang_2s", "green")):
        (sync / f"{name}.mp4").write_bytes(clips[colour].read_bytes())
    (sync / "c-thu-246_2s.mp4").write_bytes(clips["blue"].read_bytes())
    make_image(sync / "d-bang-phi.png", "yellow")
    make_image(sync / "e-phi-moi.png", "magenta")
    (sync / "e-phi-moi.png.yaml").write_text("valid_from: 2026-12-04\n", encoding="utf-8")
    (sync / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4000)
    (sync / "f-buoi-chieu.md").write_text(AFTERNOON_SLIDE, encoding="utf-8")
    (sync / "playlist.yaml").write_text(PLAYLIST, encoding="utf-8")
    config = tmp_path / "office.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    return config, sync


@dataclass(frozen=True)
class Expected:
    closed: bool
    order: list[str]  # what plays, in order


def check_at(config: Path, sync: Path, when: str, capsys: pytest.CaptureFixture[str]) -> Expected:
    main(["check", "--config", str(config), "--sync-dir", str(sync), "--at", when])
    lines = capsys.readouterr().out.splitlines()
    head = next(line for line in lines if line.startswith("at "))
    order = [m.group(1) for line in lines if (m := re.match(r"  \d+\. (\S+) \(", line))]
    return Expected("the office is CLOSED" in head, order)


class Player:
    """The real controller over the same folder and config, on fake players."""

    def __init__(self, config: Path, sync: Path, clock: VirtualClock) -> None:
        cfg, problems = load_config(config, {})
        assert not problems, problems
        self.clock = clock
        self.players = [FakePlayer(clock=clock, frame_interval=1.0) for _ in range(2)]
        source = ContentSource(
            sync, None, cfg.slides_duration, lambda: scan(sync), cfg.office_timezone
        )
        self.controller = Controller(
            self.players[0],
            Recorder(),
            source,
            SlideRenderer(size=lambda: QSize(320, 180)),
            clock=clock,
            spare=self.players[1],
            closed=ClosedHours(cfg.hours),
        )
        self.starts: list[tuple[float, str]] = []  # wall time, item
        self.controller.changed.connect(self._changed)

    def _changed(self) -> None:
        now = self.controller.now
        if now.state in (State.VIDEO, State.SLIDE) and now.item is not None:
            start = (now.since, now.item.rel)
            if not self.starts or self.starts[-1] != start:
                self.starts.append(start)

    def since(self, wall: float) -> list[str]:
        return [rel for when, rel in self.starts if when >= wall]

    def stays_closed(self, wall: float) -> bool:
        """Runs WITHIN_S: closed by then (the item on screen may end first), nothing started."""
        self.clock.advance(WITHIN_S)
        return self.controller.state is State.CLOSED and not self.since(wall)

    def goes_round(self, wall: float, items: int) -> list[str]:
        """Runs until `items` + 1 items started since `wall` (or WITHIN_S passed)."""
        self.clock.run_until(lambda: len(self.since(wall)) > items, WITHIN_S)
        return self.since(wall)

    def close(self) -> None:
        self.controller.stop()
        for p in self.players:
            p.close()


@pytest.fixture
def player(office: tuple[Path, Path]) -> Iterator[Player]:
    config, sync = office
    clock = VirtualClock(wall=datetime(2026, 11, 30, 5, 0, tzinfo=VN).timestamp())
    made = Player(config, sync, clock)
    made.controller.start()
    yield made
    made.close()


def is_cyclic_walk(started: list[str], order: list[str]) -> bool:
    """`started` goes round `order`, entered anywhere, skipping nothing and adding nothing."""
    if not started or started[0] not in order:
        return False
    first = order.index(started[0])
    return all(rel == order[(first + i) % len(order)] for i, rel in enumerate(started))


def test_the_player_plays_what_check_at_lists_all_week(
    office: tuple[Path, Path], player: Player, capsys: pytest.CaptureFixture[str]
) -> None:
    config, sync = office
    seen: set[tuple[str, ...]] = set()
    for day in WEEK:
        for hhmm in TIMES:
            when = f"{day.isoformat()} {hhmm}"
            expected = check_at(config, sync, when, capsys)
            wall = datetime.fromisoformat(when).replace(tzinfo=VN).timestamp()
            player.clock.set_wall(wall)
            if expected.closed:
                assert player.stays_closed(wall), (when, player.since(wall))
                continue
            started = player.goes_round(wall, len(expected.order))
            assert len(started) > len(expected.order), (when, started, expected.order)
            assert is_cyclic_walk(started, expected.order), (when, started, expected.order)
            seen.add(tuple(expected.order))
    # The week really went through different rotations (not one list all along).
    assert len(seen) >= 6, seen
    # The broken clip was tried again every ten minutes of the player's own (monotonic) time,
    # not at every step of the wall clock: about 2.5 h of play here.
    failed, played_s = player.controller.counters.failed, player.clock.monotonic()
    assert 2 <= failed <= 1 + played_s // RETRY_FAILED_AFTER_S, (failed, played_s)
