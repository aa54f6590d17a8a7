"""Proof-of-play log: daily files in office time, retention, torn lines, unwritable disks."""

from __future__ import annotations

import errno
import json
import logging
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.state import proofofplay
from kiosk.state.proofofplay import (
    ProofOfPlay,
    Record,
    day_of,
    file_name,
    files_to_delete,
    format_line,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+7, no DST


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> float:
    return datetime(y, mo, d, h, mi, s, tzinfo=HCM).timestamp()


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]


def test_line_format() -> None:
    rec = Record(
        local(2026, 3, 2, 7, 30),
        local(2026, 3, 2, 7, 30, 12),
        "thủ tục/a.mp4",
        "video",
        "skipped",
        "stalled: no progress for 8 s",
    )
    line = format_line(rec, HCM)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    data = json.loads(line)
    assert data == {
        "start": "2026-03-02T07:30:00.000+07:00",
        "end": "2026-03-02T07:30:12.000+07:00",
        "file": "thủ tục/a.mp4",
        "kind": "video",
        "duration_s": 12.0,
        "outcome": "skipped",
        "reason": "stalled: no progress for 8 s",
    }
    ok = json.loads(format_line(Record(0.0, 5.5, "b.png", "image", "completed"), UTC))
    assert "reason" not in ok and ok["duration_s"] == 5.5


def test_day_is_office_local() -> None:
    # 17:30 UTC is 00:30 the next day in Hà Nội.
    t = datetime(2026, 3, 1, 17, 30, tzinfo=UTC).timestamp()
    assert day_of(t, HCM) == date(2026, 3, 2)
    assert day_of(t, UTC) == date(2026, 3, 1)


def test_rotation_at_local_midnight(tmp_path: Path) -> None:
    clock = Clock(local(2026, 3, 1, 23, 59, 50))
    pop = ProofOfPlay.in_state_dir(tmp_path, 7, HCM, clock)
    assert pop.record(Record(local(2026, 3, 1, 23, 59, 40), clock.t, "a.mp4", "video", "completed"))
    # An item that starts before midnight and ends after belongs to the day it started.
    clock.t = local(2026, 3, 2, 0, 0, 5)
    assert pop.record(Record(local(2026, 3, 1, 23, 59, 50), clock.t, "b.mp4", "video", "completed"))
    clock.t = local(2026, 3, 2, 0, 0, 15)
    assert pop.record(Record(local(2026, 3, 2, 0, 0, 5), clock.t, "c.png", "image", "completed"))
    pop.close()
    folder = tmp_path / "proof-of-play"
    assert sorted(p.name for p in folder.iterdir()) == [
        "proof-of-play-2026-03-01.jsonl",
        "proof-of-play-2026-03-02.jsonl",
    ]
    assert [x["file"] for x in lines(folder / file_name(date(2026, 3, 1)))] == ["a.mp4", "b.mp4"]
    assert [x["file"] for x in lines(folder / file_name(date(2026, 3, 2)))] == ["c.png"]


def test_retention_deletes_only_our_old_files(tmp_path: Path) -> None:
    folder = tmp_path / "pop"
    folder.mkdir()
    today = date(2026, 3, 10)
    for back in range(10):
        (folder / file_name(today - timedelta(days=back + 1))).write_text("{}\n")
    keep = [
        "notes.txt",
        "proof-of-play-2020-01-01.jsonl.bak",
        "proof-of-play-2020-13-45.jsonl",  # not a date: not ours
        "other-2020-01-01.jsonl",
    ]
    for name in keep:
        (folder / name).write_text("x")
    clock = Clock(local(2026, 3, 10, 8, 0))
    pop = ProofOfPlay(folder, 3, HCM, clock)
    assert pop.record(Record(clock.t, clock.t + 1, "a.mp4", "video", "completed"))
    pop.close()
    expected = {file_name(today - timedelta(days=d)) for d in range(3)} | set(keep)
    assert {p.name for p in folder.iterdir()} == expected


