"""Procedure slides laid out for the screen: measured, sized to fit, never cut off.

Why measure: the admin writes text of any length and the TV may be 720p, 4K or portrait. One
size parameter (the body text's pixel size) drives every font, gap and badge; a binary search
finds the largest size at which the whole layout fits, between a readable minimum (2.2 % of
the screen's short side) and a comfortable maximum. Text wraps at word boundaries (and inside
a word only if one word is wider than its column). If even the minimum does not fit, the
slide is still drawn at the minimum (the overflow is clipped at the bottom) and a problem
says to split it: `kiosk check` shows it as an error.

Layout (landscape): a title band (logo, title) across the top; numbered steps with large
numerals and then notes on the left; a side panel on the right with the fee and time-limit
card, the optional image and the QR code at the bottom. Portrait: the same blocks stacked,
with the card and the QR code side by side at the bottom.

Thread use: only QImage/QPainter/QTextLayout, no widgets, so `render_procedure` can run in a
QThreadPool worker (fonts must have been registered on the Qt thread first: fonts.py). The
theme and the text measuring are in theme.py; the closed slide in closedslide.py.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter

from kiosk.core.msg import _
from kiosk.core.problems import Position, Problem
from kiosk.core.procedure_slide import ProcedureSlide
from kiosk.media.images import load_image
from kiosk.ui.qr import qr_image
from kiosk.ui.theme import TextBox, Theme, text_box, theme_font

__all__ = [
    "FEE_LABEL",
    "TIME_LABEL",
    "TOO_MUCH_TEXT",
    "SlideLayout",
    "layout_procedure",
    "paint_layout",
    "render_procedure",
]

log = logging.getLogger(__name__)

FEE_LABEL = "Lệ phí"
TIME_LABEL = "Thời hạn giải quyết"
TOO_MUCH_TEXT = _("too much text for one slide: split it into two files or shorten the steps")
MIN_TEXT_FRACTION = 0.022  # body text at least this part of the screen's short side
MAX_TEXT_FRACTION = 0.05
QR_FRACTION = 0.3  # preferred QR side (quiet zone included), part of the short side


@dataclass
class SlideLayout:
    """Everything drawn on the slide, in screen pixels; `fits` is False when it overflows."""

    size: QSize
    font_px: int
    fits: bool
    title_band: QRectF = field(default_factory=QRectF)
    texts: list[TextBox] = field(default_factory=list)
    badges: list[tuple[QRectF, TextBox]] = field(default_factory=list)
    cards: list[QRectF] = field(default_factory=list)
    logo: QRectF | None = None
    qr: QRectF | None = None
    picture: QRectF | None = None
    content: QRectF = field(default_factory=QRectF)  # where text may go (inside the margins)


def _host(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host[4:] if host.startswith("www.") else host


def layout_procedure(
    slide: ProcedureSlide,
    size: QSize,
    theme: Theme,
    picture: QImage | None = None,
    qr_side: int | None = None,
) -> SlideLayout:
    """The largest layout that fits (binary search on the body text size); see module doc.

    `qr_side` is the QR image's real side in pixels (whole modules), if there is a code.
    """
    short = min(size.width(), size.height())
    lo = max(8, math.ceil(short * MIN_TEXT_FRACTION))
    hi = max(lo, int(short * MAX_TEXT_FRACTION))
    # An image is wanted: prefer smaller text with the image over bigger text without it.
    # Only when even the smallest text leaves no room is the image left out.
    for need_picture in (True, False) if picture is not None else (False,):

        def fits(layout: SlideLayout, need: bool = need_picture) -> bool:
            return layout.fits and (not need or layout.picture is not None)

        best = _layout_at(slide, size, theme, lo, picture, qr_side)
        if not fits(best):
            continue
        low, high = lo, hi
        while low < high:
            mid = (low + high + 1) // 2
            trial = _layout_at(slide, size, theme, mid, picture, qr_side)
            if fits(trial):
                low, best = mid, trial
            else:
                high = mid - 1
        return best
    return _layout_at(slide, size, theme, lo, picture, qr_side)


def _layout_at(
    slide: ProcedureSlide,
    size: QSize,
    theme: Theme,
    s: int,
    picture: QImage | None,
    qr_side: int | None,
) -> SlideLayout:
    w, h = size.width(), size.height()
    short = min(w, h)
    portrait = h > w
    margin = round(short * 0.045)
    fam = theme.font_family
    out = SlideLayout(size, s, True)
    out.content = QRectF(margin, margin, w - 2 * margin, h - 2 * margin)

    # --- title band --------------------------------------------------------------------------
    pad = round(s * 0.7)
    logo = theme.logo if theme.logo is not None and not theme.logo.isNull() else None
    aspect = logo.width() / max(1, logo.height()) if logo is not None else 0.0
    title_font = theme_font(fam, s * 1.45, bold=True)
    title_h_guess = title_font.pixelSize() * 1.4
    logo_w = min(title_h_guess * 1.5 * aspect, w * 0.2)
    title_x = margin + (logo_w + pad if logo_w else 0)
    title = text_box(
        slide.title, title_font, theme.text, title_x, margin + pad, w - margin - title_x
    )
    band_bottom = math.ceil(
        margin + pad + max(title.height, title_h_guess * 1.5 if logo_w else 0) + pad
    )
    out.title_band = QRectF(0, 0, w, band_bottom)
    if logo is not None:
        lh = float(band_bottom - margin - pad)  # the logo may use the band's padding
        lw = min(lh * aspect, w * 0.2)
        lh = lw / aspect
        out.logo = QRectF(margin, (band_bottom - lh) / 2, lw, lh)
    out.texts.append(title)
    if band_bottom > h * 0.3:
        out.fits = False

    # --- columns -----------------------------------------------------------------------------
    top = band_bottom + s * 1.1
    bottom = h - margin
    has_side = bool(slide.qr or slide.fee or slide.time_limit or picture is not None)
    gap = s * 1.5
    if has_side and not portrait:
        side_w = w * 0.3
        main_w = w - 2 * margin - side_w - gap
        side_x = w - margin - side_w
    else:
        side_w = w - 2 * margin
        main_w = w - 2 * margin
        side_x = margin

    # --- steps and notes ---------------------------------------------------------------------
    step_font = theme_font(fam, s)
    badge_d = s * 1.75
    num_font = theme_font(fam, s * 1.05, bold=True)
    y = top
    for i, step in enumerate(slide.steps, start=1):
        tx = margin + badge_d + s * 0.7
        box = text_box(step, step_font, theme.text, tx, y, margin + main_w - tx)
        line_h = box.layout.lineAt(0).height() if box.layout.lineCount() else s
        # Centre the badge on the first line.
        by = y + line_h / 2 - badge_d / 2
        if by < y:
            box = text_box(step, step_font, theme.text, tx, y + (y - by), margin + main_w - tx)
            by = y
        badge = QRectF(margin, by, badge_d, badge_d)
        num = text_box(str(i), num_font, theme.on_accent, badge.x(), 0, badge_d, centre=True)
        nh = num.height
        num = text_box(
            str(i),
            num_font,
            theme.on_accent,
            badge.x(),
            by + (badge_d - nh) / 2,
            badge_d,
            centre=True,
        )
        out.badges.append((badge, num))
        out.texts.append(box)
        y = max(box.origin.y() + box.height, badge.bottom()) + s * 0.55
    if slide.notes:
        y += s * 0.35
        note_font = theme_font(fam, s * 0.85)
        bullet_w = s * 0.9
        for note in slide.notes:
            dot = text_box("•", note_font, theme.accent, margin + s * 0.2, y, bullet_w)
            box = text_box(
                note,
                note_font,
                theme.muted,
                margin + bullet_w + s * 0.2,
                y,
                main_w - bullet_w - s * 0.2,
            )
            out.texts += [dot, box]
            y += box.height + s * 0.3
    main_bottom = y - s * 0.3

    # --- side panel: card, picture, QR --------------------------------------------------------
    side_top = main_bottom + s * 1.2 if portrait else top
    card_lines: list[tuple[str, list[str]]] = []
    if slide.fee:
        card_lines.append((FEE_LABEL, list(slide.fee)))
    if slide.time_limit:
        card_lines.append((TIME_LABEL, [slide.time_limit]))
    label_font = theme_font(fam, s * 0.72, bold=True)
    value_font = theme_font(fam, s * 0.92)
    qr_box_h = 0.0
    qr_label = None
    if slide.qr and qr_side:
        qr_label_text = slide.qr_label or _host(slide.qr)
        qfont = theme_font(fam, s * 0.72)
        qw = max(qr_side, side_w * 0.45) if portrait else side_w
        qx = (w - margin - qw) if portrait else side_x
        qr_label = text_box(qr_label_text, qfont, theme.text, qx, 0, qw, centre=True)
        qr_box_h = qr_side + s * 0.4 + qr_label.height
    card_w = side_w - (max(qr_side or 0, side_w * 0.45) + gap if portrait and qr_label else 0)
    cy = side_top
    card_top = cy
    card_texts: list[TextBox] = []
    if card_lines:
        cpad = s * 0.6
        cy += cpad
        for label, values in card_lines:
            lb = text_box(
                label.upper(), label_font, theme.accent, side_x + cpad, cy, card_w - 2 * cpad
            )
            card_texts.append(lb)
            cy += lb.height + s * 0.15
            for v in values:
                vb = text_box(v, value_font, theme.text, side_x + cpad, cy, card_w - 2 * cpad)
                card_texts.append(vb)
                cy += vb.height + s * 0.1
            cy += s * 0.35
        cy += cpad - s * 0.45
        out.cards.append(QRectF(side_x, card_top, card_w, cy - card_top))
        out.texts += card_texts
        cy += s * 0.9
    panel_bottom = cy
    if qr_label is not None and qr_side:
        if portrait:
            qx = w - margin - max(qr_side, side_w * 0.45)
            qtop = side_top
            qw = max(qr_side, side_w * 0.45)
        else:
            qx = side_x
            qtop = bottom - qr_box_h
            qw = side_w
        out.qr = QRectF(qx + (qw - qr_side) / 2, qtop, qr_side, qr_side)
        qr_label = text_box(
            qr_label.text, qr_label.font, theme.text, qx, qtop + qr_side + s * 0.4, qw, centre=True
        )
        out.texts.append(qr_label)
        if portrait:
            panel_bottom = max(panel_bottom, qtop + qr_box_h)
        elif qtop < panel_bottom - s * 0.9 + s * 0.5:
            out.fits = False  # the card runs into the QR code
    if picture is not None and not picture.isNull():
        if portrait:
            room = QRectF(
                margin, panel_bottom + s * 0.9, w - 2 * margin, bottom - panel_bottom - s * 0.9
            )
        else:
            room_bottom = (out.qr.top() - s * 0.9) if out.qr is not None else bottom
            room = QRectF(side_x, panel_bottom, side_w, room_bottom - panel_bottom)
        if room.height() >= short * 0.12:
            scale = min(room.width() / picture.width(), room.height() / picture.height())
            pw, ph = picture.width() * scale, picture.height() * scale
            out.picture = QRectF(room.x() + (room.width() - pw) / 2, room.y(), pw, ph)
            if portrait:
                panel_bottom = out.picture.bottom()
    if portrait and panel_bottom > bottom:
        out.fits = False
    if main_bottom > bottom or (not portrait and panel_bottom - s * 0.9 > bottom):
        out.fits = False
    for box in out.texts:
        if not out.content.contains(box.ink) and box is not title:
            out.fits = False
    return out


def render_procedure(
    slide: ProcedureSlide,
    size: QSize,
    theme: Theme,
    base_dir: str | os.PathLike[str] | None = None,
) -> tuple[QImage, list[Problem]]:
    """The slide as an image of exactly `size`, plus problems (too much text, bad image).

    `base_dir` is the folder of the slide file: `image:` is relative to it. Safe to call from
    a worker thread (see module doc). Never raises for bad content.
    """
    problems: list[Problem] = []
    where = slide.pos if slide.pos.path else Position(slide.source)
    picture: QImage | None = None
    if slide.image:
        path = Path(base_dir or ".") / slide.image
        loaded = load_image(str(path))
        if isinstance(loaded, str):
            problems.append(
                Problem(
                    where,
                    _("image {name!r} cannot be shown: {reason}", name=slide.image, reason=loaded),
                )
            )
        else:
            picture = loaded
    code: QImage | None = None
    if slide.qr:
        short = min(size.width(), size.height())
        code = qr_image(slide.qr, round(short * QR_FRACTION), QSize(short, short))
    layout = layout_procedure(slide, size, theme, picture, code.width() if code else None)
    if not layout.fits:
        problems.append(Problem(where, TOO_MUCH_TEXT))
    if picture is not None and layout.picture is None:
        problems.append(
            Problem(
                where,
                _(
                    "no room for the image {name!r} on this slide; shorten the "
                    "text or make a separate slide for the image",
                    name=slide.image,
                ),
                "warning",
            )
        )
    image = QImage(size, QImage.Format.Format_RGB32)
    paint_layout(image, layout, theme, code, picture)
    log.debug(
        "procedure slide %s at %dx%d: text %d px, fits=%s",
        slide.source,
        size.width(),
        size.height(),
        layout.font_px,
        layout.fits,
    )
    return image, problems


def paint_layout(
    image: QImage,
    layout: SlideLayout,
    theme: Theme,
    code: QImage | None,
    picture: QImage | None,
) -> None:
    """Draw a computed layout onto `image` (exposed for tests and the preview sheet)."""
    image.fill(theme.background)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        # Whole-pixel edges: the band and its stripe run to the screen edges, crisp.
        stripe = max(2, round(layout.size.height() * 0.006))
        bottom = round(layout.title_band.bottom())
        painter.fillRect(QRect(0, 0, layout.size.width(), bottom), theme.band)
        painter.fillRect(QRect(0, bottom - stripe, layout.size.width(), stripe), theme.accent)
        if layout.logo is not None and theme.logo is not None:
            painter.drawImage(layout.logo, theme.logo)
        painter.setPen(Qt.PenStyle.NoPen)
        radius = layout.font_px * 0.4
        for card in layout.cards:
            painter.setBrush(theme.band)
            painter.drawRoundedRect(card, radius, radius)
        for badge, _size in layout.badges:
            painter.setBrush(theme.accent)
            painter.drawEllipse(badge)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if picture is not None and layout.picture is not None:
            painter.drawImage(layout.picture, picture)
        if code is not None and layout.qr is not None:
            # Whole pixels per module: drawn 1:1, never resampled.
            painter.drawImage(layout.qr.topLeft().toPoint(), code)
        for box in [*layout.texts, *(num for _, num in layout.badges)]:
            painter.setPen(box.colour)
            box.layout.draw(painter, box.origin)
    finally:
        painter.end()
