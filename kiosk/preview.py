"""What the screen would show at a given moment: `kiosk check --at` and `kiosk preview`.

Why: admins schedule procedures with dates, weekdays and time windows in YAML, and the only
way to know what the office's screen shows next Monday at 08:00 used to be waiting for it.
Both commands answer with the player's own rules: the playlist and sidecar schedules resolved
exactly as the player resolves them (kiosk.sync.playlist_source), every file probed with the
player's probes, videos decoded by the player's libVLC path (VlcPlayer), slides drawn by the
player's SlideRenderer at the size of the main zone. So the sheet shows what really appears, not an
approximation that could disagree with the screen.

Time: `--at` is office-local wall-clock time (the config's `office.timezone`), whatever the
time zone of the machine running the command.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kiosk.core.model import Item, Kind, Playlist
from kiosk.core.problems import Position, Problem
from kiosk.core.schedule import ItemSchedule, OfficeHours, format_vn_datetime

if TYPE_CHECKING:
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QFont, QFontMetrics, QImage, QPainter

    from kiosk.config import Config
    from kiosk.ui.slides import SlideRenderer

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "Cell",
    "FrameGrabber",
    "Sheet",
    "Slot",
    "build_sheet",
    "expiry_problems",
    "gather_cells",
    "inactive_reason",
    "kind_label",
    "main_zone_size",
    "parse_at",
    "parse_size",
    "rotation",
    "rotation_lines",
    "schedule_note",
]

log = logging.getLogger(__name__)

EXPIRY_WARNING_DAYS = 7  # `kiosk check` warns this many days before an item's valid_until
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_AT_HELP = (
    'write it as "2026-12-01 08:00" (office-local time), 2026-12-01T08:00 '
    'or "01/12/2026 08:00" (day first)'
)
_ISO_AT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?")
_VN_AT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})")


# ---------------------------------------------------------------------------------------------
# command-line values


def parse_at(text: str) -> datetime:
    """`--at` value → datetime (naive = office-local; an explicit offset is kept).

    An argparse `type`: a bad value raises ArgumentTypeError, which argparse turns into a
    usage message and exit code 2. A date alone is refused rather than read as midnight,
    when almost every office is closed, which would look like an empty rotation.
    """
    value = " ".join(text.split())
    m = _VN_AT.fullmatch(value)
    try:
        if m is not None:
            day, month, year, hour, minute = (int(g) for g in m.groups())
            return datetime(year, month, day, hour, minute)
        if _ISO_AT.fullmatch(value):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid date and time ({e})") from e
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise argparse.ArgumentTypeError(f"{text!r} has no time of day; {_AT_HELP}")
    raise argparse.ArgumentTypeError(f"{text!r} is not a date and time; {_AT_HELP}")


def parse_size(text: str) -> tuple[int, int]:
    """`--size 1920x1080` → (1920, 1080); an argparse `type` (bad values exit 2)."""
    m = re.fullmatch(r"\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*", text)
    if m is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a screen size; write it like 1920x1080")
    w, h = int(m.group(1)), int(m.group(2))
    if not (160 <= w <= 7680 and 120 <= h <= 7680):
        raise argparse.ArgumentTypeError(
            f"{w}x{h} is not a plausible screen size (160x120 to 7680x7680)"
        )
    return w, h


def office_time(at: datetime | None, timezone: str) -> datetime:
    """`at` (or now) as aware office-local time: naive means office-local already."""
    tz: tzinfo = ZoneInfo(timezone)
    if at is None:
        return datetime.now(tz)
    return at.replace(tzinfo=tz) if at.tzinfo is None else at.astimezone(tz)


# ---------------------------------------------------------------------------------------------
# the rotation at a moment (pure: no Qt)


@dataclass(frozen=True)
class Slot:
    """One playlist item at the moment asked: its place in the loop, or why it is left out."""

    item: Item
    order: int | None  # 1-based place in the rotation; None when set aside
    reason: str | None  # why it is not shown then (schedule or a failed probe)


def inactive_reason(schedule: ItemSchedule | None, at: datetime) -> str | None:
    """None if the schedule lets the item show at `at`, else a short why, the way an admin
    would write the rule ("valid until 2026-11-30", "shown only on mon wed at 07:30-11:30")."""
    if schedule is None or schedule.active(at):
        return None
    day = office_time(at, schedule.timezone).date()
    if schedule.valid_until is not None and day > schedule.valid_until:
        return f"valid until {schedule.valid_until.isoformat()}"
    if schedule.valid_from is not None and day < schedule.valid_from:
        return f"valid from {schedule.valid_from.isoformat()}"
    parts = []
    if schedule.weekdays is not None:
        parts.append("on " + " ".join(_DAYS[d] for d in sorted(schedule.weekdays)))
    if schedule.times:
        parts.append("at " + ", ".join(str(w) for w in schedule.times))
    return "shown only " + " ".join(parts) if parts else "outside its schedule"


def schedule_note(schedule: ItemSchedule | None) -> str:
    """'until 2026-12-31; mon wed; 07:30-11:30' (ISO dates, like the YAML), '' for none."""
    if schedule is None:
        return ""
    parts = []
    if schedule.valid_from is not None:
        parts.append(f"from {schedule.valid_from.isoformat()}")
    if schedule.valid_until is not None:
        parts.append(f"until {schedule.valid_until.isoformat()}")
    if schedule.weekdays is not None:
        parts.append(" ".join(_DAYS[d] for d in sorted(schedule.weekdays)))
    if schedule.times:
        parts.append(", ".join(str(w) for w in schedule.times))
    return "; ".join(parts)


def _seconds(value: float | None) -> str:
    return f"{value if value is not None else 10.0:g} s"


def kind_label(item: Item) -> str:
    """'video', 'image, 10 s', 'text slide, 10 s', 'PDF, 10 s a page'."""
    if item.kind is Kind.VIDEO:
        return "video"
    if item.kind is Kind.SLIDE:
        return f"image, {_seconds(item.duration)}"
    if item.kind is Kind.TEXT:
        return f"text slide, {_seconds(item.duration)}"
    return f"PDF, {_seconds(item.duration)} a page"


def rotation(playlist: Playlist, at: datetime, failed: dict[str, str]) -> list[Slot]:
    """The loop at `at`: items in playlist order, numbered when they show, else with why.

    `failed` maps paths to the probe's reason: the player sets such items aside exactly like
    items outside their schedule (controller: failed, or schedule not active).
    """
    slots: list[Slot] = []
    order = 0
    for item in playlist.items:
        reason = failed.get(item.path)
        if reason is not None:
            reason = f"cannot be played: {reason}"
        else:
            reason = inactive_reason(item.schedule, at)
        if reason is None:
            order += 1
        slots.append(Slot(item, order if reason is None else None, reason))
    return slots


def hours_lines(hours: OfficeHours, at: datetime, closed_mode: str = "slide") -> list[str]:
    """Whether the office is open at `at`, and if not, its hours and when it opens again."""
    local = hours.local(at)
    when = f"{format_vn_datetime(local)} ({hours.timezone})"
    if hours.always_open:
        return [f"at {when}: the office is open (no office hours configured)"]
    if hours.is_open(local):
        return [f"at {when}: the office is open"]
    why = " (a holiday)" if local.date() in hours.holidays else ""
    then = "the display is turned off" if closed_mode == "display_off" else "the closed slide shows"
    lines = [f"at {when}: the office is CLOSED{why}; {then}"]
    lines.append("  office hours:")
    lines += [f"    {days}: {times}" for days, times in hours.summary()] or ["    (none)"]
    reopen = hours.next_change(local)
    if reopen is not None:
        lines.append(f"  opens again: {format_vn_datetime(reopen)}")
    return lines


def rotation_lines(
    slots: Sequence[Slot], hours: OfficeHours, at: datetime, closed_mode: str = "slide"
) -> list[str]:
    """The `kiosk check --at` report: office open or closed, the loop in order, the rest."""
    lines = hours_lines(hours, at, closed_mode)
    closed = not hours.is_open(at)
    shown = [s for s in slots if s.order is not None]
    if closed:
        lines.append(f"rotation for that moment once the office is open: {len(shown)} item(s)")
    else:
        lines.append(f"what plays then, in order: {len(shown)} item(s)")
    for s in slots:
        if s.order is not None:
            note = schedule_note(s.item.schedule)
            suffix = f" — {note}" if note else ""
            lines.append(f"  {s.order}. {s.item.rel} ({kind_label(s.item)}){suffix}")
    if not shown:
        lines.append("  (nothing: the screen shows the idle picture)")
    for s in slots:
        if s.order is None:
            lines.append(f"  - {s.item.rel}: not shown: {s.reason}")
    return lines


def _days_text(days: int) -> str:
    if days == 0:
        return "today, its last day"
    return "in 1 day" if days == 1 else f"in {days} days"


def expiry_problems(
    playlist: Playlist, now: datetime, days: int = EXPIRY_WARNING_DAYS
) -> list[Problem]:
    """Warnings for items whose `valid_until` is within `days` of `now`, or already past.

    Why warn: an expiring procedure disappears from the screen by itself, which is the point,
    but the admin who wanted it renewed must hear about it before, not from a citizen.
    Positioned where the rule is written (the schedule key in the playlist entry or in the
    sidecar file), else at the playlist entry, else at the file.
    """
    out: list[Problem] = []
    for item in playlist.items:
        schedule = item.schedule
        if schedule is None or schedule.valid_until is None:
            continue
        today = office_time(now, schedule.timezone).date()
        until = schedule.valid_until
        where = _rule_position(item)
        if schedule.expires_within(now, days) is not None:
            left = (until - today).days
            out.append(
                Problem(
                    where,
                    f"{item.rel} expires on {until.isoformat()} ({_days_text(left)}); it is not "
                    "shown after that day: change valid_until to keep it",
                    "warning",
                )
            )
        elif schedule.expired(now):
            ago = (today - until).days
            out.append(
                Problem(
                    where,
                    f"{item.rel} expired on {until.isoformat()} ({ago} day(s) ago) and is no "
                    "longer shown; delete it or change valid_until",
                    "warning",
                )
            )
    return out


def _rule_position(item: Item) -> Position:
    schedule = item.schedule
    if schedule is not None and schedule.pos is not None and schedule.pos.line > 0:
        return schedule.pos
    if item.origin is not None and item.origin.line > 0:
        return item.origin
    sidecar = item.path + ".yaml"
    return Position(sidecar if os.path.isfile(sidecar) else item.path)


def current_playlist(cfg: Config, sync_dir: Path) -> tuple[Playlist, list[Problem]]:
    """The playlist the player would build now: spec, sync folder, sidecar schedules."""
    from kiosk.core.playlist import resolve
    from kiosk.sync.playlist_source import Sidecars, read_spec
    from kiosk.sync.scan import scan

    spec = read_spec(cfg.playlist, sync_dir, cfg.office_timezone)
    library = scan(sync_dir)
    playlist = Sidecars(cfg.office_timezone).apply(resolve(spec, library, cfg.slides_duration))
    problems = list(playlist.problems)
    if not library.readable:
        problems.append(
            Problem(Position(str(sync_dir)), "the sync folder does not exist or cannot be read")
        )
    return playlist, problems


# ---------------------------------------------------------------------------------------------
# the contact sheet (Qt)


@dataclass
class Cell:
    """One picture of the sheet: an item, or one page of a PDF."""

    item: Item
    order: int | None  # place in the rotation; None when set aside
    reason: str | None  # why it is set aside (schedule, failed probe, no picture)
    page: int = 1
    pages: int = 1
    picture: QImage | None = None  # as the main zone shows it (before scaling down)
    duration: str = ""  # "0:06" (videos), "10 s" (slides)
    schedule: str = "always"
    rect: QRect | None = None  # the card on the sheet (set by build_sheet)
    thumb_rect: QRect | None = None  # the thumbnail inside it

    @property
    def set_aside(self) -> bool:
        return self.reason is not None


@dataclass
class Sheet:
    image: QImage
    cells: list[Cell] = field(default_factory=list)


def format_length(ms: int) -> str:
    """'0:06', '12:34', '1:02:03' (rounded to the second); '?' when unknown."""
    if ms <= 0:
        return "?"
    s = round(ms / 1000)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class FrameGrabber:
    """First picture and length of a video, decoded by the player's own VlcPlayer.

    Why the real player rather than ffmpeg: the sheet must show what the screen shows, and a
    file libVLC cannot decode must come out marked, as it would be skipped on screen. The
    backend uses the dummy audio output: nothing is heard while grabbing.
    """

    def __init__(self, timeout: float = 5.0) -> None:
        from kiosk.playback.vlc import VlcBackend

        self.timeout = timeout
        self._backend = VlcBackend(dummy_audio=True)
        self._player = self._backend.player(start_timeout=timeout)
        self._player.set_volume(0, True)

    def grab(self, path: str) -> tuple[QImage, int] | str:
        """(first picture, length in ms) or the reason there is no picture."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        got: list[QImage | str] = []

        def take(value: QImage | str) -> None:
            if not got:
                got.append(value)
                loop.quit()

        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(lambda: take(f"no picture within {self.timeout + 2:g} s"))
        self._player.frame.connect(take)
        self._player.failed.connect(take)
        try:
            self._player.load(path)
            self._player.show()
            guard.start(int((self.timeout + 2) * 1000))  # the player's own timeout fires first
            loop.exec()
            length = self._player.length_ms()
        finally:
            guard.stop()
            self._player.frame.disconnect(take)
            self._player.failed.disconnect(take)
            self._player.stop()
        result = got[0]
        return result if isinstance(result, str) else (result, length)

    def close(self) -> None:
        self._player.close()
        self._backend.close()


