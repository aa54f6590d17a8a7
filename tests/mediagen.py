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


# ------------------------------------------------------------------------------------------
# Pictures whose shape and orientation a grab can check: a red disc, a blue band at the top.

SHAPE_RED = (230, 30, 30)
SHAPE_BLUE = (30, 30, 230)


def run_ffmpeg(cmd: list[str]) -> None:
    """ffmpeg quietly, overwriting, with `cmd` as its arguments; raises if it fails."""
    subprocess.run([FFMPEG, "-nostdin", "-loglevel", "error", "-y", *cmd], check=True, timeout=120)


def make_shape_picture(path: Path, width: int, height: int) -> Path:
    """The picture as it must appear (square pixels, upright): white, a blue band across the
    top eighth, a red disc of diameter 0.6 x the short side centred below it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    r = 0.3 * min(width, height)
    cx, cy = width / 2, height * 0.56
    inside = f"lt(hypot(X-{cx},Y-{cy}),{r})"
    top = f"lt(Y,{height / 8})"
    red, blue = SHAPE_RED, SHAPE_BLUE

    def channel(i: int) -> str:
        return f"if({top},{blue[i]},if({inside},{red[i]},255))"

    geq = f"geq=r='{channel(0)}':g='{channel(1)}':b='{channel(2)}'"
    run_ffmpeg(
        [
            *("-f", "lavfi", "-i", f"color=c=white:s={width}x{height}:d=1,format=rgb24,{geq}"),
            *("-frames:v", "1", str(path)),
        ]
    )
    return path


def make_shape_clip(
    path: Path,
    width: int,
    height: int,
    rotate: int = 0,
    sar: tuple[int, int] = (1, 1),
    interlaced: bool = False,
    seconds: float = 1.0,
    codec: list[str] | None = None,
) -> Path:
    """A clip that must appear as make_shape_picture(width, height) does, stored the way
    phones and broadcasters store it:

    - `rotate` (90, 180, 270): the pictures are stored turned back, with the container's
      rotation flag saying how to turn them for display (a phone held upright);
    - `sar` (pixel width, height): stored squeezed to width * sar[1] / sar[0] non-square
      pixels (anamorphic DVD and broadcast material);
    - `interlaced`: two fields per frame from a 50 fps source with a black bar sweeping
      across its bottom eighth, MPEG-2 coded as interlaced (a TV recording); combs if not
      deinterlaced.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = make_shape_picture(path.with_suffix(".truth.png"), width, height)
    fps = 50 if interlaced else 25
    stored_w = 2 * round(width * sar[1] / sar[0] / 2)
    filters = []
    graph = f"[0:v]fps={fps},format=yuv420p"
    if interlaced:  # below the disc, so the disc and the band stay whole
        bar = f"color=c=black:s={max(4, width // 16)}x{height // 8}:r={fps}"
        graph = (
            f"{bar}[bar];[0:v]fps={fps}[bg];[bg][bar]overlay=x='mod(t*{width},{width})'"
            f":y={height - height // 8}:shortest=1,format=yuv420p"
        )
    if (stored_w, sar) != (width, (1, 1)):
        filters.append(f"scale={stored_w}:{height}:flags=bicubic,setsar={sar[0]}/{sar[1]}")
    # ffmpeg's `rotate` tag (as ffprobe's displaymatrix says) turns counter-clockwise for
    # display: the stored picture is turned the other way. ffmpeg's own autorotate shows
    # these files upright, as phones and players do.
    turn = {90: "transpose=clock", 180: "hflip,vflip", 270: "transpose=cclock"}
    if rotate:
        filters.append(turn[rotate])
    if interlaced:
        filters.append("tinterlace=interleave_top,setfield=tff")
    vf = graph + ("," + ",".join(filters) if filters else "")
    if codec is None:
        codec = ["-c:v", "mpeg2video", "-b:v", "4M", "-flags", "+ilme+ildct", "-top", "1"]
        if not interlaced:
            codec = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    target = path.with_suffix(".unflagged" + path.suffix) if rotate else path
    run_ffmpeg(
        [
            *("-loop", "1", "-t", f"{seconds}", "-i", str(picture)),
            *("-filter_complex", vf + "[v]", "-map", "[v]"),
            *codec,
            str(target),
        ]
    )
    if rotate:  # the flag is written on a copy: ffmpeg 5 sets it only when not encoding
        run_ffmpeg(
            ["-i", str(target), "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", str(path)]
        )
        target.unlink()
    picture.unlink()
    return path


# ------------------------------------------------------------------------------------------
# Every container offices have, made as the tools that write them would (codecs of the kind).

