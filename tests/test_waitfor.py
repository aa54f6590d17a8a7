"""Waiting for the X display after boot: instant tests with an injected clock and sleep."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from kiosk.system.waitfor import parse_display, wait_for_display, x_server_answers
from tests.xserver import Xvfb


class FakeTime:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.t += s


def test_display_already_up_does_not_sleep(caplog: pytest.LogCaptureFixture) -> None:
    t = FakeTime()
    with caplog.at_level(logging.INFO, logger="kiosk.system.waitfor"):
        assert wait_for_display(10, t.clock, t.sleep, ":0", probe=lambda d: True)
    assert t.sleeps == [] and caplog.records == []


def test_waits_until_the_display_answers_logging_once(caplog: pytest.LogCaptureFixture) -> None:
    t = FakeTime()
    asked: list[str] = []

    def probe(display: str) -> bool:
        asked.append(display)
        return t.t >= 30

    with caplog.at_level(logging.INFO, logger="kiosk.system.waitfor"):
        assert wait_for_display(None, t.clock, t.sleep, ":0", probe=probe)
    assert t.t == 30 and set(asked) == {":0"} and len(asked) == 31
    messages = [r.message for r in caplog.records]
    assert messages == [
        "waiting for the display :0 (forever) ...",
        "the display :0 answers after 30 s",
    ]


def test_gives_up_after_the_timeout(caplog: pytest.LogCaptureFixture) -> None:
    t = FakeTime()
    with caplog.at_level(logging.INFO, logger="kiosk.system.waitfor"):
        assert not wait_for_display(
            5.5, t.clock, t.sleep, ":1", probe=lambda d: False, interval_s=2
        )
    assert t.t == 5.5 and t.sleeps == [2, 2, 1.5]
    assert caplog.records[-1].levelno == logging.ERROR
    assert "did not answer within 6 s" in caplog.records[-1].message
    assert sum("waiting for" in r.message for r in caplog.records) == 1


def test_no_display_means_nothing_to_wait_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    t = FakeTime()
    assert wait_for_display(None, t.clock, t.sleep, probe=lambda d: False)
    assert wait_for_display(None, t.clock, t.sleep, "wayland-0", probe=lambda d: False)
    assert t.sleeps == []


def test_parse_display() -> None:
    assert parse_display(":0") == ("", 0)
    assert parse_display(":1.0") == ("", 1)
    assert parse_display("unix:2") == ("unix", 2)
    assert parse_display("tv.local:10.0") == ("tv.local", 10)
    assert parse_display("wayland-0") is None
    assert parse_display("") is None


def test_stale_socket_file_is_not_a_server(tmp_path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(tmp_path / "X7"))
    sock.close()  # the file stays, nobody listens: what a crashed Xorg leaves
    assert (tmp_path / "X7").exists()
    assert not x_server_answers(":7", socket_dir=tmp_path)
    assert not x_server_answers(":8", socket_dir=tmp_path)  # no socket at all


def test_listening_but_silent_is_not_answering(tmp_path: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(tmp_path / "X3"))
    server.listen(1)
    try:
        assert not x_server_answers(":3", socket_dir=tmp_path, timeout_s=0.2)
    finally:
        server.close()


@pytest.mark.xvfb
def test_real_x_server_answers(xvfb: Xvfb) -> None:
    assert x_server_answers(xvfb.display)
    t = FakeTime()
    assert wait_for_display(1, t.clock, t.sleep, xvfb.display)
    assert t.sleeps == []
