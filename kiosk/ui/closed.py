"""The closed slide: the admin's picture (`closed.slide`), else one listing the office hours
and when the office opens again. The controller shows it; it is made off the Qt thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from kiosk.core.schedule import OfficeHours
from kiosk.media.images import load_image
from kiosk.ui.closedslide import render_closed
from kiosk.ui.theme import Theme

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClosedPicture:
    slide: Path | None  # the admin's, or None: generated
    theme: Theme
    office: str
    hours: OfficeHours
    size: Callable[[], QSize]  # of the main zone; read on the Qt thread

    def __call__(self, at: datetime) -> Callable[[], QImage]:
        """On the Qt thread: the work that makes the picture at `at`, to run off it."""
        size = self.size()
        return lambda: self.make(at, size)

    def make(self, at: datetime, size: QSize) -> QImage:
        if self.slide is not None:
            image = load_image(str(self.slide))
            if not isinstance(image, str):
                return image
            log.warning("closed.slide %s: %s; showing the generated one", self.slide, image)
        return render_closed(size, self.theme, self.office, self.hours, at)