_X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
_MPEG2 = ["-c:v", "mpeg2video", "-b:v", "2M"]
CONTAINERS: dict[str, list[str]] = {
    # extension: ffmpeg output options (video, sound, format)
    ".mp4": [*_X264, "-c:a", "aac"],
    ".m4v": [*_X264, "-c:a", "aac", "-f", "ipod"],
    ".mov": [*_X264, "-c:a", "aac"],
    ".3gp": [*_X264, "-c:a", "aac", "-ar", "16000", "-ac", "1"],
    ".3g2": ["-c:v", "mpeg4", "-c:a", "aac", "-ar", "16000", "-ac", "1"],
    ".mkv": [*_X264, "-c:a", "aac"],
    ".webm": ["-c:v", "libvpx", "-b:v", "300k", "-c:a", "libopus", "-ar", "48000"],
    ".avi": ["-c:v", "mpeg4", "-c:a", "mp3"],
    ".divx": ["-c:v", "mpeg4", "-vtag", "DIVX", "-c:a", "mp3", "-f", "avi"],
    ".wmv": ["-c:v", "wmv2", "-c:a", "wmav2"],
    ".asf": ["-c:v", "msmpeg4", "-c:a", "wmav2"],
    ".flv": ["-c:v", "flv1", "-c:a", "mp3", "-ar", "44100"],
    ".f4v": [*_X264, "-c:a", "aac", "-f", "f4v"],
    ".rm": ["-c:v", "rv20", "-c:a", "ac3"],
    ".rmvb": ["-c:v", "rv20", "-c:a", "ac3", "-f", "rm"],
    ".mpg": ["-c:v", "mpeg1video", "-c:a", "mp2", "-f", "mpeg"],
    ".mpeg": [*_MPEG2, "-c:a", "mp2", "-f", "mpeg"],
    ".vob": [*_MPEG2, "-c:a", "ac3", "-f", "vob"],
    ".ts": [*_MPEG2, "-c:a", "mp2", "-f", "mpegts"],
    ".m2t": [*_MPEG2, "-c:a", "mp2", "-f", "mpegts"],
    ".mts": [*_X264, "-c:a", "ac3", "-f", "mpegts", "-mpegts_m2ts_mode", "1"],
    ".m2ts": [*_X264, "-c:a", "ac3", "-f", "mpegts", "-mpegts_m2ts_mode", "1"],
}


def make_container_clip(
    path: Path, colour: str, seconds: float = 1.0, size: str = "160x96", fps: int = 25
) -> Path:
    """A clip of one colour (a small black square moving along its top edge: some encoders,
    Theora's, code a still picture as frames players drop) with a tone, in the container and
    codecs its extension names; a `.gif` is an animation of that colour and black, 0.2 s each.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = f"color=c={hexcolour(colour)}:s={size}:r={fps}:d={seconds}"
    if path.suffix == ".gif":
        flash = f"color=c=black:s={size}:r={fps}:d={seconds}"
        graph = (
            f"{picture}[a];{flash}[b];[a][b]blend=all_expr='if(lt(mod(T,0.4),0.2),A,B)',"
            "split[c][d];[c]palettegen[p];[d][p]paletteuse"
        )
        run_ffmpeg(["-f", "lavfi", "-i", graph, str(path)])
        return path
    sound = f"sine=frequency=440:duration={seconds}"
    box = f"color=c=black:s=8x8:r={fps}:d={seconds}"
    sweep = "overlay=x='mod(n*4,main_w-8)':y=0:eval=frame,format=yuv420p"
    moving = f"{picture}[bg];{box}[box];[bg][box]{sweep}"
    run_ffmpeg(
        [
            *("-f", "lavfi", "-i", moving, "-f", "lavfi", "-i", sound),
            *CONTAINERS[path.suffix],
            *("-shortest", str(path)),
        ]
    )
    return path


def with_exif_orientation(jpeg: bytes, orientation: int) -> bytes:
    """A JPEG with an EXIF block holding only its orientation tag (6: turn 90 clockwise for
    display, as a phone held upright writes it; 3: 180; 8: 270)."""
    assert jpeg[:2] == b"\xff\xd8", "not a JPEG"
    # TIFF header (big-endian), one IFD of one entry: tag 0x0112 SHORT count 1 = orientation.
    ifd = b"\x00\x01" + b"\x01\x12\x00\x03\x00\x00\x00\x01" + bytes([0, orientation, 0, 0])
    tiff = b"MM\x00\x2a\x00\x00\x00\x08" + ifd + b"\x00\x00\x00\x00"
    body = b"Exif\x00\x00" + tiff
    app1 = b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body
    return jpeg[:2] + app1 + jpeg[2:]
