"""The sole owner of "what is on screen": a small state machine over the playlist.

It asks the player to play videos and the stage to show slides, moves on when a video
reports its end (libVLC EndReached) or a slide's time is up, and skips anything that
fails. The playlist is re-read once per loop, so changes land at a boundary: while the last
item of the loop is on screen (not during the switch, which must not wait for file reads).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QImage

from kiosk.core.model import Item, Kind, Playlist
from kiosk.core.schedule import OfficeHours
from kiosk.playback.base import Player

log = logging.getLogger(__name__)

# A file that failed is set aside until it changes, or until this long has passed.
RETRY_FAILED_AFTER_S = 600.0
# A video whose position has not moved for this long is stalled (a hung decoder or share).
STALL_AFTER_S = 5.0
# ... and so is one still on screen this long after its own length.
OVERRUN_MARGIN_S = 10.0
# After a switch, the outgoing player is stopped and the next item prepared this much later.
AFTER_SWITCH_MS = 250
# Outside office hours, the display is turned back on this long before opening.
WAKE_BEFORE_OPENING_S = 30.0
# This many stalls in a row (different files) means the player itself is sick: recreate it.
STALLS_BEFORE_RESTART = 2


Outcome = Literal["completed", "skipped", "failed"]


@dataclass(frozen=True)
class Shown:
    """One item's time on screen, for the proof-of-play log."""

    item: Item
    start: float
    end: float
    outcome: Outcome
    reason: str = ""


class _SlideRelay(QObject):
    done = Signal(object, object)  # (path, stamp, page), (QImage, pages) | reason


class StageView(Protocol):
    def show_frame(self, frame: QImage) -> None: ...

    def show_slide(self, image: QImage) -> None: ...

    def show_idle(self, detail: str = "") -> None: ...

    def begin_fade(self, ms: int) -> None: ...


class State(enum.Enum):
    STOPPED = "stopped"
    IDLE = "idle"
    LOADING = "loading"  # video asked for, previous picture still on screen
    VIDEO = "video"
    SLIDE = "slide"
    CLOSED = "closed"  # outside office hours: the closed slide, or the display off


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
    stalls: int = 0
    restarts: int = 0  # the player (libVLC instance) was recreated after repeated stalls


@dataclass
class NowPlaying:
    item: Item | None = None
    since: float = 0.0
    state: State = State.STOPPED


