"""systemd's notify protocol in pure Python: READY=1, WATCHDOG=1, STATUS=, STOPPING=1...

No libsystemd binding: the protocol is one datagram per message on the AF_UNIX socket
named by $NOTIFY_SOCKET (a leading '@' means Linux's abstract namespace). Outside systemd
$NOTIFY_SOCKET is unset and every call is a no-op, so `kiosk run` behaves the same from a
terminal. A notify failure must never stop playback: it is logged once and swallowed.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def socket_address(value: str) -> str | bytes | None:
    """The address to send to, from $NOTIFY_SOCKET; None if it is not a usable socket name."""
    if not value:
        return None
    if value.startswith("@"):
        # Abstract namespace: the name starts with a NUL byte instead of the '@'.
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    return None  # vsock and other forms are not used for a local service


def watchdog_interval(env: Mapping[str, str] | None = None, pid: int | None = None) -> float | None:
    """The watchdog timeout in seconds from $WATCHDOG_USEC, or None if there is none for us.

    systemd sets $WATCHDOG_PID to the process it expects pings from; a child that inherited
    the environment must not think it is watched. Send a keep-alive every half of this.
    """
    env = os.environ if env is None else env
    pid = os.getpid() if pid is None else pid
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    owner = env.get("WATCHDOG_PID")
    if owner:
        try:
            if int(owner) != pid:
                return None
        except ValueError:
            return None
    return usec / 1_000_000


class Notifier:
    """Sends notify messages to systemd; every method is a no-op when not under systemd."""

    def __init__(self, address: str | bytes | None) -> None:
        self._address = address
        self._sock: socket.socket | None = None
        self._failed = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Notifier:
        env = os.environ if env is None else env
        return cls(socket_address(env.get("NOTIFY_SOCKET", "")))

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def notify(self, message: str) -> bool:
        """Sends one datagram; False (logged once) if it could not be sent."""
        if self._address is None:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._sock.setblocking(False)  # never stall the Qt loop on a full socket
            self._sock.sendto(message.encode("utf-8", "replace"), self._address)
        except OSError as e:
            if not self._failed:
                log.warning("cannot notify systemd at %r: %s", self._address, e.strerror or e)
                self._failed = True
            self._close_socket()
            return False
        if self._failed:
            log.info("notifying systemd works again")
            self._failed = False
        return True

    def ready(self) -> bool:
        return self.notify("READY=1")

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        # One line: a newline would start another (unknown) assignment.
        return self.notify("STATUS=" + " ".join(text.split()))

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def extend_timeout(self, seconds: float) -> bool:
        """Asks for `seconds` more of start-up (or stop) time, counted from now.

        For waits before READY=1 that are not hangs (the display after boot): the unit's
        TimeoutStartSec= then only catches a start-up that stopped making progress.
        """
        return self.notify(f"EXTEND_TIMEOUT_USEC={max(0, round(seconds * 1_000_000))}")

    def close(self) -> None:
        self._close_socket()

    def _close_socket(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
