"""The office look (colours, font, logo) and text measured exactly as it is drawn.

Shared by every slide the player generates (procedure slides in textslide.py, the closed
slide in closedslide.py) and by the header and ticker bands (zones.py), so they all wear
the same theme and wrap text the same way. Only QImage-level Qt classes: safe on a worker
thread once fonts are registered (fonts.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QImage, QTextLayout, QTextOption

from kiosk.ui.fonts import BUNDLED_FAMILY

__all__ = ["TextBox", "Theme", "text_box", "theme_font"]


@dataclass(frozen=True)
class Theme:
    """The office look, from the config: colours, font family, optional logo."""

    background: QColor = field(default_factory=lambda: QColor("#0c2a5c"))
    accent: QColor = field(default_factory=lambda: QColor("#f2c230"))
    text: QColor = field(default_factory=lambda: QColor("#ffffff"))
    font_family: str = BUNDLED_FAMILY
    logo: QImage | None = None

    @property
    def band(self) -> QColor:
        """Title band and cards: a step lighter (dark themes) or darker than the background."""
        dark = self.background.lightnessF() < 0.5
        return self.background.lighter(135) if dark else self.background.darker(110)

    @property
    def muted(self) -> QColor:
        return _blend(self.text, self.background, 0.78)

    @property
    def on_accent(self) -> QColor:
        """Numerals on the accent badges: background or text colour, whichever contrasts more
        (WCAG contrast ratio: gold badges get dark numerals, dark badges light ones)."""
        bg = _contrast(self.accent, self.background)
        fg = _contrast(self.accent, self.text)
        return self.background if bg >= fg else self.text


def _luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() * t + b.red() * (1 - t)),
        round(a.green() * t + b.green() * (1 - t)),
        round(a.blue() * t + b.blue() * (1 - t)),
    )


@dataclass
class TextBox:
    """One laid-out text: `ink` is the union of its lines' natural rectangles (what is drawn)."""

    text: str
    font: QFont
    colour: QColor
    layout: QTextLayout
    origin: QPointF
    ink: QRectF
    height: float


def theme_font(family: str, px: float, bold: bool = False) -> QFont:
    """A font at a pixel size (never points: screens differ in DPI, the layout is in pixels)."""
    font = QFont(family)
    font.setPixelSize(max(1, round(px)))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferVerticalHinting)
    return font


def text_box(
    text: str,
    font: QFont,
    colour: QColor,
    x: float,
    y: float,
    width: float,
    centre: bool = False,
    spacing: float = 1.08,
) -> TextBox:
    """Wrap `text` into `width` at (x, y); measured with the same QTextLayout that draws it."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.setCacheEnabled(True)
    top = 0.0
    ink = QRectF()
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1.0, width))
        dx = (width - line.naturalTextWidth()) / 2 if centre else 0.0
        line.setPosition(QPointF(dx, top))
        rect = line.naturalTextRect()
        ink = rect if ink.isNull() else ink.united(rect)
        top += line.height() * spacing
    layout.endLayout()
    height = top - (
        layout.lineAt(layout.lineCount() - 1).height() * (spacing - 1)
        if layout.lineCount()
        else 0.0
    )
    origin = QPointF(x, y)
    return TextBox(text, font, colour, layout, origin, ink.translated(origin), height)
