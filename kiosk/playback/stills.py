"""Slides and PDF pages decoded off the Qt thread: the still counterpart of a Player.

While item N is on screen, N+1 is decoded ahead (`prepare`). When a still's turn comes
before its picture (nothing prepared it, or the disk is slow), `want` decodes it and calls
back once it is there: the picture on screen stays meanwhile, never a black frame.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QImage

from kiosk.clock import Worker
from kiosk.core.model import Item

Picture = tuple[QImage, int] | str  # (picture, page count), or why it cannot be shown
Key = tuple[str, tuple[int, float], int]  # path, stamp, page


def _key(item: Item, page: int) -> Key:
    return (item.path, item.stamp, page)


class Stills:
    def __init__(self, load: Callable[[Item, int], Picture], worker: Worker) -> None:
        self._load = load
        self._worker = worker
        self._ready: dict[Key, Picture] = {}  # only the latest one is kept
        self._decoding: set[Key] = set()
        self._wanted: tuple[Key, Callable[[Picture], None]] | None = None
        self._generation = 0  # bumped by clear(): decodes begun before it are dropped

    def prepare(self, item: Item, page: int) -> None:
        """Decode it ahead of its turn (once)."""
        key = _key(item, page)
        if key not in self._ready and key not in self._decoding:
            self._decode(item, page, key)

    def want(self, item: Item, page: int, then: Callable[[Picture], None]) -> None:
        """`then(picture)` now if it was prepared, else once it is decoded. Only the last
        still wanted is called back: wanting another one forgets the previous."""
        key = _key(item, page)
        ready = self._ready.pop(key, None)
        if ready is not None:
            self._wanted = None
            then(ready)
            return
        self._wanted = (key, then)
        if key not in self._decoding:
            self._decode(item, page, key)

    def forget(self, path: str) -> None:
        """The file was deleted or replaced: its decoded pictures are stale."""
        self._ready = {k: v for k, v in self._ready.items() if k[0] != path}

    def clear(self) -> None:
        """Nothing is wanted any more (idle, closed, stopped): drop what is held."""
        self._generation += 1
        self._ready.clear()
        self._decoding.clear()
        self._wanted = None

    def _decode(self, item: Item, page: int, key: Key) -> None:
        self._decoding.add(key)
        load, generation = self._load, self._generation

        def work() -> Picture:
            try:
                return load(item, page)
            except Exception as e:  # a renderer bug must not take the player down
                return f"could not be rendered: {e}"

        self._worker.run(work, lambda picture: self._decoded(generation, key, picture))

    def _decoded(self, generation: int, key: Key, picture: Picture) -> None:
        if generation != self._generation:
            return
        self._decoding.discard(key)
        if self._wanted is not None and self._wanted[0] == key:
            then = self._wanted[1]
            self._wanted = None
            then(picture)
            return
        self._ready = {key: picture}
