"""The playlist, read off the Qt thread: reading it touches the disk (the playlist file,
sidecars, slides' front matter), and a slow share must never freeze the picture.

One read at a time; a change during a read is read again after it. A result waits
(`fresh`) until the controller takes it at an item boundary, unless it was asked for with
`play` (nothing on screen to protect: start, the idle picture, the opening).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from kiosk.clock import Worker
from kiosk.core.model import Playlist


class PlaylistSource(Protocol):
    def reader(self) -> Callable[[], Playlist]:
        """Called on the Qt thread; the read it returns runs off it."""
        ...


class PlaylistReads:
    def __init__(
        self, source: PlaylistSource, worker: Worker, on_read: Callable[[bool], None]
    ) -> None:
        """`on_read(play)` on the Qt thread after each read; `play`: it was asked for so."""
        self._source = source
        self._worker = worker
        self._on_read = on_read
        self.busy = False
        self.fresh: Playlist | None = None  # read, not taken yet
        self.for_wrap = False  # read ahead of the coming wrap: not again at the wrap
        self._again = False
        self._play = False

    def request(self, play: bool = False) -> None:
        self._play = self._play or play
        if self.busy:
            self._again = True
            return
        self.busy = True
        self._worker.run(self._source.reader(), self._done)

    def take(self) -> Playlist | None:
        fresh, self.fresh = self.fresh, None
        return fresh

    def _done(self, playlist: Playlist) -> None:
        self.busy = False
        self.fresh = playlist
        if self._again:
            self._again = False
            self.request()
        play, self._play = self._play, False
        self._on_read(play)

    def stop(self) -> None:
        self._worker.stop()
        self.busy = self._again = self._play = self.for_wrap = False
        self.fresh = None
