"""When things show: office hours (with holidays and a time zone) and per-item rules.

Pure code: the clock is whatever `datetime` the caller passes, so every rule is tested with an
injected time. All wall-clock reasoning happens in the office's time zone (zoneinfo): an aware
datetime is converted to it, a naive one is taken as office-local time already.

Rules, chosen so an admin can predict them:
- A time window runs from its start (included) to its end (excluded), in minutes of the day.
  A window whose end is earlier than its start crosses midnight (`"22:00-06:00"`), and it
  belongs to the day it STARTS on: "fri 22:00-06:00" runs Friday night into Saturday morning,
  and a holiday on Saturday does not cut it (a holiday on Friday removes it).
- `valid_from`/`valid_until` are calendar dates in the office time zone, both included:
  an item with `valid_until: 2026-12-31` disappears at midnight starting 2027-01-01.

How people write these rules, and the YAML that holds them, is read elsewhere
(schedule_text.py, schedule_yaml.py): evaluating a schedule needs no parser, and the playlist
model can hold an `ItemSchedule` without importing one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from kiosk.core.msg import N_, Msg, _, join
from kiosk.core.problems import Position

__all__ = [
    "DAY_NAMES_VI",
    "DAY_SHORT",
    "DEFAULT_TIMEZONE",
    "MINUTES_PER_DAY",
    "ItemSchedule",
    "OfficeHours",
    "TimeWindow",
    "format_vn_datetime",
]

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
DAY_SHORT = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
_HORIZON_DAYS = 370  # next_change looks this far ahead; beyond it nothing changes (None)


WEEKDAY_WORDS = (N_("mon"), N_("tue"), N_("wed"), N_("thu"), N_("fri"), N_("sat"), N_("sun"))


def weekdays_text(days: Iterable[int]) -> Msg:
    """'mon wed' (as the YAML writes them; 'T2 T4' in Vietnamese)."""
    return join((Msg(WEEKDAY_WORDS[d]) for d in sorted(days)), " ")


def _zone(name: str) -> tzinfo:
    return ZoneInfo(name)


def format_vn_datetime(at: datetime) -> str:
    """'Thứ Hai, 01/12/2026 08:00': Vietnamese weekday, day first, 24-hour clock."""
    return f"{DAY_NAMES_VI[at.weekday()]}, {at:%d/%m/%Y %H:%M}"


# ---------------------------------------------------------------------------------------------
# time windows


@dataclass(frozen=True)
class TimeWindow:
    """Minutes since midnight, start included, end excluded; end < start crosses midnight."""

    start: int
    end: int

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"

    def covers(self, minute: float, *, spill: bool) -> bool:
        """Whether `minute` of a day is inside: the window's own day (spill=False), or the
        next day, reached only by a window crossing midnight (spill=True)."""
        if spill:
            return self.crosses_midnight and minute < self.end
        if self.crosses_midnight:
            return minute >= self.start
        return self.start <= minute < self.end


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minute_of(t: time) -> float:
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60e6


def _in_windows(
    windows_of: Callable[[date], tuple[TimeWindow, ...] | None], local: datetime
) -> bool:
    """Shared rule: `windows_of(day)` gives the day's windows (None: the day is off)."""
    day = local.date()
    minute = _minute_of(local.time())
    today = windows_of(day)
    if today is not None and any(w.covers(minute, spill=False) for w in today):
        return True
    yesterday = windows_of(day - timedelta(days=1))
    return yesterday is not None and any(w.covers(minute, spill=True) for w in yesterday)


def _next_change(
    state: Callable[[datetime], bool],
    boundaries: Callable[[date], Iterable[int]],
    local: datetime,
    extra: Iterable[date] = (),
) -> datetime | None:
    """The first boundary after `local` where `state` flips; None if none within the horizon.

    Boundaries are the window edges of each day plus every midnight (dates and weekdays
    change there); checking the state at each candidate keeps the rule in one place (`state`).
    """
    now = state(local)
    tz = local.tzinfo
    start = local.date()
    candidates: list[datetime] = []
    for d in range(-1, _HORIZON_DAYS + 1):
        day = start + timedelta(days=d)
        midnight = datetime.combine(day, time(0), tz)
        candidates.append(midnight)
        for minute in boundaries(day):
            candidates.append(midnight + timedelta(minutes=minute))
    for day in extra:
        candidates.append(datetime.combine(day, time(0), tz))
    for when in sorted(set(candidates)):
        if when <= local:
            continue
        if state(when) != now:
            return when
    return None


def _local(at: datetime, tz: tzinfo) -> datetime:
    """Office-local aware time: aware datetimes converted, naive ones taken as local."""
    if at.tzinfo is None:
        return at.replace(tzinfo=tz)
    return at.astimezone(tz)


def _edges(windows: Iterable[TimeWindow]) -> list[int]:
    out: list[int] = []
    for w in windows:
        out.append(w.start)
        # A crossing window's end is on the next day, at minute `end` after that midnight.
        out.append(w.end + MINUTES_PER_DAY if w.crosses_midnight else w.end)
    return out


# ---------------------------------------------------------------------------------------------
# office hours


