"""`kiosk fleet report`: plays per clip and office from proof-of-play files written by the
player's own writer, counted on each office's own days, as a table, a CSV and charts."""

from __future__ import annotations

import contextlib
import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kiosk.cli import main as kiosk_main
from kiosk.core.pagemodel import OUTCOME_WORDS
from kiosk.core.playstats import parse, tally
from kiosk.fleet.registry import Fleet, Office
from kiosk.i18n import localize
from kiosk.state.proofofplay import ProofOfPlay, Record
from tests.fleetfixture import EVIL_NAME, VN, at

CLIP1 = "10-province/1-huong-dan-nop-ho-so.mp4"
CLIP2 = "20-north/lịch tiếp dân.png"


def _record(
    state: Path, start: float, clip: str, seconds: float, outcome: str = "completed"
) -> None:
    proof = ProofOfPlay.in_state_dir(state, 1000, VN, clock=lambda: start)
    reason = "" if outcome == "completed" else f"{outcome} on purpose"
    assert proof.record(Record(start, start + seconds, clip, "video", outcome, reason))  # type: ignore[arg-type]
    proof.close()


@pytest.fixture
def fleet(tmp_path: Path) -> Fleet:
    fleet = Fleet(tmp_path / "fleet")
    fleet.offices = {
        "a": Office("a", "DEVA", EVIL_NAME, ("north",)),
        "b": Office("b", "DEVB", "UBND xã Bình Minh", ("south",)),
    }
    fleet.save()
    a, b = fleet.state_dir("a"), fleet.state_dir("b")
    _record(a, at(1, 9, 0), CLIP1, 30)
    _record(a, at(1, 9, 1), CLIP2, 10, "skipped")
    _record(a, at(1, 9, 2), CLIP1, 30)
    _record(a, at(2, 6, 0), CLIP1, 0.5, "failed")  # 2 December in Vietnam, 1 December in UTC
    _record(a, at(3, 9, 0), CLIP1, 30)  # after the range
    _record(b, at(1, 10, 0), CLIP1, 30)
    with open(a / "proof-of-play" / "proof-of-play-2026-12-02.jsonl", "a") as f:
        f.write('{"start": "2026-12-02T0\nnot json at all\n')  # a torn line, a foreign one
    return fleet


def _kiosk(fleet: Fleet, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = kiosk_main(["fleet", "report", "--fleet", str(fleet.root), *args])
    return code, out.getvalue()


def test_plays_are_counted_per_clip_and_office_day(fleet: Fleet, tmp_path: Path) -> None:
    code, text = _kiosk(
        fleet,
        *("--from", "2026-12-01", "--to", "2026-12-02"),
        *("--csv", str(tmp_path / "r.csv"), "--charts", str(tmp_path / "charts")),
    )
    assert code == 0, text
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a spreadsheet then reads the UTF-8 names right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [
        [
            "office",
            "name",
            "groups",
            "clip",
            "plays",
            "completed",
            "skipped",
            "failed",
            "minutes_on_screen",
        ],
        ["a", EVIL_NAME, "north", CLIP1, "3", "2", "0", "1", "1.0"],
        ["a", EVIL_NAME, "north", CLIP2, "1", "0", "1", "0", "0.2"],
        ["b", "UBND xã Bình Minh", "south", CLIP1, "1", "1", "0", "0", "0.5"],
    ]
    assert "unreadable lines (cut by a power cut, or not a play): a 2" in text
    assert "all 2 offices:\n  CLIP" in text
    assert [line.split()[1:] for line in text.splitlines() if line.startswith(f"  {CLIP1}")][
        -1
    ] == ["4", "3", "0", "1", "1.5"]

    # A chart per office: SVG drawn by pygal, one bar per day, nothing linked from elsewhere.
    svg = (tmp_path / "charts" / "office-a.svg").read_bytes()
    tree = ET.fromstring(svg)
    texts = [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text")]
    completed = localize(OUTCOME_WORDS["completed"])  # the legend, in the reader's language
    assert "01/12" in texts and "02/12" in texts and completed in texts
    assert b"<script>document" not in svg and b"kozea.github.io" not in svg
    assert b'xlink:href="http' not in svg
    index = (tmp_path / "charts" / "index.html").read_text()
    assert '<img src="office-a.svg"' in index and "&lt;script&gt;document" in index
    assert "<script>document" not in index


def test_a_group_or_an_office_only(fleet: Fleet, tmp_path: Path) -> None:
    csv_path = str(tmp_path / "r.csv")
    code, _ = _kiosk(fleet, "--from", "2026-12-01", "--to", "2026-12-31", "--group", "south")
    assert code == 0
    code, _ = _kiosk(
        fleet, "--from", "2026-12-01", "--to", "2026-12-31", "--office", "a", "--csv", csv_path
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(Path(csv_path).read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["a", "a"] and rows[1][4] == "4"  # the 3rd now counts
    for bad in (("--group", "east"), ("--office", "z")):
        code, text = _kiosk(fleet, "--from", "2026-12-01", "--to", "2026-12-31", *bad)
        assert code == 2 and "no office" in text
    code, text = _kiosk(fleet, "--from", "2026-12-05", "--to", "2026-12-01")
    assert code == 2 and "is after" in text
    with pytest.raises(SystemExit) as exit:  # argparse's own usage error
        _kiosk(fleet, "--from", "5/12/2026", "--to", "2026-12-01")
    assert exit.value.code == 2


def test_days_are_the_offices_own_and_bad_lines_are_counted() -> None:
    text = (
        '{"start": "2026-12-02T06:00:00.000+07:00", "end": "x", "file": "a.mp4",'
        ' "kind": "video", "duration_s": 12.5, "outcome": "completed"}\n'
        '{"start": "2026-12-02T06:01:00.000+07:00", "file": "a.mp4", "outcome": "maybe"}\n'
        "\n"
        '{"start": "2026-12-0'
    )
    plays, bad = parse(text)
    assert [(p.day.isoformat(), p.duration_s) for p in plays] == [("2026-12-02", 12.5)]
    assert bad == 2
    report = tally({"x": plays}, plays[0].day, plays[0].day)
    assert report.by_clip["x"]["a.mp4"].completed == 1
    assert report.by_day["x"][plays[0].day].seconds == 12.5
