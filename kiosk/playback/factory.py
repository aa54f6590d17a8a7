"""The players of `kiosk run`: one libVLC instance, two players on it (one shows, one holds
the next clip), made again from scratch when the instance is sick."""

from __future__ import annotations

import os
import shlex
from typing import Any


def vlc_args() -> tuple[str, ...]:
    """Extra libVLC options from $KIOSK_VLC_ARGS (e.g. "--avcodec-hw=none"), for experts."""
    return tuple(shlex.split(os.environ.get("KIOSK_VLC_ARGS", "")))


def make_players(backend_args: tuple[str, ...], volume: int, mute: bool) -> tuple[Any, list[Any]]:
    """A fresh libVLC instance and two players on it."""
    from kiosk.playback.vlc import VlcBackend, VlcPlayer

    backend = VlcBackend(backend_args)
    players = [VlcPlayer(backend), VlcPlayer(backend)]
    for player in players:
        player.set_volume(volume, mute)
    return backend, players


class PlayerFactory:
    """Makes the players, closing the previous instance first (its players were closed by
    the controller); `close()` at exit."""

    def __init__(self, volume: int, mute: bool) -> None:
        self.volume, self.mute = volume, mute
        self._backends: list[Any] = []

    def __call__(self) -> list[Any]:
        self.close()
        backend, players = make_players(vlc_args(), self.volume, self.mute)
        self._backends = [backend]
        return players

    def close(self) -> None:
        for backend in self._backends:
            backend.close()
        self._backends = []
