"""The main zone: paints the current video frame, slide, or the idle slide. Never bare black."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from PySide6.QtCore import QElapsedTimer, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QWidget

from kiosk.core.msg import _
from kiosk.i18n import localize
from kiosk.media.shape import display_size, video_scaled_up

log = logging.getLogger(__name__)

IDLE_BACKGROUND = QColor(12, 42, 92)  # civic dark blue: clearly "on", never mistaken for off
IDLE_TEXT = QColor(255, 255, 255)
IDLE_MUTED = QColor(190, 205, 230)


class Showing(enum.Enum):
    NOTHING = "nothing"
    VIDEO = "video"
    SLIDE = "slide"
    IDLE = "idle"


@dataclass(frozen=True)
class IdleContent:
    office: str
    logo: QImage | None
    message: str = _("Nothing to show yet")  # for the public: the office's language
    detail: str = ""


def fit_rect(image: QSize, area: QSize) -> QRect:
    """The largest rectangle of `image`'s aspect centred in `area` (letterbox/pillarbox)."""
    if image.isEmpty() or area.isEmpty():
        return QRect(0, 0, area.width(), area.height())
    scaled = image.scaled(area, Qt.AspectRatioMode.KeepAspectRatio)
    x = (area.width() - scaled.width()) // 2
    y = (area.height() - scaled.height()) // 2
    return QRect(x, y, scaled.width(), scaled.height())


class Stage(QWidget):
    """One opaque widget painting everything itself: a frame copy costs less than a swap."""

    def __init__(self, idle: IdleContent, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setAutoFillBackground(False)
        self._idle = idle
        self._showing = Showing.NOTHING
        self._frame: QImage | None = None
        self._slide: QImage | None = None
        self._slide_scaled: QImage | None = None
        self.frames_painted = 0
        # Set when the screen is larger than the pictures video is painted at (the status
        # says it; the log once): a 4K screen shows video scaled up from 1920x1080.
        self.video_note = ""
        # Crossfade: the picture that was on screen, laid over the new one, fading out.
        self._fade_from: QImage | None = None
        self._fade_clock = QElapsedTimer()
        self._fade_ms = 0
        self._fade_timer = QTimer(self)
        self._fade_timer.setInterval(16)  # ~60 repaints a second, only while fading
        self._fade_timer.timeout.connect(self.update)

    @property
    def showing(self) -> Showing:
        return self._showing

    def set_idle_content(self, idle: IdleContent) -> None:
        self._idle = idle
        if self._showing is Showing.IDLE:
            self.update()

    def begin_fade(self, ms: int) -> None:
        """The next picture fades in over what is on screen now (slides, and videos too:
        Qt paints every pixel). Called by the controller right before the switch."""
        if ms <= 0 or self._showing is Showing.NOTHING:
            return
        self._fade_from = self.grab().toImage()
        self._fade_ms = ms
        self._fade_clock.start()
        self._fade_timer.start()

    @property
    def fading(self) -> bool:
        return self._fade_from is not None

    def show_frame(self, frame: QImage) -> None:
        self._showing = Showing.VIDEO
        self._frame = frame
        self._slide = self._slide_scaled = None
        self.update()

    def show_slide(self, image: QImage) -> None:
        self._showing = Showing.SLIDE
        self._slide = image
        self._slide_scaled = self._scale_slide(image)
        self._frame = None
        self.update()

    def show_idle(self, detail: str = "") -> None:
        if detail != self._idle.detail:
            self._idle = IdleContent(self._idle.office, self._idle.logo, self._idle.message, detail)
        self._showing = Showing.IDLE
        self._frame = self._slide = self._slide_scaled = None
        self.update()

    def _scale_slide(self, image: QImage) -> QImage:
        # Scaled once per slide (smooth), not at every paint.
        target = fit_rect(image.size(), self.size())
        if target.size() == image.size() or target.isEmpty():
            return image
        return image.scaled(
            target.size(),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        note = video_scaled_up(self.size())
        if note and note != self.video_note:
            log.warning(note)
        self.video_note = note
        if self._slide is not None:
            self._slide_scaled = self._scale_slide(self._slide)
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            area = self.size()
            if self._showing is Showing.VIDEO and self._frame is not None:
                # Its own shape (a portrait phone clip, non-square pixels), pillarboxed or
                # letterboxed: never stretched to the screen.
                target = fit_rect(display_size(self._frame), area)
                self._fill_around(painter, target)
                painter.drawImage(target, self._frame)
            elif self._showing is Showing.SLIDE and self._slide_scaled is not None:
                target = fit_rect(self._slide_scaled.size(), area)
                self._fill_around(painter, target)
                painter.drawImage(target.topLeft(), self._slide_scaled)
            else:
                self._paint_idle(painter)
            self._paint_fade(painter)
            self.frames_painted += 1
        finally:
            painter.end()

    def _paint_fade(self, painter: QPainter) -> None:
        if self._fade_from is None:
            return
        left = 1.0 - self._fade_clock.elapsed() / max(1, self._fade_ms)
        if left <= 0:
            self._fade_from = None
            self._fade_timer.stop()
            return
        painter.setOpacity(left)
        painter.drawImage(self.rect(), self._fade_from)
        painter.setOpacity(1.0)

    def _fill_around(self, painter: QPainter, target: QRect) -> None:
        if target != self.rect():
            painter.fillRect(self.rect(), Qt.GlobalColor.black)

    def _paint_idle(self, painter: QPainter) -> None:
        """Office name, logo and a calm message: the screen is alive, content is on its way."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.fillRect(self.rect(), IDLE_BACKGROUND)
        w, h = self.width(), self.height()
        unit = max(8, min(w, h) // 20)
        y = h // 6
        logo = self._idle.logo
        if logo is not None and not logo.isNull():
            box = QSize(w // 3, h // 4)
            target = fit_rect(logo.size(), box)
            target.moveTo((w - target.width()) // 2, y)
            painter.drawImage(target, logo)
            y = target.bottom() + unit
        else:
            y = h // 4
        font = QFont("Noto Sans")
        font.setPixelSize(int(unit * 1.6))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(IDLE_TEXT)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        used = painter.boundingRect(QRect(w // 10, y, w * 8 // 10, h), flags, self._idle.office)
        painter.drawText(QRect(w // 10, y, w * 8 // 10, h - y), flags, self._idle.office)
        y = used.bottom() + unit
        font.setBold(False)
        font.setPixelSize(unit)
        painter.setFont(font)
        painter.setPen(IDLE_MUTED)
        painter.drawText(QRect(w // 10, y, w * 8 // 10, h - y), flags, localize(self._idle.message))
        if self._idle.detail:
            font.setPixelSize(max(8, unit // 2))
            painter.setFont(font)
            painter.drawText(
                QRect(w // 20, h - unit * 3, w * 18 // 20, unit * 2),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                localize(self._idle.detail),
            )
