"""The ticker band's text: `ticker.txt` in the sync folder if present, else the config.

The file is read off the Qt thread (the sync folder may be a slow share); the band keeps
its text until the new one is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from kiosk.clock import Worker

TICKER_FILE = "ticker.txt"
MAX_BYTES = 20_000


class TickerView(Protocol):
    def set_ticker(self, text: str, speed: float) -> None: ...


def read_ticker(path: Path, fallback: str) -> str:
    """The file's lines joined with bullets; `fallback` if it cannot be read."""
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES)
    except OSError:
        return fallback
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    return " \u2022 ".join(line.strip() for line in text.splitlines() if line.strip())


class Ticker:
    def __init__(
        self, sync_dir: Path, text: str, speed: float, view: TickerView, worker: Worker
    ) -> None:
        self.path = sync_dir / TICKER_FILE
        self._fallback = text
        self._speed = speed
        self._view = view
        self._worker = worker

    def update(self) -> None:
        """Read the text again (at start, and when ticker.txt changed)."""
        path, fallback = self.path, self._fallback
        self._worker.run(lambda: read_ticker(path, fallback), self._show)

    def _show(self, text: str) -> None:
        self._view.set_ticker(text, self._speed)

    def stop(self) -> None:
        self._worker.stop()
