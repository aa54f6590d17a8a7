"""An office's files while Syncthing replaces them at the hub (kiosk.fleet.received).

Syncthing removes the hub's old copy before it renames the new one into place, so the file
is missing for a moment at every replacement. From such a moment `kiosk fleet status` once
reported an office "offline: no status received yet", the page dropped an office's
thumbnail ("no screenshot"), and `kiosk fleet report` left out a whole day of plays. The
first tests drive the readers' decisions on real files; the last ones replace status.json,
screenshot.jpg and a proof-of-play file many times through a real hub and office Syncthing
and read them at the hub without pause meanwhile, as those three readers do.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from kiosk.cli import main as kiosk_main
from kiosk.core.playstats import Play
from kiosk.fleet import received
from kiosk.fleet import report as fleet_report
from kiosk.fleet.page import shots
from kiosk.fleet.page.site import generate
from kiosk.fleet.plays import last_plays, plays_between
from kiosk.fleet.received import (
    Holds,
    Index,
    Vanished,
    held_by,
    index_of,
    read_received,
    received_names,
)
from kiosk.fleet.snapshot import take
from kiosk.fleet.status import read_status
from kiosk.fleet.statuscmd import status as fleet_status
from kiosk.state.proofofplay import SUBDIR, ProofOfPlay, Record, day_of, file_name
from kiosk.state.screenshot import SCREENSHOT_FILE, save_screenshot
from kiosk.state.status import STATUS_FILE, StatusWriter
from tests.fleetfixture import VN, screenshot_bytes
from tests.syncthing import Pair


class Asked:
    """A Holds that answers from a list (the last answer repeats) and counts the questions."""

    def __init__(
        self, *answers: bool | None, then: Path | None = None, data: bytes = b'{"n": 2}'
    ) -> None:
        self.answers = list(answers)
        self.calls = 0
        self.then = then  # a file that lands right after the first question, with `data`
        self.data = data

    def __call__(self) -> bool | None:
        self.calls += 1
        if self.then is not None and self.calls == 1:
            self.then.write_bytes(self.data)
        return self.answers[min(self.calls, len(self.answers)) - 1]


def test_a_file_syncthing_does_not_hold_is_not_received_without_waiting(tmp_path: Path) -> None:
    asked = Asked(False)
    assert read_received(tmp_path / STATUS_FILE, asked, wait_s=3600) is None
    assert asked.calls == 1
    assert read_status(tmp_path / STATUS_FILE, asked) == (None, "")


def test_a_file_being_replaced_is_read_once_it_is_back(tmp_path: Path) -> None:
    path = tmp_path / STATUS_FILE
    asked = Asked(True, then=path)  # the rename lands just after the hub's index was asked
    assert read_status(path, asked) == ({"n": 2}, "")
    assert asked.calls == 1


def test_a_file_held_but_missing_for_longer_than_a_replacement_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / STATUS_FILE
    with pytest.raises(Vanished, match="missing although the hub's Syncthing holds it"):
        read_received(path, Asked(True), wait_s=0.05)
    monkeypatch.setattr(received, "REPLACE_WAIT_S", 0.05)
    status, error = read_status(path, Asked(True))
    assert status is None
    assert error.startswith(f"{path} is missing although the hub's Syncthing holds it")


@pytest.mark.parametrize("later", [False, None], ids=["deleted-by-the-office", "cannot-say"])
def test_a_file_gone_for_good_or_unknown_is_not_received(
    tmp_path: Path, later: bool | None
) -> None:
    asked = Asked(True, later)
    assert read_received(tmp_path / STATUS_FILE, asked, wait_s=0.05) is None
    assert asked.calls == 2
    assert read_received(tmp_path / STATUS_FILE, Asked(None), wait_s=0.05) is None


def test_a_name_syncthing_is_renaming_in_is_listed(tmp_path: Path) -> None:
    for name in (".syncthing.b.jsonl.tmp", "a.jsonl", ".syncthing.a.jsonl.tmp", "c"):
        (tmp_path / name).touch()
    names = received_names(tmp_path)
    assert sorted(names) == sorted([*(p.name for p in tmp_path.iterdir()), "b.jsonl"])


def test_a_proof_of_play_day_being_replaced_is_read_not_skipped(tmp_path: Path) -> None:
    """Listed in the moment between Syncthing's delete and its rename: only the temp name."""
    folder = tmp_path / SUBDIR
    folder.mkdir()
    day = day_of(time.time(), VN)
    line = b'{"start": "2026-12-01T09:00:00.000+07:00", "end": "2026-12-01T09:00:30.000+07:00", '
    line += b'"file": "10-province/a.mp4", "kind": "video", "outcome": "completed"}\n'
    (folder / f".syncthing.{file_name(day)}.tmp").write_bytes(line)
    asked: list[str] = []

    def index(name: str) -> Holds:
        asked.append(name)
        return Asked(True, then=folder / file_name(day), data=line)

    plays, bad = plays_between(tmp_path, day, day, index)
    assert (len(plays), bad, asked) == (1, 0, [f"{SUBDIR}/{file_name(day)}"])
    (folder / file_name(day)).unlink()
    assert len(last_plays(tmp_path, 50, index)) == 1


