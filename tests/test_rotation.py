"""The rotation rules alone (kiosk.core.rotation): pure, times handed in."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.core.model import Item, Kind, Playlist
from kiosk.core.rotation import (
    RETRY_FAILED_AFTER_S,
    Failure,
    failed,
    following,
    forget_gone,
    index_after_reread,
    last_of_loop,
    look_at_hours,
    next_playable,
    rotation,
    skip_reason,
)
from kiosk.core.schedule import ItemSchedule, OfficeHours, TimeWindow

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T = datetime(2026, 12, 1, 9, 0, tzinfo=VN)  # a Tuesday morning


def item(name: str, **kwargs: object) -> Item:
    return Item(f"/sync/{name}", name, Kind.VIDEO, size=1, mtime=1.0, **kwargs)  # type: ignore[arg-type]


def test_a_failure_holds_until_the_file_changes_or_ten_minutes_pass() -> None:
    a = item("a.mp4")
    failure = failed({}, a, "broken", T.timestamp())
    assert failure.count == 1 and failure.holds(a, T.timestamp() + 1)
    assert not failure.holds(a, T.timestamp() + RETRY_FAILED_AFTER_S)
    assert not failure.holds(dataclasses.replace(a, mtime=2.0), T.timestamp() + 1)
    # a clock stepped back before the failure: retry rather than wait for the clock
    assert not failure.holds(a, T.timestamp() - 3600)
    again = failed({a.path: failure}, a, "broken", T.timestamp() + 700)
    assert again.count == 2
    changed = dataclasses.replace(a, size=5)
    assert failed({a.path: failure}, changed, "broken", T.timestamp()).count == 1


def test_the_players_failures_wait_on_its_monotonic_clock_whatever_the_wall_clock_does() -> None:
    a = item("a.mp4")
    failure = failed({}, a, "broken", T.timestamp(), mono=50.0)
    for step in (-3 * 3600, 0, 3 * 3600):  # NTP stepped the wall clock since the failure
        wall = T.timestamp() + step
        assert failure.holds(a, wall, mono=50.0 + RETRY_FAILED_AFTER_S - 1), step
        assert not failure.holds(a, wall, mono=50.0 + RETRY_FAILED_AFTER_S), step
        assert skip_reason(a, datetime.fromtimestamp(wall, VN), {a.path: failure}, 60.0)
    assert failed({a.path: failure}, a, "broken", T.timestamp(), mono=700.0).since == 700.0


def test_skip_reasons_say_why_as_the_admin_wrote_it() -> None:
    mornings = ItemSchedule(weekdays=frozenset({0, 2}), times=(TimeWindow(450, 690),))
    expired = ItemSchedule(valid_until=date(2026, 11, 30))
    a, b, c = item("a.mp4"), item("b.mp4", schedule=mornings), item("c.mp4", schedule=expired)
    failures = {a.path: Failure("a.mp4", "no video track", T.timestamp(), a.stamp)}
    assert skip_reason(a, T, failures) == "cannot be played: no video track"
    assert skip_reason(b, T, {}) == "shown only on mon wed at 07:30-11:30"
    assert skip_reason(c, T, {}) == "valid until 2026-11-30"
    assert skip_reason(a, T, {}) is None


def test_next_following_and_last_of_loop() -> None:
    items = [item("a.mp4"), item("b.mp4"), item("c.mp4")]
    failures = {items[1].path: Failure("b.mp4", "x", T.timestamp(), items[1].stamp)}
    assert next_playable(items, 1, T, failures) == 2
    assert next_playable(items, 3, T, failures) is None
    assert following(items, 2, T, failures) == 0  # wraps
    assert following(items[:1], 0, T, {}) == 0  # one item follows itself
    assert following(items[1:2], 0, T, failures) is None
    assert last_of_loop(items, 2, T, failures) and not last_of_loop(items, 0, T, failures)


def test_index_after_reread_goes_on_after_the_item_on_screen() -> None:
    a, b, c, d = (item(n) for n in ("a.mp4", "b.mp4", "c.mp4", "d.mp4"))
    assert index_after_reread(0, a, [d, c, a, b]) == 2  # wherever it went
    assert index_after_reread(2, a, [a, b, a, c]) == 2  # listed twice: at or after its place
    assert index_after_reread(3, a, [a, b]) == 0
    assert index_after_reread(1, b, [a, c, d]) == 0  # gone: what took its place plays next
    assert index_after_reread(-1, None, [a]) == -2


def test_rotation_numbers_what_plays_and_forget_gone() -> None:
    a, b, c = item("a.mp4"), item("b.mp4"), item("c.mp4")
    later = ItemSchedule(valid_from=date(2026, 12, 2))
    playlist = Playlist((a, dataclasses.replace(b, schedule=later), c), "test")
    slots = rotation(playlist, T, {})
    assert [(s.item.rel, s.order, s.reason) for s in slots] == [
        ("a.mp4", 1, None),
        ("b.mp4", None, "valid from 2026-12-02"),
        ("c.mp4", 2, None),
    ]
    failures = {p: Failure("x", "y", 0.0, (1, 1.0)) for p in ("/sync/a.mp4", "/sync/gone.mp4")}
    forget_gone(failures, [a, b])
    assert list(failures) == ["/sync/a.mp4"]


HOURS = OfficeHours(week=((TimeWindow(480, 1020),),) * 7, timezone="Asia/Ho_Chi_Minh")
OPENING = datetime(2026, 12, 1, 8, 0, tzinfo=VN)


def test_hours_look_again_to_wake_the_display_then_at_the_opening() -> None:
    night = look_at_hours(HOURS, OPENING - timedelta(hours=3))
    assert (night.open, night.wait_s, night.wake) == (False, 60.0, False)
    early = look_at_hours(HOURS, OPENING - timedelta(seconds=45))
    assert (early.wait_s, early.wake) == (15.0, False)  # wake 30 s before the opening
    woken = look_at_hours(HOURS, OPENING - timedelta(seconds=30))
    assert (woken.wait_s, woken.wake) == (30.0, True)  # then at the opening itself
    assert look_at_hours(HOURS, OPENING).open


def test_opening_a_moment_away_is_looked_at_again_at_once() -> None:
    """Judged from one instant: a millisecond before the opening, look again in 0.1 s; the
    next change is the opening, never the closing (which would mean a minute's sleep)."""
    look = look_at_hours(HOURS, OPENING - timedelta(milliseconds=1))
    assert not look.open and look.change == OPENING and look.wait_s == 0.1
