"""Keeps X from blanking the TV (screensaver, DPMS) while the player runs; restores on exit.

Also turns the display off and on for closed hours (`closed.mode: display_off`) through DPMS,
the only switch every X driver and TV understands without extra tools. Each xset call may
take seconds (a busy or remote X server; 5 s at most): the running player makes them
through kiosk.system.switch.DisplaySwitch, on a thread of their own, never on the Qt thread.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess

log = logging.getLogger(__name__)


def _xset(*args: str) -> str | None:
    xset = shutil.which("xset")
    if xset is None or not os.environ.get("DISPLAY"):
        return None
    try:
        done = subprocess.run([xset, *args], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError) as e:
        log.warning("xset %s failed: %s", " ".join(args), e)
        return None
    if done.returncode != 0:
        log.warning("xset %s failed: %s", " ".join(args), done.stderr.strip())
        return None
    return done.stdout


class ScreenSaverInhibitor:
    """`xset s off s noblank -dpms`; remembers whether DPMS was on to turn it back on."""

    def __init__(self) -> None:
        self._dpms_was_on = False
        self._active = False

    def inhibit(self) -> bool:
        state = _xset("q")
        if state is None:
            if os.environ.get("DISPLAY"):
                log.warning("cannot disable screen blanking: install x11-xserver-utils (xset)")
            return False
        self._dpms_was_on = "DPMS is Enabled" in state
        ok = _xset("s", "off") is not None
        ok = _xset("s", "noblank") is not None and ok
        ok = _xset("-dpms") is not None and ok
        self._active = ok
        log.info("screen blanking disabled (screensaver off, DPMS off)")
        return ok

    def restore(self) -> None:
        if not self._active:
            return
        _xset("s", "default")
        if self._dpms_was_on:
            _xset("+dpms")
        self._active = False


_warned: set[str] = set()


def _warn_once(key: str, message: str, *args: object) -> None:
    """Closed hours come every day: a missing tool is said once per process, not daily."""
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)


def _dpms_usable() -> bool:
    """True if xset and an X display are there and the server has the DPMS extension.

    Checked first because xset exits 0 even when the server lacks the extension (it only
    complains on stderr), so the exit code alone cannot tell that nothing happened.
    """
    if shutil.which("xset") is None:
        _warn_once("xset", "cannot switch the display off/on: install x11-xserver-utils (xset)")
        return False
    if not os.environ.get("DISPLAY"):
        _warn_once("display", "cannot switch the display off/on: no X display (DISPLAY unset)")
        return False
    state = _xset("q")
    if state is None:
        return False
    if "DPMS is" not in state:  # "Server does not have the DPMS Extension" (e.g. Xvfb)
        _warn_once("dpms", "cannot switch the display off/on: the X server has no DPMS")
        return False
    return True


def monitor_state() -> str | None:
    """The DPMS monitor state X reports ("On", "Off", "Standby", "Suspend"), None if unknown."""
    state = _xset("q")
    if state is None:
        return None
    for line in state.splitlines():
        line = line.strip()
        if line.startswith("Monitor is "):
            return line.removeprefix("Monitor is ").strip()
    return None


def display_off() -> bool:
    """Turn the TV off for closed hours: `xset +dpms`, then `xset dpms force off`.

    DPMS has to be enabled for `force` to take effect, and the inhibitor keeps it disabled
    while playing; `display_on` restores that. Returns True if X says the monitor is off.
    Never raises: a kiosk that cannot switch its screen off still has to keep running.
    """
    try:
        if not _dpms_usable():
            return False
        if _xset("+dpms") is None or _xset("dpms", "force", "off") is None:
            return False
        ok = monitor_state() == "Off"
        if ok:
            log.info("display off (DPMS) for closed hours")
        else:
            log.warning("xset dpms force off ran but X does not report the monitor off")
        return ok
    except Exception:  # switching the TV must never take the player down
        log.exception("display off failed")
        return False


def display_on() -> bool:
    """Turn the TV back on before opening: `xset dpms force on`, then `xset -dpms` so the
    screen does not blank by itself during office hours (the inhibitor's state).
    Returns True if X says the monitor is on. Never raises.
    """
    try:
        if not _dpms_usable():
            return False
        forced = _xset("dpms", "force", "on") is not None
        ok = forced and monitor_state() == "On"
        if _xset("-dpms") is None:
            ok = False
        if ok:
            log.info("display on (DPMS), blanking disabled again")
        else:
            log.warning("xset dpms force on ran but X does not report the monitor on")
        return ok
    except Exception:  # switching the TV must never take the player down
        log.exception("display on failed")
        return False
