"""Fuzzed inputs reaching the running player: odd file names, and side files rewritten live.

tests/test_fuzz_inputs.py fuzzes the readers in process, thousands of cases; this runs the
real `kiosk run` on Xvfb over what those readers let through: names as other machines make
them (NFD, 240 bytes, emoji, `%#?&`, a newline, bytes that are not UTF-8), and a playlist.yaml,
a sidecar, a Markdown slide and ticker.txt replaced by Hypothesis-made versions while it plays.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import KioskRun, status_json
from tests.fuzzkit import (
    SHAPE,
    any_input,
    playlist_doc,
    sidecar_doc,
    slide_markdown_doc,
    ticker_doc,
)
from tests.mediagen import make_clip, make_image
from tests.xserver import Xvfb

pytestmark = pytest.mark.xvfb

NAMES = {
    "01-Hướng dẫn nộp hồ sơ.mp4": "01-Hướng dẫn nộp hồ sơ.mp4",
    unicodedata.normalize("NFD", "02-Thủ tục hộ tịch.png"): "02-Thủ tục hộ tịch.png",
    "03-100% #1 ?a=b&c.mp4": "03-100% #1 ?a=b&c.mp4",
    "04-" + "ệ" * 78 + ".mp4": "04-" + "ệ" * 78 + ".mp4",  # 245 bytes
    "05-emoji 🇻🇳👩‍👩‍👧.png": "05-emoji 🇻🇳👩‍👩‍👧.png",
    "06-new\nline.mp4": "06-new\\nline.mp4",  # as the log writes it: one line
    "-07-dash.mp4": "-07-dash.mp4",
    "08 file:etc.png": "08 file:etc.png",
    "09-back\\slash.mp4": "09-back\\slash.mp4",
}
NOT_UTF8 = [b"10-\xff\xfe.mp4", b"11-caf\xe9.png"]


def _wait(cond: object, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    tick = threading.Event()
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return True
        tick.wait(0.05)
    return bool(cond())  # type: ignore[operator]


def test_odd_file_names_play_or_are_set_aside_with_a_remedy(
    tmp_path: Path, sync_dir: Path, run_kiosk: KioskRun
) -> None:
    clip, image = make_clip(tmp_path / "c.mp4", "red", 0.4), make_image(tmp_path / "i.png", "blue")
    names: list[str | bytes] = [*NAMES, *NOT_UTF8]
    for name in names:
        source = (
            clip
            if (name.endswith(".mp4") if isinstance(name, str) else name.endswith(b".mp4"))
            else image
        )
        target = os.path.join(os.fsencode(sync_dir), os.fsencode(name))
        with open(target, "wb") as f:
            f.write(source.read_bytes())
    config = tmp_path / "office.yaml"
    config.write_text("slides:\n  duration: 1\n", encoding="utf-8")
    run_kiosk("--sync-dir", str(sync_dir), "--config", str(config))
    log = run_kiosk.stderr

    def all_shown() -> bool:
        assert run_kiosk.alive()
        text = log.read_text(errors="replace")
        return all(f"showing {shown} (" in text for shown in NAMES.values())

    assert _wait(all_shown, 40), log.read_text(errors="replace")
    assert _wait(lambda: len(status_json(run_kiosk.state).get("failed") or []) == 2, 10)
    status = status_json(run_kiosk.state)
    for failed in status["failed"]:
        assert "rename the file" in failed["reason"], failed
    for proc in run_kiosk.procs:
        proc.send_signal(signal.SIGTERM)  # a clean stop writes the line of the item on screen
        assert proc.wait(timeout=30) == 0
    proof = [
        json.loads(line)
        for f in (run_kiosk.state / "proof-of-play").glob("*.jsonl")
        for line in f.read_bytes().splitlines()
    ]
    assert {unicodedata.normalize("NFC", n) for n in NAMES} <= {p["file"] for p in proof}
    assert "Traceback" not in log.read_text(errors="replace")


@pytest.fixture(scope="module")
def live(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskRun]:
    work = tmp_path_factory.mktemp("live-fuzz")
    sync = work / "sync"
    make_clip(sync / "1-red.mp4", "red", seconds=0.4)
    make_clip(sync / "2-green.mp4", "green", seconds=0.4)
    past = time.time() - 60
    for f in sync.iterdir():
        os.utime(f, (past, past))
    config = work / "office.yaml"
    config.write_text(
        "slides:\n  duration: 1\nsync:\n  quiet_seconds: 0.2\nticker:\n  enabled: true\n"
        "header:\n  enabled: true\n",
        encoding="utf-8",
    )
    runner = KioskRun(xvfb, work)
    runner("--sync-dir", str(sync), "--config", str(config))
    assert _wait(lambda: (status_json(runner.state).get("counters") or {}).get("loops", 0) >= 1, 30)
    yield runner
    runner.stop()
    stderr = runner.stderr.read_text(errors="replace")
    assert "Traceback" not in stderr, stderr


@settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    playlist=any_input(playlist_doc()),
    sidecar=any_input(sidecar_doc()),
    slide=any_input(slide_markdown_doc()),
    ticker=any_input(ticker_doc()),
)
def test_side_files_rewritten_while_it_plays(
    live: KioskRun, playlist: bytes, sidecar: bytes, slide: bytes, ticker: bytes
) -> None:
    """Whatever they hold, the loop goes on, and every problem the status lists about a text
    file in the sync folder is at its line and column."""
    sync = live.tmp_path / "sync"
    (sync / "playlist.yaml").write_bytes(playlist)
    (sync / "1-red.mp4.yaml").write_bytes(sidecar)
    (sync / "3-thu-tuc.md").write_bytes(slide)
    (sync / "ticker.txt").write_bytes(ticker)
    loops = int((status_json(live.state).get("counters") or {}).get("loops", 0))

    def went_round() -> bool:
        assert live.alive()
        counters = status_json(live.state).get("counters") or {}
        return int(counters.get("loops", 0)) >= loops + 2

    assert _wait(went_round, 20), live.stderr.read_text(errors="replace")[-3000:]
    status = status_json(live.state)
    assert (status.get("counters") or {}).get("stalls") == 0
    for problem in status.get("problems") or []:
        if str(problem).startswith(str(sync)) and not str(problem).startswith(f"{sync}:"):
            assert SHAPE.fullmatch(str(problem)), problem
