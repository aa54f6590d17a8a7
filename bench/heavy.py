"""bench/heavy: CPU and frames lost for a 4K HEVC 10-bit clip, on a 1920x1080 and a
3840x2160 screen, kiosk against mpv (and cvlc) in the same run.

Each player loops the one clip fullscreen on a fresh Xvfb of each size; the top-left tenth of
the screen is grabbed at 50 fps, where the clip's coded tile says which frame is shown
(gapslib/heavy.py). Per run: whole passes seen, frames never shown, frames held on screen
beyond their time, CPU s/min of the player's process tree (and in cores), peak RSS. See
bench/README.md.

Usage: .venv/bin/python bench/heavy.py [--seconds 8] [--loops 3] [--players kiosk,mpv]
       [--screens 1920x1080,3840x2160] [--noise 6] [--crf 24] [--repeat 1] [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from gaps import versions  # noqa: E402
from gapslib import heavy  # noqa: E402
from gapslib.analyse import FRAME_CAPTURES  # noqa: E402
from gapslib.capture import CAPTURE_FPS  # noqa: E402
from gapslib.media import CLIP_FPS  # noqa: E402
from gapslib.players import INSTALL, PLAYERS  # noqa: E402
from gapslib.run import work_folder  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "kiosk-bench-heavy"


def row(run: heavy.HeavyRun, frames: int) -> str:
    """One line of the table: `frames` is how many frames one pass of the clip holds."""
    w, h = run.screen
    head = f"{w}x{h:<5} {run.player:6}"
    if run.analysis is None or run.loops() == 0:
        return f"{head} {run.error or 'no whole pass seen'}"
    passes = run.analysis.appearances[1:-1]  # whole passes only
    lost = sum(frames - len({f for f in a.frames if f is not None}) for a in passes)
    total = frames * len(passes)
    held = 100 * run.analysis.mid_long / max(1, run.analysis.mid_frames)
    cpu = run.cpu_per_min
    cpu_txt = f"{cpu:6.1f} {cpu / 60:5.2f}" if cpu is not None else f"{'n/a':>6} {'':5}"
    rss = f"{run.peak_rss_mb:5.0f}" if run.peak_rss_mb else "  n/a"
    # How long a pass stayed on screen: a player that falls behind may show every frame,
    # late, in slow motion, rather than drop some.
    pass_s = statistics.median((len(a.frames) + a.glitches) / CAPTURE_FPS for a in passes)
    return (
        f"{head} {len(passes):5} {lost:6} / {total:<5} {100 * lost / total:6.1f} %"
        f" {held:8.1f} %  {pass_s:6.2f}  {cpu_txt}  {rss}"
        + (f"   ! {run.error}" if run.error else "")
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seconds", type=float, default=8.0, help="clip length (<= 10 s)")
    ap.add_argument("--loops", type=int, default=3, help="whole passes to measure per run")
    ap.add_argument("--players", default="kiosk,mpv", help=f"subset of {','.join(PLAYERS)}")
    ap.add_argument("--screens", default="1920x1080,3840x2160", help="Xvfb sizes, comma-separated")
    ap.add_argument("--noise", type=int, default=6, help="film grain strength (0: none)")
    ap.add_argument("--crf", type=int, default=24, help="x265 quality (lower: more Mbit/s)")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per screen and player, taken in turn (the machine's load changes)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the work folder (player logs)")
    args = ap.parse_args()
    if not 1 <= args.seconds * 25 <= 255:
        ap.error("--seconds: 0.04 to 10.2 (the frame number has 8 bits)")
    names = [p.strip() for p in args.players.split(",") if p.strip()]
    if set(names) - set(PLAYERS):
        ap.error(f"unknown players: {', '.join(sorted(set(names) - set(PLAYERS)))}")
    screens = [tuple(int(v) for v in s.split("x")) for s in args.screens.split(",")]
    for tool in ("ffmpeg", "Xvfb"):
        if shutil.which(tool) is None:
            ap.error(f"{tool} is not installed (run scripts/setup)")
    for tool in ("cvlc", "mpv"):
        if tool in names and shutil.which(tool) is None:
            print(f"{tool} is missing, its rows will say so: {INSTALL}", file=sys.stderr)

    started = time.monotonic()
    print(f"bench/heavy: {versions()}")
    log(f"encoding the clip (cached in {CACHE})")
    clip = heavy.build(CACHE, args.seconds, args.noise, args.crf)
    print(
        f"clip: {heavy.SOURCE[0]}x{heavy.SOURCE[1]} HEVC Main 10, {CLIP_FPS} fps, "
        f"{clip.seconds:g} s ({clip.item.frames} frames), {clip.mbps:.0f} Mbit/s, "
        f"testsrc2 + grain {args.noise}, x265 ultrafast crf {args.crf}, a keyframe a second; "
        "looped, "
        f"{args.loops} whole passes measured per run\n",
        flush=True,
    )
    print(
        f"{'screen':10} {'player':6} {'loops':>5} {'frames lost':>14} {'lost':>8}"
        f" {'held':>10}  {'pass s':>6}  {'CPU s/min':>6} {'cores':>5}  {'RSS MB':>5}"
    )
    with work_folder("kiosk-heavy-", args.keep, log) as work:
        for screen in screens:
            for n, name in [(n, name) for n in range(args.repeat) for name in names]:
                t0 = time.monotonic()
                load = Path("/proc/loadavg").read_text().split()[0]
                folder = work / f"{name}-{screen[0]}-{n}"
                run = heavy.measure(name, screen, clip, args.loops, folder)
                log(f"{screen[0]}x{screen[1]} {name}: {time.monotonic() - t0:.0f} s")
                print(f"{row(run, clip.item.frames)}   (load {load})", flush=True)
    print(LEGEND.format(seconds=f"{clip.seconds:g}"))
    print(f"\nbench time {time.monotonic() - started:.0f} s")
    return 0


LEGEND = f"""
  loops        whole passes of the clip seen on screen (the first and last are not judged)
  frames lost  frames of those passes never seen on screen / frames they hold
  pass s       how long one pass stayed on screen (median; the clip lasts {{seconds}} s): longer,
               the player showed it in slow motion
  held         mid-pass frames on screen longer than one frame time (> {FRAME_CAPTURES} captures
               at 50 fps): a stutter, or the grab's own jitter (bench/gaps: 1-9 %)
  CPU          utime+stime of the player's whole process tree per minute of playing, and the
               same in cores (1.00 = one core busy all the time; this machine has 2)
  RSS MB       largest resident memory of the process tree, sampled every 0.5 s
  load         the machine's 1-minute load average as the run began (2 cores: above 2, other
               work competes with the player)"""


def log(msg: str) -> None:
    print(f"[heavy {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