@dataclass(frozen=True)
class OfficeHours:
    """The weekly opening hours of the office, its time zone and its holidays.

    `week` has 7 entries, Monday first, each the day's windows (empty: closed that day).
    `always_open` (the default when the config has no `hours:`) ignores everything else:
    a player without office hours never shows the "closed" screen.
    """

    week: tuple[tuple[TimeWindow, ...], ...] = ((),) * 7
    timezone: str = DEFAULT_TIMEZONE
    holidays: frozenset[date] = frozenset()
    always_open: bool = False

    @classmethod
    def always(cls, timezone: str = DEFAULT_TIMEZONE) -> OfficeHours:
        return cls(timezone=timezone, always_open=True)

    def with_place(self, timezone: str, holidays: Iterable[date]) -> OfficeHours:
        """The same week in another time zone, with these holidays (config assembles it)."""
        return dataclasses.replace(self, timezone=timezone, holidays=frozenset(holidays))

    @property
    def tz(self) -> tzinfo:
        return _zone(self.timezone)

    def local(self, at: datetime) -> datetime:
        """`at` as office-local aware time (naive input is taken as office-local already)."""
        return _local(at, self.tz)

    def _windows_of(self, day: date) -> tuple[TimeWindow, ...] | None:
        if day in self.holidays:
            return None
        return self.week[day.weekday()]

    def is_open(self, at: datetime) -> bool:
        if self.always_open:
            return True
        return _in_windows(self._windows_of, self.local(at))

    def next_change(self, at: datetime) -> datetime | None:
        """When `is_open` next flips (office-local aware time), or None if it never does.

        For the re-evaluation timer: the player sleeps until then (and re-checks at least
        every minute anyway, so a clock jump cannot strand it).
        """
        if self.always_open:
            return None
        return _next_change(self.is_open, lambda d: _edges(self.week[d.weekday()]), self.local(at))

    def describe_day(self, weekday: int) -> str:
        """'07:30-11:30, 13:30-17:00' or 'closed' (for the generated closed slide)."""
        if self.always_open:
            return "00:00-24:00"
        windows = self.week[weekday]
        return ", ".join(str(w) for w in windows) if windows else "closed"

    def summary(self) -> list[tuple[str, str]]:
        """Days with the same hours grouped, Vietnamese names: [('Thứ Hai - Thứ Sáu', ...)]."""
        groups: list[tuple[int, int, str]] = []
        for i in range(7):
            text = self.describe_day(i)
            if groups and groups[-1][2] == text:
                groups[-1] = (groups[-1][0], i, text)
            else:
                groups.append((i, i, text))
        out = []
        for first, last, text in groups:
            if text == "closed":
                continue
            days = (
                DAY_NAMES_VI[first]
                if first == last
                else (f"{DAY_NAMES_VI[first]} - {DAY_NAMES_VI[last]}")
            )
            out.append((days, text))
        return out


# ---------------------------------------------------------------------------------------------
# per item rules


@dataclass(frozen=True)
class ItemSchedule:
    """When one item may show. Every rule that is None/empty does not restrict."""

    valid_from: date | None = None
    valid_until: date | None = None
    weekdays: frozenset[int] | None = None  # 0 = Monday
    times: tuple[TimeWindow, ...] = ()
    timezone: str = DEFAULT_TIMEZONE
    pos: Position | None = field(default=None, compare=False)

    def _windows_of(self, day: date) -> tuple[TimeWindow, ...] | None:
        if self.weekdays is not None and day.weekday() not in self.weekdays:
            return None
        return self.times or (TimeWindow(0, MINUTES_PER_DAY),)

    def _dates_ok(self, day: date) -> bool:
        return not (
            (self.valid_from is not None and day < self.valid_from)
            or (self.valid_until is not None and day > self.valid_until)
        )

    def active(self, at: datetime) -> bool:
        local = _local(at, _zone(self.timezone))
        return self._dates_ok(local.date()) and _in_windows(self._windows_of, local)

    def expired(self, at: datetime) -> bool:
        """True once `valid_until` has passed: the item never shows again."""
        local = _local(at, _zone(self.timezone))
        return self.valid_until is not None and local.date() > self.valid_until

    def expires_within(self, at: datetime, days: int) -> date | None:
        """`valid_until` if it falls from today to today + `days` (both included), else None.

        For `kiosk check`'s "expires soon" warning; an already expired item gives None (it
        is reported as expired instead).
        """
        if self.valid_until is None:
            return None
        today = _local(at, _zone(self.timezone)).date()
        if today <= self.valid_until <= today + timedelta(days=days):
            return self.valid_until
        return None

    def next_change(self, at: datetime) -> datetime | None:
        """When `active` next flips (office-local aware time), or None if it never does."""
        extra = [d for d in (self.valid_from, self.valid_until) if d is not None]
        if self.valid_until is not None:
            extra.append(self.valid_until + timedelta(days=1))
        return _next_change(
            self.active,
            lambda d: _edges(self.times),
            _local(at, _zone(self.timezone)),
            extra,
        )

    def describe(self) -> Msg:
        """One short line for the preview sheet and `kiosk check --at`."""
        parts: list[str] = []
        if self.valid_from is not None or self.valid_until is not None:
            a = self.valid_from.strftime("%d/%m/%Y") if self.valid_from else "…"
            b = self.valid_until.strftime("%d/%m/%Y") if self.valid_until else "…"
            parts.append(f"{a} → {b}")
        if self.weekdays is not None:
            parts.append(weekdays_text(self.weekdays))
        if self.times:
            parts.append(", ".join(str(w) for w in self.times))
        return join(parts, "; ") if parts else _("always")
