"""Display power for closed hours (`closed.mode: display_off`): one option, several methods.

`display.power`: cec (the TV itself, over HDMI-CEC), dpms (X11), wayland (`wlopm` on
wlroots compositors such as labwc, wayfire and sway; GNOME's Mutter over D-Bus), none; `auto`
takes the first of these that works here, in that order. Switching never raises and never
repeats itself: off once at closing, on once before opening, and a TV that does not answer
is logged once (then once more when it answers again), not at every attempt.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtDBus import QDBus, QDBusConnection, QDBusMessage, QDBusVariant

from kiosk.core.msg import _, to_json
from kiosk.system import display
from kiosk.system.cec import Cec, find_cec_device
from kiosk.system.dbus_inhibit import session_bus
from kiosk.system.session import Session

__all__ = ["METHODS", "DisplayPower", "PowerMethod", "choose_power"]

log = logging.getLogger(__name__)

METHODS = ("auto", "cec", "dpms", "wayland", "none")
TIMEOUT_S = 10.0
_NO_CEC = _("no CEC device (/dev/cec*)")


class PowerMethod(Protocol):
    """Each returns "" when it worked (or works here), else what went wrong."""

    name: str

    def check(self) -> str: ...
    def off(self) -> str: ...
    def on(self) -> str: ...


class CecPower:
    def __init__(self, device: Path | None) -> None:
        found = find_cec_device(device)
        self.cec = Cec(found) if found is not None else None
        self.name = f"cec ({found})" if found is not None else "cec"

    def check(self) -> str:
        if self.cec is None:
            return _NO_CEC
        return self.cec.probe().detail

    def off(self) -> str:
        return self.cec.standby().detail if self.cec else _NO_CEC

    def on(self) -> str:
        return self.cec.wake().detail if self.cec else _NO_CEC


class DpmsPower:
    name = "dpms"

    def check(self) -> str:
        if shutil.which("xset") is None:
            return _("xset not found (install x11-xserver-utils)")
        if not os.environ.get("DISPLAY"):
            return _("no X display")
        try:
            out = subprocess.run(
                ["xset", "q"], capture_output=True, text=True, timeout=5, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError) as e:
            return _("xset q failed: {error}", error=str(e))
        return "" if "DPMS is" in out else _("the X server has no DPMS")

    def off(self) -> str:
        return "" if display.display_off() else _("DPMS off did not take (see the log)")

    def on(self) -> str:
        return "" if display.display_on() else _("DPMS on did not take (see the log)")


class WlopmPower:
    """wlr-output-power-management through `wlopm`, on every output."""

    name = "wayland (wlopm)"

    def _run(self, *args: str) -> str:
        exe = shutil.which("wlopm")
        if exe is None:
            return _("wlopm not found")
        try:
            done = subprocess.run(
                [exe, *args], capture_output=True, text=True, timeout=TIMEOUT_S, check=False
            )
        except (OSError, subprocess.SubprocessError) as e:
            return _("wlopm failed: {error}", error=str(e))
        if done.returncode != 0:
            return (done.stderr.strip() or done.stdout.strip()) or _(
                "wlopm exited {code}", code=done.returncode
            )
        return ""

    def check(self) -> str:
        if not os.environ.get("WAYLAND_DISPLAY"):
            return _("not a Wayland session")
        return self._run()  # lists the outputs, or says the compositor lacks the protocol

    def off(self) -> str:
        return self._run("--off", "*")

    def on(self) -> str:
        return self._run("--on", "*")


MUTTER = "org.gnome.Mutter.DisplayConfig"
MUTTER_PATH = "/org/gnome/Mutter/DisplayConfig"
MUTTER_ON, MUTTER_OFF = 0, 3  # PowerSaveMode: 0 on, 1 standby, 2 suspend, 3 off


class GnomePower:
    """GNOME on Wayland: Mutter's DisplayConfig.PowerSaveMode, the property GNOME's own
    power plugin sets. Mutter turns the screen back on at the first input."""

    name = "wayland (GNOME)"

    def __init__(self, bus: QDBusConnection | None) -> None:
        self.bus = bus

    def check(self) -> str:
        if self.bus is None:
            return _("no D-Bus session bus")
        reply = self.bus.interface().isServiceRegistered(MUTTER)
        return (
            ""
            if reply.isValid() and reply.value()
            else _("{service} is not on the session bus", service=MUTTER)
        )

    def _set(self, mode: int) -> str:
        if self.bus is None:
            return _("no D-Bus session bus")
        msg = QDBusMessage.createMethodCall(
            MUTTER, MUTTER_PATH, "org.freedesktop.DBus.Properties", "Set"
        )
        msg.setArguments([MUTTER, "PowerSaveMode", QDBusVariant(mode)])
        reply = self.bus.call(msg, QDBus.CallMode.Block, 2000)
        if reply.type() == QDBusMessage.MessageType.ErrorMessage:
            return _("{service} PowerSaveMode: {error}", service=MUTTER, error=reply.errorMessage())
        return ""

    def off(self) -> str:
        return self._set(MUTTER_OFF)

    def on(self) -> str:
        return self._set(MUTTER_ON)


class NoPower:
    name = "none"

    def check(self) -> str:
        return ""

    def off(self) -> str:
        return ""

    def on(self) -> str:
        return ""


def _candidates(
    setting: str, session: Session, cec_device: Path | None, bus: QDBusConnection | None
) -> list[PowerMethod]:
    wayland: list[PowerMethod] = [WlopmPower(), GnomePower(bus)]
    if setting == "cec":
        return [CecPower(cec_device)]
    if setting == "dpms":
        return [DpmsPower()]
    if setting == "wayland":
        return wayland
    if setting == "none":
        return [NoPower()]
    auto: list[PowerMethod] = [CecPower(cec_device)]
    if session.x11:
        auto.append(DpmsPower())
    if session.wayland:
        auto += wayland
    return auto


def choose_power(
    setting: str,
    session: Session,
    cec_device: Path | None = None,
    bus: Callable[[], QDBusConnection | None] = session_bus,
    needed: bool = True,
) -> DisplayPower:
    """The method `display.power` asks for; for `auto`, the first that works here.

    An explicit method is kept even when its check fails (a TV in deep standby may not
    answer at start); the reason goes into the status. Not `needed` (closed.mode is not
    display_off): nothing is probed, and the TV is never switched.
    """
    if not needed:
        return DisplayPower(NoPower(), setting, [_("closed.mode is not display_off")])
    candidates = _candidates(setting, session, cec_device, bus())
    notes: list[str] = []
    for method in candidates:
        why = method.check()
        if not why:
            return DisplayPower(method, setting, notes)
        notes.append(_("{method}: {why}", method=method.name, why=why))
    if setting != "auto":
        return DisplayPower(candidates[0], setting, notes)
    return DisplayPower(NoPower(), setting, notes)


class DisplayPower:
    """Switches the display with one method; remembers the state so nothing repeats."""

    def __init__(self, method: PowerMethod, setting: str, notes: list[str]) -> None:
        self.method = method
        self.setting = setting
        self.notes = notes  # why the methods before it were not taken
        self.state = "unknown"  # on | off | unknown
        self.problem = ""  # the last failure, until a switch works again
        how = f"display.power {setting}: {method.name}"
        if notes:
            log.info("%s (%s)", how, "; ".join(notes))
        else:
            log.info("%s", how)

    def off(self) -> None:
        self._switch("off", self.method.off)

    def on(self) -> None:
        self._switch("on", self.method.on)

    def _switch(self, want: str, do: Callable[[], str]) -> None:
        if self.method.name == "none" or self.state == want:
            log.debug("display %s: nothing to do (%s, state %s)", want, self.method, self.state)
            return
        try:
            problem = do()
        except Exception as e:  # switching the TV must never take the player down
            log.exception("display %s failed", want)
            problem = _("display {want} failed: {error}", want=want, error=str(e))
        if not problem:
            if self.problem:
                log.info("display %s through %s: works again", want, self.method.name)
            else:
                log.info("display %s through %s", want, self.method.name)
            self.state, self.problem = want, ""
            return
        if problem != self.problem:  # said once, not at every closing and opening
            log.warning("display %s through %s failed: %s", want, self.method.name, problem)
        self.problem = problem

    def info(self) -> dict[str, object]:
        """For the status file."""
        return {
            "setting": self.setting,
            "method": self.method.name,
            "state": self.state,
            "not_taken": [str(n) for n in self.notes],
            "not_taken_msg": [to_json(n) for n in self.notes],
            "problem": self.problem or None,
        }
