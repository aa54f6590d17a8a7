"""What plays at a moment: the rules the player and `kiosk check --at` / `kiosk preview` share.

The controller asks these functions at every boundary, `kiosk check --at T` asks them once
for T: so the report can never disagree with the screen. Pure: the time is handed in (one
aware datetime per decision, from one clock read; the player also hands in its monotonic
clock, which a set-aside file's retry delay is measured on), failures are values.

An item plays when it is neither set aside (it failed, and neither its file changed nor
RETRY_FAILED_AFTER_S passed since) nor outside its schedule (valid dates, weekdays, times).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from kiosk.core.model import Item, Playlist
from kiosk.core.msg import _
from kiosk.core.schedule import ItemSchedule, OfficeHours, weekdays_text

# A file that failed is set aside until it changes, or until this long has passed.
RETRY_FAILED_AFTER_S = 600.0
# Outside office hours, the display is turned back on this long before opening.
WAKE_BEFORE_OPENING_S = 30.0
# While closed, the hours are looked at again at least this often (clocks get stepped).
LOOK_AGAIN_S = 60.0
# ... and never sooner than this (a change "now" must not spin).
LOOK_AGAIN_MIN_S = 0.1

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # as the YAML writes them


@dataclass(frozen=True)
class Failure:
    """Why a file could not be shown, and which version of it failed (size, mtime)."""

    rel: str
    reason: str
    when: float  # seconds since the epoch (the wall clock): what the status shows
    stamp: tuple[int, float]
    count: int = 1
    since: float | None = None  # on the player's monotonic clock; None: judged on `when`

    def holds(self, item: Item, now: float, mono: float | None = None) -> bool:
        """Still set aside: the same file, failed less than RETRY_FAILED_AFTER_S ago.

        Measured on the monotonic clock when the failure and the caller both have it: a wall
        clock stepped back 3 h must not keep the file aside 3 h 10 min, nor one stepped on
        free it at once. Else on the wall clock `now` (a report's failures, made at the moment
        asked), where a step back before the failure counts as passed.
        """
        if self.stamp != item.stamp:
            return False
        elapsed = now - self.when if mono is None or self.since is None else mono - self.since
        return 0.0 <= elapsed < RETRY_FAILED_AFTER_S


Failures = Mapping[str, Failure]  # by absolute path


def failed(
    failures: Failures, item: Item, reason: str, now: float, mono: float | None = None
) -> Failure:
    """The failure to record for `item` at wall time `now` (and monotonic `mono`, the
    player's): counted on if the same version failed before."""
    previous = failures.get(item.path)
    count = previous.count + 1 if previous and previous.stamp == item.stamp else 1
    return Failure(item.rel, reason, now, item.stamp, count, mono)


def forget_gone(failures: dict[str, Failure], items: Sequence[Item]) -> None:
    """Failures of files no longer in the playlist: nothing left to report."""
    live = {i.path for i in items}
    for path in [p for p in failures if p not in live]:
        del failures[path]


def _local_day(at: datetime, timezone: str) -> date:
    tz = ZoneInfo(timezone)
    return (at.replace(tzinfo=tz) if at.tzinfo is None else at.astimezone(tz)).date()


def inactive_reason(schedule: ItemSchedule | None, at: datetime) -> str | None:
    """None if the schedule lets the item show at `at`, else a short why, the way an admin
    would write the rule ("valid until 2026-11-30", "shown only on mon wed at 07:30-11:30")."""
    if schedule is None or schedule.active(at):
        return None
    day = _local_day(at, schedule.timezone)
    if schedule.valid_until is not None and day > schedule.valid_until:
        return _("valid until {date:%Y-%m-%d}", date=schedule.valid_until)
    if schedule.valid_from is not None and day < schedule.valid_from:
        return _("valid from {date:%Y-%m-%d}", date=schedule.valid_from)
    times = ", ".join(str(w) for w in schedule.times)
    if schedule.weekdays is not None and schedule.times:
        days = weekdays_text(schedule.weekdays)
        return _("shown only on {days} at {times}", days=days, times=times)
    if schedule.weekdays is not None:
        return _("shown only on {days}", days=weekdays_text(schedule.weekdays))
    if schedule.times:
        return _("shown only at {times}", times=times)
    return _("outside its schedule")


def skip_reason(
    item: Item, at: datetime, failures: Failures, mono: float | None = None
) -> str | None:
    """None if `item` plays at `at`, else why not: set aside after failing, or its schedule.

    `mono`: the player's monotonic clock, for how long ago a file failed (Failure.holds).
    """
    failure = failures.get(item.path)
    if failure is not None and failure.holds(item, at.timestamp(), mono):
        return _("cannot be played: {reason}", reason=failure.reason)
    return inactive_reason(item.schedule, at)


def next_playable(
    items: Sequence[Item], start: int, at: datetime, failures: Failures, mono: float | None = None
) -> int | None:
    """The index of the first item at or after `start` that plays at `at` (no wrapping)."""
    for index in range(max(0, start), len(items)):
        if skip_reason(items[index], at, failures, mono) is None:
            return index
    return None


def following(
    items: Sequence[Item], index: int, at: datetime, failures: Failures, mono: float | None = None
) -> int | None:
    """The index of the item that plays after `index`, wrapping round the loop (it may be
    `index` itself); None if nothing plays."""
    for step in range(1, len(items) + 1):
        candidate = (index + step) % len(items)
        if skip_reason(items[candidate], at, failures, mono) is None:
            return candidate
    return None


def last_of_loop(
    items: Sequence[Item], index: int, at: datetime, failures: Failures, mono: float | None = None
) -> bool:
    """True if nothing after `index` plays before the loop wraps."""
    return next_playable(items, index + 1, at, failures, mono) is None


def index_after_reread(index: int, current: Item | None, items: Sequence[Item]) -> int:
    """Where the loop stands in a re-read playlist, so that play goes on after `current` (at
    `index` in the old one): its place in the new list, preferring an occurrence at or after
    the old position (a file listed twice); if it left the list, the place before its old
    one, so that what took its place plays next."""
    paths = [i.path for i in items]
    if current is not None and current.path in paths:
        start = min(index, len(paths) - 1)
        later = current.path in paths[start:]
        return paths.index(current.path, start) if later else paths.index(current.path)
    return index - 1


@dataclass(frozen=True)
class Slot:
    """One playlist item at the moment asked: its place in the loop, or why it is left out."""

    item: Item
    order: int | None  # 1-based place in the rotation; None when set aside
    reason: str | None  # why it is not shown then (schedule or a failure)


def rotation(playlist: Playlist, at: datetime, failures: Failures) -> list[Slot]:
    """The loop at `at`: items in playlist order, numbered when they play, else with why."""
    slots: list[Slot] = []
    order = 0
    for item in playlist.items:
        reason = skip_reason(item, at, failures)
        if reason is None:
            order += 1
        slots.append(Slot(item, order if reason is None else None, reason))
    return slots


def probe_failures(
    playlist: Playlist, reasons: Mapping[str, str], at: datetime
) -> dict[str, Failure]:
    """Failed probes (path -> reason) as the player would record them, failing at `at`."""
    return {
        item.path: Failure(item.rel, reasons[item.path], at.timestamp(), item.stamp)
        for item in playlist.items
        if item.path in reasons
    }


@dataclass(frozen=True)
class HoursLook:
    """What the office hours say at one instant, and when to look at them again."""

    open: bool
    change: datetime | None  # when open/closed next flips; None: never
    wait_s: float  # look again after this long
    wake: bool  # closed, but opening within WAKE_BEFORE_OPENING_S: the display goes on


def look_at_hours(hours: OfficeHours, now: datetime) -> HoursLook:
    """Judged from one instant: read the clock twice and the office may open in between,
    whose next change is then the closing (a minute's sleep instead of 0.1 s).

    While closed: look again to wake the display a little before the opening, once more at
    the opening itself, and at least every LOOK_AGAIN_S in between.
    """
    is_open = hours.is_open(now)
    change = hours.next_change(now)
    wait_s = LOOK_AGAIN_S
    until = None
    if change is not None:
        until = (change - now).total_seconds()
        wait_s = until - WAKE_BEFORE_OPENING_S if until > WAKE_BEFORE_OPENING_S else until
        wait_s = min(LOOK_AGAIN_S, wait_s)
    wake = not is_open and until is not None and until <= WAKE_BEFORE_OPENING_S
    return HoursLook(is_open, change, max(LOOK_AGAIN_MIN_S, wait_s), wake)
