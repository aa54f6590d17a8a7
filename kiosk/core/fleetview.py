"""The hub's view of one office: online, offline, closed or a problem, and what to alert on.

Pure: it is handed what arrived from the office (its status.json, when the hub received
it) and Syncthing's own facts (connected, last seen, completion per tier), plus the hub's
clock, and it decides. Ages are measured on the hub's clock where it can (when a file
arrived), so an office whose clock is wrong does not look dead or alive by mistake; the
office's own clock is compared with the hub's and reported when far off.

Rules:
- closed: the office's own hours (from its last status) say it is closed now. Not an alarm,
  whether its player runs (closed slide) or is silent (the TV was switched off at night).
- offline: no status yet, its player says it stopped, or its last status is older than
  `offline_after` seconds: an alarm during office hours.
- problem: online, but files are set aside, the player reports problems, or its clock is
  off by more than CLOCK_SKEW_S.
- online: none of that.
Alerts (exit code 1 of `kiosk fleet status`): offline during hours, files set aside (open or
closed: they will still be there at opening), player errors (not warnings), a wrong clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kiosk.core.ages import ago as _ago
from kiosk.core.hoursjson import hours_from_json

OFFLINE_AFTER_S = 30.0  # 5 heartbeats of 2 s, plus Syncthing's delays, with room to spare
CLOCK_SKEW_S = 300.0


@dataclass(frozen=True)
class Completion:
    percent: float
    need_items: int = 0


@dataclass(frozen=True)
class OfficeFacts:
    """What the hub knows about one office, gathered by the I/O side."""

    id: str
    name: str = ""
    groups: tuple[str, ...] = ()
    device: str = ""
    status: dict[str, Any] | None = None  # its status.json, if one arrived
    status_error: str = ""  # why it could not be read
    received_at: float | None = None  # hub clock: when its state folder last got a file
    connected: bool | None = None  # None: the hub's Syncthing could not be asked
    last_seen: float | None = None  # hub clock, from Syncthing's device statistics
    completion: dict[str, Completion | None] = field(default_factory=dict)  # tier label ->


@dataclass(frozen=True)
class OfficeView:
    id: str
    name: str
    groups: tuple[str, ...]
    state: str  # online | offline | closed | problem
    why: str
    status_age_s: float | None
    on_screen: str
    completion: dict[str, float | None]
    set_aside: tuple[dict[str, str], ...]
    problems: tuple[str, ...]
    stalls: int
    restarts: int
    screenshot_age_s: float | None
    connected: bool | None
    last_seen_age_s: float | None
    clock_off_s: float | None
    alerts: tuple[str, ...]
    alive: bool = False  # its status is fresh and its player runs (open or closed)
    in_hours: bool = True  # its own hours say it is open now

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "groups": list(self.groups),
            "state": self.state,
            "why": self.why,
            "status_age_s": _round(self.status_age_s),
            "on_screen": self.on_screen,
            "completion": self.completion,
            "set_aside": list(self.set_aside),
            "problems": list(self.problems),
            "stalls": self.stalls,
            "restarts": self.restarts,
            "screenshot_age_s": _round(self.screenshot_age_s),
            "syncthing_connected": self.connected,
            "last_seen_age_s": _round(self.last_seen_age_s),
            "clock_off_s": _round(self.clock_off_s),
            "alerts": list(self.alerts),
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def ago(seconds: float | None) -> str:
    return "never" if seconds is None else _ago(seconds)


def on_screen(status: dict[str, Any] | None) -> str:
    if not status:
        return "unknown"
    now = status.get("now") or {}
    if now.get("file"):
        title = f" ({now['title']})" if now.get("title") else ""
        return f"{now['file']}{title}"
    state = now.get("state") or "nothing"
    return {
        "idle": "idle slide (nothing playable)",
        "closed": "closed slide or display off",
        "loading": "loading",
        "stopped": "player stopped",
    }.get(state, state)


def _is_open(status: dict[str, Any] | None, now: float) -> bool:
    """Unknown hours count as open: an office that never said when it closes is expected."""
    hours = hours_from_json((status or {}).get("hours"))
    return True if hours is None else hours.is_open(datetime.fromtimestamp(now, UTC))


def _silence(f: OfficeFacts, age: float | None, now: float) -> str:
    """Why an office's status is missing or old, from Syncthing's side of things."""
    if f.connected is None:
        link = "the hub's Syncthing could not be asked"
    elif f.connected:
        link = "its Syncthing is connected"
    elif f.last_seen:
        link = f"its Syncthing is not connected (last seen {ago(now - f.last_seen)} ago)"
    else:
        link = "its Syncthing has never connected (check the address its join was given)"
    if f.status is None:
        what = f.status_error or "no status received yet"
        return f"{what}; {link}"
    if f.status.get("state") == "stopped":
        return f"its player stopped {ago(age)} ago; {link}"
    return f"no status for {ago(age)}; {link}"


def judge(f: OfficeFacts, now: float, offline_after: float = OFFLINE_AFTER_S) -> OfficeView:
    status = f.status
    updated = float(status.get("updated_at", 0)) if status else None
    if f.received_at is not None:
        age: float | None = now - f.received_at
    else:
        age = None if updated is None else now - updated
    clock_off = None if f.received_at is None or updated is None else f.received_at - updated
    alive = (
        status is not None
        and status.get("state") != "stopped"
        and age is not None
        and age <= offline_after
    )
    set_aside = tuple(
        {"file": str(x.get("file", "?")), "reason": str(x.get("reason", ""))}
        for x in (status or {}).get("failed") or ()
    )
    problems = tuple(str(p) for p in (status or {}).get("problems") or ())
    alerts: list[str] = []
    in_hours = _is_open(status, now)
    if not in_hours:
        state = "closed"
        why = "outside its office hours" + (
            ", player running" if alive else f" ({_silence(f, age, now)})"
        )
    elif not alive:
        state = "offline"
        why = _silence(f, age, now)
        alerts.append(f"{f.id}: offline during office hours: {why}")
    else:
        state, why = "online", ""
    if set_aside:
        alerts.append(
            f"{f.id}: {len(set_aside)} file(s) set aside: "
            + "; ".join(f"{x['file']}: {x['reason']}" for x in set_aside)
        )
    # Warnings (a file still arriving, a folder with nothing playable yet) are shown, not alerts.
    alerts += [f"{f.id}: player problem: {p}" for p in problems if ": warning: " not in p]
    if clock_off is not None and abs(clock_off) > CLOCK_SKEW_S:
        side = "behind" if clock_off > 0 else "ahead of"
        alerts.append(
            f"{f.id}: its clock is {ago(abs(clock_off))} {side} the hub's "
            "(office hours and proof of play use it): check its time sync"
        )
    if state == "online" and alerts:
        state, why = "problem", alerts[0].split(": ", 1)[1]
    counters = (status or {}).get("counters") or {}
    shot = (status or {}).get("screenshot_at")
    shot_age = None
    if shot and updated is not None and age is not None:
        shot_age = (updated - float(shot)) + age
    return OfficeView(
        id=f.id,
        name=f.name,
        groups=f.groups,
        state=state,
        why=why,
        status_age_s=age,
        on_screen=on_screen(status) if alive or not status else f"last: {on_screen(status)}",
        completion={k: (None if c is None else c.percent) for k, c in f.completion.items()},
        set_aside=set_aside,
        problems=problems,
        stalls=int(counters.get("stalls", 0) or 0),
        restarts=int(counters.get("restarts", 0) or 0),
        screenshot_age_s=shot_age,
        connected=f.connected,
        last_seen_age_s=None if not f.last_seen else now - f.last_seen,
        clock_off_s=clock_off,
        alerts=tuple(alerts),
        alive=alive,
        in_hours=in_hours,
    )
