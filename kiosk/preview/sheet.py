"""The preview's sheet, painted: a grid of cards under a header, each card a thumbnail as
the main zone shows it, its place in the rotation, kind, duration and schedule, and, for
an item set aside, a red cross, a "NOT SHOWN" band and why. Qt only paints here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kiosk.core.model import Item, Kind
from kiosk.core.msg import N_, Msg, _
from kiosk.i18n import localize

if TYPE_CHECKING:
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QFont, QFontMetrics, QImage, QPainter


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
    schedule: str = _("always")
    rect: QRect | None = None  # the card on the sheet (set by build_sheet)
    thumb_rect: QRect | None = None  # the thumbnail inside it

    @property
    def set_aside(self) -> bool:
        return self.reason is not None


@dataclass
class Sheet:
    image: QImage
    cells: list[Cell] = field(default_factory=list)


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
_KIND_WORDS = {
    Kind.VIDEO: N_("video"),
    Kind.SLIDE: N_("image"),
    Kind.TEXT: N_("text slide"),
    Kind.PDF: N_("PDF page"),
}


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
            text = fm.elidedText(localize(line), Qt.TextElideMode.ElideMiddle, inner)
            painter.drawText(_MARGIN, y + fm.ascent(), text)
            y += fm.lineSpacing()
        if alert:
            band = QRect(_MARGIN, y + 6, inner, fm.lineSpacing() + 6)
            painter.fillRect(band, QColor(_RED))
            painter.setPen(QColor("#ffffff"))
            painter.drawText(
                band.adjusted(10, 0, -10, 0),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                fm.elidedText(localize(alert), Qt.TextElideMode.ElideRight, inner - 20),
            )
        if not cells:
            painter.setFont(name_font)
            painter.setPen(QColor(_INK))
            painter.drawText(
                _MARGIN,
                top + name_h,
                localize(_("Nothing to show: the screen shows the idle picture.")),
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
        painter.drawText(band, int(Qt.AlignmentFlag.AlignCenter), localize(_("NOT SHOWN")))
        frame = QPen(QColor(_RED))
        frame.setWidth(3)
        painter.setPen(frame)
        painter.drawRect(card.adjusted(1, 1, -2, -2))
    if cell.picture is None or cell.picture.isNull():
        # on top of the cross, on its own plate, so the words stay legible
        painter.setFont(text_font)
        fm = QFontMetrics(text_font)
        none = localize(_("no picture"))
        label = QRect(0, 0, fm.horizontalAdvance(none) + 16, fm.lineSpacing() + 8)
        label.moveCenter(thumb.center())
        painter.fillRect(label, QColor("#3a3f45"))
        painter.setPen(QColor("#e4e7ea"))
        painter.drawText(label, int(Qt.AlignmentFlag.AlignCenter), none)

    x, width = card.x() + _PAD, card.width() - 2 * _PAD
    y = thumb.bottom() + 1 + 8
    # line 1: order and name (a PDF page says which)
    painter.setFont(name_font)
    fm = QFontMetrics(name_font)
    prefix = f"{cell.order}. " if cell.order is not None else "– "
    suffix = ""
    if cell.pages > 1:
        suffix = localize(_("  (page {page}/{pages})", page=cell.page, pages=cell.pages))
    room = width - fm.horizontalAdvance(prefix + suffix)
    name = fm.elidedText(cell.item.rel, Qt.TextElideMode.ElideMiddle, max(20, room))
    painter.setPen(QColor(_RED if cell.set_aside else _INK))
    painter.drawText(QPoint(x, y + fm.ascent()), prefix + name + suffix)
    y += m.name_h
    # line 2: kind and duration; line 3: schedule; then the reason, on up to two lines
    painter.setFont(text_font)
    fm = QFontMetrics(text_font)
    painter.setPen(QColor(_MUTED))
    kind = Msg(_KIND_WORDS[cell.item.kind])
    info = localize(
        _("{kind} · {duration}", kind=kind, duration=cell.duration) if cell.duration else kind
    )
    painter.drawText(
        QPoint(x, y + fm.ascent()), fm.elidedText(info, Qt.TextElideMode.ElideRight, width)
    )
    y += m.line_h
    sched = localize(_("schedule: {schedule}", schedule=cell.schedule))
    painter.drawText(
        QPoint(x, y + fm.ascent()), fm.elidedText(sched, Qt.TextElideMode.ElideRight, width)
    )
    y += m.line_h
    if cell.reason:
        painter.setPen(QColor(_RED))
        for line in _wrap(localize(_("not shown: {reason}", reason=cell.reason)), fm, width, 2):
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
