"""What the province's page shows: cards for the overview, an office's details.

Pure: it is handed the judged views (kiosk.core.fleetview), each office's status.json and its
last plays, and turns them into messages and rows that the templates only lay out. The words
live here, once, as messages of kiosk's catalog (Vietnamese by default, kiosk.i18n), so the
page, its tests and anyone reading the code agree on them. Everything an office sent stays a
plain string: escaping is the templates' job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha1
from typing import Any

from kiosk.core import ages
from kiosk.core.fleetview import OfficeView
from kiosk.core.hoursjson import hours_from_json
from kiosk.core.msg import WEEKDAYS as _WEEKDAYS
from kiosk.core.msg import Msg, _, join
from kiosk.core.playstats import Play

STATE_WORDS = {
    "online": _("Online"),
    "offline": _("Offline"),
    "closed": _("Closed"),
    "problem": _("Problem"),
}
STATE_ORDER = {"offline": 0, "problem": 1, "online": 2, "closed": 3}  # what needs a look first
OUTCOME_WORDS = {"completed": _("Completed"), "skipped": _("Skipped"), "failed": _("Failed")}
WEEKDAYS = tuple(Msg(d) for d in _WEEKDAYS)
NO_GROUP = _("In no group")
UNKNOWN = _("Unknown")
_SAFE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


def slug(name: str) -> str:
    """A file name part for an office ID or group: itself when it is a valid name (the hub
    checks them), else a digest, so a hand-edited fleet.json cannot name a path."""
    return name if _SAFE.match(name) else "x" + sha1(name.encode("utf-8")).hexdigest()[:12]


def ago(seconds: float | None) -> Msg:
    """ "5 giây", "3 phút", "2 giờ 10 phút", "4 ngày" (kiosk.core.ages' steps)."""
    if seconds is None:
        return _("never")
    return ages.ago(seconds)


def ago_text(seconds: float | None) -> Msg:
    return _("never") if seconds is None else _("{ago} ago", ago=ago(seconds))


def clock(t: float) -> str:
    """A hub-local time for people: 09:12:03 01/12/2026."""
    return datetime.fromtimestamp(t).astimezone().strftime("%H:%M:%S %d/%m/%Y")


_SCREEN_STATES = {
    "idle": _("Idle slide (nothing playable)"),
    "closed": _("Closed slide, or the display off"),
    "loading": _("Loading"),
    "stopped": _("The player has stopped"),
}


def on_screen(status: dict[str, Any] | None, alive: bool) -> str:
    if not status:
        return _("Unknown")
    now = status.get("now") or {}
    what: str
    if now.get("file"):
        what = str(now["file"]) + (f" ({now['title']})" if now.get("title") else "")
    else:
        state = str(now.get("state") or "")
        what = _SCREEN_STATES.get(state, state or _("Nothing"))
    return what if alive else _("Last: {what}", what=what)


def syncthing_text(view: OfficeView, *, lower: bool = False) -> Msg:
    """The hub's Syncthing link to the office; `lower`: as the second half of a sentence."""
    if view.connected is None:
        return _("cannot ask the hub's Syncthing") if lower else _("Cannot ask the hub's Syncthing")
    if view.connected:
        return _("connected to the hub") if lower else _("Connected to the hub")
    if view.last_seen_age_s is not None:
        seen = ago_text(view.last_seen_age_s)
        if lower:
            return _("not connected (last seen {ago})", ago=seen)
        return _("Not connected (last seen {ago})", ago=seen)
    if lower:
        return _("never connected (check the hub address given to join)")
    return _("Never connected (check the hub address given to join)")


def reason(view: OfficeView, status: dict[str, Any] | None) -> str:
    """Why the office is in its state, in a few words; "" when all is well."""
    if view.state == "closed":
        if view.alive:
            return _("Outside office hours, the player still runs")
        return _("Outside office hours, the display off or out of touch")
    if view.state == "offline":
        if status is None:
            what = _("No status received yet")
        elif status.get("state") == "stopped":
            what = _("The player stopped {ago}", ago=ago_text(view.status_age_s))
        else:
            what = _("No new status since {ago}", ago=ago_text(view.status_age_s))
        return _("{what}; Syncthing: {link}", what=what, link=syncthing_text(view, lower=True))
    parts: list[str] = []  # each part twice: as a sentence's start, and after "; "
    if view.set_aside:
        n = len(view.set_aside)
        parts.append(_("{n} file(s) set aside", n=n))
    errors = [p for p in view.problems if ": warning: " not in p]
    if errors:
        first = not parts
        n = len(errors)
        parts.append(
            _("The player reports {n} error(s)", n=n)
            if first
            else _("the player reports {n} error(s)", n=n)
        )
    if view.clock_off_s is not None and any("clock" in a for a in view.alerts):
        off, first = ago(abs(view.clock_off_s)), not parts
        if view.clock_off_s > 0 and first:
            parts.append(_("Its clock is {off} behind the hub's", off=off))
        elif view.clock_off_s > 0:
            parts.append(_("its clock is {off} behind the hub's", off=off))
        elif first:
            parts.append(_("Its clock is {off} ahead of the hub's", off=off))
        else:
            parts.append(_("its clock is {off} ahead of the hub's", off=off))
    return join(parts, "; ") if parts else ""


def completion(view: OfficeView) -> str:
    """The least complete tier, which is what holds a screen back."""
    if not view.completion:
        return _("Unknown")
    known = [p for p in view.completion.values() if p is not None]
    if len(known) < len(view.completion):
        return _("Unknown")
    return f"{min(known):.0f} %"


@dataclass(frozen=True)
class Card:
    id: str
    slug: str
    name: str
    groups: tuple[str, ...]
    state: str
    word: str
    why: str
    on_screen: str
    last_seen: str
    completion: str
    set_aside: int


def card(view: OfficeView, status: dict[str, Any] | None) -> Card:
    name = view.name or str((status or {}).get("office") or "") or view.id
    seen = view.status_age_s if view.status_age_s is not None else view.last_seen_age_s
    return Card(
        id=view.id,
        slug=slug(view.id),
        name=name,
        groups=view.groups,
        state=view.state,
        word=STATE_WORDS.get(view.state, view.state),
        why=reason(view, status),
        on_screen=on_screen(status, view.alive),
        last_seen=ago_text(seen),
        completion=completion(view),
        set_aside=len(view.set_aside),
    )


def ordered(cards: Iterable[Card]) -> list[Card]:
    """Offline first, then problems, then the well, then the closed; by name within."""
    return sorted(cards, key=lambda c: (STATE_ORDER.get(c.state, 9), c.name.casefold(), c.id))


@dataclass(frozen=True)
class Section:
    group: str  # "" for offices in no group
    slug: str
    title: str
    cards: list[Card]
    counts: dict[str, int]


def _counts(cards: Sequence[Card]) -> dict[str, int]:
    return {s: sum(c.state == s for c in cards) for s in STATE_ORDER}


def sections(cards: Sequence[Card]) -> list[Section]:
    """One section per group (an office in two groups is in both), the ungrouped last;
    groups with an office offline or in trouble come first, so nothing dark hides below."""
    groups = sorted({g for c in cards for g in c.groups})
    out = [Section(g, slug(g), g, ordered(c for c in cards if g in c.groups), {}) for g in groups]
    loose = [c for c in cards if not c.groups]
    if loose:
        out.append(Section("", "", NO_GROUP, ordered(loose), {}))
    out = [Section(s.group, s.slug, s.title, s.cards, _counts(s.cards)) for s in out]

    def worst(s: Section) -> int:
        return min((STATE_ORDER.get(c.state, 9) for c in s.cards), default=9)

    return sorted(out, key=lambda s: (min(worst(s), 2), s.group == "", s.group))


def counts(cards: Sequence[Card]) -> dict[str, int]:
    return _counts(cards)


@dataclass(frozen=True)
class PlayRow:
    when: str
    file: str
    kind: str
    duration: str
    outcome: str
    word: str
    reason: str


def play_rows(plays: Sequence[Play]) -> list[PlayRow]:
    """Newest first, the office's own wall-clock time as it wrote it."""
    rows = []
    for p in reversed(plays):
        when = p.start[11:19] + " " + p.start[8:10] + "/" + p.start[5:7]
        rows.append(
            PlayRow(
                when,
                p.file,
                p.kind,
                _("{seconds:.0f} s", seconds=p.duration_s),
                p.outcome,
                OUTCOME_WORDS.get(p.outcome, p.outcome),
                p.reason,
            )
        )
    return rows


@dataclass(frozen=True)
class Hours:
    timezone: str
    days: list[tuple[str, str]]  # (weekday, "07:30–11:30, 13:30–17:00" or "Nghỉ")
    holidays: list[str]
    known: bool


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours(status: dict[str, Any] | None) -> Hours:
    h = hours_from_json((status or {}).get("hours"))
    if h is None:
        return Hours("", [], [], False)
    if h.always_open:
        return Hours(h.timezone, [(_("Every day"), _("Always open"))], [], True)
    days: list[tuple[str, str]] = [
        (
            WEEKDAYS[i],
            ", ".join(f"{_hhmm(w.start)}–{_hhmm(w.end)}" for w in day) or _("Closed all day"),
        )
        for i, day in enumerate(h.week)
    ]
    holidays = [d.strftime("%d/%m/%Y") for d in sorted(h.holidays)]
    return Hours(h.timezone, days, holidays, True)
