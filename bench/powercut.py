"""bench/powercut: `kiosk run` killed with SIGKILL at random moments, 100 times, restarted.

After every cut (tests/powercut.py says how each is judged): state files parse, proof of play
lost at most the item on screen, `kiosk status` says the player is not running, no temporary
files pile up; and every restart's time to its first picture is compared with clean starts
(empty state folder) measured in the same run. Exit code 1 if any cut broke a rule.
Usage: .venv/bin/python bench/powercut.py [--cuts 100] [--clean 5] [--seed N] [--window 0,4]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.powercut import PowerCuts, Round  # noqa: E402
from tests.xserver import Xvfb  # noqa: E402


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"median {statistics.median(values):.0f}, max {max(values):.0f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cuts", type=int, default=100)
    ap.add_argument("--clean", type=int, default=5, help="clean starts for the baseline")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--window", default="0,4", help="seconds after start the cut falls in")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    low, high = (float(x) for x in args.window.split(","))
    work = Path(tempfile.mkdtemp(prefix="kiosk-powercut-"))
    xvfb = Xvfb(640, 360).start()
    cuts = PowerCuts(xvfb, work, (low, high), random.Random(seed))
    print(
        f"powercut: {args.cuts} SIGKILLs at random moments {low:g}-{high:g} s after each start, "
        f"seed {seed}; items: 0.6 s clips and a 1 s slide; {os.cpu_count()} cores"
    )
    rounds: list[Round] = []
    started = time.monotonic()
    try:
        clean = [cuts.clean_start_ms(i) for i in range(args.clean)]
        for i in range(args.cuts):
            r = cuts.cut(i)
            rounds.append(r)
            bad = rule_broken(r)
            if bad or (i + 1) % 10 == 0:
                print(f"  cut {i + 1}: {bad or 'ok'}", flush=True)
    finally:
        cuts.stop()
        xvfb.stop()
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    clean_ok = [c for c in clean if c is not None]
    restarts = [r.started_ms for r in rounds[1:] if r.started_ms is not None]
    limit = max(clean_ok) * 1.5 if clean_ok else math.inf
    slow = [x for x in restarts if x > limit]
    broken = [r for r in rounds if rule_broken(r)]
    print(f"\n{len(rounds)} cuts in {time.monotonic() - started:.0f} s")
    print(f"  clean starts to first picture ms:     {spread(clean_ok)} ({len(clean_ok)} starts)")
    print(
        f"  restarts after a cut, to first picture: {spread(restarts)} ({len(restarts)} with a "
        f"picture before their own cut); over 1.5 x the slowest clean start: {len(slow)}"
    )
    print(
        f"  cut at: {spread([r.killed_after_s * 1000 for r in rounds])} ms after start; "
        f"{sum(1 for r in rounds if r.started_ms is None)} before the first picture"
    )
    shown, recorded = sum(r.shown for r in rounds), sum(r.recorded for r in rounds)
    print(f"  items shown {shown}, proof-of-play lines {recorded}")
    lost = [r.lost for r in rounds]
    print(
        f"  lost per cut (the item on screen is expected): 0: {lost.count(0)}, 1: {lost.count(1)}, "
        f"more: {sum(1 for x in lost if x > 1)}"
    )
    print(f"  torn proof-of-play lines {sum(r.torn for r in rounds)}")
    print(f"  status.json unreadable after a cut: {sum(1 for r in rounds if not r.status_ok)}")
    print(
        f"  kiosk status said 'not running' right after the cut: "
        f"{sum(1 for r in rounds if r.status_says_dead)} of {len(rounds)}"
    )
    print(
        f"  temporary files in the state folder after a cut: at most "
        f"{max(len(r.leftovers) for r in rounds)} (swept at the next start)"
    )
    print(f"  cuts breaking a rule: {len(broken)}; slow restarts: {len(slow)}")
    return 1 if broken or slow else 0


def rule_broken(r: Round) -> str:
    problems = []
    if r.lost > 1:
        problems.append(f"lost {r.lost} items")
    if r.torn:
        problems.append(f"{r.torn} torn lines")
    if not r.status_ok:
        problems.append("status.json unreadable")
    if not r.status_says_dead:
        problems.append("kiosk status did not say the player is gone")
    if len(r.leftovers) > 2:  # this cut's own (status, screenshot) are swept at the next start
        problems.append(f"temporary files piling up: {r.leftovers}")
    return "; ".join(problems)


if __name__ == "__main__":
    sys.exit(main())
