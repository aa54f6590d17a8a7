"""Every still kind as a picture for the main zone: images, procedure slides, PDF pages.

Safe to call from a worker thread (no widgets): the controller prepares the next slide off
the Qt thread so a PDF render, a text layout or a 50-megapixel photo never freezes the video
on screen.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from kiosk.core.model import Item, Kind
from kiosk.core.procedure import parse_procedure
from kiosk.media.images import load_image
from kiosk.ui.pdf import pdf_page_count, render_pdf_page
from kiosk.ui.textslide import render_procedure
from kiosk.ui.theme import Theme

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1920, 1080)


@dataclass
class SlideRenderer:
    """`render(item, page)` -> (picture, page count) or the reason it cannot be shown."""

    theme: Theme = field(default_factory=Theme)
    size: Callable[[], QSize] = lambda: DEFAULT_SIZE

    def __call__(
        self, item: Item, page: int = 1, size: QSize | None = None
    ) -> tuple[QImage, int] | str:
        size = size if size is not None and not size.isEmpty() else self.size()
        if item.kind is Kind.SLIDE:
            # At the size it is shown, here on the worker: the Qt thread never scales it.
            image = load_image(item.path, fit=size)
            return image if isinstance(image, str) else (image, 1)
        if item.kind is Kind.TEXT:
            return self._text(item, size)
        if item.kind is Kind.PDF:
            pages = pdf_page_count(item.path)
            if isinstance(pages, str):
                return pages
            if pages < 1:
                return "the PDF has no pages"
            rendered = render_pdf_page(item.path, min(page, pages), size)
            return rendered if isinstance(rendered, str) else (rendered, pages)
        return f"{item.kind.value} is not a still"

    def _text(self, item: Item, size: QSize) -> tuple[QImage, int] | str:
        try:
            with open(item.path, "rb") as f:
                data = f.read()
        except OSError as e:
            return f"cannot read: {e.strerror or e}"
        slide, problems = parse_procedure(data, item.path)
        if slide is None:
            errors = [p.message for p in problems if p.severity == "error"]
            return errors[0] if errors else "not a procedure slide (it needs title: and steps:)"
        image, more = render_procedure(slide, size, self.theme, os.path.dirname(item.path))
        for p in more:
            log.warning("%s", p)  # too much text: the best fit is still shown
        return image, 1
