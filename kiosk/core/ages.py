"""How long ago, for people: "12 s", "5 min", "3 h 20 min", "4 days"."""

from __future__ import annotations

from kiosk.core.msg import Msg, _


def ago(seconds: float) -> Msg:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return _("{n} s", n=seconds)
    if seconds < 7200:
        return _("{n} min", n=seconds // 60)
    if seconds < 172800:
        return _("{h} h {m} min", h=seconds // 3600, m=seconds % 3600 // 60)
    return _("{n} days", n=seconds // 86400)