def test_files_to_delete_pure() -> None:
    names = [file_name(date(2026, 1, d)) for d in range(1, 8)] + ["x.jsonl"]
    assert files_to_delete(names, date(2026, 1, 7), 2) == [
        file_name(date(2026, 1, d)) for d in range(1, 6)
    ]
    assert files_to_delete(names, date(2026, 1, 7), 30) == []


def test_torn_last_line_is_recovered(tmp_path: Path) -> None:
    clock = Clock(local(2026, 3, 2, 9, 0))
    folder = tmp_path / "pop"
    folder.mkdir()
    path = folder / file_name(date(2026, 3, 2))
    good = format_line(Record(clock.t - 20, clock.t - 10, "a.mp4", "video", "completed"), HCM)
    path.write_bytes(good + b'{"start": "2026-03-02T08:59:5')  # power cut mid-line
    pop = ProofOfPlay(folder, 7, HCM, clock)
    assert pop.record(Record(clock.t - 10, clock.t, "b.mp4", "video", "completed"))
    pop.close()
    raw = path.read_bytes().splitlines()
    assert len(raw) == 3
    assert json.loads(raw[0])["file"] == "a.mp4"
    assert json.loads(raw[2])["file"] == "b.mp4"
    with pytest.raises(ValueError):
        json.loads(raw[1])


def test_unwritable_dir_keeps_going_and_logs_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a regular file where the state dir should be")
    clock = Clock(local(2026, 3, 2, 9, 0))
    pop = ProofOfPlay(blocker / "proof-of-play", 7, HCM, clock)
    rec = Record(clock.t, clock.t + 1, "a.mp4", "video", "completed")
    with caplog.at_level(logging.ERROR, logger="kiosk.state.proofofplay"):
        assert not pop.record(rec)
        assert not pop.record(rec)
    errors = [r.message for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "cannot write the proof-of-play log" in errors[0]
    assert pop.problem
    # The disk is fixed: the next record goes through.
    blocker.unlink()
    pop.directory = tmp_path / "proof-of-play"
    with caplog.at_level(logging.INFO, logger="kiosk.state.proofofplay"):
        assert pop.record(rec)
    assert not pop.problem
    assert any("writable again" in r.message for r in caplog.records)
    pop.close()


def test_disk_full_then_space_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock(local(2026, 3, 2, 9, 0))
    pop = ProofOfPlay(tmp_path, 7, HCM, clock)
    real_write = os.write
    full = True

    def write(fd: int, data: bytes) -> int:
        if full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(proofofplay.os, "write", write)
    with caplog.at_level(logging.ERROR, logger="kiosk.state.proofofplay"):
        for i in range(5):
            assert not pop.record(
                Record(clock.t + i, clock.t + i + 1, "a.mp4", "video", "completed")
            )
    assert len(caplog.records) == 1 and "No space left" in caplog.records[0].message
    full = False
    assert pop.record(Record(clock.t + 9, clock.t + 10, "b.mp4", "video", "failed", "corrupt"))
    pop.close()
    # The lines the full disk refused were kept, and go first, in order.
    written = [x["file"] for x in lines(tmp_path / file_name(date(2026, 3, 2)))]
    assert written == ["a.mp4"] * 5 + ["b.mp4"]


def test_short_write_is_a_failure_and_the_next_line_starts_fresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(local(2026, 3, 2, 9, 0))
    pop = ProofOfPlay(tmp_path, 7, HCM, clock)
    real_write = os.write
    short = True

    def write(fd: int, data: bytes) -> int:
        if short:
            return real_write(fd, data[:10])
        return real_write(fd, data)

    monkeypatch.setattr(proofofplay.os, "write", write)
    assert not pop.record(Record(clock.t, clock.t + 1, "a.mp4", "video", "completed"))
    short = False
    assert pop.record(Record(clock.t + 1, clock.t + 2, "b.mp4", "video", "completed"))
    pop.close()
    raw = (tmp_path / file_name(date(2026, 3, 2))).read_bytes().splitlines()
    # The torn line stands alone; the record it was is written again, whole, before b.mp4.
    assert len(raw) == 3 and [json.loads(x)["file"] for x in raw[1:]] == ["a.mp4", "b.mp4"]
