"""`bench/gaps.py --selftest`: the decoder and the transition logic on frames we know."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from gapslib.analyse import analyse
from gapslib.capture import Sample
from gapslib.frames import MAX_FRAME, THUMB_H, THUMB_W, Reading, decode, render
from gapslib.media import Item, encode_clip
from tests.mediagen import COLOURS, FFMPEG

SHRINK = ["-vf", f"scale={THUMB_W}:{THUMB_H}:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24"]
SHRINK += ["pipe:1"]


def _shrink(raw: bytes, width: int, height: int, frames: int = 1) -> list[bytes]:
    """The same scaling the grab does, applied to raw rgb24 pictures."""
    out = subprocess.run(
        [
            *(FFMPEG, "-nostdin", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24"),
            *("-s", f"{width}x{height}", "-i", "pipe:0", *SHRINK),
        ],
        input=raw,
        capture_output=True,
        check=True,
    ).stdout
    n = THUMB_W * THUMB_H * 3
    assert len(out) == n * frames, (len(out), n * frames)
    return [out[i : i + n] for i in range(0, len(out), n)]


def _decoded_clip(path: Path) -> list[Reading]:
    out = subprocess.run(
        [FFMPEG, "-nostdin", "-loglevel", "error", "-i", str(path), *SHRINK],
        capture_output=True,
        check=True,
    ).stdout
    n = THUMB_W * THUMB_H * 3
    return [decode(out[i : i + n]) for i in range(0, len(out), n)]


def _check(name: str, ok: bool, failures: list[str]) -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    if not ok:
        failures.append(name)


def selftest() -> int:
    failures: list[str] = []
    print("decoder, on raw pictures (no compression):")
    for w, h in ((640, 360), (1920, 1080), (1280, 720)):
        numbers = [0, 1, 2, 85, 170, 127, 128, MAX_FRAME]
        thumbs = _shrink(b"".join(render(w, h, "red", n) for n in numbers), w, h, len(numbers))
        got = [decode(t).frame for t in thumbs]
        _check(f"{w}x{h} frame numbers {numbers}", got == numbers, failures)
        for colour in COLOURS:
            r = decode(_shrink(render(w, h, colour, None), w, h)[0])
            _check(f"{w}x{h} {colour} slide", r == Reading(colour, None), failures)
    w, h = 640, 360
    black = decode(_shrink(bytes(w * h * 3), w, h)[0])
    _check("black screen", black.cls == "black", failures)
    # A picture half one item, half another (a torn grab): not an item.
    a, b = render(w, h, "red", 3), render(w, h, "green", 4)
    torn = decode(_shrink(a[: len(a) // 2] + b[len(b) // 2 :], w, h)[0])
    _check("torn grab (red top, green bottom) -> other", torn.cls == "other", failures)
    # A blend of two frames of one clip must not read as some third number.
    blend = bytes(
        (x + y) // 2 for x, y in zip(render(w, h, "red", 5), render(w, h, "red", 10), strict=True)
    )
    r = decode(_shrink(blend, w, h)[0])
    _check(f"blend of frames 5 and 10 -> no number (got {r.frame})", r.frame is None, failures)

    print("decoder, on H.264 clips as the players get them:")
    with tempfile.TemporaryDirectory(prefix="gaps-selftest-") as tmp:
        for w, h, n in ((640, 360, 64), (1920, 1080, 25)):
            clip = encode_clip(Path(tmp) / f"{w}.mp4", w, h, "magenta", n)
            want = [Reading("magenta", i) for i in range(n)]
            ok = _decoded_clip(clip) == want
            _check(f"{w}x{h} clip of {n} frames decodes 0..{n - 1}", ok, failures)

    print("transition logic, on a made-up capture:")
    items = [
        Item("red", "video", Path("a"), 4),
        Item("blue", "slide", Path("b")),
        Item("green", "video", Path("c"), 4),
    ]

    def seq(*parts: tuple[str, int | None, int]) -> list[Sample]:
        out = []
        for cls, frame, count in parts:
            out += [Sample(0.0, Reading(cls, frame))] * count
        return out

    samples = seq(
        ("other", None, 3),
        ("red", 0, 2), ("red", 1, 2), ("red", 2, 2), ("red", 3, 4),  # held 2 extra = 40 ms
        ("black", None, 1),  # 1 black frame
        ("blue", None, 50),
        ("green", 1, 2), ("green", 2, 2), ("green", 3, 2),  # skipped 1
        ("red", 0, 3), ("red", 1, 2), ("red", 2, 2),  # green->red wrap, last cut 0; red 3 cut
        ("blue", None, 50),
        ("green", 0, 2),  # last appearance: not judged
    )  # fmt: skip
    res = analyse(samples, items)
    kinds = [t.kind for t in res.transitions]
    _check(
        f"kinds {kinds}",
        kinds == ["video->slide", "slide->video", "wrap-around", "video->slide"],
        failures,
    )
    t0, t1, t2, t3 = res.transitions
    _check(
        f"video->slide: gap {t0.gap}, held {t0.held_ms} ms",
        (t0.gap, t0.held_ms) == (1, 40),
        failures,
    )
    _check(f"stall {t0.stall_ms} ms (20 black + 40 held)", t0.stall_ms == 60, failures)
    _check(f"slide->video: skipped {t1.skipped}", t1.skipped == 1 and t1.held_ms is None, failures)
    _check(f"wrap: first held {t2.first_held_ms} ms", t2.first_held_ms == 20, failures)
    _check(f"cut at the end {t3.cut}", t3.cut == 1, failures)
    _check(f"start-up capture {res.startup_capture}", res.startup_capture == 3, failures)
    loop = [Item("cyan", "video", Path("d"), 3)]
    res = analyse(seq(*[("cyan", f, 2) for f in (0, 1, 2, 0, 1, 2, 1, 2, 0, 1)]), loop)
    loops = [(t.kind, t.skipped, t.held_ms) for t in res.transitions]
    ok = loops == [("1-item loop", 0, 0), ("1-item loop", 1, 0)]
    _check(f"1-item loop {loops}", ok, failures)

    print("selftest " + ("passed" if not failures else f"FAILED: {len(failures)} checks"))
    return 1 if failures else 0
