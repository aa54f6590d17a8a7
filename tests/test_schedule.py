"""Office hours and per-item rules, evaluated with an injected clock in the office time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.schedule import ItemSchedule, OfficeHours, TimeWindow
from kiosk.core.schedule_text import check_timezone
from kiosk.core.schedule_yaml import parse_dates, parse_hours, parse_item_schedule, parse_sidecar
from kiosk.core.yamlpos import YMap, parse

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS_YAML = """\
mon-fri: ["07:30-11:30", "13:30-17:00"]
sat: "07:30-11:30"
"""


def at(text: str) -> datetime:
    """'2026-12-01 08:00' as an aware time in Vietnam (2026-12-01 is a Tuesday)."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def hours(text: str = HOURS_YAML, holidays: tuple[date, ...] = ()) -> OfficeHours:
    node, problems = parse(text, "office.yaml")
    assert problems == []
    result, problems = parse_hours(node, "office.yaml")
    assert problems == [], [str(p) for p in problems]
    return result.with_place("Asia/Ho_Chi_Minh", holidays)


def item(text: str) -> ItemSchedule:
    node, problems = parse(text, "p.yaml")
    assert isinstance(node, YMap) and problems == []
    sched, problems = parse_item_schedule(node)
    assert problems == [], [str(p) for p in problems]
    assert sched is not None
    return sched


def problems_of(text: str) -> list[str]:
    node, problems = parse(text, "p.yaml")
    assert isinstance(node, YMap)
    _, problems = parse_item_schedule(node)
    return [str(p) for p in problems]


# --- office hours ----------------------------------------------------------------------------


def test_normal_weekday() -> None:
    h = hours()
    assert not h.is_open(at("2026-12-01 07:29"))
    assert h.is_open(at("2026-12-01 07:30"))
    assert h.is_open(at("2026-12-01 11:29:59"))
    assert not h.is_open(at("2026-12-01 11:30"))  # end excluded: lunch break
    assert h.is_open(at("2026-12-01 13:30"))
    assert not h.is_open(at("2026-12-01 17:00"))
    assert h.next_change(at("2026-12-01 06:00")) == at("2026-12-01 07:30")
    assert h.next_change(at("2026-12-01 08:00")) == at("2026-12-01 11:30")
    assert h.next_change(at("2026-12-01 12:00")) == at("2026-12-01 13:30")
    assert h.next_change(at("2026-12-01 17:00")) == at("2026-12-02 07:30")


def test_other_time_zone_input_is_converted() -> None:
    h = hours()
    utc = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
    assert h.is_open(utc)
    assert h.is_open(datetime(2026, 12, 1, 8, 0))  # naive: office-local already
    change = h.next_change(utc)
    assert change == at("2026-12-01 11:30") and change.utcoffset() == timedelta(hours=7)


def test_holiday_is_closed_all_day() -> None:
    h = hours(holidays=(date(2026, 12, 2),))
    assert not h.is_open(at("2026-12-02 09:00"))
    assert h.next_change(at("2026-12-01 17:00")) == at("2026-12-03 07:30")


def test_next_change_across_the_weekend() -> None:
    h = hours()
    # Saturday 2026-12-05 closes at 11:30; Sunday closed; Monday opens at 07:30.
    assert h.is_open(at("2026-12-05 10:00"))
    assert h.next_change(at("2026-12-05 10:00")) == at("2026-12-05 11:30")
    assert h.next_change(at("2026-12-05 11:30")) == at("2026-12-07 07:30")
    assert not h.is_open(at("2026-12-06 09:00"))


def test_day_with_no_change_and_long_holidays() -> None:
    tet = tuple(date(2027, 2, 5) + timedelta(days=i) for i in range(9))  # Fri..Sat next week
    h = hours(holidays=tet)
    # From Thursday evening the next change is the Monday after Tết: no change for days.
    assert h.next_change(at("2027-02-04 18:00")) == at("2027-02-15 07:30")
    # Always open: never changes.
    assert OfficeHours.always().next_change(at("2026-12-01 08:00")) is None
    assert OfficeHours.always().is_open(at("2026-12-06 03:00"))
    # Never open: nothing to wake up for either.
    closed = OfficeHours()  # every day closed (parse_hours warns about that)
    assert not closed.is_open(at("2026-12-01 08:00"))
    assert closed.next_change(at("2026-12-01 08:00")) is None


def test_night_window_crosses_midnight_and_belongs_to_its_start_day() -> None:
    h = hours('fri: "22:00-06:00"\n')
    assert h.is_open(at("2026-12-04 23:00"))  # Friday night
    assert h.is_open(at("2026-12-05 05:59"))  # Saturday morning, from Friday's window
    assert not h.is_open(at("2026-12-05 06:00"))
    assert not h.is_open(at("2026-12-05 23:00"))  # Saturday night: not listed
    assert h.next_change(at("2026-12-04 12:00")) == at("2026-12-04 22:00")
    assert h.next_change(at("2026-12-04 22:00")) == at("2026-12-05 06:00")
    assert h.next_change(at("2026-12-05 06:00")) == at("2026-12-11 22:00")


