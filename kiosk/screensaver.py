"""Keeps X from blanking the TV (screensaver, DPMS) while the player runs; restores on exit."""

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
