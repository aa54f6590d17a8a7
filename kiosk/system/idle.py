"""Never blank during office hours, on any session: every inhibitor that applies, held at once.

- X11: `xset s off s noblank -dpms` (display.ScreenSaverInhibitor), as before;
- X11 and Wayland: an idle inhibitor over D-Bus (dbus_inhibit), which is what GNOME, KDE and
  Xfce honour (on GNOME/X11 too: its idle timer does not listen to xset);
- X11 and Wayland: logind's "idle" inhibitor lock on the system bus (logind.py), which is
  what swayidle honours (sway; labwc on Raspberry Pi OS); KDE honours it too, GNOME does
  not, so on GNOME it alone does not count as keeping the screen on. wayfire's own idle
  plugin (Raspberry Pi OS's earlier default) honours neither, but stays off while a window
  is fullscreen, as the player's is: the status notes it;
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

from kiosk.core.msg import _, join
from kiosk.system.dbus_inhibit import DbusIdleInhibitor, session_bus
from kiosk.system.display import ScreenSaverInhibitor
from kiosk.system.logind import HELD as LOGIND_HELD
from kiosk.system.logind import LogindIdleLock, system_bus
from kiosk.system.session import Session

__all__ = ["WAYFIRE_NOTE", "WAYLAND_PROTOCOL_NOTE", "IdleGuard", "IdleReport", "what_to_set"]

log = logging.getLogger(__name__)

XSET = _("xset (X screensaver and DPMS off)")
WAYFIRE_NOTE = _(
    "wayfire's own idle timeout (raspi-config's Screen Blanking) ignores logind's lock and "
    "D-Bus: it stays off while the player is fullscreen ([idle] disable_on_fullscreen, on by "
    "default)"
)
WAYLAND_PROTOCOL_NOTE = _(
    "Wayland idle-inhibit protocol not used (Qt has no API for it; PySide6 < 6.9 gives no "
    "wl_surface): relying on D-Bus and logind's idle lock"
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
        return _(
            "GNOME Settings > Power > Screen Blank: Never "
            "(or: gsettings set org.gnome.desktop.session idle-delay 0)"
        )
    if "kde" in parts:
        return _("System Settings > Power Management > Turn off screen: never")
    if parts & {"labwc", "wayfire", "wlroots", "lxde-pi", "lxde", "sway"}:
        return _(
            "on Raspberry Pi OS: sudo raspi-config > Display Options > Screen Blanking > No; "
            "elsewhere, remove swayidle's timeouts from the compositor's autostart (swayidle "
            "would honour logind's idle lock, but the player could not take it)"
        )
    if "xfce" in parts:
        return _("Xfce Power Manager > Display: Blank after / Put to sleep after: Never")
    return _("turn screen blanking and the screensaver off in the desktop's power settings")


class IdleGuard:
    """Holds what keeps the screen on for the whole run; `stop` gives it all back."""

    def __init__(
        self,
        session: Session,
        bus: Callable[[], QDBusConnection | None] = session_bus,
        system: Callable[[], QDBusConnection | None] = system_bus,
    ) -> None:
        self.session = session
        self._bus = bus
        self._xset: ScreenSaverInhibitor | None = None
        self._dbus: DbusIdleInhibitor | None = None
        self._dbus_service: str | None = None
        self._logind = LogindIdleLock(system)
        self.report = IdleReport()

    def start(self) -> IdleReport:
        """Both halves in turn (tests, and callers that may block)."""
        self.start_dbus()
        return self.start_blocking()

    def start_dbus(self) -> None:
        """On the Qt thread: the bus is local and answers in milliseconds, and the inhibitor
        watches for the service restarting, which needs the Qt loop."""
        if not self._session_can_blank():
            return
        self._dbus = DbusIdleInhibitor(self._bus())
        self._dbus_service = self._dbus.inhibit()

    def start_blocking(self) -> IdleReport:
        """Anywhere but the Qt thread in the running player: xset may take seconds, and
        logind waits for polkit. Ends the start: the report (and the one warning when
        nothing holds) is made here."""
        report = IdleReport()
        if not self._session_can_blank():
            report.notes.append(
                _(
                    "no desktop session ({session}): nothing blanks",
                    session=self.session.describe(),
                )
            )
            self.report = report
            return report
        if self.session.x11:
            self._xset = ScreenSaverInhibitor()
            if self._xset.inhibit():
                report.held.append(XSET)
        if self._dbus_service is not None:
            report.held.append(_("{service} (D-Bus)", service=self._dbus_service))
        elif self._dbus is not None:
            report.notes.append(_("D-Bus idle inhibit: {problem}", problem=self._dbus.problem))
        if self._logind.take():
            report.held.append(LOGIND_HELD)
        else:
            report.notes.append(_("logind idle lock: {problem}", problem=self._logind.problem))
        if self.session.wayland:
            report.notes.append(WAYLAND_PROTOCOL_NOTE)
        if "wayfire" in self.session.desktop.split(":"):
            report.notes.append(WAYFIRE_NOTE)
        if not self._keeps_it_on(report.held):
            report.warning = _(
                "nothing keeps the screen from blanking on this {session} session: {what}",
                session=self.session.describe(),
                what=what_to_set(self.session),
            )
            log.warning(
                _("{warning} ({notes})", warning=report.warning, notes=join(report.notes, "; "))
            )
        else:
            log.info("screen kept on by %s", "; ".join(report.held + report.notes))
        self.report = report
        return report

    def _session_can_blank(self) -> bool:
        return self.session.x11 or self.session.wayland

    def _keeps_it_on(self, held: list[str]) -> bool:
        """GNOME's idle timer ignores logind's lock: there it alone does not count."""
        return any(h != LOGIND_HELD or not self.session.gnome for h in held)

    def stop(self) -> None:
        self.stop_dbus()
        self.stop_blocking()

    def stop_dbus(self) -> None:
        if self._dbus is not None:
            self._dbus.release()
            self._dbus = None

    def stop_blocking(self) -> None:
        """On the thread that started them (after the start, never racing it)."""
        self._logind.release()
        if self._xset is not None:
            self._xset.restore()
            self._xset = None
