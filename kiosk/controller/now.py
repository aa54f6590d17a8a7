"""What the controller tells the rest of the player: its state, what is on screen, what
was shown (proof of play), and the stage it draws on."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal, Protocol

from PySide6.QtGui import QImage

from kiosk.core.model import Item

Outcome = Literal["completed", "skipped", "failed", "ended_early"]


@dataclass(frozen=True)
class Shown:
    """One item's time on screen, for the proof-of-play log.

    `start` and `end` are wall-clock times; `end - start` is how long it was on screen.
    """

    item: Item
    start: float
    end: float
    outcome: Outcome
    reason: str = ""  # why it was skipped, failed or not shown whole

    @classmethod
    def ended(
        cls, item: Item, on_screen_s: float, end: float, outcome: Outcome, reason: str = ""
    ) -> Shown:
        """Stamped when it leaves the screen: `end` is the wall clock then, and the start is
        `on_screen_s` (measured on the monotonic clock) before it. A wall clock stepped while
        it was shown (NTP setting a box that booted without network) moves the line to the
        clock as it now reads, as the lines after it are, and never changes its duration."""
        return cls(item, end - max(0.0, on_screen_s), end, outcome, reason)


class State(enum.Enum):
    STOPPED = "stopped"
    IDLE = "idle"
    LOADING = "loading"  # the next picture is coming (a read, a decode, a clip's start)
    VIDEO = "video"
    SLIDE = "slide"
    CLOSED = "closed"  # outside office hours: the closed slide, or the display off


@dataclass
class NowPlaying:
    item: Item | None = None
    since: float = 0.0
    state: State = State.STOPPED


@dataclass
class Counters:
    played: int = 0
    failed: int = 0
    loops: int = 0
    stalls: int = 0
    restarts: int = 0  # the player (libVLC instance) was recreated after repeated stalls


class StageView(Protocol):
    """The main zone (kiosk.ui.stage.Stage): only the controller calls it."""

    def show_frame(self, frame: QImage) -> None: ...

    def show_slide(self, image: QImage) -> None: ...

    def show_idle(self, detail: str = "") -> None: ...

    def begin_fade(self, ms: int) -> None: ...
