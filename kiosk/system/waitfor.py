"""Startup after boot: wait for the X display instead of failing.

systemd may start the player before the display manager has the X server up, and Qt's xcb
platform aborts the process when it cannot connect ("could not connect to display"); a
crash loop then burns through the unit's restart budget. So `run` waits, with one log line
rather than one per attempt, before it creates the QApplication.

"Answers" means more than a socket file: Xorg leaves /tmp/.X11-unix/X0 behind when it
dies, and a server still starting may accept and not reply. The probe sends the 12-byte X
connection setup and wants any reply (success, failure or "authenticate" all prove a live
server; a refused authorisation is Qt's to report, with a clearer message).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

X11_SOCKET_DIR = Path("/tmp/.X11-unix")
_DISPLAY = re.compile(r"^(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?$")
# Byte order 'l' (little endian), protocol 11.0, no authorisation name or data.
_SETUP_REQUEST = b"l\0" + (11).to_bytes(2, "little") + (0).to_bytes(2, "little") + b"\0" * 6


def parse_display(display: str) -> tuple[str, int] | None:
    """(host, number) from ':0', ':1.0', 'unix:0', 'host:10'; None if it is not X11's form."""
    m = _DISPLAY.match(display.strip())
    if m is None:
        return None
    return m["host"], int(m["number"])


def x_server_answers(
    display: str, socket_dir: Path = X11_SOCKET_DIR, timeout_s: float = 2.0
) -> bool:
    """True if the X server of `display` replies to a connection setup."""
    parsed = parse_display(display)
    if parsed is None:
        return False
    host, number = parsed
    try:
        if host in ("", "unix"):
            sock = _connect_local(str(socket_dir / f"X{number}"), timeout_s)
        else:
            sock = socket.create_connection((host, 6000 + number), timeout=timeout_s)
        with sock:
            sock.sendall(_SETUP_REQUEST)
            reply = sock.recv(1)
    except OSError:  # refused, missing, timed out: not (yet) answering
        return False
    return reply[:1] in (b"\0", b"\1", b"\2")


def _connect_local(path: str, timeout_s: float) -> socket.socket:
    """Linux's Xorg also listens on the abstract name "@/tmp/.X11-unix/X0", which works
    when the file is hidden (a private /tmp) or was deleted by a tmp cleaner."""
    error: OSError | None = None
    for address in (b"\0" + path.encode(), path):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        sock.settimeout(timeout_s)
        try:
            sock.connect(address)
        except OSError as e:
            sock.close()
            error = e
            continue
        return sock
    assert error is not None
    raise error


def wait_for_display(
    timeout: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    display: str | None = None,
    probe: Callable[[str], bool] = x_server_answers,
    interval_s: float = 1.0,
) -> bool:
    """Blocks until the X display answers: True, or False after `timeout` s (None: forever).

    `display` defaults to $DISPLAY. With no DISPLAY there is nothing to wait for (offscreen
    or Wayland): True at once, and Qt decides. Call it before the QApplication exists.
    """
    display = os.environ.get("DISPLAY", "") if display is None else display
    if not display:
        log.debug("no DISPLAY set: not waiting for an X server")
        return True
    if parse_display(display) is None:
        log.warning("DISPLAY=%r is not an X11 display name: not waiting for it", display)
        return True
    started = clock()
    waiting = False
    while True:
        if probe(display):
            if waiting:
                log.info("the display %s answers after %.0f s", display, clock() - started)
            return True
        elapsed = clock() - started
        if timeout is not None and elapsed >= timeout:
            log.error("the display %s did not answer within %.0f s", display, timeout)
            return False
        if not waiting:
            limit = "forever" if timeout is None else f"up to {timeout:.0f} s"
            log.info("waiting for the display %s (%s) ...", display, limit)
            waiting = True
        pause = interval_s if timeout is None else min(interval_s, max(0.0, timeout - elapsed))
        sleep(pause)
