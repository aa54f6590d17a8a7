"""Video output threads get a better nice value when the system allows it, and say when not."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.system.priority import ThreadPriority


def _in_thread(fn: Callable[[], object]) -> tuple[object, int, int]:
    """(fn's result, the thread's nice before, after), from a thread of its own."""
    out: list[tuple[object, int, int]] = []

    def run() -> None:
        tid = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, tid)
        result = fn()
        out.append((result, before, os.getpriority(os.PRIO_PROCESS, tid)))

    t = threading.Thread(target=run)
    t.start()
    t.join()
    (got,) = out
    return got


def _may_lower_nice() -> bool:
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_NICE)
    return os.geteuid() == 0 or soft == resource.RLIM_INFINITY or 20 - soft <= -1


@pytest.mark.skipif(not _may_lower_nice(), reason="needs root or RLIMIT_NICE (as in the unit)")
def test_raises_only_the_calling_thread() -> None:
    prio = ThreadPriority(nice=-1)
    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    ok, before, after = _in_thread(prio.raise_current)
    assert ok is True and before == main_before and after == -1
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before


def test_never_lowers_a_thread_already_better() -> None:
    ok, before, after = _in_thread(ThreadPriority(nice=19).raise_current)
    assert ok is True and after == before


def test_refusal_is_said_once_and_not_retried(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[int] = []

    def refuse(_which: int, who: int, _nice: int) -> None:
        calls.append(who)
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "setpriority", refuse)  # stands in for an unprivileged user
    prio = ThreadPriority(nice=-10)
    with caplog.at_level(logging.INFO, logger="kiosk.system.priority"):
        assert [_in_thread(prio.raise_current)[0] for _ in range(3)] == [False] * 3
    assert len(calls) == 1 and prio.refused
    assert [r.message for r in caplog.records if "LimitNICE" in r.message] != []
    assert len(caplog.records) == 1


def _threads_at(nice: int) -> set[int]:
    """Native ids of this process's threads running at `nice`."""
    found = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[16]) == nice:  # field 19 of stat, counted after the name
            found.add(int(task.name))
    return found


@pytest.mark.skipif(not _may_lower_nice(), reason="needs root or RLIMIT_NICE (as in the unit)")
def test_a_playing_vlc_player_runs_its_video_thread_at_video_nice(
    qtbot: QtBot, tmp_path: Path
) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.playback.vlc import VlcBackend
    from kiosk.system.priority import VIDEO_NICE
    from tests.mediagen import make_clip

    clip = str(make_clip(tmp_path / "red.mp4", "red", 1.0))
    backend = VlcBackend(dummy_audio=True)
    player = backend.player(start_timeout=5.0)
    try:
        before = _threads_at(VIDEO_NICE)
        with qtbot.waitSignal(player.ready, timeout=8000):
            player.load(clip)
        assert _threads_at(VIDEO_NICE) - before  # libVLC's video output thread
    finally:
        player.close()
        backend.close()
