"""logind's "idle" inhibitor lock: what swayidle honours (sway; labwc on Raspberry Pi OS).

Why: on wlroots desktops the screen is blanked by swayidle, which listens to neither
org.freedesktop.ScreenSaver nor GNOME's session manager, and kiosk cannot use the Wayland
idle-inhibit protocol (see idle.py). But swayidle (since 1.7, swaywm/swayidle#48; Debian 12
ships 1.8) reads logind's `BlockInhibited` property and disables its idle timers while it
contains "idle". So the player holds such a lock for the whole run, on every session:
KDE's PowerDevil honours it too (as an inhibition of screen dimming and power-off, since
Plasma 5.21), GNOME ignores it, and logind itself then skips its own IdleAction.

The lock is org.freedesktop.login1.Manager.Inhibit("idle", who, why, "block") on the system
bus: the reply is a file descriptor, and the lock lasts while it is open. The kernel closes
it when the process ends however it ends (SIGKILL included), so no lock is ever left behind;
the descriptor is not inherited by child processes (os.dup makes it non-inheritable).
polkit's default for the action (org.freedesktop.login1.inhibit-block-idle) is yes for any
user, with or without a session; a local rule may still deny it.

Taking it is a blocking D-Bus call that waits for polkit: run it off the Qt thread.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from PySide6.QtDBus import QDBus, QDBusConnection, QDBusMessage, QDBusUnixFileDescriptor

from kiosk.core.msg import _
from kiosk.system.dbus_inhibit import APP_ID, REASON

__all__ = ["HELD", "LogindIdleLock", "system_bus"]

log = logging.getLogger(__name__)

LOGIN1 = "org.freedesktop.login1"
PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"
POLKIT_ACTION = "org.freedesktop.login1.inhibit-block-idle"
CALL_TIMEOUT_MS = 10_000  # polkit may take a moment; this runs off the Qt thread
HELD = _("logind idle lock (swayidle honours it)")
NOT_RUNNING = (
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
)
DENIED = (
    "org.freedesktop.DBus.Error.AccessDenied",
    "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
)


def system_bus() -> QDBusConnection | None:
    """The system bus ($DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket)."""
    bus = QDBusConnection.systemBus()
    return bus if bus.isConnected() else None


class LogindIdleLock:
    """Holds logind's idle inhibitor lock from `take` until `release` (or the process's end)."""

    def __init__(self, bus: Callable[[], QDBusConnection | None] = system_bus) -> None:
        self._bus = bus
        self._fd: int | None = None
        self.problem = ""  # why it is not held, for the status

    @property
    def held(self) -> bool:
        return self._fd is not None

    def take(self) -> bool:
        """Asks logind for the lock (blocking); False with `problem` set if it is refused."""
        if self._fd is not None:
            return True
        bus = self._bus()
        if bus is None:
            self.problem = _("no D-Bus system bus to ask systemd-logind")
            return False
        msg = QDBusMessage.createMethodCall(LOGIN1, PATH, MANAGER, "Inhibit")
        msg.setArguments(["idle", APP_ID, REASON, "block"])
        reply = bus.call(msg, QDBus.CallMode.Block, CALL_TIMEOUT_MS)
        if reply.type() == QDBusMessage.MessageType.ErrorMessage:
            self.problem = _why_refused(reply.errorName(), reply.errorMessage())
            log.info("logind idle lock not held: %s", self.problem)
            return False
        args = reply.arguments()
        fd = args[0] if args else None
        if not isinstance(fd, QDBusUnixFileDescriptor) or not fd.isValid():
            self.problem = _(
                "systemd-logind answered Inhibit without a lock ({signature})",
                signature=repr(reply.signature()),
            )
            return False
        self._fd = os.dup(fd.fileDescriptor())  # ours, not inherited; Qt closes its copy
        self.problem = ""
        log.info("logind idle lock held (swayidle's timeouts are off while the player runs)")
        return True

    def release(self) -> None:
        """Closes the lock's descriptor: logind drops the lock, swayidle may blank again."""
        if self._fd is None:
            return
        os.close(self._fd)
        self._fd = None
        log.info("logind idle lock released")


def _why_refused(name: str, message: str) -> str:
    if name in NOT_RUNNING:
        return _("systemd-logind is not on the system bus")
    if name in DENIED:
        return _(
            "refused by systemd-logind: {message} (polkit action {action})",
            message=message,
            action=POLKIT_ACTION,
        )
    return _("systemd-logind: {message}", message=message or name)