def main_zone_size(cfg: Config, sync_dir: Path, screen: QSize) -> QSize:
    """The size slides are rendered for: the screen minus the header and ticker bands that
    are on (same rule as KioskWindow.main_size; the ticker shows only with text)."""
    from PySide6.QtCore import QSize

    from kiosk.ui.zones import header_height, ticker_height

    height = screen.height()
    if cfg.header_enabled:
        height -= header_height(screen)
    if cfg.ticker_enabled and _ticker_text(cfg, sync_dir):
        height -= ticker_height(screen)
    return QSize(screen.width(), max(1, height))


def _ticker_text(cfg: Config, sync_dir: Path) -> str:
    try:
        return (sync_dir / "ticker.txt").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return cfg.ticker_text.strip()


def gather_cells(
    playlist: Playlist,
    at: datetime,
    zone: QSize,
    renderer: SlideRenderer,
    probe: Callable[[str], str | None],
    grabber: Callable[[], FrameGrabber] = FrameGrabber,
) -> list[Cell]:
    """Every item (every page of a PDF) with its picture as the main zone shows it, numbered
    in rotation order.

    Items the player would set aside are still pictured when possible (an item outside its
    schedule renders fine), so the admin recognises them; a failed probe gets no picture.
    `grabber` makes the FrameGrabber at the first video: libVLC starts only if needed.
    """
    cells: list[Cell] = []
    made: list[FrameGrabber] = []

    def video_grabber() -> FrameGrabber:
        if not made:
            made.append(grabber())
        return made[0]

    order = 0
    try:
        for item in playlist.items:
            mine = _item_cells(item, at, zone, renderer, probe, video_grabber)
            if any(not c.set_aside for c in mine):
                order += 1
                for c in mine:
                    if not c.set_aside:
                        c.order = order
            cells += mine
    finally:
        for g in made:
            g.close()
    return cells


