"""A clip not shown whole is recorded so: one that ends well before the length its file
states (ended early), one that loses many of its pictures (too heavy for the machine).

FLV states its length in its metadata but not its size, so a copy cut short passes every
check and plays its first part; so does an MP4 whose media data box was "repaired" to fit
what is left. The real controller plays them with real libVLC players; proof of play must
say `ended_early`, with how far it got, and the status must list them. (The controller's
rules, in virtual time with the fake player: tests/test_controller.py.)
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_AOUT", "dummy")

import json
import struct
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.controller import Controller, Shown
from kiosk.core.ending import EARLY_MIN_S, ended_early, pictures_lost
from kiosk.core.model import Item, Kind, Playlist
from kiosk.media.probe import probe
from kiosk.state.proofofplay import ProofOfPlay, Record
from kiosk.state.status import StatusReport
from kiosk.state.statusview import render
from kiosk.ui.slides import SlideRenderer
from tests.mediagen import make_container_clip, run_ffmpeg
from tests.vlcbackend import backend_fixture  # noqa: F401  (the `backend` fixture)

LENGTH_S = 4.0


def test_thresholds() -> None:
    assert ended_early(1.7, 6000) == (
        "ended after 1.7 s of the 6.0 s its file states: damaged or cut short; copy it again"
    )
    assert ended_early(5.95, 6000) is None  # the last frame or two: libVLC's own timing
    assert ended_early(6000 / 1000 - EARLY_MIN_S + 0.01, 6000) is None
    assert ended_early(50.0, 60_000) is not None  # 10 s short of a minute
    assert ended_early(0.2, 1000) is None  # under a second short: never "early"
    assert ended_early(1.0, -1) is None  # no stated length: nothing to compare


class Source:
    def __init__(self, *items: Item) -> None:
        self.items = items

    def reader(self) -> Callable[[], Playlist]:
        return lambda: Playlist(self.items, "test")


class Stage:
    def show_frame(self, frame: QImage) -> None: ...

    def show_slide(self, image: QImage) -> None: ...

    def show_idle(self, detail: str = "") -> None: ...

    def begin_fade(self, ms: int) -> None: ...


def _mdat_fitted(whole: bytes, keep: int) -> bytes:
    """An MP4 whose index comes first, cut at `keep`, its media box resized to what is left:
    every box fits the file, the index still states the whole length."""
    at = whole.find(b"mdat") - 4
    assert 0 < at < keep
    cut = bytearray(whole[:keep])
    cut[at : at + 4] = struct.pack(">I", keep - at)
    return bytes(cut)


@pytest.fixture(scope="module")
def cut_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cut")
    flv = make_container_clip(folder / "whole.flv", "red", LENGTH_S)
    mp4 = make_container_clip(folder / "whole.mp4", "red", LENGTH_S)
    fast = folder / "fast.mp4"
    run_ffmpeg(["-i", str(mp4), "-c", "copy", "-movflags", "+faststart", str(fast)])
    out = {"good": make_container_clip(folder / "good.mp4", "green", 1.0)}
    data = flv.read_bytes()
    out["cut.flv"] = folder / "cut.flv"
    out["cut.flv"].write_bytes(data[: len(data) * 4 // 10])
    data = fast.read_bytes()
    out["repaired.mp4"] = folder / "repaired.mp4"
    out["repaired.mp4"].write_bytes(_mdat_fitted(data, len(data) * 4 // 10))
    return out


def test_a_clip_cut_short_is_recorded_as_ended_early(
    qtbot: QtBot, backend: Any, cut_files: dict[str, Path], tmp_path: Path
) -> None:
    for name in ("cut.flv", "repaired.mp4"):
        assert probe(str(cut_files[name])) is None, f"{name}: passes every check: the case"
    items = tuple(
        Item(str(cut_files[n]), n, Kind.VIDEO, size=1, mtime=1.0)
        for n in ("cut.flv", "good", "repaired.mp4")
    )
    players = [backend.player(start_timeout=5.0) for _ in range(2)]
    controller = Controller(
        players[0],
        Stage(),
        Source(*items),
        SlideRenderer(),
        spare=players[1],
    )
    ended: list[Shown] = []
    controller.item_ended.connect(ended.append)
    proof = ProofOfPlay(tmp_path / "proof", 90, UTC)
    controller.item_ended.connect(
        lambda s: proof.record(
            Record(s.start, s.end, s.item.rel, s.item.kind.value, s.outcome, s.reason)
        )
    )
    try:
        controller.start()
        qtbot.waitUntil(lambda: len(ended) >= 3, timeout=30_000)
    finally:
        controller.stop()
        for p in players:
            p.close()
        proof.close()
    outcomes = {s.item.rel: (s.outcome, s.reason) for s in ended[:3]}
    assert outcomes["good"] == ("completed", "")
    for name in ("cut.flv", "repaired.mp4"):
        outcome, reason = outcomes[name]
        assert outcome == "ended_early", (name, reason)
        assert f"of the {LENGTH_S:.1f} s its file states" in reason
    assert set(controller.not_whole) == {
        str(cut_files["cut.flv"]),
        str(cut_files["repaired.mp4"]),
    }
    lines = [
        json.loads(x)
        for f in (tmp_path / "proof").iterdir()
        for x in f.read_text().split("\n")
        if x
    ]
    assert {(x["file"], x["outcome"]) for x in lines} >= {
        ("cut.flv", "ended_early"),
        ("good", "completed"),
        ("repaired.mp4", "ended_early"),
    }
    early = [x for x in lines if x["outcome"] == "ended_early"]
    assert all(x["duration_s"] < LENGTH_S * 0.9 and "copy it again" in x["reason"] for x in early)


def test_kiosk_status_lists_clips_that_ended_early() -> None:
    data = {
        "version": "t",
        "office": "o",
        "pid": 1,
        "started_at": 0.0,
        "not_whole": [
            {"file": "cut.flv", "reason": ended_early(1.5, 4000), "when": 0.0, "count": 3}
        ],
    }
    text = render(StatusReport(data, 0.0, True), 10.0)
    assert "  not shown whole (1):" in text
    assert "    cut.flv: ended after 1.5 s of the 4.0 s its file states" in text
    assert "(3 times)" in text
    assert "no problems" not in text


def test_pictures_lost_thresholds() -> None:
    assert pictures_lost(40, 100) == (
        "showed 40 of its 100 pictures (60 percent lost): too heavy for this machine; "
        "re-encode it at 1920x1080 (H.264) or less"
    )
    assert pictures_lost(85, 100) is None  # a few late pictures: not worth a word
    assert pictures_lost(5, 20) is None  # under a second of video: not judged
    assert pictures_lost(3, 0) is None  # the player could not tell


def test_the_real_player_counts_what_it_showed(
    qtbot: QtBot, backend: Any, cut_files: dict[str, Path]
) -> None:
    player = backend.player(start_timeout=5.0)
    player.ready.connect(player.show)
    try:
        with qtbot.waitSignal(player.finished, timeout=10_000):
            player.load(str(cut_files["good"]))
        shown, held = player.pictures()
    finally:
        player.close()
    # 1 s at 25 fps, counted on the clock from the second picture to the last: one fewer if a
    # busy machine drops the last (test_media_heavy), one more if the Qt thread takes it late.
    assert 24 <= held <= 26, held
    assert shown >= 23, shown