def test_adjacent_windows_are_no_change() -> None:
    h = hours('mon: ["08:00-12:00", "12:00-24:00"]\ntue: "00:00-08:00"\n')
    assert h.next_change(at("2026-11-30 09:00")) == at("2026-12-01 08:00")


def test_the_whole_day_is_written_as_the_error_message_says() -> None:
    h = hours('sat: "00:00-24:00"\n')
    assert h.week[5] == (TimeWindow(0, 24 * 60),)
    assert h.is_open(at("2026-12-05 00:00")) and h.is_open(at("2026-12-05 23:59"))
    assert not h.is_open(at("2026-12-06 00:00"))
    assert h.summary() == [("Thứ Bảy", "00:00-24:00")]


def test_vietnamese_day_names_and_summary() -> None:
    h = hours('"thứ 2 - thứ 6": "07:30-17:00"\nt7: ["07:30-11:30"]\ncn: nghỉ\n')
    assert h.is_open(at("2026-11-30 08:00"))  # Monday
    assert h.is_open(at("2026-12-05 08:00"))  # Saturday
    assert not h.is_open(at("2026-12-06 08:00"))
    assert h.summary() == [("Thứ Hai - Thứ Sáu", "07:30-17:00"), ("Thứ Bảy", "07:30-11:30")]


def test_unquoted_times_are_read_as_written() -> None:
    # YAML 1.1 reads `7:30` as 450: the text as written is used instead.
    h = hours("mon:\n  - {from: 7:30, to: 11:30}\n  - {from: '13:30', to: 17:00}\n")
    assert h.week[0] == (TimeWindow(450, 690), TimeWindow(810, 1020))
    # A range written without quotes is plain text to YAML anyway.
    assert hours("mon: 7:30-11:30\n").week[0] == (TimeWindow(450, 690),)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("funday: '07:30-11:30'\n", "1:1: error: hours: unknown weekday 'funday'"),
        ("mon: '07:30'\n", "1:6: error: '07:30' is not a time window"),
        ("mon: '25:00-26:00'\n", "'25:00' is not a time of day"),
        ("mon: '08:00-08:00'\n", "is empty (it starts when it ends)"),
        ("mon: 450\n", "expected a time window, got '450' (read by YAML as int 450)"),
        ("mon-fri: '08:00-09:00'\nmon: '10:00-11:00'\n", "2:1: error: hours: mon already has"),
        ("mon: ['08:00-12:00', '11:00-13:00']\n", "overlap; merge them"),
        ("[mon]\n", "hours: expected days with their opening times"),
    ],
)
def test_bad_hours(text: str, fragment: str) -> None:
    node, problems = parse(text, "office.yaml")
    assert problems == []
    result, problems = parse_hours(node, "office.yaml")
    assert any(fragment in str(p) for p in problems), [str(p) for p in problems]
    assert result.always_open  # a typo never closes the office


def test_absent_hours_mean_always_open() -> None:
    result, problems = parse_hours(None, "office.yaml")
    assert result.always_open and problems == []


def test_timezone_check() -> None:
    assert check_timezone("Asia/Ho_Chi_Minh") is None
    assert check_timezone("Asia/Hanoi") is not None
    assert check_timezone("") is not None


# --- holidays --------------------------------------------------------------------------------


def test_holiday_dates_and_ranges() -> None:
    node, _ = parse(
        "- 2026-09-02\n- '01/01/2027'\n- {from: 2027-02-05, to: 2027-02-07}\n- 2026-09-02\n",
        "o.yaml",
    )
    days, problems = parse_dates(node, "o.yaml")
    assert problems == []
    assert days == (
        date(2026, 9, 2),
        date(2027, 1, 1),
        date(2027, 2, 5),
        date(2027, 2, 6),
        date(2027, 2, 7),
    )
    node, _ = parse("- 2026-13-01\n- tomorrow\n- 2026-09-02 10:00:00\n", "o.yaml")
    days, problems = parse_dates(node, "o.yaml")
    assert days == ()
    where = [str(p).split(": error: ")[0] for p in problems]
    assert where == ["o.yaml:1:3", "o.yaml:2:3", "o.yaml:3:3"]
    assert "expected a date like 2026-12-01" in str(problems[1])


# --- per item --------------------------------------------------------------------------------