def _item_cells(
    item: Item,
    at: datetime,
    zone: QSize,
    renderer: SlideRenderer,
    probe: Callable[[str], str | None],
    video_grabber: Callable[[], FrameGrabber],
) -> list[Cell]:
    """The cells of one item, unnumbered: one, or one per page of a PDF."""
    from kiosk.media.probe import ProbeInconclusive

    schedule = item.schedule.describe() if item.schedule is not None else "always"
    try:
        failed = probe(item.path)
    except ProbeInconclusive as e:  # libVLC busy or slow: the player would try again later
        failed = f"could not be checked now ({e})"
    if failed is not None:
        return [Cell(item, None, f"cannot be played: {failed}", schedule=schedule)]
    off = inactive_reason(item.schedule, at)
    if item.kind is Kind.VIDEO:
        grabbed = video_grabber().grab(item.path)
        if isinstance(grabbed, str):
            return [Cell(item, None, f"cannot be played: {grabbed}", schedule=schedule)]
        picture, length = grabbed
        return [
            Cell(
                item, None, off, picture=picture, duration=format_length(length), schedule=schedule
            )
        ]
    duration = _seconds(item.duration)
    first = renderer(item, 1, zone)
    if isinstance(first, str):
        return [Cell(item, None, f"cannot be shown: {first}", duration=duration, schedule=schedule)]
    picture, pages = first
    cells = [Cell(item, None, off, 1, pages, picture, duration, schedule)]
    for page in range(2, pages + 1):
        got = renderer(item, page, zone)
        if isinstance(got, str):
            log.warning("%s page %d: %s", item.rel, page, got)
            why = f"page {page} cannot be shown: {got}"
            cells.append(Cell(item, None, why, page, pages, duration=duration, schedule=schedule))
        else:
            cells.append(Cell(item, None, off, page, pages, got[0], duration, schedule))
    return cells


