"""A player without video, for controller and window tests: same signals, same promises.

What a file "does" comes from a script the test hands in (`FakeClip` per path), or else from
the file name, so tests can write playlists without making media:

    red_2s.mp4      a red clip of 2 seconds        broken.mp4   fails when opened
    hang.mp4        never shows a picture (the start timeout fails it)
    0.3s_blue.mkv   a blue clip of 0.3 s           anything.mp4 a grey clip of 1 s

The fake never reads the file system, so paths need not exist. It passes the same contract
tests as the real player (tests/test_player_contract.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor, QImage

from kiosk.clock import Clock
from kiosk.clock.qt import QtClock
from kiosk.core.msg import _

log = logging.getLogger(__name__)

# tests/mediagen.COLOURS takes its test colours from here: fake and real frames classify alike.
NAMED_COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (230, 20, 20),
    "green": (20, 200, 20),
    "blue": (20, 20, 230),
    "yellow": (240, 220, 20),
    "magenta": (220, 20, 220),
    "cyan": (20, 210, 220),
    "white": (235, 235, 235),
    "grey": (128, 128, 128),
}


@dataclass(frozen=True)
class FakeClip:
    """How a fake file behaves.

    fail: a reason -> `failed(reason)` instead of `ready` (a file libVLC cannot open).
    never_starts: opens but no picture comes (never `ready`): the start timeout fails it.
    freeze_at: plays this many seconds, then hangs: no frame, no progress, no end (a decoder
        or a share that stops delivering data); only the controller's watch can notice.
    cut_at: ends this many seconds in, though its length says `seconds` (a copy cut short
        whose container states no size: it plays its first part).
    shown_share: the share of its pictures that reach the screen (a clip too heavy for the
        machine); None: the player cannot tell, as for a still.
    """

    seconds: float = 1.0
    colour: tuple[int, int, int] = NAMED_COLOURS["grey"]
    fail: str | None = None
    never_starts: bool = False
    size: tuple[int, int] = (160, 90)
    freeze_at: float | None = None
    cut_at: float | None = None
    shown_share: float | None = None


_SECONDS = re.compile(r"^(\d+(?:\.\d+)?)s$")


def clip_from_name(path: str) -> FakeClip:
    """The default behaviour of a file the script does not mention, read from its name."""
    name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    seconds, colour = 1.0, NAMED_COLOURS["grey"]
    fail: str | None = None
    never_starts = False
    freeze_at: float | None = None
    for token in re.split(r"[^a-z0-9.]+", name):
        if m := _SECONDS.match(token):
            seconds = float(m.group(1))
        elif token in NAMED_COLOURS:
            colour = NAMED_COLOURS[token]
        elif token in ("broken", "fail", "corrupt"):
            fail = "the file is broken (fake)"
        elif token == "hang":
            never_starts = True
        elif token == "freeze":
            freeze_at = 0.2
    return FakeClip(
        seconds=seconds, colour=colour, fail=fail, never_starts=never_starts, freeze_at=freeze_at
    )


class FakePlayer(QObject):
    """Implements kiosk.playback.base.Player with timers instead of a decoder.

    Timing: `ready` (or `failed`) `open_delay` s after load() (the first picture is primed
    at once); `started` and the first `frame` inside show() once ready, or `start_latency`
    s after `ready` when show() came first; a frame every `frame_interval` s; `finished`
    `seconds` after `started`. Every timer callback carries the item's generation, so
    nothing of an item leaks out after stop(), close() or the next load(). Its time is the
    `clock`'s: real Qt timers by default, or virtual time shared with the controller.
    """

    ready = Signal()
    started = Signal()
    finished = Signal()
    failed = Signal(object)  # the reason (str)
    frame = Signal(QImage)

    def __init__(
        self,
        script: Mapping[str, FakeClip] | None = None,
        start_timeout: float = 5.0,
        open_delay: float = 0.01,
        start_latency: float = 0.0,
        frame_interval: float = 0.04,
        parent: QObject | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock or QtClock()
        # Tests may add entries after construction: the dict is read at each load().
        self.script: dict[str, FakeClip] = dict(script or {})
        self.start_timeout = start_timeout
        self.open_delay = open_delay
        self.start_latency = start_latency  # unprimed show() -> first picture (libVLC 15-70 ms)
        self.frame_interval = frame_interval
        self.loaded: list[str] = []  # every path load() was given, for assertions
        self._volume: tuple[int, bool] = (100, False)
        self.closed = False
        self._gen = 0
        self._clip: FakeClip | None = None
        self._image = QImage()
        self._opened = self._shown = self._started = self._done = True
        self._play_started = 0.0
        self._frozen_at: int | None = None
        self._begun = True

        timer = self._clock.timer
        self._frames = timer(self, self._tick, repeat=True)
        self._end = timer(self, self._on_end, precise=True)  # EndReached follows the media clock
        self._open = timer(self, self._on_open)
        self._deadline = timer(self, self._on_timeout)
        self._starting = timer(self, lambda: self._first_frame(self._gen))
        self._freezing = timer(self, lambda: self._freeze(self._gen))

    # -- Player API ----------------------------------------------------------------------------

    def load(self, path: str) -> None:
        if self.closed:
            raise RuntimeError("player is closed")
        self._halt()
        self.loaded.append(path)
        clip = self.script.get(path) or clip_from_name(path)
        self._clip = clip
        self._image = QImage(clip.size[0], clip.size[1], QImage.Format.Format_RGB32)
        self._image.fill(QColor(*clip.colour))
        self._opened = self._shown = self._started = self._done = False
        self._begun = False
        self._open.start(_ms(self.open_delay))
        self._deadline.start(_ms(self.start_timeout))

    def show(self) -> None:
        if self._done or self._shown or self.closed:
            return
        self._shown = True
        if self._opened and self._clip is not None and not self._clip.never_starts:
            self._begun = True
            self._first_frame(self._gen)  # primed: the held picture, before show() returns
            return
        self._deadline.start(_ms(self.start_timeout))

    def stop(self) -> None:
        self._halt()
        self._done = True

    def set_volume(self, volume: int, mute: bool) -> None:
        self._volume = (max(0, min(100, int(volume))), bool(mute))

    def volume(self) -> tuple[int, bool] | None:
        return self._volume if self._started and not self._done else None

    def close(self) -> None:
        self.stop()
        self.closed = True

    def position_ms(self) -> int:
        """Milliseconds played (-1 before the first picture); stands still once frozen."""
        if self._done or not self._started:
            return -1
        if self._frozen_at is not None:
            return self._frozen_at
        return int((self._clock.monotonic() - self._play_started) * 1000)

    def length_ms(self) -> int:
        return _ms(self._clip.seconds) if self._clip is not None else -1

    def pictures(self) -> tuple[int, int]:
        """As a clip of 25 pictures a second would count them (see FakeClip.shown_share)."""
        clip = self._clip
        if clip is None or clip.shown_share is None:
            return (0, 0)
        held = round(clip.seconds * 25)
        return (round(held * clip.shown_share), held)

    # -- internals -----------------------------------------------------------------------------

    def _halt(self) -> None:
        timers = (self._frames, self._end, self._open, self._deadline, self._starting)
        for timer in (*timers, self._freezing):
            timer.stop()
        self._gen += 1
        self._frozen_at = None

    def _fail(self, reason: str) -> None:
        self._halt()
        self._done = True
        self.failed.emit(reason)

    def _begin(self) -> None:
        clip = self._clip
        if self._begun or clip is None or clip.never_starts:
            return  # already running, or the deadline will fail it
        self._begun = True
        # Like libVLC: the first picture arrives a moment after play, not inside show().
        self._starting.start(_ms(self.start_latency))

    def _first_frame(self, gen: int) -> None:
        if gen != self._gen or self._done or self._clip is None:
            return
        self._deadline.stop()
        self._started = True
        self._play_started = self._clock.monotonic()  # position 0 here, as libVLC's get_time()
        self.started.emit()
        if gen != self._gen or self._done:
            return
        self.frame.emit(self._image)
        self._frames.start(_ms(self.frame_interval))
        if self._clip.freeze_at is not None:
            self._freezing.start(_ms(self._clip.freeze_at))
        else:
            cut = self._clip.cut_at
            self._end.start(_ms(self._clip.seconds if cut is None else cut))

    def _freeze(self, gen: int) -> None:
        if gen == self._gen and not self._done:
            self._frames.stop()
            self._frozen_at = self.position_ms()

    @Slot()
    def _on_open(self) -> None:
        clip = self._clip
        if self._done or clip is None:
            return
        if clip.fail is not None:
            self._fail(clip.fail)
            return
        self._opened = True
        if clip.never_starts:
            return  # no first picture: the deadline fails it, as libVLC's would
        if not self._shown:
            self._deadline.stop()  # primed and held: no deadline until show()
        gen = self._gen
        self.ready.emit()
        if self._shown and gen == self._gen and not self._done:
            self._begin()

    @Slot()
    def _tick(self) -> None:
        if not self._done:
            self.frame.emit(self._image)

    @Slot()
    def _on_end(self) -> None:
        if self._done:
            return
        self._halt()
        self._done = True
        self.finished.emit()

    @Slot()
    def _on_timeout(self) -> None:
        if self._done:
            return
        self._fail(
            _(
                "no picture after {seconds:g} s: the file may be broken or still copying",
                seconds=self.start_timeout,
            )
        )


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))
