"""Stand-in desktop services on a private D-Bus bus, recording what they are asked.

Run as a process: `python tests/dbus_standin.py ADDRESS RECORD KIND`, KIND one of
- screensaver: org.freedesktop.ScreenSaver (KDE, Xfce; GNOME through its proxy),
- gnome: org.gnome.SessionManager,
- mutter: org.gnome.Mutter.DisplayConfig (only its PowerSaveMode property is set),
- login1: systemd-logind's Manager.Inhibit (on a system bus), as logind does it: the reply
  is one end of a pipe, and the lock lasts until every copy of that end is closed, which
  the stand-in sees as end-of-file on its own end ("released"); `BlockInhibited` lists
  what the held "block" locks inhibit, the property swayidle reads;
- login1-deny: the same service refusing Inhibit, as logind does when polkit says no.
Each call becomes a JSON line in RECORD; so does every client that leaves the bus
("gone"), which is how a real service drops a crashed client's inhibitors. Methods are
exported as typed slots, so a call with the wrong D-Bus signature (an int32 where the
interface says uint32) gets an UnknownMethod error, as from the real services.
Prints "ready" once its name is on the bus.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import (
    SLOT,
    ClassInfo,
    Property,
    QCoreApplication,
    QObject,
    QSocketNotifier,
    Slot,
)
from PySide6.QtDBus import (
    QDBusConnection,
    QDBusMessage,
    QDBusUnixFileDescriptor,
    QDBusVirtualObject,
)

SERVICES = {
    "screensaver": ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
    "gnome": ("org.gnome.SessionManager", "/org/gnome/SessionManager"),
    "mutter": ("org.gnome.Mutter.DisplayConfig", "/org/gnome/Mutter/DisplayConfig"),
    "login1": ("org.freedesktop.login1", "/org/freedesktop/login1"),
    "login1-deny": ("org.freedesktop.login1", "/org/freedesktop/login1"),
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


class RecordingObject(QDBusVirtualObject):
    """An object that answers raw messages (any signature), recording them."""

    def __init__(self, record: Record) -> None:
        super().__init__()
        self.record = record

    def introspect(self, path: str) -> str:
        return ""


class DisplayConfig(RecordingObject):
    """Only Properties.Set of PowerSaveMode, which is all the player uses."""

    def handleMessage(self, message: QDBusMessage, connection: QDBusConnection) -> bool:
        args = message.arguments()
        if message.member() == "Set" and message.signature() == "ssv":
            self.record(event="set", signature=message.signature(), args=[args[0], args[1]],
                        value=args[2].variant())  # fmt: skip
            connection.send(message.createReply())
            return True
        connection.send(message.createErrorReply("org.freedesktop.DBus.Error.Failed", "no"))
        return True


@dbus_interface("org.freedesktop.login1.Manager")
class LoginManager(QObject):
    def __init__(self, record: Record) -> None:
        super().__init__()
        self.record = record
        self.locks: dict[int, tuple[str, QSocketNotifier]] = {}  # our pipe end -> what

    @Slot(str, str, str, str, result=QDBusUnixFileDescriptor)
    def Inhibit(self, what: str, who: str, why: str, mode: str) -> QDBusUnixFileDescriptor:
        ours, theirs = os.pipe()
        reply = QDBusUnixFileDescriptor(theirs)  # a copy, sent with the reply, then closed
        os.close(theirs)
        watch = QSocketNotifier(ours, QSocketNotifier.Type.Read, self)
        watch.activated.connect(lambda: self._closed(ours))
        self.locks[ours] = (what if mode == "block" else "", watch)
        self.record(event="inhibit", args=[what, who, why, mode])
        return reply

    def _closed(self, ours: int) -> None:
        if os.read(ours, 1):
            return  # nobody writes to a lock; only its end matters
        what, watch = self.locks.pop(ours)
        watch.setEnabled(False)
        watch.deleteLater()
        os.close(ours)
        self.record(event="released", what=what)

    def _block_inhibited(self) -> str:
        return ":".join(sorted({w for w, _ in self.locks.values() if w}))

    BlockInhibited = Property(str, _block_inhibited)


class DeniedLogin(RecordingObject):
    """logind when polkit refuses: AccessDenied, with the text sd-bus gives EACCES."""

    def handleMessage(self, message: QDBusMessage, connection: QDBusConnection) -> bool:
        self.record(event="refused", member=message.member(), args=message.arguments())
        error = message.createErrorReply("org.freedesktop.DBus.Error.AccessDenied",
                                         "Permission denied")  # fmt: skip
        connection.send(error)
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
    if kind in ("mutter", "login1-deny"):
        obj = DisplayConfig(record) if kind == "mutter" else DeniedLogin(record)
        ok = bus.registerVirtualObject(object_path, obj)
    else:
        classes = {"screensaver": ScreenSaver, "gnome": SessionManager, "login1": LoginManager}
        obj = classes[kind](record)
        export = QDBusConnection.RegisterOption.ExportAllSlots
        ok = bus.registerObject(object_path, obj, export | export.ExportAllProperties)
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
