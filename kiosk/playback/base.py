"""The Player contract the controller relies on, shared by the real libVLC player and the fake.

A player is a QObject living on the Qt thread. All methods are called from the Qt thread.
Signals are emitted on the Qt thread (a backend whose events arrive on other threads must
queue them across).

Lifecycle of one item:
    load(path)        -> opens the media silently and *primes* it: decodes its first picture,
                         holds it and pauses there, muted; emits `ready` once that picture is
                         held ("ready" means the switch needs no decoding), or
                         `failed(reason)`. Nothing is painted yet: the screen keeps showing
                         the previous item.
    show()            -> after `ready`: emits `started` and then `frame` with the held first
                         picture before it returns, and plays on with sound. Called before
                         `ready` (allowed), the item starts as soon as its first picture is
                         decoded: `ready`, `started` and that first `frame`, in that order.
    ...               -> `frame(QImage)` for every further picture while playing (only the
                         newest undelivered one: a busy Qt thread drops frames, never queues).
    end of media      -> `finished` (libVLC EndReached, never a timer guess).
    stop()            -> stops at once; no further signals for that item.

`failed` may come at any time after load() and ends the item; each item ends with exactly
one `finished` or `failed` (an item that ends before any picture is `failed`). No picture
within the player's start timeout (after load() until `ready`, after show() until `started`)
is `failed`. A load() while an item is playing replaces it, silently. Players are reused for
the whole life of the process. How priming works and why: docs/playback.md.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import SignalInstance


class Player(Protocol):
    ready: SignalInstance
    started: SignalInstance
    finished: SignalInstance
    failed: SignalInstance  # (str) reason for the admin
    frame: SignalInstance  # (QImage) picture to paint

    def load(self, path: str) -> None: ...

    def show(self) -> None: ...

    def stop(self) -> None: ...

    def set_volume(self, volume: int, mute: bool) -> None:
        """Volume 0-100 (values outside are clamped) and mute; kept for the items that follow."""
        ...

    def volume(self) -> tuple[int, bool] | None:
        """(volume, mute) the sound output holds while an item plays, None when none plays.

        Read back from the output itself (libVLC's, for the real player), so a test or the
        status can tell what is heard, not what was asked for; it may lag a set_volume() by
        a few ms (libVLC applies a change once its output is free).
        """
        ...

    def position_ms(self) -> int:
        """Playback time of the current item in ms, -1 if not playing; for the stall watch."""
        ...

    def length_ms(self) -> int:
        """Length of the current item in ms, -1 if unknown."""
        ...

    def pictures(self) -> tuple[int, int]:
        """(pictures handed to the screen, pictures the item holds) for the current or last
        item; the second is 0 when unknown. How a clip too heavy for the machine shows."""
        ...

    def close(self) -> None:
        """Release native resources; the player is unusable afterwards."""
        ...