class Controller(QObject):
    """Drives one player and one stage. Everything runs on the Qt thread."""

    changed = Signal()  # what is on screen, the playlist or the failures changed
    item_ended = Signal(object)  # Shown: an item left the screen (proof of play)
    fatal = Signal(str)  # the player cannot be recreated: the process should exit

    def __init__(
        self,
        player: Player,
        stage: StageView,
        source: Callable[[], Playlist],
        load_slide: Callable[[Item, int], tuple[QImage, int] | str],
        clock: Callable[[], float] = time.time,
        idle_retry_ms: int = 5000,
        player_factory: Callable[[], list[Player]] | None = None,
        stall_after_s: float = STALL_AFTER_S,
        spare: Player | None = None,
        hours: OfficeHours | None = None,
        on_closed: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__()
        # Two players when gapless: while one shows item N, the spare holds N+1 ready.
        self._player = player
        self._spare = spare
        self._outgoing: Player | None = None  # stopped once the incoming picture is up
        self._prepared: Item | None = None  # what the spare holds
        # (path, stamp, page) -> (picture, page count), decoded off the Qt thread in advance
        self._prepared_slides: dict[tuple[str, tuple[int, float], int], tuple[QImage, int]] = {}
        self._page, self._pages = 1, 1  # of the PDF on screen
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _SlideRelay(self)
        self._relay.done.connect(self._on_slide_prepared)
        self._hours = hours
        self._on_closed = on_closed
        self._woken = False  # the display was turned back on ahead of the opening
        self._connections: list[tuple[Any, Any]] = []
        self._player_factory = player_factory
        self._stall_after_s = stall_after_s
        self._stalls_in_a_row = 0
        self._shown: tuple[Item, float] | None = None
        self._last_pos = -1
        self._last_progress = 0.0
        self._stage = stage
        self._source = source
        self._load_slide = load_slide
        self._clock = clock
        self.playlist = Playlist((), "<none>")
        self.index = -1
        self.now = NowPlaying()
        self.failures: dict[str, Failure] = {}
        self.counters = Counters()
        self._fails_in_a_row = 0
        self._dirty = False  # the content changed: re-read the playlist at the next boundary
        self._read_for_wrap = False  # re-read ahead of the coming wrap: not again at the wrap
        self._pending_frame: QImage | None = None
        self._slide_timer = QTimer(self)
        self._slide_timer.setSingleShot(True)
        # Precise: Qt's default coarse timers may fire 5 % late (half a second on a 10 s slide).
        self._slide_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._slide_timer.timeout.connect(self._on_slide_done)
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(idle_retry_ms)
        self._idle_timer.timeout.connect(self._retry_from_idle)
        # After a switch: stop the outgoing player and prepare the next item, a moment later
        # so the first frames of the new item get the Qt thread to themselves.
        self._after_switch_timer = QTimer(self)
        self._after_switch_timer.setSingleShot(True)
        self._after_switch_timer.setInterval(AFTER_SWITCH_MS)
        self._after_switch_timer.timeout.connect(self._after_switch)
        self._closed_timer = QTimer(self)
        self._closed_timer.setSingleShot(True)
        self._closed_timer.timeout.connect(self._check_hours)
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(500)
        self._watch_timer.timeout.connect(self._watch)
        self._connect_all()

    def players(self) -> list[Player]:
        return [p for p in (self._player, self._spare) if p is not None]

    def _connect_all(self) -> None:
        """Each player's signals carry which player sent them: only the right one acts."""
        for p in self.players():
            pairs = (
                (p.ready, lambda p=p: self._on_ready(p)),
                (p.started, lambda p=p: self._on_started(p)),
                (p.finished, lambda p=p: self._on_finished(p)),
                (p.failed, lambda reason, p=p: self._on_failed(p, reason)),
                (p.frame, lambda frame, p=p: self._on_frame(p, frame)),
            )
            for signal, slot in pairs:
                signal.connect(slot)
                self._connections.append((signal, slot))

    def _disconnect_all(self) -> None:
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []

    # ----------------------------------------------------------------- public
    @property
    def state(self) -> State:
        return self.now.state

    def start(self) -> None:
        self._refresh()
        self._play_from(0)

    @property
    def player(self) -> Player:
        return self._player

    def stop(self) -> None:
        for timer in (
            self._slide_timer,
            self._idle_timer,
            self._watch_timer,
            self._after_switch_timer,
        ):
            timer.stop()
        for p in self.players():
            p.stop()
        self._prepared = self._outgoing = None
        self._prepared_slides.clear()
        self._closed_timer.stop()
        self._pool.clear()
        self._pool.waitForDone(10_000)
        self._close_shown("skipped", "the player stopped")
        self._set_now(None, State.STOPPED)

    def invalidate(self) -> None:
        """Content changed: the new playlist is taken at the next item boundary."""
        self._dirty = True
        if self.now.state is State.IDLE:
            self._retry_from_idle()  # nothing on screen to protect: play the news at once

    def file_gone(self, path: str) -> None:
        """A file was deleted or replaced. If it is on screen, move on now (never cut else)."""
        self._dirty = True
        if self._prepared is not None and self._prepared.path == path and self._spare:
            self._spare.stop()
            self._prepared = None
        item = self.now.item
        if item is None or item.path != path:
            return
        if self.now.state in (State.LOADING, State.VIDEO, State.SLIDE):
            log.info("%s was removed or replaced while on screen: moving on", item.rel)
            self._player.stop()
            self._close_shown("skipped", "the file was removed or replaced")
            self._next()

    def upcoming(self) -> Item | None:
        """The item that should follow the current one (for the status file)."""
        items = self.playlist.items
        for step in range(1, len(items) + 1):
            item = items[(self.index + step) % len(items)]
            if not self._skip(item):
                return item
        return None

    def now_local(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), tz=UTC)

    def _skip(self, item: Item) -> bool:
        """Set aside after failing, or outside its schedule (valid dates, weekdays, times)."""
        if self._set_aside(item):
            return True
        return item.schedule is not None and not item.schedule.active(self.now_local())

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
        now = self.now_local()
        if self._hours is not None and not self._hours.is_open(now):
            self._go_closed(now)
            return
        items = self.playlist.items
        tried = 0
        while tried < max(1, len(items)) and items:
            if index >= len(items):
                self.counters.loops += 1
                if not self._read_for_wrap:
                    self._refresh()
                self._read_for_wrap = False
                items = self.playlist.items
                index = 0
                if not items:
                    break
            item = items[index]
            tried += 1
            if self._fails_in_a_row >= len(items) > 0:
                break  # every item failed in a row: rest on the idle slide, then retry
            if self._skip(item):
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
        self._pending_frame = None
        self._set_now(item, State.LOADING)
        if self._spare is None:
            log.debug("loading %s", item.rel)
            self._player.load(item.path)  # shown on `ready`
            return
        held = self._prepared
        if held is None or held.path != item.path or held.stamp != item.stamp:
            self._spare.load(item.path)  # not prepared: open it now (show() waits for it)
        self._prepared = None
        # The incoming player takes over. Primed, it hands its first picture over inside
        # show(); if not, the outgoing one keeps its last picture on the stage until the
        # first new one arrives. Either way it is stopped a moment later: never black.
        self._outgoing, self._player, self._spare = self._player, self._spare, self._player
        self._player.show()

    def _slide_picture(self, item: Item, page: int) -> tuple[QImage, int] | str:
        held = self._prepared_slides.pop((item.path, item.stamp, page), None)
        return held if held is not None else self._load_slide(item, page)

    def _start_slide(self, item: Item, page: int = 1) -> bool:
        result = self._slide_picture(item, page)
        if isinstance(result, str):
            if page > 1:  # a later PDF page failed: the document still showed; move on
                log.warning("%s page %d: %s", item.rel, page, result)
                return False
            self._record_failure(item, result)
            return False
        image, self._pages = result
        self._page = page
        self._player.stop()  # a video that was on screen must not go on underneath
        self._stage.begin_fade(self.playlist.transition.fade_ms)
        self._stage.show_slide(image)
        if page == 1:
            self._succeeded(item, State.SLIDE)
        else:
            self._after_switch_timer.start()
        duration_ms = (item.duration if item.duration is not None else 10.0) * 1000
        self._slide_timer.start(max(1, int(duration_ms)))
        return True

    def _prepare_slide(self, item: Item, page: int) -> None:
        key = (item.path, item.stamp, page)
        if key in self._prepared_slides:
            return
        load, relay = self._load_slide, self._relay

        def work() -> None:
            try:
                relay.done.emit(key, load(item, page))
            except Exception as e:  # a renderer bug must not take the player down
                relay.done.emit(key, f"could not be rendered: {e}")

        # A plain callable, not a QRunnable subclass: PySide6 6.11 keeps ~1 in 4 of those
        # alive for good when run() ends before start() returns (bench/soak: +2 per 1,000
        # items, each holding its item).
        self._pool.start(work)

    def _on_slide_prepared(self, key: tuple[str, tuple[int, float], int], result: object) -> None:
        if isinstance(result, tuple) and self.now.state is not State.STOPPED:
            self._prepared_slides = {key: result}  # only the next one is kept

    def _prepare_next(self) -> None:
        """While this item is on screen, get the next one ready: opened and held, or decoded."""
        current = self.now.item
        if current is not None and current.kind is Kind.PDF and self._page < self._pages:
            self._prepare_slide(current, self._page + 1)
            return
        upcoming = self.upcoming()
        if upcoming is None:
            return
        if upcoming.kind.still:
            self._prepare_slide(upcoming, 1)
            return
        if self._spare is None:
            return
        held = self._prepared
        if held is not None and held.path == upcoming.path and held.stamp == upcoming.stamp:
            return
        self._prepared = upcoming
        self._spare.load(upcoming.path)

    def _close_shown(self, outcome: Outcome, reason: str = "") -> None:
        if self._shown is None:
            return
        item, start = self._shown
        self._shown = None
        self._watch_timer.stop()
        self.item_ended.emit(Shown(item, start, self._clock(), outcome, reason))

    def _succeeded(self, item: Item, state: State) -> None:
        self._close_shown("completed")
        self._after_switch_timer.start()  # once the new picture is up
        self._shown = (item, self._clock())
        if state is State.VIDEO:
            self._last_pos, self._last_progress = -1, self._clock()
            self._watch_timer.start()
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
        self._after_switch_timer.stop()
        for p in self.players():
            p.stop()
        self._prepared = self._prepared_slide = self._outgoing = None
        self._close_shown("completed")
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
        if self._dirty:
            self.index = self._reread()
        self._play_from(self.index + 1)

    def _reread(self) -> int:
        """Re-read the playlist; returns the index of the item on screen in the new one (or
        of the one before its old place, when it left the list)."""
        current = self.now.item
        self._refresh()
        paths = [i.path for i in self.playlist.items]
        if current is not None and current.path in paths:
            # Go on after the item just shown, wherever the new list put it (a file listed
            # twice: prefer the occurrence at or after the old position).
            start = min(self.index, len(paths) - 1)
            later = current.path in paths[start:]
            return paths.index(current.path, start) if later else paths.index(current.path)
        return self.index - 1  # it left the list: what took its place plays next

    def _read_ahead_of_wrap(self) -> None:
        """On the loop's last item, re-read the playlist now, so the wrap itself reads nothing."""
        items = self.playlist.items
        if self._read_for_wrap or self.now.item is None:
            return
        if any(not self._skip(item) for item in items[self.index + 1 :]):
            return  # not the last item of the loop
        self.index = self._reread()
        self._read_for_wrap = True

    # ---------------------------------------------------------- player events
    def _current_video(self) -> Item | None:
        item = self.now.item
        if item is None or item.kind is not Kind.VIDEO:
            return None
        if self.now.state not in (State.LOADING, State.VIDEO):
            return None
        return item

    def _on_ready(self, player: Player) -> None:
        if player is not self._player:
            return  # the spare holds the next item: nothing to do until its turn
        single = self._spare is None  # with two players, show() was called at the switch
        if single and self._current_video() is not None and self.now.state is State.LOADING:
            player.show()

    def _on_started(self, player: Player) -> None:
        item = self._current_video()
        if player is not self._player or item is None or self.now.state is not State.LOADING:
            return
        self._stage.begin_fade(self.playlist.transition.fade_ms)
        self._succeeded(item, State.VIDEO)  # the outgoing player stops a moment later
        if self._pending_frame is not None:
            self._stage.show_frame(self._pending_frame)
            self._pending_frame = None

    def _after_switch(self) -> None:
        self._stop_outgoing()
        self._read_ahead_of_wrap()
        self._prepare_next()

    def _stop_outgoing(self) -> None:
        outgoing, self._outgoing = self._outgoing, None
        if outgoing is not None:
            outgoing.stop()

    def _on_frame(self, player: Player, frame: QImage) -> None:
        if player is self._outgoing and self.now.state is State.LOADING:
            self._stage.show_frame(frame)  # the last frames of the clip being handed over
            return
        if player is not self._player:
            return
        if self.now.state is State.VIDEO:
            self._stage.show_frame(frame)
        elif self.now.state is State.LOADING:
            # The first picture may arrive before `started`: keep it so it is not skipped,
            # while the previous item stays on screen.
            self._pending_frame = frame

    def _on_finished(self, player: Player) -> None:
        if player is self._player and self._current_video() is not None:
            self._stalls_in_a_row = 0
            self._close_shown("completed")
            self._next()

    def _on_failed(self, player: Player, reason: str) -> None:
        if player is self._spare and self._prepared is not None:
            # The next item failed while being prepared: set it aside before its turn.
            self._record_failure(self._prepared, reason)
            self._prepared = None
            return
        item = self._current_video()
        if player is not self._player or item is None:
            return
        self._stop_outgoing()
        self._close_shown("failed", reason)
        self._record_failure(item, reason)
        self._next()

    def _on_slide_done(self) -> None:
        if self.now.state is not State.SLIDE:
            return
        item = self.now.item
        if (
            item is not None
            and item.kind is Kind.PDF
            and self._page < self._pages
            and self._start_slide(item, self._page + 1)
        ):
            return  # the next page of the same document
        self._close_shown("completed")
        self._next()

    # ----------------------------------------------------------- office hours
    def _go_closed(self, now: datetime) -> None:
        self._after_switch_timer.stop()
        for p in self.players():
            p.stop()
        self._close_shown("skipped", "the office closed")
        if self.now.state is not State.CLOSED:
            log.info("outside office hours: closed")
            self._woken = False
            self._set_now(None, State.CLOSED)
            if self._on_closed is not None:
                self._on_closed(True)
        self._arm_hours_timer(now)

    def _arm_hours_timer(self, now: datetime) -> None:
        """Wake before the next opening (and at least every minute: clocks change).

        `now` is the instant the caller judged "closed" at: read again here, it may already
        be past the opening, whose next change is the closing (a minute's sleep, not 0.1 s).
        """
        assert self._hours is not None
        change = self._hours.next_change(now)
        wait_s = 60.0
        if change is not None:
            until = (change - now).total_seconds()
            # Once to wake the display a little early, once at the opening itself.
            wait_s = until - WAKE_BEFORE_OPENING_S if until > WAKE_BEFORE_OPENING_S else until
            wait_s = min(60.0, wait_s)
        wait_ms = max(100, int(wait_s * 1000))
        log.debug("closed: next look at the hours in %d ms (next change %s)", wait_ms, change)
        self._closed_timer.start(wait_ms)

    def _check_hours(self) -> None:
        if self.now.state is not State.CLOSED or self._hours is None:
            return
        now = self.now_local()
        if not self._hours.is_open(now):
            change = self._hours.next_change(now)
            soon = change is not None and (change - now).total_seconds() <= WAKE_BEFORE_OPENING_S
            if soon and not self._woken and self._on_closed is not None:
                self._woken = True
                self._on_closed(False)  # the TV is on before the first visitor walks in
            self._arm_hours_timer(now)
            return
        log.info("office hours begin: playing")
        if self._on_closed is not None and not self._woken:
            self._on_closed(False)
        self._set_now(None, State.IDLE)
        self._refresh()
        self._play_from(0)

    # ------------------------------------------------------------- the watch
    def _watch(self) -> None:
        """A playing video must advance and end: a frozen frame is never left on screen."""
        item = self.now.item
        if self.now.state is not State.VIDEO or item is None:
            self._watch_timer.stop()
            return
        now = self._clock()
        pos = self._player.position_ms()
        if pos != self._last_pos:
            self._last_pos, self._last_progress = pos, now
        length = self._player.length_ms()
        if now - self._last_progress >= self._stall_after_s:
            where = f"{pos / 1000:.1f} s" if pos >= 0 else "the start"
            self._stalled(
                item,
                f"playback stalled at {where} (no progress for {now - self._last_progress:.0f} s)",
            )
        elif length > 0 and now - self.now.since > length / 1000 + OVERRUN_MARGIN_S:
            self._stalled(
                item,
                f"still playing {now - self.now.since:.0f} s after starting "
                f"a {length / 1000:.0f} s clip",
            )

    def _stalled(self, item: Item, reason: str) -> None:
        log.error("%s: %s; skipping it", item.rel, reason)
        self.counters.stalls += 1
        self._stalls_in_a_row += 1
        self._player.stop()
        self._close_shown("failed", reason)
        self._record_failure(item, reason)
        if self._stalls_in_a_row >= STALLS_BEFORE_RESTART and not self._replace_player():
            return
        self._next()

    def _replace_player(self) -> bool:
        """Recreate the players (a fresh libVLC instance); False if that failed (fatal)."""
        if self._player_factory is None:
            return True
        log.warning("%d stalls in a row: recreating the video player", self._stalls_in_a_row)
        self._disconnect_all()
        self._after_switch_timer.stop()
        for p in self.players():
            p.close()
        self._prepared = self._outgoing = None
        try:
            fresh = self._player_factory()
        except Exception as e:
            log.critical("cannot recreate the video player: %s", e)
            self._set_now(None, State.STOPPED)
            self.fatal.emit(f"cannot recreate the video player: {e}")
            return False
        self._player, self._spare = fresh[0], (fresh[1] if len(fresh) > 1 else None)
        self._connect_all()
        self._stalls_in_a_row = 0
        self.counters.restarts += 1
        return True
