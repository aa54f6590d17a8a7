"""SIGTERM, SIGINT and SIGHUP into the Qt loop, so `systemctl stop` exits cleanly.

Python runs signal handlers only between bytecodes, and the Qt loop is C++: the handler's
wake-up byte goes through a socket that a QSocketNotifier watches, which wakes the loop.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier

log = logging.getLogger(__name__)

_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class SignalBridge(QObject):
    def __init__(self, app: QCoreApplication) -> None:
        super().__init__()
        self.received: int | None = None
        self._app = app
        self._rsock, self._wsock = socket.socketpair()
        self._rsock.setblocking(False)
        self._wsock.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._wsock.fileno())
        self._notifier = QSocketNotifier(self._rsock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        for sig in _SIGNALS:
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.received = signum

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            self._rsock.recv(64)
        if self.received is not None:
            log.info("%s received: stopping", signal.Signals(self.received).name)
            # exit(), not quit(): Qt 6's quit() asks the windows first, and ours refuses.
            self._app.exit(0)

    def close(self) -> None:
        signal.set_wakeup_fd(self._old_fd)
        for sig in _SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        self._notifier.setEnabled(False)
        self._rsock.close()
        self._wsock.close()
