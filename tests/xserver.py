"""A real X server (Xvfb) and a real screen grab (ffmpeg x11grab) for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field

from tests.mediagen import FFMPEG, classify


@dataclass
class Xvfb:
    width: int = 640
    height: int = 360
    display: str = ""
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Xvfb:
        exe = shutil.which("Xvfb")
        if exe is None:
            raise RuntimeError("Xvfb is not installed: run scripts/setup")
        read, write = os.pipe()
        self.proc = subprocess.Popen(
            [
                exe,
                "-displayfd",
                str(write),
                "-screen",
                "0",
                f"{self.width}x{self.height}x24",
                "-nolisten",
                "tcp",
                "-noreset",
            ],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()  # Xvfb writes the number once it accepts clients
        if not number:
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@dataclass
class ScreenGrab:
    """Grabs the X screen at `fps` and keeps the colour seen in its middle, frame by frame."""

    display: str
    width: int
    height: int
    fps: int = 20
    colours: list[tuple[float, str]] = field(default_factory=list)
    rows: tuple[int, ...] = ()  # also classify the middle pixel of these rows (of 9)
    latest_rows: dict[int, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    _thread: threading.Thread | None = None

    def start(self) -> ScreenGrab:
        # A 16x9 thumbnail is plenty to tell solid colours apart and cheap to classify.
        self.proc = subprocess.Popen(
            [
                FFMPEG,
                "-nostdin",
                "-loglevel",
                "error",
                "-f",
                "x11grab",
                "-framerate",
                str(self.fps),
                "-video_size",
                f"{self.width}x{self.height}",
                "-i",
                f"{self.display}+0,0",
                "-vf",
                "scale=16:9:flags=area",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgb24",
                "-",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._thread = threading.Thread(target=self._read, name="screengrab", daemon=True)
        self._thread.start()
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        size = 16 * 9 * 3
        centre = (4 * 16 + 8) * 3
        while True:
            frame = self.proc.stdout.read(size)
            if len(frame) < size:
                return
            rgb = (frame[centre], frame[centre + 1], frame[centre + 2])
            self.colours.append((time.monotonic(), classify(rgb)))
            for row in self.rows:
                at = (row * 16 + 8) * 3
                self.latest_rows[row] = classify((frame[at], frame[at + 1], frame[at + 2]))

    def rows_now(self) -> dict[int, str]:
        """The colour in the middle of each watched row (of 9), in the latest frame."""
        return dict(self.latest_rows)

    def sequence(self) -> list[str]:
        """Colours in the order they appeared, each run of equal frames collapsed to one."""
        runs: list[str] = []
        for _, colour in list(self.colours):
            if not runs or runs[-1] != colour:
                runs.append(colour)
        return runs

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
