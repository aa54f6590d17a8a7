"""Which kind of graphical session the player runs in: X11, Wayland, or none (offscreen).

Why it matters: what keeps the TV from blanking and what switches it off differ by session.
`xset` only speaks X11; on Wayland the desktop's own idle timer (GNOME: 5 minutes) blanks
the screen unless an inhibitor is held over D-Bus; `wlopm` needs a wlroots compositor.
Qt's platform name is the truth once the QApplication exists (QT_QPA_PLATFORM may force
xcb under XWayland); before that, the environment is the best guess.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Session", "detect_session"]

X11 = "x11"
WAYLAND = "wayland"
NONE = "none"


@dataclass(frozen=True)
class Session:
    kind: str  # x11 | wayland | none
    desktop: str  # lower-case XDG_CURRENT_DESKTOP ("gnome", "kde", "labwc:wlroots"), or ""
    platform: str  # Qt's platform plugin ("xcb", "wayland", "offscreen"), or "" if unknown

    @property
    def x11(self) -> bool:
        return self.kind == X11

    @property
    def wayland(self) -> bool:
        return self.kind == WAYLAND

    @property
    def gnome(self) -> bool:
        return "gnome" in self.desktop.split(":")

    def describe(self) -> str:
        """For the log and the status: "wayland (gnome)", "x11", "none (offscreen)"."""
        if self.kind == NONE:
            return f"none ({self.platform})" if self.platform else NONE
        return f"{self.kind} ({self.desktop})" if self.desktop else self.kind


def detect_session(platform: str = "", env: Mapping[str, str] | None = None) -> Session:
    """The session from Qt's platform name if given, else from the environment."""
    env = os.environ if env is None else env
    desktop = env.get("XDG_CURRENT_DESKTOP", "").strip().lower()
    if platform == "xcb":
        kind = X11
    elif platform.startswith("wayland"):
        kind = WAYLAND
    elif platform:
        kind = NONE  # offscreen, minimal, eglfs...: no desktop session to keep awake
    elif env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
        kind = WAYLAND
    elif env.get("DISPLAY"):
        kind = X11
    else:
        kind = NONE
    return Session(kind, desktop, platform)
