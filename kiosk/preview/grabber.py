"""First picture and length of a video, for the preview sheet."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage


class FrameGrabber:
    """First picture and length of a video, decoded by the player's own VlcPlayer.

    Why the real player rather than ffmpeg: the sheet must show what the screen shows, and a
    file libVLC cannot decode must come out marked, as it would be skipped on screen. The
    backend uses the dummy audio output: nothing is heard while grabbing.
    """

    def __init__(self, timeout: float = 5.0) -> None:
        from kiosk.playback.vlc import VlcBackend

        self.timeout = timeout
        self._backend = VlcBackend(dummy_audio=True)
        self._player = self._backend.player(start_timeout=timeout)
        self._player.set_volume(0, True)

    def grab(self, path: str) -> tuple[QImage, int] | str:
        """(first picture, length in ms) or the reason there is no picture."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        got: list[QImage | str] = []

        def take(value: QImage | str) -> None:
            if not got:
                got.append(value)
                loop.quit()

        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(lambda: take(f"no picture within {self.timeout + 2:g} s"))
        self._player.frame.connect(take)
        self._player.failed.connect(take)
        try:
            self._player.load(path)
            self._player.show()
            guard.start(int((self.timeout + 2) * 1000))  # the player's own timeout fires first
            loop.exec()
            length = self._player.length_ms()
        finally:
            guard.stop()
            self._player.frame.disconnect(take)
            self._player.failed.disconnect(take)
            self._player.stop()
        result = got[0]
        return result if isinstance(result, str) else (result, length)

    def close(self) -> None:
        self._player.close()
        self._backend.close()