# ---------------------------------------------------------------------------------------------
# painting

_MARGIN, _GAP, _PAD = 28, 18, 10
_BOX = 384  # the longer side of a thumbnail: 1/5 of a 1920 screen
_MIN_CARD_TEXT = 300  # label width even under a narrow (portrait) thumbnail
_MAX_COLUMNS = 10
_MIN_WIDTH = 1000
_SHEET_BG = "#e9edf2"
_CARD_BG = "#ffffff"
_INK = "#1b1f24"
_MUTED = "#56616d"
_RED = "#c62828"
_NAME_PX, _TEXT_PX, _TITLE_PX, _HEAD_PX = 17, 15, 28, 16


@dataclass(frozen=True)
class _Metrics:
    thumb_w: int
    thumb_h: int
    card_w: int
    card_h: int
    line_h: int
    name_h: int


def _columns(n: int) -> int:
    """Landscape-leaning grid: 1, 2, 3, 3, 3, 3, 4 ... columns, at most 10 (60 cells: 10x6)."""
    if n <= 0:
        return 1
    return max(1, min(n, _MAX_COLUMNS, math.ceil(math.sqrt(n * 1.4))))


def build_sheet(
    cells: list[Cell],
    zone: QSize,
    title: str,
    header: Sequence[str],
    alert: str | None = None,
    family: str | None = None,
) -> Sheet:
    """Lay the cells out in a grid under a header and paint them; records each cell's rect.

    Thumbnails and type keep a fixed size whatever the number of cells (the grid grows
    instead), so 60 cells are as readable as 1 when the image is viewed at 100 %.
    """
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter

    from kiosk.ui.fonts import load_bundled_fonts

    family = family or load_bundled_fonts()

    def font(px: int, bold: bool = False) -> QFont:
        f = QFont(family)
        f.setPixelSize(px)
        f.setBold(bold)
        return f

    name_font, text_font = font(_NAME_PX, True), font(_TEXT_PX)
    title_font, head_font = font(_TITLE_PX, True), font(_HEAD_PX)
    line_h = QFontMetrics(text_font).lineSpacing()
    name_h = QFontMetrics(name_font).lineSpacing()
    scale = _BOX / max(1, zone.width(), zone.height())
    tw, th = max(1, round(zone.width() * scale)), max(1, round(zone.height() * scale))
    card_w = max(tw, _MIN_CARD_TEXT) + 2 * _PAD
    # name, kind and duration, schedule, then two lines for a reason when any cell has one
    # (every card the same height, so the grid stays regular)
    reason_lines = 2 if any(c.set_aside for c in cells) else 0
    card_h = _PAD + th + 8 + name_h + (2 + reason_lines) * line_h + _PAD
    m = _Metrics(tw, th, card_w, card_h, line_h, name_h)

    cols = _columns(len(cells))
    rows = math.ceil(len(cells) / cols) if cells else 1
    width = max(_MIN_WIDTH, 2 * _MARGIN + cols * card_w + (cols - 1) * _GAP)
    head_h = QFontMetrics(title_font).lineSpacing() + 6
    head_h += len(header) * QFontMetrics(head_font).lineSpacing()
    if alert:
        head_h += QFontMetrics(head_font).lineSpacing() + 12
    top = _MARGIN + head_h + _GAP
    height = top + rows * card_h + (rows - 1) * _GAP + _MARGIN

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(_SHEET_BG))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        inner = width - 2 * _MARGIN
        y = _MARGIN
        painter.setFont(title_font)
        painter.setPen(QColor(_INK))
        fm = QFontMetrics(title_font)
        painter.drawText(
            _MARGIN, y + fm.ascent(), fm.elidedText(title, Qt.TextElideMode.ElideRight, inner)
        )
        y += fm.lineSpacing() + 6
        painter.setFont(head_font)
        fm = QFontMetrics(head_font)
        painter.setPen(QColor(_MUTED))
        for line in header:
            text = fm.elidedText(line, Qt.TextElideMode.ElideMiddle, inner)
            painter.drawText(_MARGIN, y + fm.ascent(), text)
            y += fm.lineSpacing()
        if alert:
            band = QRect(_MARGIN, y + 6, inner, fm.lineSpacing() + 6)
            painter.fillRect(band, QColor(_RED))
            painter.setPen(QColor("#ffffff"))
            painter.drawText(
                band.adjusted(10, 0, -10, 0),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                fm.elidedText(alert, Qt.TextElideMode.ElideRight, inner - 20),
            )
        if not cells:
            painter.setFont(name_font)
            painter.setPen(QColor(_INK))
            painter.drawText(
                _MARGIN, top + name_h, "Nothing to show: the screen shows the idle picture."
            )
        for i, cell in enumerate(cells):
            r, c = divmod(i, cols)
            cell.rect = QRect(
                _MARGIN + c * (card_w + _GAP), top + r * (card_h + _GAP), card_w, card_h
            )
            _paint_cell(painter, cell, m, name_font, text_font)
    finally:
        painter.end()
    return Sheet(image, cells)


