"""The side-by-side table: per transition kind, per player; then start-up, CPU and memory."""

from __future__ import annotations

from collections.abc import Sequence

from gapslib.analyse import CAPTURE_MS, KINDS, Transition, median_max
from gapslib.capture import CAPTURE_FPS, CaptureCheck
from gapslib.run import RunResult

STALL_MAX_MS = 20.0
CPU_FACTOR = 1.3


def _mm(values: Sequence[float | int | None], fmt: str = "{:.0f}") -> str:
    got = median_max(values)
    if got is None:
        return "-"
    return f"{fmt.format(got[0])} / {fmt.format(got[1])}"


def _verdict(ts: Sequence[Transition]) -> str:
    if not ts:
        return ""
    stall = median_max([t.stall_ms for t in ts])
    skipped = median_max([t.skipped for t in ts])
    ok = stall is not None and stall[0] == 0 and stall[1] <= STALL_MAX_MS
    ok = ok and (skipped is None or skipped[1] == 0)
    return "ok" if ok else "MISS"


def _num(v: float | None, fmt: str) -> str:
    return "n/a" if v is None else fmt.format(v)


def table(size: str, wanted: int, runs: dict[str, list[RunResult]]) -> str:
    """`runs`: player → its runs at this size (the main playlist and the one-item loop)."""
    out: list[str] = []
    checks = [r.capture for rs in runs.values() for r in rs if r.capture is not None]
    total = sum(checks, CaptureCheck(0, 0, 0, 0))
    per_player = ", ".join(
        f"{p} {sum(r.capture.dup for r in rs if r.capture)}/"
        f"{sum(r.capture.drop for r in rs if r.capture)}"
        for p, rs in runs.items()
    )
    out.append(
        f"size {size}, {wanted} transitions per kind wanted (capture: {CAPTURE_FPS} fps, "
        f"{total.frames} frames read, {total.expected} expected from wall time, "
        f"{total.drop} dropped, {total.dup} dup; dup/drop per player: {per_player})"
    )
    head = (
        f"{'kind':13} {'player':6} {'n':>3}  {'black/desktop':>13}  {'stall ms':>9}  "
        f"{'held last ms':>12}  {'last cut':>8}  {'skipped first':>13}  {'1st held ms':>11}  "
        f"target"
    )
    sub = (
        f"{'':13} {'':6} {'':>3}  {'total / max':>13}  {'med / max':>9}  {'med / max':>12}  "
        f"{'med / max':>8}  {'med / max':>13}  {'med / max':>11}"
    )
    out += [head, sub]
    for kind in KINDS:
        for player, rs in runs.items():
            ts = [t for r in rs if r.analysis for t in r.analysis.transitions if t.kind == kind]
            if not ts:
                err = next((r.error for r in rs if r.error), None)
                out.append(f"{kind:13} {player:6} {0:>3}  {err or 'no transitions seen'}")
                continue
            gaps = [t.gap for t in ts]
            out.append(
                f"{kind:13} {player:6} {len(ts):>3}  {f'{sum(gaps)} / {max(gaps)}':>13}  "
                f"{_mm([t.stall_ms for t in ts]):>9}  {_mm([t.held_ms for t in ts]):>12}  "
                f"{_mm([t.cut for t in ts]):>8}  {_mm([t.skipped for t in ts]):>13}  "
                f"{_mm([t.first_held_ms for t in ts]):>11}  "
                f"{_verdict(ts) if player == 'kiosk' else ''}"
            )

    main = {p: next((r for r in rs if r.scenario == "main"), None) for p, rs in runs.items()}

    def line(label: str, attr: str, fmt: str) -> str:
        parts = [f"{p} {_num(getattr(r, attr) if r else None, fmt)}" for p, r in main.items()]
        return f"{label}: " + " | ".join(parts)

    out.append(line("startup to first picture (ms)", "startup_ms", "{:.0f}"))
    cpu = line("CPU s/min", "cpu_per_min", "{:.2f}")
    rss = line("peak RSS MB", "peak_rss_mb", "{:.0f}")
    out.append(f"{cpu}      {rss}")
    base = [r.cpu_per_min for p, r in main.items() if p != "kiosk" and r and r.cpu_per_min]
    ours = main.get("kiosk")
    if base and ours is not None and ours.cpu_per_min is not None:
        limit = CPU_FACTOR * min(base)
        verdict = "ok" if ours.cpu_per_min <= limit else "MISS"
        out.append(
            f"  kiosk CPU {ours.cpu_per_min:.2f} s/min vs target <= {CPU_FACTOR} x "
            f"{min(base):.2f} = {limit:.2f}: {verdict}"
        )
    slides = []
    for p, rs in runs.items():
        caps = [c for r in rs if r.analysis for c in r.analysis.slide_captures]
        got = median_max([c * CAPTURE_MS for c in caps])
        slides.append(f"{p} {'-' if got is None else f'{got[0]:.0f}/{got[1]:.0f}'}")
    out.append("slide on screen ms, median/max: " + " | ".join(slides))
    odd = []
    for p, rs in runs.items():
        a = [r.analysis for r in rs if r.analysis]
        odd.append(
            f"{p} {sum(x.lost_mid_clip for x in a)}/{sum(x.glitches for x in a)}/"
            f"{sum(x.out_of_order for x in a)}"
        )
    out.append(
        "frames lost mid-clip / black inside an item / transitions out of order: " + " | ".join(odd)
    )
    floor = []
    for p, rs in runs.items():
        a = [r.analysis for r in rs if r.analysis]
        seen, long = sum(x.mid_frames for x in a), sum(x.mid_long for x in a)
        floor.append(f"{p} {100 * long / seen:.1f} %" if seen else f"{p} -")
    out.append("jitter floor, mid-clip frames on screen > 2 captures: " + " | ".join(floor))
    for rs in runs.values():
        for r in rs:
            if r.error:
                out.append(f"  ! {r.player} ({r.scenario}): {r.error}")
    return "\n".join(out)


LEGEND = f"""\
How to read it (capture at {CAPTURE_FPS} fps = {CAPTURE_MS:.0f} ms per captured frame; clips at
25 fps, so a clip frame normally spans 2 captures):
  n              transitions of that kind measured
  black/desktop  captured frames between the two items showing neither (black, desktop,
                 the kiosk's own idle screen, a mix): total over n transitions / worst one
  stall ms       black/desktop frames x {CAPTURE_MS:.0f} ms + held last ms, per transition
  held last ms   outgoing clip's last frame on screen beyond one frame time
                 ((captures showing it - 2) x {CAPTURE_MS:.0f} ms); '-' when a slide goes out
  last cut       frames at the end of the outgoing clip never shown
  skipped first  frames at the start of the incoming clip never shown (first number seen)
  1st held ms    incoming clip's first frame on screen beyond one frame time (a start freeze)
  target         kiosk only: stall median 0 and max <= {STALL_MAX_MS:.0f} ms, nothing skipped
  CPU s/min      utime+stime of the player's process tree per minute of playing, from
                 {1:.0f} s after its first picture to the end of the main run
  peak RSS MB    largest sum of VmRSS over the process tree, sampled every 0.5 s
  CPU target     kiosk <= {CPU_FACTOR} x the better of cvlc/mpv
  jitter floor   how often a frame in the middle of a clip (no transition near) stays more
                 than 2 captures: how often 'held' would read 20 ms from timing jitter alone"""
