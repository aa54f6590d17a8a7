"""Stand-in desktop services on a private D-Bus session bus, recording what they are asked.

Run as a process: `python tests/dbus_standin.py ADDRESS RECORD KIND`, KIND one of
- screensaver: org.freedesktop.ScreenSaver (KDE, Xfce; GNOME through its proxy),
- gnome: org.gnome.SessionManager,
- mutter: org.gnome.Mutter.DisplayConfig (only its PowerSaveMode property is set).
Each call becomes a JSON line in RECORD; so does every client that leaves the bus
("gone"), which is how a real service drops a crashed client's inhibitors. Methods are
exported as typed slots, so a call with the wrong D-Bus signature (an int32 where the
interface says uint32) gets an UnknownMethod error, as from the real services.
Prints "ready" once its name is on the bus.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import SLOT, ClassInfo, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusConnection, QDBusMessage, QDBusVirtualObject

SERVICES = {
    "screensaver": ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
    "gnome": ("org.gnome.SessionManager", "/org/gnome/SessionManager"),
    "mutter": ("org.gnome.Mutter.DisplayConfig", "/org/gnome/Mutter/DisplayConfig"),
}


Q = TypeVar("Q", bound=type)


def dbus_interface(name: str) -> Callable[[Q], Q]:
    """Qt's ClassInfo with the key D-Bus reads ("D-Bus Interface" is no Python keyword)."""
    info: Any = ClassInfo
    decorate: Callable[[Q], Q] = info({"D-Bus Interface": name})
    return decorate


class Record:
    def __init__(self, path: str) -> None:
        self.path = path
        self.cookie = 1000

    def __call__(self, **event: Any) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(event) + "\n")

    def next_cookie(self) -> int:
        self.cookie += 1
        return self.cookie


@dbus_interface("org.freedesktop.ScreenSaver")
class ScreenSaver(QObject):
    def __init__(self, record: Record) -> None:
        super().__init__()
        self.record = record

    @Slot(str, str, result="uint")
    def Inhibit(self, application: str, reason: str) -> int:
        cookie = self.record.next_cookie()
        self.record(event="inhibit", args=[application, reason], cookie=cookie)
        return cookie

    @Slot("uint")
    def UnInhibit(self, cookie: int) -> None:
        self.record(event="uninhibit", cookie=cookie)


@dbus_interface("org.gnome.SessionManager")
class SessionManager(QObject):
    def __init__(self, record: Record) -> None:
        super().__init__()
        self.record = record

    @Slot(str, "uint", str, "uint", result="uint")
    def Inhibit(self, app_id: str, xid: int, reason: str, flags: int) -> int:
        cookie = self.record.next_cookie()
        self.record(event="inhibit", args=[app_id, xid, reason, flags], cookie=cookie)
        return cookie

    @Slot("uint")
    def Uninhibit(self, cookie: int) -> None:
        self.record(event="uninhibit", cookie=cookie)


class DisplayConfig(QDBusVirtualObject):
    """Only Properties.Set of PowerSaveMode, which is all the player uses."""

    def __init__(self, record: Record) -> None:
        super().__init__()
        self.record = record

    def introspect(self, path: str) -> str:
        return ""

    def handleMessage(self, message: QDBusMessage, connection: QDBusConnection) -> bool:
        args = message.arguments()
        if message.member() == "Set" and message.signature() == "ssv":
            self.record(event="set", signature=message.signature(), args=[args[0], args[1]],
                        value=args[2].variant())  # fmt: skip
            connection.send(message.createReply())
            return True
        connection.send(message.createErrorReply("org.freedesktop.DBus.Error.Failed", "no"))
        return True


class Departures(QObject):
    def __init__(self, record: Record) -> None:
        super().__init__()
        self.record = record

    @Slot(str, str, str)
    def changed(self, name: str, old: str, new: str) -> None:
        if name.startswith(":") and old and not new:
            self.record(event="gone", name=name)


def main() -> int:
    address, path, kind = sys.argv[1:4]
    app = QCoreApplication([])
    bus = QDBusConnection.connectToBus(address, "standin")
    record = Record(path)
    service, object_path = SERVICES[kind]
    obj: QObject | QDBusVirtualObject
    if kind == "mutter":
        obj = DisplayConfig(record)
        ok = bus.registerVirtualObject(object_path, obj)
    else:
        obj = ScreenSaver(record) if kind == "screensaver" else SessionManager(record)
        ok = bus.registerObject(object_path, obj, QDBusConnection.RegisterOption.ExportAllSlots)
    departures = Departures(record)
    bus.connect(  # type: ignore[call-overload]  # the stubs miss the SLOT-string overload
        "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "NameOwnerChanged", departures, SLOT("changed(QString,QString,QString)"),
    )  # fmt: skip
    if not ok or not bus.registerService(service):
        print(f"cannot serve {service}: {bus.lastError().message()}", file=sys.stderr)
        return 1
    print("ready", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
