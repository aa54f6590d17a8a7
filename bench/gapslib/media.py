"""The bench's media: coded solid-colour clips and plain colour slides, and the playlists."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from gapslib.frames import render
from tests.mediagen import FFMPEG, make_image

CLIP_FPS = 25


@dataclass(frozen=True, slots=True)
class Item:
    colour: str
    kind: str  # "video" or "slide"
    path: Path
    frames: int = 0  # clip frames (videos)


@dataclass(frozen=True, slots=True)
class Media:
    folder: Path
    width: int
    height: int
    slide_seconds: int
    main: list[Item]  # the playlist whose transitions cover every kind
    single: list[Item]  # a one-clip playlist that loops on itself

    def nominal_loop_seconds(self, items: list[Item]) -> float:
        return sum(i.frames / CLIP_FPS if i.kind == "video" else self.slide_seconds for i in items)


# Order chosen so one pass has every kind once: red→green video→video, green→blue
# video→slide, blue→yellow slide→slide, yellow→magenta slide→video, magenta→red wrap-around.
MAIN = [("red", "video"), ("green", "video"), ("blue", "slide"), ("yellow", "slide")]
MAIN += [("magenta", "video")]
SINGLE = [("cyan", "video")]


def encode_clip(path: Path, width: int, height: int, colour: str, frames: int) -> Path:
    """An H.264 clip whose frame n shows `colour` with n coded in its bands (see frames.py)."""
    # BT.601 for small pictures, BT.709 for HD, tagged, so every player converts back the same.
    matrix = "bt709" if height >= 720 else "smpte170m"
    scale = "bt709" if height >= 720 else "bt601"
    cmd = [
        FFMPEG,
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{width}x{height}",
        "-r",
        str(CLIP_FPS),
        "-i",
        "pipe:0",
        "-vf",
        f"scale=out_color_matrix={scale}:out_range=tv,format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "12",
        "-g",
        str(CLIP_FPS),
        "-colorspace",
        matrix,
        "-color_primaries",
        "bt709" if height >= 720 else "smpte170m",
        "-color_trc",
        "bt709" if height >= 720 else "smpte170m",
        "-color_range",
        "tv",
        "-movflags",
        "+faststart",
        str(path),
    ]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    try:
        for n in range(frames):
            proc.stdin.write(render(width, height, colour, n))
    finally:
        proc.stdin.close()
    if proc.wait(timeout=120) != 0:
        raise RuntimeError(f"ffmpeg could not encode {path}")
    return path


def build(folder: Path, width: int, height: int, clip_seconds: float, slide_seconds: int) -> Media:
    """Every file both playlists need, in `folder`, readable by anyone, mtimes in the past."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = max(2, round(clip_seconds * CLIP_FPS))

    def make(n: int, colour: str, kind: str) -> Item:
        if kind == "video":
            path = encode_clip(folder / f"{n:02d}-{colour}.mp4", width, height, colour, frames)
            return Item(colour, kind, path, frames)
        path = make_image(folder / f"{n:02d}-{colour}.png", colour, (width, height))
        return Item(colour, kind, path)

    main = [make(n + 1, c, k) for n, (c, k) in enumerate(MAIN)]
    single = [make(len(MAIN) + n + 1, c, k) for n, (c, k) in enumerate(SINGLE)]
    past = time.time() - 10  # older than the sync folder's quiet period: admitted at once
    for f in folder.iterdir():
        os.utime(f, (past, past))
        f.chmod(0o644)
    folder.chmod(0o755)
    return Media(folder, width, height, slide_seconds, main, single)
