"""The state machine over the playlist: the sole owner of "what is on screen".

It asks the player to play videos and the stage to show slides, the idle picture and the
closed picture; it moves on when a video reports its end (libVLC EndReached) or a slide's
time is up, and skips anything that fails. Which item plays is decided by the rotation
rules (kiosk.core.rotation), the same ones `kiosk check --at` reports.

Nothing here waits for the disk: the playlist is read, and slides are decoded, by a
Worker; what is on screen stays until their results are back. The playlist is read while
the loop's last item plays and whenever the content changed; it lands at the next item
boundary (a change never cuts the clip on screen, unless its own file went away).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from kiosk.clock import Clock
from kiosk.clock.qt import QtClock
from kiosk.controller.afterswitch import AfterSwitch
from kiosk.controller.hours import ClosedHours, HoursWatch
from kiosk.controller.now import Counters, NowPlaying, Outcome, StageView, State
from kiosk.controller.shown import ShownLog
from kiosk.core import rotation
from kiosk.core.model import Item, Kind, Playlist
from kiosk.core.msg import _
from kiosk.core.rotation import Failure
from kiosk.core.stall import VideoWatch
from kiosk.playback.base import Player
from kiosk.playback.pair import PlayerPair
from kiosk.playback.stills import Picture, Stills
from kiosk.sync.reads import PlaylistReads, PlaylistSource

log = logging.getLogger(__name__)

# This many stalls in a row (different files) means the player itself is sick: recreate it.
STALLS_BEFORE_RESTART = 2


class Controller(QObject):
    """Drives one player (two when gapless) and one stage, on the Qt thread."""

    changed = Signal()  # what is on screen, the playlist or the failures changed
    item_ended = Signal(object)  # Shown: an item left the screen (proof of play)
    fatal = Signal(str)  # the player cannot be recreated: the process should exit

    def __init__(
        self,
        player: Player,
        stage: StageView,
        source: PlaylistSource,
        load_slide: Callable[[Item, int], Picture],
        clock: Clock | None = None,
        idle_retry_ms: int = 5000,
        player_factory: Callable[[], list[Player]] | None = None,
        spare: Player | None = None,
        closed: ClosedHours | None = None,
        watch: VideoWatch | None = None,
    ) -> None:
        super().__init__()
        self._clock = clock or QtClock()
        # Two players when gapless: while one shows item N, the spare holds N+1 ready.
        self._pair = PlayerPair(player, spare, player_factory)
        pair = self._pair
        pair.started.connect(self._on_started)
        pair.finished.connect(self._on_finished)
        pair.failed.connect(self._on_failed)
        pair.frame.connect(self._on_frame)
        pair.handover.connect(self._on_handover)
        pair.spare_failed.connect(self._record_failure)
        self._stage = stage
        self._reads = PlaylistReads(source, self._clock.worker(self), self._on_read)
        self._decodes = self._clock.worker(self)
        self._stills = Stills(load_slide, self._decodes)
        self._page, self._pages = 1, 1  # of the PDF on screen
        self._hours = HoursWatch(closed, self._clock, self, self._opening) if closed else None
        self._watch = watch or VideoWatch()
        self._stalls_in_a_row = 0
        self._fails_in_a_row = 0
        self._shown = ShownLog(self._clock, self.item_ended.emit)
        self._pending_frame: QImage | None = None
        self.playlist = Playlist((), "<none>")
        self.index = -1
        self.now = NowPlaying()
        self.failures: dict[str, Failure] = {}
        self.not_whole = self._shown.not_whole  # clips not shown whole, for the status
        self.counters = Counters()
        timer = self._clock.timer
        self._slide_timer = timer(self, self._on_slide_done, precise=True)
        self._idle_timer = timer(self, self._retry_from_idle, idle_retry_ms)
        # After a switch: stop the outgoing player and prepare the next item, a moment later.
        self._after_switch_timer = AfterSwitch(
            self._clock, self, pair.stop_outgoing, self._after_switch
        )
        self._watch_timer = timer(self, self._check_video, 500, repeat=True)

    def players(self) -> list[Player]:
        return self._pair.players()

    # ----------------------------------------------------------------- public
    @property
    def state(self) -> State:
        return self.now.state

    @property
    def player(self) -> Player:
        return self._pair.current

    def start(self) -> None:
        self._set_now(None, State.LOADING)
        self._reads.request(play=True)

    def stop(self) -> None:
        self._stop_all()
        self._idle_timer.stop()
        self._watch_timer.stop()
        if self._hours is not None:
            self._hours.stop()
        self._reads.stop()
        self._decodes.stop()
        self._close_shown("skipped", _("the player stopped"))
        self._set_now(None, State.STOPPED)

    def invalidate(self) -> None:
        """Content changed: read the playlist; it is taken at the next item boundary, or at
        once on the idle picture (nothing on screen to protect)."""
        if self.now.state not in (State.STOPPED, State.CLOSED):  # opening reads anyway
            self._reads.request(play=self.now.state is State.IDLE)

    def file_gone(self, path: str) -> None:
        """A file was deleted or replaced. If it is on screen, move on now (never cut else)."""
        self.invalidate()
        self._stills.forget(path)
        self._pair.drop(path)
        item = self.now.item
        if item is None or item.path != path:
            return
        if self.now.state in (State.LOADING, State.VIDEO, State.SLIDE):
            log.info("%s was removed or replaced while on screen: moving on", item.rel)
            self._pair.stop_current()
            self._close_shown("skipped", _("the file was removed or replaced"))
            self._next()

    def upcoming(self) -> Item | None:
        """The item that should follow the current one (for the status file)."""
        items, index = self.playlist.items, self.index
        fresh = self._reads.fresh
        if fresh is not None:  # read already: it is taken at the boundary
            items = fresh.items
            index = rotation.index_after_reread(index, self.now.item, items)
        mono = self._clock.monotonic()
        following = rotation.following(items, index, self._at(), self.failures, mono)
        return items[following] if following is not None else None

    # ---------------------------------------------------------------- helpers
    def _at(self) -> datetime:
        return datetime.fromtimestamp(self._clock.now(), tz=UTC)

    def _on_read(self, play: bool) -> None:
        if play and self.now.item is None and self.now.state in (State.IDLE, State.LOADING):
            self._take_fresh()
            self._play_from(0)
        elif self.now.state in (State.VIDEO, State.SLIDE):
            self._prepare_next()  # the item after this one may have changed

    def _take_fresh(self) -> bool:
        playlist = self._reads.take()
        if playlist is None:
            return False
        if [i.path for i in self.playlist.items] != [i.path for i in playlist.items]:
            problems = f", {len(playlist.problems)} problem(s)" if playlist.problems else ""
            log.info("playlist %s: %d item(s)%s", playlist.source, len(playlist.items), problems)
        self.playlist = playlist
        rotation.forget_gone(self.failures, playlist.items)
        self._shown.forget_gone(playlist.items)
        self.changed.emit()
        return True

    def _set_now(self, item: Item | None, state: State, keep_since: bool = False) -> None:
        self.now.item = item
        self.now.state = state
        if not keep_since:
            self.now.since = self._clock.now()
        self.changed.emit()

    def _play_from(self, index: int) -> None:
        """Play the first playable item at or after `index`, wrapping once."""
        self._slide_timer.stop()
        at = self._at()
        if self._hours is not None and not self._hours.closed.hours.is_open(at):
            self._go_closed(at)
            return
        failures, mono = self.failures, self._clock.monotonic()
        found = rotation.next_playable(self.playlist.items, index, at, failures, mono)
        if found is None and index > 0:
            self._wrap()
            found = rotation.next_playable(self.playlist.items, 0, at, failures, mono)
        items = self.playlist.items
        if found is None or self._fails_in_a_row >= len(items) > 0:
            self._go_idle()  # nothing plays, or everything failed in a row: rest, then retry
            return
        self.index, item = found, items[found]
        if item.kind is Kind.VIDEO:
            self._start_video(item)
        else:
            self._start_still(item, 1)

    def _wrap(self) -> None:
        """The loop starts again: with the playlist read ahead of it, or else a read begins
        (it lands at a later boundary; the loop never waits for the disk)."""
        if self.playlist.items:
            self.counters.loops += 1
        reads = self._reads
        if not self._take_fresh() and not reads.for_wrap and not reads.busy:
            reads.request()
        reads.for_wrap = False

    def _start_video(self, item: Item) -> None:
        self._pending_frame = None
        self._set_now(item, State.LOADING)
        self._pair.play(item)  # `started` comes with its first picture

    def _start_still(self, item: Item, page: int) -> None:
        """Show a slide or a PDF page: at once if decoded ahead, else once it is."""
        self._set_now(item, State.LOADING, keep_since=page > 1)

        def show(picture: Picture) -> None:
            if self.now.state is State.LOADING and self.now.item == item:
                self._show_still(item, page, picture)

        self._stills.want(item, page, show)

    def _show_still(self, item: Item, page: int, picture: Picture) -> None:
        if isinstance(picture, str):
            if page > 1:  # a later PDF page failed: the document still showed; move on
                log.warning("%s page %d: %s", item.rel, page, picture)
                self._close_shown("completed")
                self._next()
                return
            self._record_failure(item, picture)
            self._play_from(self.index + 1)
            return
        image, self._pages = picture
        self._page = page
        self._pair.stop_current()  # a video that was on screen must not go on underneath
        self._stage.begin_fade(self.playlist.transition.fade_ms)
        self._stage.show_slide(image)
        if page == 1:
            self._succeeded(item, State.SLIDE)
        else:
            self._set_now(item, State.SLIDE, keep_since=True)
            self._after_switch_timer.start()
        duration_ms = (item.duration if item.duration is not None else 10.0) * 1000
        self._slide_timer.start(max(1, int(duration_ms)))

    def _prepare_next(self) -> None:
        """While this item is on screen, get the next one ready: opened and held, or decoded."""
        current = self.now.item
        if current is not None and current.kind is Kind.PDF and self._page < self._pages:
            self._stills.prepare(current, self._page + 1)
            return
        upcoming = self.upcoming()
        if upcoming is None:
            return
        if upcoming.kind.still:
            self._stills.prepare(upcoming, 1)
        else:
            self._pair.prepare(upcoming)

    def _close_shown(self, outcome: Outcome, reason: str = "") -> None:
        self._watch_timer.stop()
        self._shown.close(outcome, reason)

    def _succeeded(self, item: Item, state: State) -> None:
        self._close_shown("completed")
        # Once the new picture is up (later after a heavy clip's: controller/afterswitch)
        self._after_switch_timer.start(item.path if state is State.VIDEO else None)
        self._shown.begin(item)
        if state is State.VIDEO:
            self._watch.begin(self._shown.since)
            self._watch_timer.start()
        self._fails_in_a_row = 0
        self.failures.pop(item.path, None)
        self.counters.played += 1
        log.info("showing %s (%s)", item.rel, state.value)
        self._set_now(item, state)

    def _record_failure(self, item: Item, reason: str) -> None:
        self._fails_in_a_row += 1
        self.counters.failed += 1
        now, mono = self._clock.now(), self._clock.monotonic()
        self.failures[item.path] = rotation.failed(self.failures, item, reason, now, mono)
        log.warning(_("skipped {file}: {reason}", file=item.rel, reason=reason))
        self.changed.emit()

    def _stop_all(self) -> None:
        """Before the idle or the closed picture: no player runs, nothing is held ready."""
        self._after_switch_timer.stop()
        self._slide_timer.stop()
        self._pair.stop()
        self._stills.clear()

    def _go_idle(self) -> None:
        self._stop_all()
        self._close_shown("completed")
        self._fails_in_a_row = 0
        if self.playlist.items:
            detail = _("{n} file(s) cannot be played — see kiosk status", n=len(self.failures))
        else:
            detail = _(
                "The sync folder has no playable file yet ({source})", source=self.playlist.source
            )
        self._stage.show_idle(detail)
        if self.now.state is not State.IDLE:
            log.info("nothing playable: showing the idle slide")
        self._set_now(None, State.IDLE)
        self._idle_timer.start()

    def _retry_from_idle(self) -> None:
        if self.now.state is State.IDLE:  # else something is playing: never cut it
            self._reads.request(play=True)

    def _next(self) -> None:
        if self._reads.fresh is not None:
            current = self.now.item
            self._take_fresh()
            self.index = rotation.index_after_reread(self.index, current, self.playlist.items)
        self._play_from(self.index + 1)

    def _after_switch(self) -> None:
        self._pair.stop_outgoing()
        reads, items = self._reads, self.playlist.items
        waiting = self.now.item is None or reads.for_wrap or reads.fresh is not None
        at, mono = self._at(), self._clock.monotonic()
        if not waiting and rotation.last_of_loop(items, self.index, at, self.failures, mono):
            reads.for_wrap = True  # the loop's last item: read now, not at the wrap
            reads.request()
        self._prepare_next()

    # ---------------------------------------------------------- player events
    def _current_video(self) -> Item | None:
        item, playing = self.now.item, self.now.state in (State.LOADING, State.VIDEO)
        return item if item is not None and item.kind is Kind.VIDEO and playing else None

    def _on_started(self) -> None:
        item = self._current_video()
        if item is None or self.now.state is not State.LOADING:
            return
        self._stage.begin_fade(self.playlist.transition.fade_ms)
        self._succeeded(item, State.VIDEO)  # the outgoing player stops a moment later
        if self._pending_frame is not None:
            self._stage.show_frame(self._pending_frame)
            self._pending_frame = None

    def _on_handover(self, frame: QImage) -> None:
        if self.now.state is State.LOADING:
            self._stage.show_frame(frame)  # the last frames of the clip being handed over

    def _on_frame(self, frame: QImage) -> None:
        if self.now.state is State.VIDEO:
            self._stage.show_frame(frame)
        elif self.now.state is State.LOADING:
            # The first picture may arrive before `started`: keep it so it is not skipped,
            # while the previous item stays on screen.
            self._pending_frame = frame

    def _on_finished(self) -> None:
        item = self._current_video()
        if item is not None:
            self._stalls_in_a_row = 0
            self._watch_timer.stop()
            self._shown.clip_ended(item, self._pair.current)  # completed, or not shown whole
            self._next()

    def _on_failed(self, reason: str) -> None:
        item = self._current_video()
        if item is None:
            return
        self._close_shown("failed", reason)
        self._record_failure(item, reason)
        self._next()

    def _on_slide_done(self) -> None:
        item = self.now.item
        if self.now.state is not State.SLIDE or item is None:
            return
        if item.kind is Kind.PDF and self._page < self._pages:
            self._start_still(item, self._page + 1)  # the next page of the same document
            return
        self._close_shown("completed")
        self._next()

    # ----------------------------------------------------------- office hours
    def _go_closed(self, at: datetime) -> None:
        assert self._hours is not None
        self._stop_all()
        self._close_shown("skipped", _("the office closed"))
        if self.now.state is not State.CLOSED:
            log.info("outside office hours: closed")
            self._set_now(None, State.CLOSED)
            self._show_closed(at)
        self._hours.begin(at)

    def _show_closed(self, at: datetime) -> None:
        picture = self._hours.closed.picture if self._hours is not None else None
        if picture is None:
            self._stage.show_idle("")  # should the display stay on: no video
            return

        def show(image: QImage) -> None:
            if self.now.state is State.CLOSED:
                self._stage.show_slide(image)

        self._decodes.run(picture(at), show)

    def _opening(self) -> None:
        if self.now.state is State.CLOSED:
            self._set_now(None, State.LOADING)  # the closed picture stays until the first item
            self._reads.request(play=True)

    # ------------------------------------------------------------- the watch
    def _check_video(self) -> None:
        """A playing video must advance and end: a frozen frame is never left on screen."""
        item = self.now.item
        if self.now.state is not State.VIDEO or item is None:
            self._watch_timer.stop()
            return
        player = self._pair.current
        pos, length = player.position_ms(), player.length_ms()
        reason = self._watch.check(pos, length, self._clock.monotonic())
        if reason is not None:
            self._stalled(item, reason)

    def _stalled(self, item: Item, reason: str) -> None:
        log.error(_("{file}: {reason}; skipping it", file=item.rel, reason=reason))
        self.counters.stalls += 1
        self._stalls_in_a_row += 1
        self._pair.stop_current()
        self._close_shown("failed", reason)
        self._record_failure(item, reason)
        if self._stalls_in_a_row >= STALLS_BEFORE_RESTART and self._pair.recreatable:
            log.warning("%d stalls in a row: recreating the video player", self._stalls_in_a_row)
            self._after_switch_timer.stop()
            problem = self._pair.recreate()
            if problem is not None:
                log.critical("%s", problem)
                self._set_now(None, State.STOPPED)
                self.fatal.emit(problem)
                return
            self._stalls_in_a_row = 0
            self.counters.restarts += 1
        self._next()
