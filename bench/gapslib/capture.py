"""Grab the X screen with ffmpeg's x11grab at a fixed rate and read every frame back."""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass, field

from gapslib.frames import THUMB_H, THUMB_W, Reading, decode
from tests.mediagen import FFMPEG

CAPTURE_FPS = 50


@dataclass(frozen=True, slots=True)
class Sample:
    t: float  # time.monotonic() when the frame reached us (~1 frame after the grab)
    reading: Reading


@dataclass
class Grab:
    """ffmpeg x11grab → shrunk to THUMB_W x THUMB_H rgb24 → one Sample per captured frame.

    The output is constant-rate (ffmpeg's default for rawvideo): if x11grab fell behind, ffmpeg
    duplicates a frame to keep the rate and counts it in `dup_frames`; frames it has to throw
    away are counted in `drop_frames`. Both come from ffmpeg's -progress report.
    """

    display: str
    width: int
    height: int
    fps: int = CAPTURE_FPS
    samples: list[Sample] = field(default_factory=list)
    progress: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None
    _threads: list[threading.Thread] = field(default_factory=list)
    _first: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Grab:
        self.proc = subprocess.Popen(
            [
                FFMPEG,
                "-nostdin",
                "-hide_banner",
                "-loglevel",
                "error",
                "-nostats",
                "-progress",
                "pipe:2",
                "-f",
                "x11grab",
                "-draw_mouse",
                "0",
                "-framerate",
                str(self.fps),
                "-video_size",
                f"{self.width}x{self.height}",
                "-i",
                f"{self.display}+0,0",
                "-vf",
                f"scale={THUMB_W}:{THUMB_H}:flags=area",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgb24",
                "-flush_packets",
                "1",
                "pipe:1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for target in (self._read, self._stats):
            t = threading.Thread(target=target, name=f"grab{target.__name__}", daemon=True)
            t.start()
            self._threads.append(t)
        if not self._first.wait(10):
            self.stop()
            raise RuntimeError(f"x11grab gave no frame: {' '.join(self.errors)[-500:]}")
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        size = THUMB_W * THUMB_H * 3
        out = self.proc.stdout
        while True:
            frame = out.read(size)
            if len(frame) < size:
                return
            self.samples.append(Sample(time.monotonic(), decode(frame)))
            self._first.set()

    def _stats(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace").strip()
            key, sep, value = line.partition("=")
            if sep and key and " " not in key:
                self.progress[key] = value
            elif line:
                self.errors.append(line)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # ffmpeg ends cleanly on SIGTERM and reports progress=end
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for t in self._threads:
            t.join(timeout=10)
        self._threads.clear()

    def check(self) -> CaptureCheck:
        """Did the capture keep its rate? Frames received vs the time they covered.

        The first second is left out: ffmpeg reads a few frames to probe the stream before it
        outputs any, so they reach us in a burst and their arrival times say nothing.
        """
        steady = self.samples[self.fps :]
        n = len(steady)
        span = steady[-1].t - steady[0].t if n > 1 else 0.0
        return CaptureCheck(
            frames=n,
            expected=round(span * self.fps) + 1 if n else 0,
            dup=int(self.progress.get("dup_frames", "0") or 0),
            drop=int(self.progress.get("drop_frames", "0") or 0),
        )


@dataclass(frozen=True, slots=True)
class CaptureCheck:
    frames: int  # frames we read (after the first second)
    expected: int  # wall time between the first and last of them × fps, + 1
    dup: int  # frames ffmpeg repeated because a grab came late
    drop: int  # grabbed frames ffmpeg threw away

    def __add__(self, other: CaptureCheck) -> CaptureCheck:
        return CaptureCheck(
            self.frames + other.frames,
            self.expected + other.expected,
            self.dup + other.dup,
            self.drop + other.drop,
        )
