"""Never blank during office hours, on any session: every inhibitor that applies, held at once.

- X11: `xset s off s noblank -dpms` (display.ScreenSaverInhibitor), as before;
- X11 and Wayland: an idle inhibitor over D-Bus (dbus_inhibit), which is what GNOME, KDE and
  Xfce honour (on GNOME/X11 too: its idle timer does not listen to xset);
- Wayland's own idle-inhibit protocol (zwp_idle_inhibit_manager_v1, labwc/wayfire/sway) is
  not used: Qt offers no client API for it, and it needs the window's wl_surface, which
  PySide6 only exposes from Qt 6.9 (QWindow.winId() on Wayland); the aarch64 wheels that
  install on Raspberry Pi OS (glibc 2.36) stop at 6.8. The status says so.
If nothing holds, one warning at start, and the status carries it with what to set in the
desktop's settings so that the screen does not blank by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtDBus import QDBusConnection

from kiosk.system.dbus_inhibit import DbusIdleInhibitor, session_bus
from kiosk.system.display import ScreenSaverInhibitor
from kiosk.system.session import Session

__all__ = ["WAYLAND_PROTOCOL_NOTE", "IdleGuard", "IdleReport", "what_to_set"]

log = logging.getLogger(__name__)

XSET = "xset (X screensaver and DPMS off)"
WAYLAND_PROTOCOL_NOTE = (
    "Wayland idle-inhibit protocol not used (Qt has no API for it; PySide6 < 6.9 gives no "
    "wl_surface): relying on D-Bus"
)


@dataclass
class IdleReport:
    held: list[str] = field(default_factory=list)  # what keeps the screen on now
    notes: list[str] = field(default_factory=list)  # what was not used, and why
    warning: str = ""  # set when nothing holds: what the admin must change


def what_to_set(session: Session) -> str:
    """The desktop setting that stops blanking, for the warning."""
    parts = set(session.desktop.replace(";", ":").split(":"))
    if "gnome" in parts or "ubuntu" in parts:
        return (
            "GNOME Settings > Power > Screen Blank: Never "
            "(or: gsettings set org.gnome.desktop.session idle-delay 0)"
        )
    if "kde" in parts:
        return "System Settings > Power Management > Turn off screen: never"
    if parts & {"labwc", "wayfire", "wlroots", "lxde-pi", "lxde", "sway"}:
        return (
            "on Raspberry Pi OS: sudo raspi-config > Display Options > Screen Blanking > No "
            "(elsewhere: remove the swayidle timeout from the compositor's autostart)"
        )
    if "xfce" in parts:
        return "Xfce Power Manager > Display: Blank after / Put to sleep after: Never"
    return "turn screen blanking and the screensaver off in the desktop's power settings"


class IdleGuard:
    """Holds what keeps the screen on for the whole run; `stop` gives it all back."""

    def __init__(
        self,
        session: Session,
        bus: Callable[[], QDBusConnection | None] = session_bus,
    ) -> None:
        self.session = session
        self._bus = bus
        self._xset: ScreenSaverInhibitor | None = None
        self._dbus: DbusIdleInhibitor | None = None
        self._dbus_service: str | None = None
        self.report = IdleReport()

    def start(self) -> IdleReport:
        """Both halves in turn (tests, and callers that may block)."""
        self.start_dbus()
        return self.start_xset()

    def start_dbus(self) -> None:
        """On the Qt thread: the bus is local and answers in milliseconds, and the inhibitor
        watches for the service restarting, which needs the Qt loop."""
        if not self._session_can_blank():
            return
        self._dbus = DbusIdleInhibitor(self._bus())
        self._dbus_service = self._dbus.inhibit()

    def start_xset(self) -> IdleReport:
        """Anywhere but the Qt thread in the running player: xset may take seconds. Ends the
        start: the report (and the one warning when nothing holds) is made here."""
        report = IdleReport()
        if not self._session_can_blank():
            report.notes.append(f"no desktop session ({self.session.describe()}): nothing blanks")
            self.report = report
            return report
        if self.session.x11:
            self._xset = ScreenSaverInhibitor()
            if self._xset.inhibit():
                report.held.append(XSET)
        if self._dbus_service is not None:
            report.held.append(f"{self._dbus_service} (D-Bus)")
        elif self._dbus is not None:
            report.notes.append(f"D-Bus idle inhibit: {self._dbus.problem}")
        if self.session.wayland:
            report.notes.append(WAYLAND_PROTOCOL_NOTE)
        if not report.held:
            report.warning = (
                f"nothing keeps the screen from blanking on this {self.session.describe()} "
                f"session: {what_to_set(self.session)}"
            )
            log.warning("%s (%s)", report.warning, "; ".join(report.notes))
        else:
            log.info("screen kept on by %s", "; ".join(report.held + report.notes))
        self.report = report
        return report

    def _session_can_blank(self) -> bool:
        return self.session.x11 or self.session.wayland

    def stop(self) -> None:
        self.stop_dbus()
        self.stop_xset()

    def stop_dbus(self) -> None:
        if self._dbus is not None:
            self._dbus.release()
            self._dbus = None

    def stop_xset(self) -> None:
        if self._xset is not None:
            self._xset.restore()
            self._xset = None