def _paint_cell(
    painter: QPainter, cell: Cell, m: _Metrics, name_font: QFont, text_font: QFont
) -> None:
    from PySide6.QtCore import QPoint, QRect, Qt
    from PySide6.QtGui import QColor, QFontMetrics, QPen

    from kiosk.ui.stage import fit_rect

    assert cell.rect is not None
    card = cell.rect
    painter.fillRect(card, QColor(_CARD_BG))
    thumb = QRect(card.x() + (card.width() - m.thumb_w) // 2, card.y() + _PAD, m.thumb_w, m.thumb_h)
    cell.thumb_rect = thumb
    painter.fillRect(thumb, QColor("#000000"))
    if cell.picture is not None and not cell.picture.isNull():
        target = fit_rect(cell.picture.size(), thumb.size())
        scaled = cell.picture.scaled(
            target.size(),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        painter.drawImage(thumb.topLeft() + target.topLeft(), scaled)
    else:
        painter.fillRect(thumb, QColor("#3a3f45"))
    if cell.set_aside:
        painter.fillRect(thumb, QColor(255, 255, 255, 90))
        pen = QPen(QColor(_RED))
        pen.setWidth(5)
        painter.setPen(pen)
        painter.drawLine(thumb.topLeft(), thumb.bottomRight())
        painter.drawLine(thumb.topRight(), thumb.bottomLeft())
        band_h = QFontMetrics(name_font).lineSpacing() + 8
        band = QRect(thumb.x(), thumb.bottom() + 1 - band_h, thumb.width(), band_h)
        painter.fillRect(band, QColor(_RED))
        painter.setFont(name_font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(band, int(Qt.AlignmentFlag.AlignCenter), "NOT SHOWN")
        frame = QPen(QColor(_RED))
        frame.setWidth(3)
        painter.setPen(frame)
        painter.drawRect(card.adjusted(1, 1, -2, -2))
    if cell.picture is None or cell.picture.isNull():
        # on top of the cross, on its own plate, so the words stay legible
        painter.setFont(text_font)
        fm = QFontMetrics(text_font)
        label = QRect(0, 0, fm.horizontalAdvance("no picture") + 16, fm.lineSpacing() + 8)
        label.moveCenter(thumb.center())
        painter.fillRect(label, QColor("#3a3f45"))
        painter.setPen(QColor("#e4e7ea"))
        painter.drawText(label, int(Qt.AlignmentFlag.AlignCenter), "no picture")

    x, width = card.x() + _PAD, card.width() - 2 * _PAD
    y = thumb.bottom() + 1 + 8
    # line 1: order and name (a PDF page says which)
    painter.setFont(name_font)
    fm = QFontMetrics(name_font)
    prefix = f"{cell.order}. " if cell.order is not None else "– "
    suffix = f"  (page {cell.page}/{cell.pages})" if cell.pages > 1 else ""
    room = width - fm.horizontalAdvance(prefix + suffix)
    name = fm.elidedText(cell.item.rel, Qt.TextElideMode.ElideMiddle, max(20, room))
    painter.setPen(QColor(_RED if cell.set_aside else _INK))
    painter.drawText(QPoint(x, y + fm.ascent()), prefix + name + suffix)
    y += m.name_h
    # line 2: kind and duration; line 3: schedule; then the reason, on up to two lines
    painter.setFont(text_font)
    fm = QFontMetrics(text_font)
    painter.setPen(QColor(_MUTED))
    kind = {
        Kind.VIDEO: "video",
        Kind.SLIDE: "image",
        Kind.TEXT: "text slide",
        Kind.PDF: "PDF page",
    }[cell.item.kind]
    info = f"{kind} · {cell.duration}" if cell.duration else kind
    painter.drawText(
        QPoint(x, y + fm.ascent()), fm.elidedText(info, Qt.TextElideMode.ElideRight, width)
    )
    y += m.line_h
    sched = f"schedule: {cell.schedule}"
    painter.drawText(
        QPoint(x, y + fm.ascent()), fm.elidedText(sched, Qt.TextElideMode.ElideRight, width)
    )
    y += m.line_h
    if cell.reason:
        painter.setPen(QColor(_RED))
        for line in _wrap(f"not shown: {cell.reason}", fm, width, 2):
            painter.drawText(QPoint(x, y + fm.ascent()), line)
            y += m.line_h


def _wrap(text: str, fm: QFontMetrics, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap into at most `max_lines`; the last line elided if text remains."""
    from PySide6.QtCore import Qt

    words = text.split()
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        trial = f"{current} {word}" if current else word
        if fm.horizontalAdvance(trial) <= width or not current:
            current = trial
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            current = " ".join(words[i:])
            break
    if current:
        lines.append(current)
    return [fm.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines[:max_lines]]


# ---------------------------------------------------------------------------------------------
# the whole preview


def make_preview(
    cfg: Config,
    sync_dir: Path,
    at: datetime | None,
    screen: tuple[int, int] = (1920, 1080),
    probe: Callable[[str], str | None] | None = None,
) -> tuple[Sheet, list[Problem]]:
    """The contact sheet of the rotation at `at` (None: now) on a `screen`-sized display.

    Needs a QGuiApplication (fonts, painting); the bundled font is registered here.
    """
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor

    from kiosk.media.images import load_image
    from kiosk.media.probe import probe as default_probe
    from kiosk.ui.fonts import load_bundled_fonts
    from kiosk.ui.slides import SlideRenderer
    from kiosk.ui.theme import Theme

    family = load_bundled_fonts()
    when = office_time(at, cfg.office_timezone)
    playlist, problems = current_playlist(cfg, sync_dir)
    logo = None
    if cfg.office_logo is not None:
        loaded = load_image(str(cfg.office_logo))
        logo = None if isinstance(loaded, str) else loaded
    theme = Theme(
        background=QColor(cfg.theme_background),
        accent=QColor(cfg.theme_accent),
        text=QColor(cfg.theme_text),
        font_family=family,
        logo=logo,
    )
    zone = main_zone_size(cfg, sync_dir, QSize(*screen))
    renderer = SlideRenderer(theme=theme, size=lambda: zone)
    cells = gather_cells(playlist, when, zone, renderer, probe or default_probe)
    shown = {c.item.path for c in cells if not c.set_aside}
    aside = len({c.item.path for c in cells}) - len(shown)
    hours = cfg.hours
    alert = None
    if not hours.is_open(when):
        reopen = hours.next_change(when)
        again = f"; opens again {format_vn_datetime(reopen)}" if reopen else ""
        off = cfg.closed_mode == "display_off"
        screen_then = "the display is off" if off else "the screen shows the closed slide"
        alert = f"Office closed at this time: {screen_then}{again}. The rotation plays once open."
    header = [
        f"Sync folder: {sync_dir}   ·   playlist: {playlist.source}",
        f"Rotation at {format_vn_datetime(when)} ({cfg.office_timezone}): "
        f"{len(shown)} item(s) shown, {aside} set aside   ·   "
        f"screen {screen[0]}x{screen[1]}, main zone {zone.width()}x{zone.height()}",
    ]
    sheet = build_sheet(cells, zone, cfg.office_name, header, alert, family)
    return sheet, problems
