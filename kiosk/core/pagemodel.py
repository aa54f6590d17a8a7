"""What the province's page shows, in Vietnamese: cards for the overview, an office's details.

Pure: it is handed the judged views (kiosk.core.fleetview), each office's status.json and its
last plays, and turns them into plain strings and rows that the templates only lay out. The
words live here, once, so the page, its tests and anyone reading the code agree on them.
Everything an office sent stays a plain string: escaping is the templates' job.
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
from kiosk.core.playstats import Play

STATE_WORDS = {
    "online": "Đang hoạt động",
    "offline": "Mất liên lạc",
    "closed": "Ngoài giờ",
    "problem": "Có sự cố",
}
STATE_ORDER = {"offline": 0, "problem": 1, "online": 2, "closed": 3}  # what needs a look first
OUTCOME_WORDS = {"completed": "Trọn vẹn", "skipped": "Bỏ qua", "failed": "Lỗi"}
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
NO_GROUP = "Không thuộc nhóm nào"
_SAFE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


def slug(name: str) -> str:
    """A file name part for an office ID or group: itself when it is a valid name (the hub
    checks them), else a digest, so a hand-edited fleet.json cannot name a path."""
    return name if _SAFE.match(name) else "x" + sha1(name.encode("utf-8")).hexdigest()[:12]


_UNITS = {"s": "giây", "min": "phút", "h": "giờ", "days": "ngày"}


def ago(seconds: float | None) -> str:
    """ "5 giây", "3 phút", "2 giờ 10 phút", "4 ngày" (kiosk.core.ages' steps, in Vietnamese)."""
    if seconds is None:
        return "chưa bao giờ"
    return " ".join(_UNITS.get(word, word) for word in ages.ago(seconds).split())


def ago_text(seconds: float | None) -> str:
    return "chưa bao giờ" if seconds is None else f"{ago(seconds)} trước"


def clock(t: float) -> str:
    """A hub-local time for people: 09:12:03 01/12/2026."""
    return datetime.fromtimestamp(t).astimezone().strftime("%H:%M:%S %d/%m/%Y")


def on_screen(status: dict[str, Any] | None, alive: bool) -> str:
    if not status:
        return "Không rõ"
    now = status.get("now") or {}
    if now.get("file"):
        what = str(now["file"]) + (f" ({now['title']})" if now.get("title") else "")
    else:
        state = str(now.get("state") or "")
        what = {
            "idle": "Trang chờ (không có gì phát được)",
            "closed": "Trang ngoài giờ hoặc màn hình tắt",
            "loading": "Đang tải",
            "stopped": "Trình phát đã dừng",
        }.get(state, state or "Không có gì")
    return what if alive else f"Lần cuối: {what}"


def syncthing_text(view: OfficeView) -> str:
    if view.connected is None:
        return "Không hỏi được Syncthing của hub"
    if view.connected:
        return "Đang kết nối với hub"
    if view.last_seen_age_s is not None:
        return f"Mất kết nối (lần cuối thấy {ago_text(view.last_seen_age_s)})"
    return "Chưa từng kết nối (kiểm tra địa chỉ hub đã cho khi join)"


def reason(view: OfficeView, status: dict[str, Any] | None) -> str:
    """Why the office is in its state, in a few words; "" when all is well."""
    if view.state == "closed":
        return "Ngoài giờ làm việc" + (
            ", trình phát vẫn chạy" if view.alive else ", màn hình tắt hoặc không liên lạc"
        )
    if view.state == "offline":
        if status is None:
            what = "Chưa nhận được trạng thái nào"
        elif status.get("state") == "stopped":
            what = f"Trình phát đã dừng {ago_text(view.status_age_s)}"
        else:
            what = f"Không có trạng thái mới từ {ago_text(view.status_age_s)}"
        link = syncthing_text(view)
        return f"{what}; Syncthing: {link[:1].lower()}{link[1:]}"
    parts = []
    if view.set_aside:
        parts.append(f"{len(view.set_aside)} tệp bị gác lại")
    errors = [p for p in view.problems if ": warning: " not in p]
    if errors:
        parts.append(f"trình phát báo {len(errors)} lỗi")
    if view.clock_off_s is not None and any("clock" in a for a in view.alerts):
        side = "chậm" if view.clock_off_s > 0 else "nhanh"
        parts.append(f"đồng hồ {side} {ago(abs(view.clock_off_s))} so với hub")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def completion(view: OfficeView) -> str:
    """The least complete tier, which is what holds a screen back."""
    if not view.completion:
        return "Không rõ"
    known = [p for p in view.completion.values() if p is not None]
    if len(known) < len(view.completion):
        return "Không rõ"
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
                f"{p.duration_s:.0f} giây",
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
        return Hours(h.timezone, [("Mọi ngày", "Luôn mở")], [], True)
    days = [
        (WEEKDAYS[i], ", ".join(f"{_hhmm(w.start)}–{_hhmm(w.end)}" for w in day) or "Nghỉ")
        for i, day in enumerate(h.week)
    ]
    holidays = [d.strftime("%d/%m/%Y") for d in sorted(h.holidays)]
    return Hours(h.timezone, days, holidays, True)
