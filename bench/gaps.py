"""bench/gaps: black frames, frozen frames and skipped frames at every kind of transition.

Plays coded solid-colour clips (the frame number is drawn in them) and colour slides under
Xvfb with kiosk, `cvlc --fullscreen --loop` and `mpv --fs --loop-playlist=inf --vo=x11
--prefetch-playlist=yes`, grabs the screen with ffmpeg x11grab at 50 fps, reads every
captured frame back (which item, which frame of it) and prints, per transition kind and
player: black/desktop frames, the outgoing last frame held too long, incoming first frames
skipped; plus start-up to first picture, CPU s/min and peak RSS. See bench/README.md.

Usage: .venv/bin/python bench/gaps.py [--quick] [--size 640x360|1920x1080] [--transitions N]
       .venv/bin/python bench/gaps.py --selftest
Needs ffmpeg, Xvfb, and for the baselines: apt-get install -y --no-install-recommends
vlc-bin vlc-plugin-base mpv
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from gapslib import media as gmedia  # noqa: E402
from gapslib.analyse import KINDS  # noqa: E402
from gapslib.players import INSTALL, PLAYERS  # noqa: E402
from gapslib.report import LEGEND, table  # noqa: E402
from gapslib.run import RunResult, measure, work_folder  # noqa: E402

SIZES = ("640x360", "1920x1080")


def versions() -> str:
    def first_line(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.TimeoutExpired):
            return "not installed"
        return out.splitlines()[0] if out else "?"

    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout.strip()
    except OSError:
        head = "?"
    vlc = "not installed"
    if shutil.which("cvlc"):
        vlc = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "vlc-bin"], capture_output=True, text=True
        ).stdout
    return (
        f"kiosk {head} | {first_line(['mpv', '--version'])} | vlc {vlc} | "
        f"{first_line(['ffmpeg', '-version'])} | {os.cpu_count()} cores"
    )


def run_size(size: str, args: argparse.Namespace, work: Path) -> str:
    width, height = (int(v) for v in size.split("x"))
    t0 = time.monotonic()
    media = gmedia.build(work / size / "media", width, height, args.clip_seconds, args.slide_s)
    log(f"{size}: media ready in {time.monotonic() - t0:.1f} s")
    runs: dict[str, list[RunResult]] = {}
    for player in args.players:
        runs[player] = []
        for scenario, items, kinds in (
            ("main", media.main, KINDS[:5]),
            ("single", media.single, KINDS[5:]),
        ):
            t0 = time.monotonic()
            res = measure(
                player,
                scenario,
                media,
                items,
                kinds,
                args.transitions,
                work / size / f"{player}-{scenario}",
                args.cvlc_vout,
            )
            runs[player].append(res)
            got = ", ".join(
                f"{k} {res.analysis.count(k)}" for k in kinds if res.analysis is not None
            )
            log(
                f"{size} {player} {scenario}: {time.monotonic() - t0:.0f} s, {got}"
                + (f" ({res.error})" if res.error else "")
            )
    return table(size, args.transitions, runs)


def log(msg: str) -> None:
    print(f"[gaps {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--size",
        choices=SIZES,
        action="append",
        help="screen and clip size; repeat for both (default: both; --quick: 640x360)",
    )
    ap.add_argument(
        "--transitions",
        type=int,
        metavar="N",
        help="transitions of every kind to measure per player (default 30; --quick: 5)",
    )
    ap.add_argument("--quick", action="store_true", help="a short try-out (~2 minutes)")
    ap.add_argument(
        "--players",
        default=",".join(PLAYERS),
        help=f"comma-separated subset of {','.join(PLAYERS)} (default: all three)",
    )
    ap.add_argument(
        "--clip-seconds",
        type=float,
        default=0.6,
        help="length of each test clip, at 25 fps (default 0.6 = 15 frames: keeps the full "
        "run under ~15 minutes; 1.0 takes ~20)",
    )
    ap.add_argument(
        "--slide-seconds",
        dest="slide_s",
        type=int,
        default=1,
        help="how long each slide shows (kiosk's minimum, the default, is 1)",
    )
    ap.add_argument(
        "--cvlc-vout",
        metavar="NAME",
        help="force cvlc's video output (e.g. xcb_x11); default: VLC's own choice (OpenGL)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs, media)")
    ap.add_argument("--selftest", action="store_true", help="check the frame decoder and quit")
    args = ap.parse_args()
    if args.selftest:
        from gapslib.selftest import selftest

        return selftest()
    sizes = args.size or (["640x360"] if args.quick else list(SIZES))
    args.transitions = args.transitions or (5 if args.quick else 30)
    args.players = [p.strip() for p in args.players.split(",") if p.strip()]
    unknown = set(args.players) - set(PLAYERS)
    if unknown:
        ap.error(f"unknown players: {', '.join(sorted(unknown))}")
    for tool in ("ffmpeg", "Xvfb"):
        if shutil.which(tool) is None:
            ap.error(f"{tool} is not installed (run scripts/setup)")
    for tool in ("cvlc", "mpv"):
        if tool in args.players and shutil.which(tool) is None:
            log(f"{tool} is missing, its column will be empty: {INSTALL}")

    with work_folder("kiosk-gaps-", args.keep, log) as work:
        started = time.monotonic()
        print(f"bench/gaps: {versions()}")
        print(
            f"clips {args.clip_seconds:g} s at 25 fps ({round(args.clip_seconds * 25)} frames), "
            f"slides {args.slide_s} s; main playlist: red clip, green clip, blue slide, "
            f"yellow slide, magenta clip (wrap-around = magenta clip -> red clip); "
            f"1-item loop: cyan clip\n",
            flush=True,
        )
        for size in sizes:
            print(run_size(size, args, work), end="\n\n", flush=True)
    print(LEGEND)
    print(f"\nbench time {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
