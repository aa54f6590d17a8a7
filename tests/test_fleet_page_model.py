"""What the page says, without a browser: kiosk.core.pagemodel's words, order and groups."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any

from kiosk.core.fleetview import Completion, OfficeFacts, judge
from kiosk.core.pagemodel import (
    NO_GROUP,
    Card,
    ago,
    card,
    completion,
    hours,
    on_screen,
    ordered,
    sections,
    slug,
)
from kiosk.i18n import localize
from tests.fleetfixture import ALWAYS, NEVER, WORKDAYS, at, status


def vi(text: object) -> str:
    """The page's words as the page shows them: in Vietnamese (kiosk fleet page's default)."""
    return localize(text, "vi")


def _card(
    oid: str, groups: tuple[str, ...], age: float, hours_json: dict[str, Any], **kw: object
) -> Card:
    now = at(1, 9)
    data = status(now - age, oid, hours_json, **kw)
    facts = OfficeFacts(oid, oid.upper(), groups, "DEV", data, received_at=now - age)
    return card(judge(facts, now, 30.0), data)


def test_words_for_people() -> None:
    assert [vi(ago(x)) for x in (None, 5, 200, 7500, 3 * 86400)] == [
        "chưa bao giờ",
        "5 giây",
        "3 phút",
        "2 giờ 5 phút",
        "3 ngày",
    ]
    assert vi(on_screen(None, True)) == "Không rõ"
    assert vi(on_screen({"now": {"state": "idle"}}, True)) == "Trang chờ (không có gì phát được)"
    assert vi(on_screen({"now": {"file": "a.mp4", "title": "Tựa"}}, False)) == (
        "Lần cuối: a.mp4 (Tựa)"
    )
    assert slug("ubnd-an-phu") == "ubnd-an-phu"
    assert slug("../../etc") == slug("../../etc") and slug("../../etc").startswith("x")
    assert slug("Ấp 1") != slug("Ấp 2")


def test_offline_first_and_groups_with_a_dark_office_first() -> None:
    cards = [
        _card("a-open", ("west",), 2, ALWAYS),
        _card("b-closed", ("east",), 7200, NEVER),
        _card("c-dark", ("east",), 3600, ALWAYS),
        _card("d-trouble", (), 2, ALWAYS, failed=[{"file": "x.mp4", "reason": "cut"}]),
        _card("e-both", ("east", "west"), 2, ALWAYS),
    ]
    assert [c.state for c in cards] == ["online", "closed", "offline", "problem", "online"]
    assert [c.id for c in ordered(cards)] == ["c-dark", "d-trouble", "a-open", "e-both", "b-closed"]
    got = [(s.title, [c.id for c in s.cards]) for s in sections(cards)]
    assert got == [
        ("east", ["c-dark", "e-both", "b-closed"]),
        (NO_GROUP, ["d-trouble"]),
        ("west", ["a-open", "e-both"]),
    ]
    assert vi(cards[2].why).startswith("Không có trạng thái mới từ 60 phút trước;")
    assert vi(cards[3].why) == "1 tệp bị gác lại" and cards[3].set_aside == 1
    assert vi(cards[1].why) == "Ngoài giờ làm việc, màn hình tắt hoặc không liên lạc"


def test_completion_is_the_least_complete_tier_and_hours_read_back() -> None:
    now = at(1, 9)
    facts = OfficeFacts("a", status=status(now, "a", ALWAYS), received_at=now)
    full: dict[str, Completion | None] = {
        "10-province": Completion(100.0),
        "30-office": Completion(62.4),
    }
    assert completion(judge(dataclasses.replace(facts, completion=full), now)) == "62 %"
    unknown = {"10-province": Completion(100.0), "30-office": None}
    assert vi(completion(judge(dataclasses.replace(facts, completion=unknown), now))) == "Không rõ"
    week = [(vi(day), vi(times)) for day, times in hours({"hours": WORKDAYS}).days]
    assert week[0] == ("Thứ Hai", "07:30–11:30, 13:30–17:00")
    assert week[5:] == [("Thứ Bảy", "Nghỉ"), ("Chủ Nhật", "Nghỉ")]
    assert not hours({"hours": "nonsense"}).known


def test_the_pages_core_imports_no_qt() -> None:
    """The page's words, the report's counts and the metrics' lines are pure core."""
    code = (
        "import sys, kiosk.core.pagemodel, kiosk.core.playstats, kiosk.core.promtext\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'vlc', 'watchdog', 'shiboken6', 'jinja2', 'pygal')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
