"""The generated "closed" slide: office name, "outside office hours", the weekly hours and
when the office opens again, sized to fit any screen.

Apart from textslide.py (procedure slides) because it lays out something else entirely
from other data (the office hours), sharing only the theme and text measuring (theme.py).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QColor, QImage, QPainter

from kiosk.core.msg import _
from kiosk.core.schedule import OfficeHours, format_vn_datetime
from kiosk.i18n import localize
from kiosk.ui.theme import Theme, text_box, theme_font

__all__ = ["CLOSED_TITLE", "HOURS_LABEL", "REOPENS_LABEL", "render_closed"]

# For the public, in the office's language (kiosk.i18n): Vietnamese unless `office.language: en`
CLOSED_TITLE = _("Outside office hours")
HOURS_LABEL = _("Office hours")
REOPENS_LABEL = _("Opens again")


def render_closed(
    size: QSize,
    theme: Theme,
    office: str,
    hours: OfficeHours,
    at: datetime,
) -> QImage:
    """The generated "closed" slide (when `closed.slide` is null): office name, "outside
    office hours", the weekly hours and when the office opens again, sized to fit."""
    w, h = size.width(), size.height()
    short = min(w, h)
    reopen = hours.next_change(at) if not hours.is_open(at) else None
    lines: list[tuple[str, float, bool, QColor]] = [
        (office, 1.0, True, theme.muted),
        (localize(CLOSED_TITLE), 2.0, True, theme.text),
        (localize(HOURS_LABEL).upper(), 0.8, True, theme.accent),
    ]
    lines += [(f"{days}: {times}", 1.0, False, theme.text) for days, times in hours.summary()]
    if reopen is not None:
        again = f"{localize(REOPENS_LABEL)}: {format_vn_datetime(reopen)}"
        lines.append((again, 1.0, True, theme.accent))
    margin = short * 0.06
    width = w - 2 * margin
    s = short * 0.05
    while True:
        boxes = []
        y = 0.0
        for text, factor, bold, colour in lines:
            box = text_box(
                text,
                theme_font(theme.font_family, s * factor, bold),
                colour,
                margin,
                y,
                width,
                centre=True,
            )
            boxes.append(box)
            y += box.height + s * (0.9 if factor >= 2 or (bold and factor < 1) else 0.35)
        if y <= h - 2 * margin or s <= 8:
            break
        s *= 0.92
    top = max(margin, (h - y) / 2)
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(theme.background)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for box in boxes:
            painter.setPen(box.colour)
            box.layout.draw(painter, QPointF(box.origin.x(), box.origin.y() + top))
    finally:
        painter.end()
    return image
