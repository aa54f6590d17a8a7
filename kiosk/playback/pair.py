"""The player on screen and, when gapless, the spare holding the next clip ready.

Each player's signals are tagged with the player that sent them, so only the right one
counts: the current player's events drive the controller, the outgoing player's last
frames cover the handover, the spare only reports a clip it could not prepare. After
repeated stalls the pair is recreated from the factory (a fresh libVLC instance).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtGui import QImage

from kiosk.core.model import Item
from kiosk.core.msg import _
from kiosk.playback.base import Player

log = logging.getLogger(__name__)


class PlayerPair(QObject):
    started = Signal()  # the current player's first picture of its item
    finished = Signal()
    failed = Signal(object)  # the reason (str)
    frame = Signal(QImage)  # from the current player
    handover = Signal(QImage)  # from the outgoing one, until the incoming one starts
    spare_failed = Signal(object, object)  # Item, reason: the clip held ready cannot play

    def __init__(
        self,
        player: Player,
        spare: Player | None = None,
        factory: Callable[[], list[Player]] | None = None,
    ) -> None:
        super().__init__()
        self.current, self.spare = player, spare
        self._factory = factory
        self._outgoing: Player | None = None  # stopped once the incoming picture is up
        self._prepared: Item | None = None  # what the spare holds
        self._show_on_ready = False  # single player: show() once the clip is open
        self._connections: list[tuple[Any, Any]] = []
        self._connect_all()

    def players(self) -> list[Player]:
        return [p for p in (self.current, self.spare) if p is not None]

    def _connect_all(self) -> None:
        for p in self.players():
            pairs = (
                (p.ready, lambda p=p: self._on_ready(p)),
                (p.started, lambda p=p: self._relay(p, self.started)),
                (p.finished, lambda p=p: self._relay(p, self.finished)),
                (p.failed, lambda reason, p=p: self._on_failed(p, reason)),
                (p.frame, lambda frame, p=p: self._on_frame(p, frame)),
            )
            for signal, slot in pairs:
                signal.connect(slot)
                self._connections.append((signal, slot))

    def play(self, item: Item) -> None:
        """Make `item` the current clip; `started` comes with its first picture."""
        if self.spare is None:
            self._show_on_ready = True
            self.current.load(item.path)  # shown on `ready`
            return
        if not self._holds(item):
            self.spare.load(item.path)  # not prepared: open it now (show() waits for it)
        self._prepared = None
        # The incoming player takes over. Primed, it hands its first picture over inside
        # show(); if not, the outgoing one keeps its last picture on the stage until the
        # first new one arrives. Either way it is stopped a moment later: never black.
        self._outgoing, self.current, self.spare = self.current, self.spare, self.current
        self.current.show()

    def prepare(self, item: Item) -> None:
        """Open `item` on the spare and hold it on its first picture, muted (once). Not
        while the spare is still the outgoing player: it is stopped first (stop_outgoing)."""
        if self.spare is not None and self._outgoing is None and not self._holds(item):
            self._prepared = item
            self.spare.load(item.path)

    def drop(self, path: str) -> None:
        """The file went away: the spare must not hold it any more."""
        if self._prepared is not None and self._prepared.path == path and self.spare:
            self.spare.stop()
            self._prepared = None

    def _holds(self, item: Item) -> bool:
        held = self._prepared
        return held is not None and held.path == item.path and held.stamp == item.stamp

    def stop_outgoing(self) -> None:
        outgoing, self._outgoing = self._outgoing, None
        if outgoing is not None:
            outgoing.stop()

    def stop_current(self) -> None:
        """A still takes the screen: the clip that was on it must not go on underneath."""
        self._show_on_ready = False
        self.current.stop()

    def stop(self) -> None:
        for p in self.players():
            p.stop()
        self._prepared = self._outgoing = None
        self._show_on_ready = False

    def _relay(self, player: Player, signal: SignalInstance) -> None:
        if player is self.current:
            signal.emit()

    def _on_ready(self, player: Player) -> None:
        if player is self.current and self._show_on_ready:
            self._show_on_ready = False
            player.show()

    def _on_frame(self, player: Player, frame: QImage) -> None:
        if player is self.current:
            self.frame.emit(frame)
        elif player is self._outgoing:
            self.handover.emit(frame)

    def _on_failed(self, player: Player, reason: str) -> None:
        if player is self.spare and self._prepared is not None:
            prepared, self._prepared = self._prepared, None
            self.spare_failed.emit(prepared, reason)
        elif player is self.current:
            self.stop_outgoing()
            self.failed.emit(reason)

    @property
    def recreatable(self) -> bool:
        return self._factory is not None

    def recreate(self) -> str | None:
        """New players from the factory (a fresh libVLC instance); the reason if that failed."""
        if self._factory is None:
            return "no way to make new players"
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        for p in self.players():
            p.close()
        self._prepared = self._outgoing = None
        try:
            fresh = self._factory()
        except Exception as e:
            return _("cannot recreate the video player: {error}", error=str(e))
        self.current, self.spare = fresh[0], (fresh[1] if len(fresh) > 1 else None)
        self._connect_all()
        return None