def test_a_screenshot_being_replaced_keeps_its_thumbnail_on_disk(tmp_path: Path) -> None:
    src, thumb = tmp_path / SCREENSHOT_FILE, tmp_path / "thumb.jpg"
    src.write_bytes(screenshot_bytes("#1565c0"))
    assert shots.refresh(src, thumb, shots.THUMB_WIDTH)
    src.unlink()  # Syncthing's delete; its rename follows just after the hub's index is asked
    new = screenshot_bytes("#6a1b9a")
    assert shots.refresh(src, thumb, shots.THUMB_WIDTH, Asked(True, then=src, data=new))
    assert thumb.stat().st_mtime_ns == src.stat().st_mtime_ns
    src.unlink()  # and gone for good: no thumbnail
    assert not shots.refresh(src, thumb, shots.THUMB_WIDTH, Asked(False))
    assert not thumb.exists()


# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """A hub and an office "a" set up by the fleet's commands; each test its own file."""
    pair = Pair.start(tmp_path_factory.mktemp("pair"))
    try:
        assert pair.join() == 0, pair.said
        assert pair.add_office() == 0, pair.said
        yield pair
    finally:
        pair.stop()


class Gaps:
    """An Index (kiosk.fleet.received) that counts the questions: a reader asks only when a
    file it wants is missing, i.e. while Syncthing replaces it."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.met = 0

    def __call__(self, name: str) -> Holds:
        holds = self.index(name)

        def counted() -> bool | None:
            self.met += 1
            return holds()

        return counted


GAPS_WANTED = 3  # replacements during which the hub's readers found the file missing
MAX_REPLACEMENTS = 300


def replace_until_gaps(
    pair: Pair,
    qtbot: QtBot,
    gaps: Gaps,
    name: str,
    write: Callable[[int], None],
    arrived: Callable[[int], bool],
) -> int:
    """Writes version 1 of `name` at the office, waits until the hub holds it, then writes
    version 2, 3... each scanned at once and sent, while `arrived(n)` reads the hub's copy
    without pause (asserting what it must of what it read) until it is version n; until the
    readers met the file missing GAPS_WANTED times. Returns the last version written."""
    holds = index_of(pair.hub.api(), pair.folder)(name)
    office = pair.office.api()
    write(1)
    office.post("/rest/db/scan", folder=pair.folder, sub=name)
    # The hub's index lists the file once the pull that brought it ends, just after it lands.
    qtbot.waitUntil(lambda: (pair.at_hub / name).is_file() and holds() is True, timeout=30_000)
    gaps.met = 0
    n = 1
    while gaps.met < GAPS_WANTED and n < MAX_REPLACEMENTS:
        n += 1
        write(n)
        office.post("/rest/db/scan", folder=pair.folder, sub=name)
        deadline = time.monotonic() + 20
        while not arrived(n):
            assert time.monotonic() < deadline, f"version {n} of {name} never reached the hub"
    assert gaps.met >= GAPS_WANTED, (
        f"Syncthing replaced {name} {n} times at the hub and the readers found it missing "
        f"{gaps.met} times only: does Syncthing now replace files in one rename? "
        "(kiosk.fleet.received)"
    )
    return n


def _status(n: int) -> dict[str, object]:
    return {"state": "running", "updated_at": time.time(), "heartbeat_s": 2.0, "n": n}


@pytest.mark.syncthing
def test_status_json_being_replaced_at_the_hub_is_never_taken_for_missing(
    pair: Pair, qtbot: QtBot
) -> None:
    at_hub = pair.at_hub / STATUS_FILE
    holds = held_by(pair.hub.api(), pair.folder, STATUS_FILE)
    if not at_hub.exists():  # as it arrives first
        assert holds() is False  # nothing sent yet: not in the hub's index
        assert read_status(at_hub, holds) == (None, "")
    writer = StatusWriter(pair.state)
    gaps = Gaps(index_of(pair.hub.api(), pair.folder))

    def write(n: int) -> None:
        assert writer.write(_status(n))

    def arrived(n: int) -> bool:
        status, error = read_status(at_hub, gaps(STATUS_FILE))
        assert status is not None, f"version {n}: {error or 'no status received'}"
        return bool(status["n"] == n)

    replace_until_gaps(pair, qtbot, gaps, STATUS_FILE, write, arrived)
    # What the province's cron sees meanwhile: the office online.
    out: list[str] = []
    code = fleet_status(pair.fleet, pair.hub.home, True, 30.0, out.append)
    view = json.loads("".join(out))["offices"][0]
    assert (code, view["state"]) == (0, "online"), view


@pytest.mark.syncthing
def test_a_screenshot_being_replaced_at_the_hub_keeps_its_thumbnail(
    pair: Pair, qtbot: QtBot, tmp_path: Path
) -> None:
    """The page, made again and again from one snapshot of the fleet, as `serve` does."""
    site = tmp_path / "site"
    sent: dict[int, int] = {}  # version -> its mtime, which Syncthing keeps at the hub

    def write(n: int) -> None:
        image = QImage(64, 36, QImage.Format.Format_RGB32)
        image.fill(QColor.fromHsv(n * 37 % 360, 200, 200))
        assert isinstance(save_screenshot(image, pair.state), Path)
        sent[n] = (pair.state / SCREENSHOT_FILE).stat().st_mtime_ns

    snap = take(pair.fleet, pair.hub.home, 30.0)
    gaps = Gaps(snap.offices[0].index)
    snap = dataclasses.replace(snap, offices=[dataclasses.replace(snap.offices[0], index=gaps)])

    def arrived(n: int) -> bool:
        generate(snap, site)
        card = (site / "index.html").read_text(encoding="utf-8")
        assert "noshot" not in card, f"version {n}: the card lost its thumbnail"
        return (site / "thumbs" / "a.jpg").stat().st_mtime_ns == sent[n]

    replace_until_gaps(pair, qtbot, gaps, SCREENSHOT_FILE, write, arrived)


@pytest.mark.syncthing
def test_a_proof_of_play_day_being_replaced_at_the_hub_loses_no_play(
    pair: Pair, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `kiosk fleet report` and the office's page read the plays."""
    start = time.time()
    day = day_of(start, VN)
    name = f"{SUBDIR}/{file_name(day)}"
    proof = ProofOfPlay.in_state_dir(pair.state, 90, VN)
    gaps = Gaps(index_of(pair.hub.api(), pair.folder))

    def write(n: int) -> None:
        assert proof.record(Record(start, start + 30, "10-province/a.mp4", "video", "completed"))

    def arrived(n: int) -> bool:
        plays, bad = plays_between(pair.at_hub, day, day, gaps)
        assert bad == 0 and len(plays) >= n - 1, f"version {n}: the report read {len(plays)}"
        shown = last_plays(pair.at_hub, 50, gaps)
        assert len(shown) >= min(n - 1, 50), f"version {n}: the page read {len(shown)}"
        return len(plays) == n and len(shown) == min(n, 50)

    try:
        n = replace_until_gaps(pair, qtbot, gaps, name, write, arrived)
    finally:
        proof.close()
    # The report, as the province runs it: it asks the hub's Syncthing too.
    asked: list[bool | None] = []

    def asking(state: Path, first: date, last: date, index: Index) -> tuple[list[Play], int]:
        asked.append(index(name)())
        return plays_between(state, first, last, index)

    monkeypatch.setattr(fleet_report, "plays_between", asking)
    out = io.StringIO()
    report = tmp_path / "report.csv"
    args = ["--from", day.isoformat(), "--to", day.isoformat(), "--csv", str(report)]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = kiosk_main(["fleet", "report", "--fleet", str(pair.fleet), *args,
                           "--syncthing-home", str(pair.hub.home)])  # fmt: skip
    assert code == 0, out.getvalue()
    rows = list(csv.DictReader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["office"], r["plays"]) for r in rows] == [("a", str(n))], out.getvalue()
    assert asked == [True]


@pytest.mark.syncthing
def test_a_status_json_the_office_deletes_is_no_status_at_the_hub(pair: Pair, qtbot: QtBot) -> None:
    at_hub = pair.at_hub / STATUS_FILE
    holds = held_by(pair.hub.api(), pair.folder, STATUS_FILE)
    assert StatusWriter(pair.state).write(_status(1))
    qtbot.waitUntil(at_hub.is_file, timeout=30_000)
    qtbot.waitUntil(lambda: holds() is True, timeout=10_000)
    (pair.state / STATUS_FILE).unlink()
    qtbot.waitUntil(lambda: not at_hub.exists() and holds() is False, timeout=15_000)
    assert read_status(at_hub, holds) == (None, "")
