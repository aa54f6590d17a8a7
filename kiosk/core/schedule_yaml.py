"""Schedules from YAML: the `hours:` and `holidays:` options, and an item's schedule keys
(in a playlist, a sidecar `NAME.EXT.yaml` file or a procedure slide's front matter).

Apart from schedule.py so that evaluating a schedule needs no YAML, and so that the playlist
model can refer to the schedule types without an import circle through the parser. Bad input
becomes `Problem`s with positions; a bad rule is left out and the rest still applies.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from kiosk.core.msg import Msg, _
from kiosk.core.problems import Position, Problem
from kiosk.core.schedule import (
    DEFAULT_TIMEZONE,
    WEEKDAY_WORDS,
    ItemSchedule,
    OfficeHours,
    TimeWindow,
)
from kiosk.core.schedule_text import (
    DAY_HELP,
    WINDOW_HELP,
    day_set,
    parse_date,
    parse_weekdays,
    parse_windows,
)
from kiosk.core.yamlpos import TAG_NULL, YMap, YNode, YScalar, YSeq, describe, parse_bytes

__all__ = [
    "SCHEDULE_KEYS",
    "parse_dates",
    "parse_hours",
    "parse_item_schedule",
    "parse_sidecar",
]

SCHEDULE_KEYS = ("valid_from", "valid_until", "weekdays", "times")


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
                _(
                    "hours: expected days with their opening times, e.g. "
                    '\'mon-fri: ["07:30-11:30", "13:30-17:00"]\' on the next line, indented; '
                    "got {what}",
                    what=describe(node),
                ),
            )
        )
        return OfficeHours.always(), problems
    week: list[tuple[TimeWindow, ...]] = [()] * 7
    seen: dict[int, Position] = {}
    for key, value in node:
        if key.is_str:
            days, err = day_set(key.raw)
        else:
            days, err = None, _("{day!r}: {help}", day=key.raw, help=DAY_HELP)
        if days is None:
            problems.append(Problem(key.pos, _("hours: {error}", error=err)))
            continue
        twice = sorted(d for d in days if d in seen)
        if twice:
            first = seen[twice[0]]
            problems.append(
                Problem(
                    key.pos,
                    _(
                        "hours: {day} already has its hours at line {line}; give each day once",
                        day=Msg(WEEKDAY_WORDS[twice[0]]),
                        line=first.line,
                    ),
                )
            )
            continue
        windows = parse_windows(value, problems)
        if windows is None:
            continue
        overlap = _overlap(windows)
        if overlap:
            problems.append(Problem(value.pos, _("hours: {error}", error=overlap)))
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
                _(
                    "hours: no day has opening times, so the office would always be "
                    "closed; add times, or remove `hours:` to be always open"
                ),
                "warning",
            )
        )
    return OfficeHours(tuple(week)), problems


def _overlap(windows: tuple[TimeWindow, ...]) -> Msg | None:
    plain = [w for w in windows if not w.crosses_midnight]
    for a, b in itertools.pairwise(plain):
        if b.start < a.end:
            return _("the windows {a} and {b} overlap; merge them", a=str(a), b=str(b))
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
            extra = [k.raw for k, _v in item if k.raw not in ("from", "to")]
            if a is None or b is None or extra:
                problems.append(
                    Problem(
                        item.pos,
                        _("holidays: a range needs `from:` and `to:` dates and nothing else"),
                    )
                )
                continue
            da, db = parse_date(a, problems, "holidays"), parse_date(b, problems, "holidays")
            if da is None or db is None:
                continue
            if db < da:
                problems.append(
                    Problem(
                        item.pos,
                        _(
                            "holidays: the range ends ({end}) before it starts ({start}); "
                            "swap them",
                            end=str(db),
                            start=str(da),
                        ),
                    )
                )
                continue
            out.update(da + timedelta(days=i) for i in range((db - da).days + 1))
            continue
        d = parse_date(item, problems, "holidays")
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
        valid_from = parse_date(v, problems, "valid_from")
    v = node.get("valid_until")
    if v is not None and not (isinstance(v, YScalar) and v.tag == TAG_NULL):
        valid_until = parse_date(v, problems, "valid_until")
    if v is not None and valid_from and valid_until and valid_until < valid_from:
        problems.append(
            Problem(
                v.pos,
                _(
                    "valid_until ({until}) is before valid_from ({since}), so the "
                    "item would never show; fix one of the dates",
                    until=str(valid_until),
                    since=str(valid_from),
                ),
            )
        )
    v = node.get("weekdays")
    if v is not None:
        weekdays = parse_weekdays(v, problems)
    v = node.get("times")
    if v is not None:
        got = parse_windows(v, problems)
        if got is not None and not got and not (isinstance(v, YScalar) and v.is_null):
            problems.append(
                Problem(
                    v.pos,
                    _(
                        "times: no window given; {help}, or remove `times:` to show all day",
                        help=WINDOW_HELP,
                    ),
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
                _(
                    "a schedule file holds `key: value` lines ({keys}), not {what}",
                    keys=", ".join(SCHEDULE_KEYS),
                    what=describe(node),
                ),
            )
        )
        return None, problems
    for key, _v in node:
        if key.raw not in SCHEDULE_KEYS:
            problems.append(
                Problem(
                    key.pos,
                    _(
                        "unknown key {key!r}; a schedule file takes {keys}",
                        key=key.raw,
                        keys=", ".join(SCHEDULE_KEYS),
                    ),
                )
            )
    schedule, more = parse_item_schedule(node, timezone)
    return schedule, problems + more
