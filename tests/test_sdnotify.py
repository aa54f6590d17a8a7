"""sd_notify against a real AF_UNIX datagram socket standing in for systemd."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.system.sdnotify import Notifier, socket_address, watchdog_interval


@pytest.fixture
def fake_systemd(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    sock.bind(str(path))
    sock.settimeout(2)
    yield sock, str(path)
    sock.close()


def received(sock: socket.socket) -> str:
    return sock.recv(4096).decode()


def test_messages_reach_the_socket(fake_systemd: tuple[socket.socket, str]) -> None:
    sock, path = fake_systemd
    n = Notifier.from_env({"NOTIFY_SOCKET": path})
    assert n.enabled
    assert n.ready() and received(sock) == "READY=1"
    assert n.watchdog() and received(sock) == "WATCHDOG=1"
    assert n.status("playing\nclip.mp4") and received(sock) == "STATUS=playing clip.mp4"
    assert n.stopping() and received(sock) == "STOPPING=1"
    assert n.extend_timeout(2.5) and received(sock) == "EXTEND_TIMEOUT_USEC=2500000"
    n.close()


def test_abstract_namespace_socket() -> None:
    name = f"kiosk-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.settimeout(2)
    try:
        n = Notifier.from_env({"NOTIFY_SOCKET": "@" + name})
        assert n.watchdog()
        assert received(sock) == "WATCHDOG=1"
        n.close()
    finally:
        sock.close()


def test_no_op_outside_systemd() -> None:
    n = Notifier.from_env({})
    assert not n.enabled
    assert not n.ready() and not n.watchdog() and not n.status("x") and not n.stopping()


def test_failure_is_logged_once_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    n = Notifier(str(tmp_path / "nobody-listens"))
    with caplog.at_level(logging.WARNING, logger="kiosk.system.sdnotify"):
        assert not n.ready()
        assert not n.watchdog()
    assert len([r for r in caplog.records if "cannot notify systemd" in r.message]) == 1
    n.close()


def test_recovers_when_the_socket_comes_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "notify"
    n = Notifier(str(path))
    assert not n.watchdog()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    try:
        with caplog.at_level(logging.INFO, logger="kiosk.system.sdnotify"):
            assert n.watchdog()
        assert received(sock) == "WATCHDOG=1"
        assert any("works again" in r.message for r in caplog.records)
    finally:
        sock.close()
        n.close()


def test_socket_address_forms() -> None:
    assert socket_address("") is None
    assert socket_address("/run/systemd/notify") == "/run/systemd/notify"
    assert socket_address("@abc") == b"\0abc"
    assert socket_address("vsock:2:1234") is None


def test_watchdog_interval() -> None:
    pid = os.getpid()
    assert watchdog_interval({}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(pid)}) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, pid=2) is None
    assert watchdog_interval({"WATCHDOG_USEC": "junk"}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "x"}) is None