def test_item_dates_weekdays_and_times() -> None:
    s = item(
        "file: a.png\nvalid_from: 2026-12-01\nvalid_until: '2026-12-30'\n"
        "weekdays: [t2, 'thứ 4', fri]\ntimes: ['07:30-11:30']\n"
    )
    assert s.weekdays == frozenset({0, 2, 4})
    assert not s.active(at("2026-11-30 08:00"))  # Monday, before valid_from
    assert s.active(at("2026-12-02 08:00"))  # Wednesday
    assert not s.active(at("2026-12-01 08:00"))  # Tuesday
    assert not s.active(at("2026-12-02 12:00"))  # outside the window
    assert s.active(at("2026-12-30 08:00"))  # valid_until (a Wednesday) included
    assert not s.active(at("2027-01-01 08:00"))  # Friday, but expired
    assert s.expired(at("2026-12-31 00:00")) and not s.expired(at("2026-12-30 23:59"))
    assert s.next_change(at("2026-11-25 12:00")) == at("2026-12-02 07:30")
    assert s.next_change(at("2026-12-30 12:00")) is None  # expired for good after today


def test_item_window_across_midnight() -> None:
    s = item("times: '22:00-06:00'\nweekdays: sat\n")
    assert s.active(at("2026-12-05 22:30"))  # Saturday night
    assert s.active(at("2026-12-06 02:00"))  # Sunday early morning: Saturday's window
    assert not s.active(at("2026-12-06 22:30"))  # Sunday night
    assert not s.active(at("2026-12-05 02:00"))  # Saturday early morning: Friday not listed
    assert s.next_change(at("2026-12-06 02:00")) == at("2026-12-06 06:00")
    assert s.next_change(at("2026-12-06 06:00")) == at("2026-12-12 22:00")


def test_item_without_times_changes_at_midnight() -> None:
    s = item("weekdays: mon-fri\n")
    assert s.next_change(at("2026-12-04 10:00")) == at("2026-12-05 00:00")
    assert s.next_change(at("2026-12-05 10:00")) == at("2026-12-07 00:00")


def test_expiry_within_seven_days() -> None:
    s = item("valid_until: 2026-12-08\n")
    assert s.expires_within(at("2026-12-01 08:00"), 7) == date(2026, 12, 8)
    assert s.expires_within(at("2026-11-30 08:00"), 7) is None
    assert s.expires_within(at("2026-12-08 23:00"), 7) == date(2026, 12, 8)
    assert s.expires_within(at("2026-12-09 00:00"), 7) is None  # expired, reported as such
    assert item("weekdays: mon\n").expires_within(at("2026-12-01 08:00"), 7) is None


def test_no_schedule_keys_gives_none() -> None:
    node, _ = parse("file: a.png\nduration: 5\n", "p.yaml")
    assert isinstance(node, YMap)
    assert parse_item_schedule(node) == (None, [])


def test_item_problems_with_positions() -> None:
    assert problems_of("valid_from: 2026-12-10\nvalid_until: 2026-12-01\n") == [
        "p.yaml:2:14: error: valid_until (2026-12-01) is before valid_from (2026-12-10), "
        "so the item would never show; fix one of the dates"
    ]
    assert problems_of("weekdays: [2, 3]\n") == [
        "p.yaml:1:12: error: '2' is ambiguous as a weekday ('2' is Monday in Vietnamese, "
        "Tuesday elsewhere); write mon..sun, thứ 2..chủ nhật or t2..cn "
        "(ranges like mon-fri or t2-t6 work too)",
        "p.yaml:1:15: error: '3' is ambiguous as a weekday ('2' is Monday in Vietnamese, "
        "Tuesday elsewhere); write mon..sun, thứ 2..chủ nhật or t2..cn "
        "(ranges like mon-fri or t2-t6 work too)",
    ]
    assert problems_of("times: 7:30\n") == [
        "p.yaml:1:8: error: expected a time window, got '7:30' (read by YAML as int 450); "
        'write a time window as "HH:MM-HH:MM" in quotes, e.g. "07:30-11:30"'
    ]
    assert problems_of("valid_until: soon\n")[0].startswith(
        "p.yaml:1:14: error: valid_until: expected a date like 2026-12-01"
    )
    assert problems_of("times: []\n")[0].startswith("p.yaml:1:8: error: times: no window given")


def test_describe() -> None:
    s = item("valid_until: 2026-12-31\nweekdays: mon-fri\ntimes: '07:30-11:30'\n")
    assert s.describe() == "… → 31/12/2026; mon tue wed thu fri; 07:30-11:30"
    assert ItemSchedule().describe() == "always"


def test_sidecar_file() -> None:
    sched, problems = parse_sidecar(b"valid_until: 2026-12-31\ntitle: x\n", "a.mp4.yaml")
    assert sched is not None and sched.valid_until == date(2026, 12, 31)
    assert [str(p) for p in problems] == [
        "a.mp4.yaml:2:1: error: unknown key 'title'; a schedule file takes valid_from, "
        "valid_until, weekdays, times"
    ]
    assert parse_sidecar(b"", "a.mp4.yaml") == (None, [])
    sched, problems = parse_sidecar(b"- mon\n", "a.mp4.yaml")
    assert sched is None and "a schedule file holds" in str(problems[0])
