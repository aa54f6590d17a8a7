"""A real Wayland compositor (Debian's weston, headless, pixman) and its screenshots.

`weston --backend=headless-backend.so --use-pixman` needs no GPU and no seat; with
`--debug` it offers weston_screenshooter, which `weston-screenshooter` uses to write the
whole output as a PNG into its working folder (about 30 ms a shot at 640x360 here).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtGui import QImage

from tests.mediagen import classify


@dataclass
class Weston:
    runtime: Path  # its XDG_RUNTIME_DIR (must be private: mode 0700)
    width: int = 640
    height: int = 360
    name: str = "wayland-kiosk-test"
    proc: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        """What a client needs to reach it (and nothing of an X server)."""
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(XDG_RUNTIME_DIR=str(self.runtime), WAYLAND_DISPLAY=self.name)
        return env

    def start(self, timeout_s: float = 20.0) -> Weston:
        exe = shutil.which("weston")
        if exe is None:
            raise RuntimeError("weston is not installed: run scripts/setup --test")
        self.runtime.mkdir(parents=True, exist_ok=True)
        self.runtime.chmod(0o700)
        with open(self.runtime / "weston.log", "wb") as log:
            self.proc = subprocess.Popen(
                [
                    exe,
                    "--backend=headless-backend.so",
                    "--use-pixman",
                    f"--width={self.width}",
                    f"--height={self.height}",
                    f"--socket={self.name}",
                    "--debug",  # offers the screenshooter protocol
                    "--idle-time=0",  # weston's own blanking would spoil the screenshots
                ],
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        path = str(self.runtime / self.name)
        while time.monotonic() < deadline:  # weston has no readiness fd: try its socket
            if self.proc.poll() is not None:
                raise RuntimeError(f"weston exited: {(self.runtime / 'weston.log').read_text()}")
            with socket.socket(socket.AF_UNIX) as s:
                try:
                    s.connect(path)
                    return self
                except OSError:
                    pass
            time.sleep(0.02)
        raise RuntimeError("weston did not start listening")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@dataclass
class WestonGrab:
    """Takes screenshots in a loop and keeps the colour in the middle of each."""

    weston: Weston
    colours: list[tuple[float, str]] = field(default_factory=list)
    last: QImage | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> WestonGrab:
        self._thread = threading.Thread(target=self._loop, name="westongrab", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        exe = shutil.which("weston-screenshooter")
        assert exe is not None, "weston-screenshooter is not installed"
        with tempfile.TemporaryDirectory() as folder:
            while not self._stop.is_set():
                subprocess.run(
                    [exe], cwd=folder, env=self.weston.env(), capture_output=True, timeout=10
                )
                for png in sorted(Path(folder).glob("*.png")):
                    image = QImage(str(png))
                    png.unlink()
                    if image.isNull():
                        continue
                    c = image.pixelColor(image.width() // 2, image.height() // 2)
                    colour = classify((c.red(), c.green(), c.blue()))
                    self.colours.append((time.monotonic(), colour))
                    self.last = image

    def sequence(self) -> list[str]:
        runs: list[str] = []
        for _, colour in list(self.colours):
            if not runs or runs[-1] != colour:
                runs.append(colour)
        return runs

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None
