"""The words of a schedule as people write them: weekdays, times of day, windows, dates.

Its own module so the schedule types (schedule.py) stay pure evaluation, and so the YAML
shapes built from these words (schedule_yaml.py) stay short. Every reader returns a value or
records a `Problem` at the node's position with what to write instead.

Rules, chosen so an admin can predict them:
- Weekday names: English short or long (`mon`, `Monday`), Vietnamese (`thứ 2`, `thứ hai`,
  `t2` ... `chủ nhật`, `cn`; without accents: `thu 2`, `chu nhat`), ranges (`mon-fri`,
  `t2-t6`). Numbers are refused: "2" means Monday in Vietnamese and Tuesday elsewhere.
- Times must be `HH:MM` text; YAML 1.1 reads an unquoted `7:30` as the number 450, so such a
  scalar is read back from the text as written (the parser keeps it) and means 07:30.
- A window is `"HH:MM-HH:MM"` (or `{from: .., to: ..}`); `"24:00"` may end a window.
- A date is a YAML date (`2026-12-01`) or the text `"01/12/2026"`, day first.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.core.msg import Msg, _
from kiosk.core.problems import Position, Problem
from kiosk.core.schedule import DEFAULT_TIMEZONE, MINUTES_PER_DAY, TimeWindow
from kiosk.core.yamlpos import TAG_TIMESTAMP, YMap, YNode, YScalar, YSeq, describe

__all__ = [
    "DAY_HELP",
    "WINDOW_HELP",
    "check_timezone",
    "day_set",
    "parse_date",
    "parse_weekdays",
    "parse_windows",
]


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
DAY_HELP = _("write mon..sun, thứ 2..chủ nhật or t2..cn (ranges like mon-fri or t2-t6 work too)")


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


def day_set(text: str) -> tuple[set[int] | None, Msg | None]:
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
        return None, _("unknown weekday {day!r}; {help}", day=part, help=DAY_HELP)
    if not days:
        return None, _("no weekday given; {help}", help=DAY_HELP)
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


WINDOW_HELP = _('write a time window as "HH:MM-HH:MM" in quotes, e.g. "07:30-11:30"')


def _window(node: YNode, problems: list[Problem]) -> TimeWindow | None:
    """'07:30-11:30' (or a mapping `{from: "07:30", to: "11:30"}`) → TimeWindow."""
    if isinstance(node, YMap):
        a, b = node.get("from"), node.get("to")
        extra = [k.raw for k, _v in node if k.raw not in ("from", "to")]
        if extra or not isinstance(a, YScalar) or not isinstance(b, YScalar):
            problems.append(
                Problem(node.pos, _("expected `from:` and `to:` times; {help}", help=WINDOW_HELP))
            )
            return None
        ta, tb = _time_text(a), _time_text(b)
        if ta is None or tb is None:
            bad = a if ta is None else b
            problems.append(
                Problem(
                    bad.pos,
                    _("expected a time, got {what}; {help}", what=describe(bad), help=WINDOW_HELP),
                )
            )
            return None
        return _window_from(ta, tb, node.pos, problems)
    if not isinstance(node, YScalar) or not node.is_str:
        problems.append(
            Problem(
                node.pos,
                _(
                    "expected a time window, got {what}; {help}",
                    what=describe(node),
                    help=WINDOW_HELP,
                ),
            )
        )
        return None
    ends = _WINDOW_SPLIT.split(node.raw.strip())
    if len(ends) != 2:
        problems.append(
            Problem(
                node.pos,
                _("{text!r} is not a time window; {help}", text=node.raw, help=WINDOW_HELP),
            )
        )
        return None
    return _window_from(ends[0], ends[1], node.pos, problems)


def _window_from(a: str, b: str, pos: Position, problems: list[Problem]) -> TimeWindow | None:
    start, end = _minutes(a, end=False), _minutes(b, end=True)
    if start is None or end is None:
        bad = a if start is None else b
        problems.append(
            Problem(
                pos,
                _(
                    "{text!r} is not a time of day (00:00 to 23:59, or 24:00 as an end); {help}",
                    text=bad,
                    help=WINDOW_HELP,
                ),
            )
        )
        return None
    whole_day = start == 0 and end == MINUTES_PER_DAY
    if start == end % MINUTES_PER_DAY and not whole_day:
        problems.append(
            Problem(
                pos,
                _(
                    "the window {start}-{end} is empty (it starts when it ends); "
                    'for the whole day write "00:00-24:00"',
                    start=a,
                    end=b,
                ),
            )
        )
        return None
    return TimeWindow(start, end)


def parse_windows(node: YNode, problems: list[Problem]) -> tuple[TimeWindow, ...] | None:
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
            got, err = day_set(part.raw)
            if got is not None:
                days |= got
                continue
            problems.append(Problem(part.pos, err or DAY_HELP))
        elif isinstance(part, YScalar) and part.kind == "int":
            problems.append(
                Problem(
                    part.pos,
                    _(
                        "{text!r} is ambiguous as a weekday ('2' is Monday in "
                        "Vietnamese, Tuesday elsewhere); {help}",
                        text=part.raw,
                        help=DAY_HELP,
                    ),
                )
            )
        else:
            problems.append(
                Problem(
                    part.pos,
                    _("expected a weekday, got {what}; {help}", what=describe(part), help=DAY_HELP),
                )
            )
        ok = False
    if not ok:
        return None
    if not days:
        problems.append(Problem(node.pos, _("no weekday given; {help}", help=DAY_HELP)))
        return None
    return frozenset(days)


def parse_date(node: YNode, problems: list[Problem], what: str) -> date | None:
    """A YAML date (`2026-12-01`), or text "2026-12-01" / "01/12/2026" (day first)."""
    if isinstance(node, YScalar):
        if node.tag == TAG_TIMESTAMP:
            value = node.value
            if isinstance(value, datetime):
                problems.append(
                    Problem(
                        node.pos, _("{key}: give a date without a time, like 2026-12-01", key=what)
                    )
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
            _(
                "{key}: expected a date like 2026-12-01 (or 01/12/2026, day first), got {what}",
                key=what,
                what=describe(node),
            ),
        )
    )
    return None


def check_timezone(name: str) -> Msg | None:
    """None if `name` is a zoneinfo time zone, else what is wrong (for config messages)."""
    if not name or name != name.strip():
        return _(
            "{name!r} is not a time zone name; write one like {zone!r}",
            name=name,
            zone=DEFAULT_TIMEZONE,
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return _(
            "unknown time zone {name!r}; write one like {zone!r}", name=name, zone=DEFAULT_TIMEZONE
        )
    return None
