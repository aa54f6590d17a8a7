"""State files left damaged by an earlier run never stop a start, nor `kiosk status`.

A power cut can leave status.json half-written by another tool, a proof-of-play file with a
torn last line or junk, temp files, a folder where a file should be. Fuzzed in process
(Hypothesis: the readers and the appender), then once for real: `kiosk run` started over a
state folder holding all of it must show its first picture and write good files again.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from kiosk.state.proofofplay import ProofOfPlay, Record, day_of, files_to_delete
from kiosk.state.status import read_status
from kiosk.state.statusview import render
from tests import fuzzkit
from tests.conftest import KioskRun
from tests.mediagen import make_clip
from tests.xserver import ScreenGrab, Xvfb

NO_FIXTURE_CHECK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(alphabet=fuzzkit.ANY_CHAR, max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
STATUS_KEYS = [
    "version",
    "pid",
    "office",
    "state",
    "started_at",
    "updated_at",
    "heartbeat_s",
    "now",
    "next",
    "playlist",
    "sync",
    "counters",
    "failed",
    "problems",
    "cannot_write",
    "recent_errors",
    "screenshot_at",
    "not_whole",
    "video_note",
    "process",
]
status_doc = st.dictionaries(st.sampled_from(STATUS_KEYS), json_value, max_size=12).map(
    lambda d: json.dumps(d, allow_nan=True)
)
status_bytes = st.one_of(
    fuzzkit.damaged(status_doc),
    fuzzkit.damaged(json_value.map(lambda v: json.dumps(v, allow_nan=True))),
    st.binary(max_size=300),
)


@NO_FIXTURE_CHECK
@given(data=status_bytes)
def test_status_json_damaged(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`kiosk status` over any status.json: a verdict and a text, never a traceback."""
    fuzzkit.CASES["status.json (damaged)"] += 1
    state = _scratch(tmp_path_factory, "status")
    (state / "status.json").write_bytes(data)
    report = read_status(state)
    text = render(report)
    assert text and isinstance(report.alive, bool)


@NO_FIXTURE_CHECK
@given(old=st.one_of(fuzzkit.damaged(st.just('{"file": "a.mp4"}\n' * 3)), st.binary(max_size=300)))
def test_proof_of_play_appends_after_any_leftover(
    old: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Whatever an earlier run left in today's file (a torn line, junk), the next line stands
    alone and parses."""
    fuzzkit.CASES["proof-of-play file (damaged)"] += 1
    folder = _scratch(tmp_path_factory, "pop")
    now = time.time()
    proof = ProofOfPlay(folder, 90, UTC)
    path = proof.path_for(day_of(now, UTC))
    path.write_bytes(old)
    assert proof.record(Record(now, now + 1, "1-a.mp4", "video", "completed"))
    proof.close()
    last = path.read_bytes().split(b"\n")[-2]
    assert json.loads(last)["file"] == "1-a.mp4"


@NO_FIXTURE_CHECK
@given(names=st.lists(st.text(alphabet=fuzzkit.ANY_CHAR, max_size=40), max_size=10))
def test_proof_of_play_retention_over_any_names(names: list[str]) -> None:
    fuzzkit.CASES["proof-of-play folder names"] += 1
    names = [*names, "proof-of-play-2026-02-30.jsonl", "proof-of-play-0000-01-01.jsonl"]
    for name in files_to_delete(names, date(2026, 12, 1), 90):
        assert name in names and name.startswith("proof-of-play-")


_DIRS: dict[str, Path] = {}


def _scratch(factory: pytest.TempPathFactory, name: str) -> Path:
    if name not in _DIRS:
        _DIRS[name] = factory.mktemp(f"fuzz-{name}")
    return _DIRS[name]


@pytest.mark.xvfb
def test_a_start_over_damaged_state_files_shows_its_picture(
    xvfb: Xvfb, tmp_path: Path, sync_dir: Path, run_kiosk: KioskRun, qtbot: QtBot
) -> None:
    make_clip(sync_dir / "1-red.mp4", "red", seconds=0.6)
    make_clip(sync_dir / "2-green.mp4", "green", seconds=0.6)
    state = run_kiosk.state
    (state / "proof-of-play").mkdir(parents=True)
    (state / "status.json").write_bytes(b'{"state": "running", "updated_at": 1e400, "now": [')
    today = time.strftime("%Y-%m-%d")  # the office's zone is +07: write both candidate days
    for day in {today, time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 3600))}:
        (state / "proof-of-play" / f"proof-of-play-{day}.jsonl").write_bytes(
            b'{"start": "2026-12-01T08:00:00.000+07:00", "file": "1-red.mp4"}\n'
            b'{"start": "2026-12-01T08:00:01.000+07:00", "fi\x00\xff'  # torn by a power cut
        )
    leftover = state / ".status.json.abc123.tmp"  # a cut between write and rename
    leftover.write_bytes(b"{")
    os.utime(leftover, (time.time() - 60, time.time() - 60))
    (state / "screenshot.jpg").mkdir()  # a folder where the screenshot goes
    (state / "kiosk.log").write_bytes(os.urandom(2000))
    grab = ScreenGrab(xvfb.display, xvfb.width, xvfb.height).start()
    try:
        run_kiosk("--sync-dir", str(sync_dir))
        qtbot.waitUntil(
            lambda: run_kiosk.alive() and {"red", "green"} <= set(grab.sequence()), timeout=20_000
        )

        def written_again() -> bool:
            try:
                status = run_kiosk.status()
            except ValueError:
                return False
            return status.get("state") == "running" and status["counters"]["played"] >= 3

        qtbot.waitUntil(lambda: run_kiosk.alive() and written_again(), timeout=20_000)
    finally:
        grab.stop()
    lines = [
        line
        for f in (state / "proof-of-play").glob("*.jsonl")
        for line in f.read_bytes().split(b"\n")
        if line
    ]
    good = [
        json.loads(line) for line in lines if line.startswith(b'{"start"') and line.endswith(b"}")
    ]
    assert any(g.get("outcome") == "completed" for g in good), lines
    assert not list(state.glob(".status.json.*.tmp")), "a cut's temp file is left forever"
    stderr = run_kiosk.stderr.read_text(errors="replace")
    assert "Traceback" not in stderr, stderr
