"""Hearing what a player plays: a private sound server, tone clips, a recorder, an analysis.

- Clips carry a *stepped tone*: segment k of an item's sound (SEGMENT_MS long) is a sine at
  `base + k * STEP_HZ`, so any stretch of the recording says which item it belongs to and
  how far into that item's sound it is. Items get bands far apart (BANDS), so two of them
  playing at once cannot pass for one.
- The sound server is a PulseAudio daemon of our own (no system or user session touched),
  with one null sink: libVLC plays into it like into a sound card, and `parec` records its
  monitor, paced in real time like a speaker.
- The recorder stamps the recording with the wall clock (time.time()), so a sound can be put
  next to the moment a player was told to show its item.
- The analysis measures every period of the signal between two rising zero crossings; runs of
  periods at one frequency are one segment. Pure Python.
"""

from __future__ import annotations

import array
import itertools
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.mediagen import FFMPEG, hexcolour

RATE = 48_000
STEP_HZ = 100
SEGMENT_MS = 100
AMPLITUDE = 0.25  # one tone's peak; two playing at once reach up to twice that
BANDS = {"a": 400, "b": 3000}  # base frequencies: "a" 400-2300 Hz, "b" 3000-4900 Hz (20 steps)
SILENCE = int(0.02 * 32768)  # below this the recording is silent (a null sink is exact)
PULSEAUDIO = shutil.which("pulseaudio")
PAREC = shutil.which("parec")


def missing() -> str | None:
    """Why sound cannot be recorded on this machine, or None."""
    if PULSEAUDIO is None or PAREC is None:
        return "no PulseAudio here (apt-get install pulseaudio pulseaudio-utils)"
    return None


