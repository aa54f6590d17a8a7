"""Keeps the desktop session from going idle (and blanking the TV) through its D-Bus service.

Why D-Bus: on Wayland there is no `xset`; the desktop's own idle timer blanks the screen
(GNOME: 5 minutes), and the desktops honour an inhibitor asked for on the session bus:
- org.freedesktop.ScreenSaver.Inhibit(app, reason) -> cookie: KDE, Xfce, LXQt, and GNOME
  too (gnome-settings-daemon's screensaver proxy forwards it to the session manager);
- org.gnome.SessionManager.Inhibit(app, toplevel_xid, reason, flags=8 "idle") -> cookie:
  GNOME's own, tried when the first is not on the bus.
Both are released by UnInhibit/Uninhibit(cookie), and by the bus itself when the player's
connection goes away, so a crashed player never leaves the desktop unable to blank.

Why QtDBus: PySide6-Essentials ships it, so no extra dependency. Plain QDBusMessage
arguments cannot carry a D-Bus uint32 from Python (an int goes as int32, or uint16 through
QDBusArgument), and GNOME checks signatures; calls go through a QDBusInterface, whose
introspected methods marshal `Q_ARG("uint", ...)` as the `u` the services declare.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Q_ARG, Q_RETURN_ARG, QMetaObject, QObject, Qt
from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusServiceWatcher

from kiosk.core.msg import _

__all__ = ["FREEDESKTOP", "GNOME", "DbusIdleInhibitor", "InhibitApi", "session_bus"]

log = logging.getLogger(__name__)

APP_ID = "kiosk"
REASON = "signage player: the TV stays on during office hours"
CALL_TIMEOUT_MS = 2000
GNOME_INHIBIT_IDLE = 8  # GsmInhibitorFlag: "inhibit the session being marked as idle"


@dataclass(frozen=True)
class InhibitApi:
    service: str
    path: str
    release: str  # the method that ends an inhibition, given the cookie
    args: Callable[[str], Sequence[Any]]  # Q_ARGs of Inhibit, given the reason

    @property
    def interface(self) -> str:
        return self.service


FREEDESKTOP = InhibitApi(
    "org.freedesktop.ScreenSaver",
    "/org/freedesktop/ScreenSaver",
    "UnInhibit",
    lambda reason: (Q_ARG(str, APP_ID), Q_ARG(str, reason)),
)
GNOME = InhibitApi(
    "org.gnome.SessionManager",
    "/org/gnome/SessionManager",
    "Uninhibit",
    lambda reason: (
        Q_ARG(str, APP_ID),
        Q_ARG("uint", 0),  # no X11 toplevel: the inhibitor is the whole app's
        Q_ARG(str, reason),
        Q_ARG("uint", GNOME_INHIBIT_IDLE),
    ),
)


def session_bus() -> QDBusConnection | None:
    """The session bus ($DBUS_SESSION_BUS_ADDRESS), or None when there is none to reach."""
    bus = QDBusConnection.sessionBus()
    return bus if bus.isConnected() else None


class DbusIdleInhibitor(QObject):
    """Holds one idle inhibitor, with the first service of `apis` that is on the bus.

    If that service restarts (a desktop shell restarting), the inhibitor is asked for again.
    """

    def __init__(
        self,
        bus: QDBusConnection | None,
        apis: Sequence[InhibitApi] = (FREEDESKTOP, GNOME),
        reason: str = REASON,
    ) -> None:
        super().__init__()
        self._bus = bus
        self._apis = tuple(apis)
        self._reason = reason
        self._held: tuple[InhibitApi, QDBusInterface, int] | None = None
        self.problem = ""  # why nothing holds, for the status
        self._watcher: QDBusServiceWatcher | None = None

    @property
    def holder(self) -> str | None:
        """The D-Bus service that holds the inhibitor, None if none does."""
        return self._held[0].service if self._held else None

    def inhibit(self) -> str | None:
        """Asks each service in turn; returns the one that holds (None: see `problem`)."""
        if self._bus is None:
            self.problem = _("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset or unreachable)")
            return None
        if self._held is not None:
            return self._held[0].service
        names = self._bus.interface()
        tried: list[str] = []
        for api in self._apis:
            reply = names.isServiceRegistered(api.service)
            if not reply.isValid() or not reply.value():
                continue
            iface = QDBusInterface(api.service, api.path, api.interface, self._bus)
            iface.setTimeout(CALL_TIMEOUT_MS)
            cookie = QMetaObject.invokeMethod(
                iface,
                "Inhibit",
                Qt.ConnectionType.DirectConnection,
                Q_RETURN_ARG("uint"),
                *api.args(self._reason),
            )
            error = iface.lastError()
            if error.isValid() or not isinstance(cookie, int):
                tried.append(f"{api.service}: {error.message() or 'no cookie returned'}")
                continue
            self._held = (api, iface, cookie)
            self.problem = ""
            self._watch(api.service)
            log.info("idle inhibited through %s (cookie %d)", api.service, cookie)
            return api.service
        wanted = " nor ".join(a.service for a in self._apis)
        self.problem = (
            "; ".join(tried)
            if tried
            else _("neither {wanted} is on the session bus", wanted=wanted)
        )
        return None

    def release(self) -> None:
        """Ends the inhibition (at exit), so the desktop may blank again."""
        if self._watcher is not None:
            self._watcher.serviceRegistered.disconnect(self._service_back)
            self._watcher = None
        if self._held is None:
            return
        api, iface, cookie = self._held
        self._held = None
        QMetaObject.invokeMethod(
            iface, api.release, Qt.ConnectionType.DirectConnection, Q_ARG("uint", cookie)
        )
        if iface.lastError().isValid():
            log.warning("%s.%s failed: %s", api.service, api.release, iface.lastError().message())
        else:
            log.info("idle inhibition through %s released", api.service)

    def _watch(self, service: str) -> None:
        if self._watcher is not None or self._bus is None:
            return
        self._watcher = QDBusServiceWatcher(
            service, self._bus, QDBusServiceWatcher.WatchModeFlag.WatchForRegistration, self
        )
        self._watcher.serviceRegistered.connect(self._service_back)

    def _service_back(self, service: str) -> None:
        """The service came back (restarted): its old inhibitors are gone; ask again."""
        log.warning("%s restarted: asking it again to keep the screen on", service)
        self._held = None
        self.inhibit()
