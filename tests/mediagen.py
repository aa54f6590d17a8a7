"""Tiny, colourful test media made with ffmpeg and Qt, so a screen grab can tell them apart."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from kiosk.playback.fake import NAMED_COLOURS

FFMPEG = shutil.which("ffmpeg") or "ffmpeg"

# Saturated colours far apart in RGB, so a grab classifies them without doubt; the same
# values the fake player paints (one table, so fake and real frames classify alike).
COLOURS: dict[str, tuple[int, int, int]] = {
    name: NAMED_COLOURS[name] for name in ("red", "green", "blue", "yellow", "magenta", "cyan")
}


# Screens the player itself paints (kiosk.ui.stage.IDLE_BACKGROUND), to tell them from media.
SCREENS: dict[str, tuple[int, int, int]] = {"idle": (12, 42, 92)}


def hexcolour(name: str) -> str:
    r, g, b = COLOURS[name]
    return f"0x{r:02x}{g:02x}{b:02x}"


def make_clip(
    path: Path,
    colour: str,
    seconds: float = 1.0,
    size: str = "160x90",
    fps: int = 25,
    audio: bool = False,
) -> Path:
    """A solid-colour H.264 clip (yuv420p, so every decoder takes it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        FFMPEG,
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"color=c={hexcolour(colour)}:s={size}:r={fps}:d={seconds}",
    ]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-shortest"]
    cmd += [str(path)]
    subprocess.run(cmd, check=True, timeout=60)
    return path


def make_image(path: Path, colour: str, size: tuple[int, int] = (160, 90)) -> Path:
    """A solid-colour image in the format its extension names (png, jpg, webp, bmp)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            FFMPEG,
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"color=c={hexcolour(colour)}:s={size[0]}x{size[1]}:d=1",
            "-frames:v",
            "1",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


def classify(rgb: tuple[int, int, int], tolerance: int = 60) -> str:
    """Name of the test colour (or player screen) nearest to `rgb`; 'black', else 'other'."""
    if max(rgb) < 40:
        return "black"
    best, dist = "other", tolerance * 3
    for name, ref in (COLOURS | SCREENS).items():
        d = sum(abs(a - b) for a, b in zip(rgb, ref, strict=True))
        if d < dist:
            best, dist = name, d
    return best