def make_tone_clip(
    path: Path, colour: str, band: str, seconds: float, size: str = "160x90", fps: int = 25
) -> Path:
    """A solid-colour H.264 clip with an AAC stepped tone in `band` for its whole length."""
    base = BANDS[band]
    seg = SEGMENT_MS / 1000
    tone = f"{AMPLITUDE}*sin(2*PI*({base}+{STEP_HZ}*floor(t/{seg}))*t)"
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [FFMPEG, "-nostdin", "-loglevel", "error", "-y"]
    cmd += ["-f", "lavfi", "-i", f"color=c={hexcolour(colour)}:s={size}:r={fps}:d={seconds}"]
    cmd += ["-f", "lavfi", "-i", f"aevalsrc='{tone}':s={RATE}:d={seconds}"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    cmd += ["-c:a", "aac", "-b:a", "128k", "-shortest", str(path)]
    subprocess.run(cmd, check=True, timeout=60)
    return path


@dataclass
class SoundServer:
    """A PulseAudio daemon of our own with a null sink `kiosk`; `env` points clients at it."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kiosk-sound-")))
    proc: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return self.folder / "native"

    @property
    def env(self) -> dict[str, str]:
        return {"PULSE_SERVER": f"unix:{self.socket}", "PULSE_COOKIE": str(self.folder / "c")}

    monitor = "kiosk.monitor"

    def start(self, timeout: float = 10) -> SoundServer:
        assert PULSEAUDIO is not None, missing()
        runtime = self.folder / "run"
        runtime.mkdir(mode=0o700)
        env = dict(os.environ, HOME=str(self.folder), XDG_RUNTIME_DIR=str(runtime))
        env.pop("PULSE_SERVER", None)
        cmd = [PULSEAUDIO, "-n", "--daemonize=no", "--exit-idle-time=-1", "--system=no"]
        cmd += ["--use-pid-file=no", "--log-target=stderr", "--log-level=error"]
        cmd += ["-L", f"module-native-protocol-unix socket={self.socket} auth-anonymous=1"]
        cmd += ["-L", f"module-null-sink sink_name=kiosk rate={RATE}"]
        with (self.folder / "pulseaudio.log").open("wb") as log:
            self.proc = subprocess.Popen(
                cmd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while not self.socket.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log_text = (self.folder / "pulseaudio.log").read_text(errors="replace")
                raise RuntimeError(f"PulseAudio did not start: {log_text[-2000:]}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


class Recorder:
    """Records the server's monitor; `start_time` is the wall-clock time of the first sample.

    Every read arrives after the samples it holds were played, so the earliest
    (arrival time - samples so far) over all reads is the best estimate of when recording
    began: a few ms with parec's 5 ms latency.
    """

    def __init__(self, server: SoundServer) -> None:
        assert PAREC is not None, missing()
        cmd = [PAREC, f"--device={server.monitor}", "--format=s16le", f"--rate={RATE}"]
        cmd += ["--channels=1", "--latency-msec=5"]
        self._proc = subprocess.Popen(
            cmd, env=dict(os.environ, **server.env), stdout=subprocess.PIPE, bufsize=0
        )
        self._chunks: list[bytes] = []
        self._bytes = 0
        self.start_time = float("inf")
        self._thread = threading.Thread(target=self._read, name="sound-recorder", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while chunk := os.read(fd, 4800):
            now = time.time()
            self._bytes += len(chunk)
            self._chunks.append(chunk)
            self.start_time = min(self.start_time, now - self._bytes / 2 / RATE)

    def recorded_s(self) -> float:
        return self._bytes / 2 / RATE

    def stop(self) -> Sound:
        self._proc.terminate()
        self._proc.wait(timeout=5)
        self._thread.join(timeout=5)
        samples = array.array("h")
        samples.frombytes(b"".join(self._chunks)[: self._bytes // 2 * 2])
        return Sound(self.start_time, samples)


@dataclass(frozen=True)
class Run:
    """A stretch of one steady tone: wall-clock start/end (s), its band and segment number."""

    start: float
    end: float
    band: str | None  # None: a tone that belongs to no band (a glitch, two bands mixed)
    segment: int
    hz: float

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


@dataclass
class Sound:
    start_time: float
    samples: array.array[int]

    def at(self, index: float) -> float:
        return self.start_time + index / RATE

    def runs(self, min_ms: float = 3.0) -> list[Run]:
        """Steady tones at least `min_ms` long, in order (silence and glitches left out)."""
        crossings = self._rising_crossings()
        out: list[Run] = []
        first = last = total = 0.0
        count = 0
        for a, b in itertools.pairwise(crossings):
            hz = RATE / (b - a)
            if count and abs(total / count - hz) < STEP_HZ / 3:
                total, count, last = total + hz, count + 1, b
                continue
            if count:
                out.append(self._run(first, last, total / count))
                count = 0
            if hz >= 300:  # a longer "period" is silence between two sounds
                first, last, total, count = a, b, hz, 1
        if count:
            out.append(self._run(first, last, total / count))
        return [r for r in out if r.ms >= min_ms]

    def _run(self, first: float, last: float, hz: float) -> Run:
        band, segment = None, -1
        for name, base in BANDS.items():
            k = round((hz - base) / STEP_HZ)
            if 0 <= k < 20 and abs(hz - (base + k * STEP_HZ)) < STEP_HZ / 3:
                band, segment = name, k
        return Run(self.at(first), self.at(last), band, segment, hz)

    def _rising_crossings(self) -> list[float]:
        """Sample positions (interpolated) where the signal rises through zero, with
        hysteresis so silence and noise never count."""
        s = self.samples
        out: list[float] = []
        below = False
        last_neg = 0
        for i, x in enumerate(s):
            if x < -SILENCE:
                below, last_neg = True, i
            elif x > SILENCE and below:
                j = i
                while j > last_neg + 1 and s[j - 1] > 0:
                    j -= 1
                lo, hi = s[j - 1], s[j]
                out.append(j - 1 + (-lo / (hi - lo) if hi != lo else 1.0))
                below = False
        return out

    def loud_blocks(self, start: float, end: float, above: float) -> list[tuple[float, float]]:
        """(wall-clock time, peak) of each 10 ms block between two times peaking `above`."""
        out = []
        block = RATE // 100
        lo = max(0, int((start - self.start_time) * RATE))
        hi = min(len(self.samples), int((end - self.start_time) * RATE))
        for i in range(lo, hi - block + 1, block):
            part = self.samples[i : i + block]
            peak = max(max(part), -min(part)) / 32768
            if peak > above:
                out.append((self.at(i), peak))
        return out

    def loudest(self, start: float, end: float) -> float:
        """Peak amplitude (0-1) between two wall-clock times."""
        lo = max(0, int((start - self.start_time) * RATE))
        hi = min(len(self.samples), int((end - self.start_time) * RATE))
        if hi <= lo:
            return 0.0
        part = self.samples[lo:hi]
        return max(max(part), -min(part)) / 32768
