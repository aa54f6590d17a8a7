"""The sole owner of "what is on screen": a small state machine over the playlist.

It asks the player to play videos and the stage to show slides, moves on when a video
reports its end (libVLC EndReached) or a slide's time is up, and skips anything that
fails. The playlist is re-read at every wrap of the loop, so changes land at a boundary.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from kiosk.core.model import Item, Kind, Playlist
from kiosk.playback.base import Player

log = logging.getLogger(__name__)

# A file that failed is set aside until it changes, or until this long has passed.
RETRY_FAILED_AFTER_S = 600.0


class StageView(Protocol):
    def show_frame(self, frame: QImage) -> None: ...

    def show_slide(self, image: QImage) -> None: ...

    def show_idle(self, detail: str = "") -> None: ...


class State(enum.Enum):
    STOPPED = "stopped"
    IDLE = "idle"
    LOADING = "loading"  # video asked for, previous picture still on screen
    VIDEO = "video"
    SLIDE = "slide"


@dataclass
class Failure:
    rel: str
    reason: str
    when: float
    stamp: tuple[int, float]
    count: int = 1


@dataclass
class Counters:
    played: int = 0
    failed: int = 0
    loops: int = 0


@dataclass
class NowPlaying:
    item: Item | None = None
    since: float = 0.0
    state: State = State.STOPPED
    history: list[str] = field(default_factory=list)


class Controller(QObject):
    """Drives one player and one stage. Everything runs on the Qt thread."""

    changed = Signal()  # what is on screen, the playlist or the failures changed

    def __init__(
        self,
        player: Player,
        stage: StageView,
        source: Callable[[], Playlist],
        load_image: Callable[[str], QImage | str],
        clock: Callable[[], float] = time.time,
        idle_retry_ms: int = 5000,
    ) -> None:
        super().__init__()
        self._player = player
        self._stage = stage
        self._source = source
        self._load_image = load_image
        self._clock = clock
        self.playlist = Playlist((), "<none>")
        self.index = -1
        self.now = NowPlaying()
        self.failures: dict[str, Failure] = {}
        self.counters = Counters()
        self._fails_in_a_row = 0
        self._dirty = False  # the content changed: re-read the playlist at the next boundary
        self._pending_frame: QImage | None = None
        self._slide_timer = QTimer(self)
        self._slide_timer.setSingleShot(True)
        self._slide_timer.timeout.connect(self._on_slide_done)
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(idle_retry_ms)
        self._idle_timer.timeout.connect(self._retry_from_idle)
        player.ready.connect(self._on_ready)
        player.started.connect(self._on_started)
        player.finished.connect(self._on_finished)
        player.failed.connect(self._on_failed)
        player.frame.connect(self._on_frame)

    # ----------------------------------------------------------------- public
    @property
    def state(self) -> State:
        return self.now.state

    def start(self) -> None:
        self._refresh()
        self._play_from(0)

    def stop(self) -> None:
        self._slide_timer.stop()
        self._idle_timer.stop()
        self._player.stop()
        self._set_now(None, State.STOPPED)

    def invalidate(self) -> None:
        """Content changed: the new playlist is taken at the next item boundary."""
        self._dirty = True
        if self.now.state is State.IDLE:
            self._retry_from_idle()  # nothing on screen to protect: play the news at once

    def file_gone(self, path: str) -> None:
        """A file was deleted or replaced. If it is on screen, move on now (never cut else)."""
        self._dirty = True
        item = self.now.item
        if item is None or item.path != path:
            return
        if self.now.state in (State.LOADING, State.VIDEO, State.SLIDE):
            log.info("%s was removed or replaced while on screen: moving on", item.rel)
            self._player.stop()
            self._next()

    def upcoming(self) -> Item | None:
        """The item that should follow the current one (for the status file)."""
        items = self.playlist.items
        for step in range(1, len(items) + 1):
            item = items[(self.index + step) % len(items)]
            if not self._set_aside(item):
                return item
        return None

    # ---------------------------------------------------------------- helpers
    def _refresh(self) -> None:
        self._dirty = False
        old = self.playlist
        self.playlist = self._source()
        if [i.path for i in old.items] != [i.path for i in self.playlist.items]:
            log.info(
                "playlist %s: %d item(s)%s",
                self.playlist.source,
                len(self.playlist.items),
                f", {len(self.playlist.problems)} problem(s)" if self.playlist.problems else "",
            )
        live = {i.path for i in self.playlist.items}
        for path in [p for p in self.failures if p not in live]:
            del self.failures[path]  # gone from the folder: nothing left to report
        self.changed.emit()

    def _set_aside(self, item: Item) -> bool:
        failure = self.failures.get(item.path)
        if failure is None:
            return False
        if failure.stamp != item.stamp:
            return False  # the file changed: try it again
        return self._clock() - failure.when < RETRY_FAILED_AFTER_S

    def _set_now(self, item: Item | None, state: State) -> None:
        self.now.item = item
        self.now.state = state
        self.now.since = self._clock()
        self.changed.emit()

    def _play_from(self, index: int) -> None:
        """Play the first usable item at or after `index`, wrapping (and re-reading) once."""
        self._slide_timer.stop()
        items = self.playlist.items
        tried = 0
        while tried < max(1, len(items)) and items:
            if index >= len(items):
                self.counters.loops += 1
                self._refresh()
                items = self.playlist.items
                index = 0
                if not items:
                    break
            item = items[index]
            tried += 1
            if self._fails_in_a_row >= len(items) > 0:
                break  # every item failed in a row: rest on the idle slide, then retry
            if self._set_aside(item):
                index += 1
                continue
            self.index = index
            if item.kind is Kind.VIDEO:
                self._start_video(item)
                return
            if self._start_slide(item):
                return
            index += 1
        self._go_idle()

    def _start_video(self, item: Item) -> None:
        log.debug("loading %s", item.rel)
        self._pending_frame = None
        self._set_now(item, State.LOADING)
        self._player.load(item.path)

    def _start_slide(self, item: Item) -> bool:
        image = self._load_image(item.path)
        if isinstance(image, str):
            self._record_failure(item, image)
            return False
        self._player.stop()  # a video that was on screen must not go on underneath
        self._stage.show_slide(image)
        self._succeeded(item, State.SLIDE)
        duration = item.duration if item.duration is not None else 10.0
        self._slide_timer.start(int(duration * 1000))
        return True

    def _succeeded(self, item: Item, state: State) -> None:
        self._fails_in_a_row = 0
        self.failures.pop(item.path, None)
        self.counters.played += 1
        log.info("showing %s (%s)", item.rel, state.value)
        self._set_now(item, state)

    def _record_failure(self, item: Item, reason: str) -> None:
        self._fails_in_a_row += 1
        self.counters.failed += 1
        previous = self.failures.get(item.path)
        count = previous.count + 1 if previous and previous.stamp == item.stamp else 1
        self.failures[item.path] = Failure(item.rel, reason, self._clock(), item.stamp, count)
        log.warning("skipped %s: %s", item.rel, reason)
        self.changed.emit()

    def _go_idle(self) -> None:
        self._player.stop()
        self._fails_in_a_row = 0
        if self.playlist.items:
            detail = f"{len(self.failures)} tệp không phát được — xem kiosk status"
        else:
            detail = f"Thư mục đồng bộ chưa có tệp phát được ({self.playlist.source})"
        self._stage.show_idle(detail)
        if self.now.state is not State.IDLE:
            log.info("nothing playable: showing the idle slide")
        self._set_now(None, State.IDLE)
        self._idle_timer.start()

    def _retry_from_idle(self) -> None:
        self._idle_timer.stop()
        if self.now.state is not State.IDLE:
            return  # something is already playing: never cut it
        self._refresh()
        self._play_from(0)

    def _next(self) -> None:
        if not self._dirty:
            self._play_from(self.index + 1)
            return
        current = self.now.item
        self._refresh()
        paths = [i.path for i in self.playlist.items]
        if current is not None and current.path in paths:
            # Go on after the item just shown, wherever the new list put it (a file listed
            # twice: prefer the occurrence at or after the old position).
            start = min(self.index, len(paths) - 1)
            later = current.path in paths[start:]
            at = paths.index(current.path, start) if later else paths.index(current.path)
            self._play_from(at + 1)
            return
        self._play_from(self.index)  # it left the list: what took its place plays next

    # ---------------------------------------------------------- player events
    def _current_video(self) -> Item | None:
        item = self.now.item
        if item is None or item.kind is not Kind.VIDEO:
            return None
        if self.now.state not in (State.LOADING, State.VIDEO):
            return None
        return item

    def _on_ready(self) -> None:
        if self._current_video() is not None and self.now.state is State.LOADING:
            self._player.show()

    def _on_started(self) -> None:
        item = self._current_video()
        if item is not None and self.now.state is State.LOADING:
            self._succeeded(item, State.VIDEO)
            if self._pending_frame is not None:
                self._stage.show_frame(self._pending_frame)
                self._pending_frame = None

    def _on_frame(self, frame: QImage) -> None:
        if self.now.state is State.VIDEO:
            self._stage.show_frame(frame)
        elif self.now.state is State.LOADING:
            # The first picture may arrive before `started`: keep it so it is not skipped,
            # while the previous item stays on screen.
            self._pending_frame = frame

    def _on_finished(self) -> None:
        if self._current_video() is not None:
            self._next()

    def _on_failed(self, reason: str) -> None:
        item = self._current_video()
        if item is None:
            return
        self._record_failure(item, reason)
        self._next()

    def _on_slide_done(self) -> None:
        if self.now.state is State.SLIDE:
            self._next()
