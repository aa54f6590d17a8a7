"""When things show: office hours (with holidays and a time zone) and per-item rules.

Pure code: the clock is whatever `datetime` the caller passes, so every rule is tested with an
injected time. All wall-clock reasoning happens in the office's time zone (zoneinfo): an aware
datetime is converted to it, a naive one is taken as office-local time already.

Rules, chosen so an admin can predict them:
- A time window is `"HH:MM-HH:MM"`, start included, end excluded; `"24:00"` may end a window.
  A window whose end is earlier than its start crosses midnight (`"22:00-06:00"`), and it
  belongs to the day it STARTS on: "fri 22:00-06:00" runs Friday night into Saturday morning,
  and a holiday on Saturday does not cut it (a holiday on Friday removes it).
- `valid_from`/`valid_until` are calendar dates in the office time zone, both included:
  an item with `valid_until: 2026-12-31` disappears at midnight starting 2027-01-01.
- Weekday names: English short or long (`mon`, `Monday`), Vietnamese (`thứ 2`, `thứ hai`,
  `t2` ... `chủ nhật`, `cn`; without accents: `thu 2`, `chu nhat`), ranges (`mon-fri`,
  `t2-t6`). Numbers are refused: "2" means Monday in Vietnamese and Tuesday elsewhere.
- Times must be `HH:MM` text; YAML 1.1 reads an unquoted `7:30` as the number 450, so such a
  scalar is read back from the text as written (the parser keeps it) and means 07:30.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.core.model import Position, Problem
from kiosk.core.yamlpos import (
    TAG_NULL,
    TAG_TIMESTAMP,
    YMap,
    YNode,
    YScalar,
    YSeq,
    describe,
    parse_bytes,
)

__all__ = [
    "DAY_NAMES_VI",
    "DEFAULT_TIMEZONE",
    "SCHEDULE_KEYS",
    "ItemSchedule",
    "OfficeHours",
    "TimeWindow",
    "check_timezone",
    "format_vn_datetime",
    "parse_dates",
    "parse_hours",
    "parse_item_schedule",
    "parse_sidecar",
    "parse_weekdays",
]

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
SCHEDULE_KEYS = ("valid_from", "valid_until", "weekdays", "times")
DAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_DAY_SHORT = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HORIZON_DAYS = 370  # next_change looks this far ahead; beyond it nothing changes (None)
_MINUTES_PER_DAY = 24 * 60


def _zone(name: str) -> tzinfo:
    return ZoneInfo(name)


def format_vn_datetime(at: datetime) -> str:
    """'Thứ Hai, 01/12/2026 08:00': Vietnamese weekday, day first, 24-hour clock."""
    return f"{DAY_NAMES_VI[at.weekday()]}, {at:%d/%m/%Y %H:%M}"


def check_timezone(name: str) -> str | None:
    """None if `name` is a zoneinfo time zone, else what is wrong (for config messages)."""
    if not name or name != name.strip():
        return f"{name!r} is not a time zone name; write one like {DEFAULT_TIMEZONE!r}"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r}; write one like {DEFAULT_TIMEZONE!r}"
    return None


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
        out.append(w.end + _MINUTES_PER_DAY if w.crosses_midnight else w.end)
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
        return self.times or (TimeWindow(0, _MINUTES_PER_DAY),)

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

    def describe(self) -> str:
        """One short line for the preview sheet and `kiosk check --at`."""
        parts = []
        if self.valid_from is not None or self.valid_until is not None:
            a = self.valid_from.strftime("%d/%m/%Y") if self.valid_from else "…"
            b = self.valid_until.strftime("%d/%m/%Y") if self.valid_until else "…"
            parts.append(f"{a} → {b}")
        if self.weekdays is not None:
            parts.append(" ".join(_DAY_SHORT[d] for d in sorted(self.weekdays)))
        if self.times:
            parts.append(", ".join(str(w) for w in self.times))
        return "; ".join(parts) or "always"


# ---------------------------------------------------------------------------------------------
# parsing (yamlpos nodes → values, with positions)

_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_WINDOW_SPLIT = re.compile(r"\s*[-–—]\s*|\s+(?:to|đến)\s+")  # "07:30-11:30", "07:30 to 11:30"
_VI_NUMBER = {"hai": 0, "ba": 1, "tư": 2, "tu": 2, "bốn": 2, "năm": 3, "nam": 3, "sáu": 4,
              "sau": 4, "bảy": 5, "bay": 5, "bẩy": 5}  # fmt: skip
_ENGLISH = {
    name: i
    for i, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
_DAY_HELP = "write mon..sun, thứ 2..chủ nhật or t2..cn (ranges like mon-fri or t2-t6 work too)"


def _day(word: str) -> int | None:
    """One weekday name → 0..6 (Monday = 0), or None."""
    w = " ".join(unicodedata.normalize("NFC", word).casefold().replace(".", " ").split())
    if w in _ENGLISH:
        return _ENGLISH[w]
    if w in ("cn", "chủ nhật", "chu nhat", "chủ nhựt"):
        return 6
    m = re.fullmatch(r"(?:thứ|thu|t) ?([2-7])", w)
    if m:
        return int(m.group(1)) - 2
    m = re.fullmatch(r"thứ (\S+)", w)
    if m and m.group(1) in _VI_NUMBER:
        return _VI_NUMBER[m.group(1)]
    return None


def _day_set(text: str) -> tuple[set[int] | None, str | None]:
    """'mon-fri, sat' → {0..5}; on error (None, what is wrong)."""
    days: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        first = _day(part)
        if first is not None:
            days.add(first)
            continue
        ends = [p for p in re.split(r"\s*[-–—]\s*", part) if p]
        if len(ends) == 2:
            a, b = _day(ends[0]), _day(ends[1])
            if a is not None and b is not None:
                i = a
                days.add(i)
                while i != b:
                    i = (i + 1) % 7
                    days.add(i)
                continue
        return None, f"unknown weekday {part!r}; {_DAY_HELP}"
    if not days:
        return None, f"no weekday given; {_DAY_HELP}"
    return days, None


def _time_text(node: YScalar) -> str | None:
    """The time as written: strings, and unquoted `7:30` that YAML read as a base-60 number."""
    if node.is_str or (node.kind in ("int", "float") and ":" in node.raw):
        return node.raw.strip()
    return None


def _minutes(text: str, *, end: bool) -> int | None:
    m = _TIME.fullmatch(text.strip())
    if m is None:
        return None
    h, mi = int(m.group(1)), int(m.group(2))
    if mi >= 60 or h > 24 or (h == 24 and (mi != 0 or not end)):
        return None
    return h * 60 + mi


_WINDOW_HELP = 'write a time window as "HH:MM-HH:MM" in quotes, e.g. "07:30-11:30"'


def _window(node: YNode, problems: list[Problem]) -> TimeWindow | None:
    """'07:30-11:30' (or a mapping `{from: "07:30", to: "11:30"}`) → TimeWindow."""
    if isinstance(node, YMap):
        a, b = node.get("from"), node.get("to")
        extra = [k.raw for k, _ in node if k.raw not in ("from", "to")]
        if extra or not isinstance(a, YScalar) or not isinstance(b, YScalar):
            problems.append(Problem(node.pos, f"expected `from:` and `to:` times; {_WINDOW_HELP}"))
            return None
        ta, tb = _time_text(a), _time_text(b)
        if ta is None or tb is None:
            bad = a if ta is None else b
            problems.append(
                Problem(bad.pos, f"expected a time, got {describe(bad)}; {_WINDOW_HELP}")
            )
            return None
        return _window_from(ta, tb, node.pos, problems)
    if not isinstance(node, YScalar) or not node.is_str:
        problems.append(
            Problem(node.pos, f"expected a time window, got {describe(node)}; {_WINDOW_HELP}")
        )
        return None
    ends = _WINDOW_SPLIT.split(node.raw.strip())
    if len(ends) != 2:
        problems.append(Problem(node.pos, f"{node.raw!r} is not a time window; {_WINDOW_HELP}"))
        return None
    return _window_from(ends[0], ends[1], node.pos, problems)


def _window_from(a: str, b: str, pos: Position, problems: list[Problem]) -> TimeWindow | None:
    start, end = _minutes(a, end=False), _minutes(b, end=True)
    if start is None or end is None:
        bad = a if start is None else b
        problems.append(
            Problem(
                pos,
                f"{bad!r} is not a time of day (00:00 to 23:59, or 24:00 as an end); "
                f"{_WINDOW_HELP}",
            )
        )
        return None
    if start == end % _MINUTES_PER_DAY:
        problems.append(
            Problem(
                pos,
                f"the window {a}-{b} is empty (it starts when it ends); "
                'for the whole day write "00:00-24:00"',
            )
        )
        return None
    return TimeWindow(start, end)


def _windows(node: YNode, problems: list[Problem]) -> tuple[TimeWindow, ...] | None:
    """A window, a list of windows, or `closed`/null/[] (no windows). None on any error."""
    if isinstance(node, YScalar) and (
        node.is_null or (node.is_str and node.raw.strip().casefold() in ("closed", "nghỉ"))
    ):
        return ()
    items = list(node) if isinstance(node, YSeq) else [node]
    before = len(problems)
    out = [w for w in (_window(n, problems) for n in items) if w is not None]
    if len(problems) > before:
        return None
    return tuple(sorted(out, key=lambda w: w.start))


def parse_weekdays(node: YNode, problems: list[Problem]) -> frozenset[int] | None:
    """`mon-fri`, `[t2, t4]`, `"thứ 2, thứ 6"` → {0, ...}; None (plus a problem) if bad."""
    parts = list(node) if isinstance(node, YSeq) else [node]
    days: set[int] = set()
    ok = True
    for part in parts:
        if isinstance(part, YScalar) and part.is_str:
            got, err = _day_set(part.raw)
            if got is not None:
                days |= got
                continue
            problems.append(Problem(part.pos, err or _DAY_HELP))
        elif isinstance(part, YScalar) and part.kind == "int":
            problems.append(
                Problem(
                    part.pos,
                    f"{part.raw!r} is ambiguous as a weekday ('2' is Monday in "
                    f"Vietnamese, Tuesday elsewhere); {_DAY_HELP}",
                )
            )
        else:
            problems.append(
                Problem(part.pos, f"expected a weekday, got {describe(part)}; {_DAY_HELP}")
            )
        ok = False
    if not ok:
        return None
    if not days:
        problems.append(Problem(node.pos, f"no weekday given; {_DAY_HELP}"))
        return None
    return frozenset(days)


def parse_hours(node: YNode | None, path: str) -> tuple[OfficeHours, list[Problem]]:
    """The `hours:` mapping → OfficeHours (default time zone, no holidays: see `with_place`).

        hours:
          mon-fri: ["07:30-11:30", "13:30-17:00"]
          sat: "07:30-11:30"        # days not listed are closed (also: `sun: closed`)

    Absent or null → always open. Any error → always open too, with the problems: a typo in
    the hours must not black out the screen during office hours.
    """
    problems: list[Problem] = []
    if node is None or (isinstance(node, YScalar) and node.is_null):
        return OfficeHours.always(), problems
    if isinstance(node, YScalar) and node.is_str and node.raw.strip().casefold() == "always":
        return OfficeHours.always(), problems
    if not isinstance(node, YMap):
        problems.append(
            Problem(
                node.pos,
                "hours: expected days with their opening times, e.g. "
                '\'mon-fri: ["07:30-11:30", "13:30-17:00"]\' on the next line, indented; '
                f"got {describe(node)}",
            )
        )
        return OfficeHours.always(), problems
    week: list[tuple[TimeWindow, ...]] = [()] * 7
    seen: dict[int, Position] = {}
    for key, value in node:
        days, err = _day_set(key.raw) if key.is_str else (None, f"{key.raw!r}: {_DAY_HELP}")
        if days is None:
            problems.append(Problem(key.pos, f"hours: {err}"))
            continue
        twice = sorted(d for d in days if d in seen)
        if twice:
            first = seen[twice[0]]
            problems.append(
                Problem(
                    key.pos,
                    f"hours: {_DAY_SHORT[twice[0]]} already has its hours at line "
                    f"{first.line}; give each day once",
                )
            )
            continue
        windows = _windows(value, problems)
        if windows is None:
            continue
        overlap = _overlap(windows)
        if overlap:
            problems.append(Problem(value.pos, f"hours: {overlap}"))
            continue
        for d in days:
            seen[d] = key.pos
            week[d] = windows
    if problems:
        return OfficeHours.always(), problems
    if not any(week):
        problems.append(
            Problem(
                node.pos,
                "hours: no day has opening times, so the office would always be "
                "closed; add times, or remove `hours:` to be always open",
                "warning",
            )
        )
    return OfficeHours(tuple(week)), problems


def _overlap(windows: tuple[TimeWindow, ...]) -> str | None:
    plain = [w for w in windows if not w.crosses_midnight]
    for a, b in itertools.pairwise(plain):
        if b.start < a.end:
            return f"the windows {a} and {b} overlap; merge them"
    return None


def _date(node: YNode, problems: list[Problem], what: str) -> date | None:
    """A YAML date (`2026-12-01`), or text "2026-12-01" / "01/12/2026" (day first)."""
    if isinstance(node, YScalar):
        if node.tag == TAG_TIMESTAMP:
            value = node.value
            if isinstance(value, datetime):
                problems.append(
                    Problem(node.pos, f"{what}: give a date without a time, like 2026-12-01")
                )
                return None
            if isinstance(value, date):
                return value
        if node.is_str:
            text = node.raw.strip()
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
            m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
            if m:
                try:
                    return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
                except ValueError:
                    pass
    problems.append(
        Problem(
            node.pos,
            f"{what}: expected a date like 2026-12-01 (or 01/12/2026, day first), "
            f"got {describe(node)}",
        )
    )
    return None


def parse_dates(node: YNode | None, path: str) -> tuple[tuple[date, ...], list[Problem]]:
    """Holidays: a list of dates; an entry may also be a range `{from: DATE, to: DATE}`
    (Tết is a week: one line instead of seven). Bad entries are skipped with a problem."""
    problems: list[Problem] = []
    if node is None or (isinstance(node, YScalar) and node.is_null):
        return (), problems
    items = list(node) if isinstance(node, YSeq) else [node]
    out: set[date] = set()
    for item in items:
        if isinstance(item, YMap):
            a, b = item.get("from"), item.get("to")
            extra = [k.raw for k, _ in item if k.raw not in ("from", "to")]
            if a is None or b is None or extra:
                problems.append(
                    Problem(
                        item.pos, "holidays: a range needs `from:` and `to:` dates and nothing else"
                    )
                )
                continue
            da, db = _date(a, problems, "holidays"), _date(b, problems, "holidays")
            if da is None or db is None:
                continue
            if db < da:
                problems.append(
                    Problem(
                        item.pos,
                        f"holidays: the range ends ({db}) before it starts ({da}); swap them",
                    )
                )
                continue
            out.update(da + timedelta(days=i) for i in range((db - da).days + 1))
            continue
        d = _date(item, problems, "holidays")
        if d is not None:
            out.add(d)
    return tuple(sorted(out)), problems


def parse_item_schedule(
    node: YMap, timezone: str = DEFAULT_TIMEZONE
) -> tuple[ItemSchedule | None, list[Problem]]:
    """Schedule keys (SCHEDULE_KEYS) of a playlist item, sidecar file or procedure slide.

        valid_from: 2026-12-01        # dates, both included
        valid_until: 2026-12-31
        weekdays: mon-fri             # or [t2, t4, t6]
        times: ["07:30-11:30", "22:00-06:00"]

    Other keys are left alone (the caller owns them and reports unknown ones). None when no
    schedule key is there. A bad rule is reported and left out; the rest still applies.
    """
    problems: list[Problem] = []
    if not any(node.get(k) is not None for k in SCHEDULE_KEYS):
        return None, problems
    valid_from = valid_until = None
    weekdays = None
    times: tuple[TimeWindow, ...] = ()
    v = node.get("valid_from")
    if v is not None and not (isinstance(v, YScalar) and v.tag == TAG_NULL):
        valid_from = _date(v, problems, "valid_from")
    v = node.get("valid_until")
    if v is not None and not (isinstance(v, YScalar) and v.tag == TAG_NULL):
        valid_until = _date(v, problems, "valid_until")
    if v is not None and valid_from and valid_until and valid_until < valid_from:
        problems.append(
            Problem(
                v.pos,
                f"valid_until ({valid_until}) is before valid_from ({valid_from}), so the "
                "item would never show; fix one of the dates",
            )
        )
    v = node.get("weekdays")
    if v is not None:
        weekdays = parse_weekdays(v, problems)
    v = node.get("times")
    if v is not None:
        got = _windows(v, problems)
        if got is not None and not got and not (isinstance(v, YScalar) and v.is_null):
            problems.append(
                Problem(
                    v.pos,
                    f"times: no window given; {_WINDOW_HELP}, or remove `times:` to show all day",
                )
            )
        times = got or ()
    first = next(node.key(k) for k in SCHEDULE_KEYS if node.get(k) is not None)
    return (
        ItemSchedule(
            valid_from, valid_until, weekdays, times, timezone, first.pos if first else node.pos
        ),
        problems,
    )


def parse_sidecar(
    data: bytes, path: str, timezone: str = DEFAULT_TIMEZONE
) -> tuple[ItemSchedule | None, list[Problem]]:
    """A sidecar file `NAME.EXT.yaml` next to NAME.EXT: only schedule keys, checked.

    None with no problem for an empty file (no rule: always shown).
    """
    node, problems = parse_bytes(data, path)
    if node is None:
        return None, problems
    if not isinstance(node, YMap):
        problems.append(
            Problem(
                node.pos,
                f"a schedule file holds `key: value` lines ({', '.join(SCHEDULE_KEYS)}), "
                f"not {describe(node)}",
            )
        )
        return None, problems
    for key, _ in node:
        if key.raw not in SCHEDULE_KEYS:
            problems.append(
                Problem(
                    key.pos,
                    f"unknown key {key.raw!r}; a schedule file takes {', '.join(SCHEDULE_KEYS)}",
                )
            )
    schedule, more = parse_item_schedule(node, timezone)
    return schedule, problems + more
