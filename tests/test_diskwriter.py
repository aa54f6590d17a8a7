"""The DiskWriter thread: order kept, the newest keyed job wins, failures never kill it."""

from __future__ import annotations

import functools
import logging
import threading

import pytest

from kiosk.state.diskwriter import DiskWriter


def test_jobs_run_in_order_off_the_calling_thread() -> None:
    writer = DiskWriter()
    ran: list[tuple[int, bool]] = []
    me = threading.get_ident()

    def job(i: int) -> None:
        ran.append((i, threading.get_ident() != me))

    for i in range(5):
        writer.submit(functools.partial(job, i))
    assert writer.flush()
    writer.close()
    assert ran == [(i, True) for i in range(5)]


def test_a_slow_disk_gets_the_newest_status_not_a_backlog() -> None:
    writer = DiskWriter()
    gate = threading.Event()
    writer.submit(lambda: gate.wait(5))  # the disk hangs for a while
    written: list[int] = []
    for i in range(10):
        writer.submit(functools.partial(written.append, i), key="status")
    gate.set()
    assert writer.flush()
    writer.close()
    assert written == [9]


def test_a_failing_job_is_logged_and_the_next_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    writer = DiskWriter()
    ran: list[str] = []

    def broken() -> None:
        raise OSError(28, "No space left on device")

    with caplog.at_level(logging.ERROR, logger="kiosk.state.diskwriter"):
        writer.submit(broken)
        writer.submit(lambda: ran.append("after"))
        assert writer.flush()
    writer.close()
    assert ran == ["after"]
    assert "No space left" in caplog.text


def test_close_runs_what_is_queued_then_refuses_more() -> None:
    writer = DiskWriter()
    gate = threading.Event()
    ran: list[str] = []
    writer.submit(lambda: gate.wait(5))
    writer.submit(lambda: ran.append("queued"))
    gate.set()
    writer.close()
    writer.close()  # twice is harmless
    writer.submit(lambda: ran.append("late"))
    assert ran == ["queued"]
