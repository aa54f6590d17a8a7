"""bench/audio: what a listener hears across item switches, kiosk against cvlc and mpv.

A private PulseAudio daemon with a null sink stands in for the sound card (tests/sound.py);
each player plays the same looping playlist into it while its monitor is recorded:

    a (2 s clip, stepped tone in band a) -> b (2 s clip, band b) -> blue slide (1 s, silent)

so each pass has a video->video switch (a->b), a video->slide one (b->slide) and a
slide->video one (slide->a, also the wrap-around). Every clip's sound is a stepped tone, so
the recording says, for each time a clip was played: how much of its start and of its end
was not heard, whether any of it was missing in between, whether two clips sounded at once,
and (kiosk only, from the moment its log says "showing") how far its sound started from its
switch. The first pass warms the sound path up and is not counted.

Usage: .venv/bin/python bench/audio.py [--passes 8] [--players kiosk,cvlc,mpv] [--keep]
Needs: pulseaudio pulseaudio-utils (and vlc-bin, mpv for the baselines), Xvfb, ffmpeg.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gapslib.players import as_nobody  # noqa: E402

from tests import sound  # noqa: E402
from tests.mediagen import make_image  # noqa: E402
from tests.xserver import Xvfb  # noqa: E402

CLIP_S = 2.0  # 20 segments: the bands of tests/sound.py hold 20 steps each
SLIDE_S = 1
SEGMENTS = int(CLIP_S * 1000 / sound.SEGMENT_MS)
PLAYLIST = [("01-a.mp4", "a"), ("02-b.mp4", "b"), ("03-slide.png", None)]
PASS_S = 2 * CLIP_S + SLIDE_S
SIZE = (640, 360)


@dataclass
class Heard:
    """One clip's sound as heard: where it started and ended in the clip (ms), and when."""

    band: str
    start: float  # wall clock of the first sound
    end: float
    lost_start_ms: float  # of the clip's sound, before the first part heard
    lost_end_ms: float  # after the last part heard
    holes_ms: float  # segments missing in between
    switch_offset_ms: float | None = None  # first sound minus the player's switch (kiosk)


def build(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    sound.make_tone_clip(folder / "01-a.mp4", "red", "a", CLIP_S, size="640x360")
    sound.make_tone_clip(folder / "02-b.mp4", "green", "b", CLIP_S, size="640x360")
    make_image(folder / "03-slide.png", "blue", SIZE)
    past = time.time() - 60
    for f in folder.iterdir():
        os.utime(f, (past, past))
        f.chmod(0o644)
    folder.chmod(0o755)


def command(name: str, media: Path, work: Path, display: str) -> tuple[list[str], dict[str, str]]:
    files = [str(media / f) for f, _ in PLAYLIST]
    env = dict(os.environ, DISPLAY=display)
    env.pop("KIOSK_AOUT", None)
    if name == "kiosk":
        config, playlist = work / "office.yaml", work / "playlist.yaml"
        config.write_text(f"slides:\n  duration: {SLIDE_S}\n", encoding="utf-8")
        lines = ["items:"] + [f"  - file: {f}" for f, _ in PLAYLIST]
        playlist.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env.update(QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT))
        env.pop("KIOSK_CONFIG", None)
        cmd = [sys.executable, "-m", "kiosk", "run", "--sync-dir", str(media)]
        cmd += ["--state-dir", str(work / "state"), "--config", str(config)]
        return [*cmd, "--playlist", str(playlist)], env
    if name == "cvlc":
        wrap, extra = as_nobody(work)
        env.update(extra)
        cmd = [*wrap, "cvlc", "--fullscreen", "--loop", f"--image-duration={SLIDE_S}"]
        return [*cmd, "--no-video-title-show", "--no-osd", "--aout=pulse", *files], env
    if name == "mpv":
        cmd = ["mpv", "--fs", "--loop-playlist=inf", "--vo=x11", "--prefetch-playlist=yes"]
        cmd += [f"--image-display-duration={SLIDE_S}", "--ao=pulse", "--really-quiet"]
        return [*cmd, *files], env
    raise ValueError(name)


def run_player(
    name: str, media: Path, work: Path, server: sound.SoundServer, passes: int
) -> tuple[sound.Sound, list[tuple[float, str]]]:
    """Plays `passes` passes; returns the sound and (time, line) of every line it logged."""
    xvfb = Xvfb(*SIZE).start()
    cmd, env = command(name, media, work, xvfb.display)
    env.update(server.env)
    lines: list[tuple[float, str]] = []
    recorder = sound.Recorder(server)
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=work,
        start_new_session=True,
    )

    def read() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            lines.append((time.time(), raw.decode("utf-8", "replace").rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        time.sleep(passes * PASS_S + 2)
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        reader.join(timeout=5)
        heard = recorder.stop()
        xvfb.stop()
    return heard, lines


def clips_heard(heard: sound.Sound) -> list[Heard]:
    """Groups the recording's tone runs into clips: a clip is a band's run of segments that
    goes on (each one later in the clip than the one before) with no other band between."""
    groups: list[list[sound.Run]] = []
    for run in heard.runs(min_ms=5):
        if run.band is None:
            continue
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and last.band == run.band
            and run.segment >= last.segment
            and run.start - last.end < 0.5
        ):
            groups[-1].append(run)
        else:
            groups.append([run])
    seg = sound.SEGMENT_MS
    out = []
    for g in groups:
        first, last = g[0], g[-1]
        lost_start = first.segment * seg + max(0.0, seg - first.ms)
        lost_end = (SEGMENTS - 1 - last.segment) * seg + max(0.0, seg - last.ms)
        covered = {r.segment for r in g}
        holes = sum(seg for s in range(first.segment, last.segment + 1) if s not in covered)
        band = first.band or "?"
        out.append(Heard(band, first.start, last.end, lost_start, lost_end, holes))
    return out


@dataclass
class Result:
    name: str
    clips: list[Heard]  # the plays counted (after the warm-up pass)
    silent: int
    overlaps: int


def judge(name: str, heard: sound.Sound, lines: Sequence[tuple[float, str]]) -> Result:
    clips = clips_heard(heard)
    # The first pass warms the sound path up: from the first sound heard, whenever the
    # player got there (kiosk, cvlc and mpv take different times to start).
    warmup_until = clips[0].start + PASS_S - 0.5 if clips else 0.0
    switches = [(t, line) for t, line in lines if "kiosk.controller.machine: showing" in line]
    for clip in clips:
        want = "showing " + next(f for f, band in PLAYLIST if band == clip.band)
        near = [t for t, line in switches if want in line and abs(t - clip.start) < 1.5]
        if near:
            switch = min(near, key=lambda t: abs(t - clip.start))
            clip.switch_offset_ms = (clip.start - switch) * 1000
    counted = [c for c in clips if c.start > warmup_until]
    overlaps = sum(
        1 for a, b in itertools.pairwise(clips) if b.start > warmup_until and b.start < a.end - 0.02
    )
    return Result(name, counted, silent_plays(counted), overlaps)


def silent_plays(clips: Sequence[Heard]) -> int:
    """Plays with no sound at all: a heard clip comes later than the next one was due
    (a -> b after CLIP_S, b -> a after CLIP_S + the slide), by at least one play."""
    missed = 0
    for a, b in itertools.pairwise(clips):
        due, band = a.start, a.band
        while True:
            due += CLIP_S if band == "a" else CLIP_S + SLIDE_S
            band = "b" if band == "a" else "a"
            if b.start < due + 1.0:
                break
            missed += 1
    return missed


def listing(result: Result, t0: float) -> str:
    rows = [f"{result.name}: clip  at s   lost start / end ms  vs switch ms"]
    for c in result.clips:
        off = "-" if c.switch_offset_ms is None else f"{c.switch_offset_ms:+.0f}"
        rows.append(
            f"  {c.band}  {c.start - t0:8.3f}  {c.lost_start_ms:5.0f} / {c.lost_end_ms:5.0f}  {off}"
        )
    return "\n".join(rows)


def mm(values: Sequence[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.0f} / {max(values):.0f}"


def report(results: Sequence[Result], passes: int) -> str:
    out = [
        f"bench/audio: {passes} passes of a(2 s clip) -> b(2 s clip) -> slide(1 s), first pass "
        "not counted; PulseAudio null sink, recorded from its monitor",
        "",
        f"{'player':7} {'clips':>7} {'silent':>6} {'lost start ms':>14} {'lost end ms':>12} "
        f"{'holes ms':>9} {'2 at once':>9} {'start vs switch ms':>19}",
        f"{'':7} {'heard':>7} {'':>6} {'med / max':>14} {'med / max':>12} {'max':>9} "
        f"{'':>9} {'med / max (|x|)':>19}",
    ]
    for r in results:
        clips, silent = r.clips, r.silent
        offsets = [abs(c.switch_offset_ms) for c in clips if c.switch_offset_ms is not None]
        out.append(
            f"{r.name:7} {len(clips):>3}/{len(clips) + silent:<3} {silent:>6} "
            f"{mm([c.lost_start_ms for c in clips]):>14} {mm([c.lost_end_ms for c in clips]):>12} "
            f"{max([c.holes_ms for c in clips], default=0):>9.0f} {r.overlaps:>9} "
            f"{mm(offsets) if r.name == 'kiosk' else 'n/a':>19}"
        )
    out += [
        "",
        "lost start/end: ms of a clip's sound not heard before its first / after its last",
        "part heard (libVLC's AAC decoder, faad, always loses ~20 ms of the start: kiosk and",
        "cvlc share it). silent: plays with no sound at all, found from when the next clip",
        "came. holes: segments missing inside a clip. 2 at once: a clip starting >20 ms before",
        "the one before it ended. start vs switch: first sound minus the time kiosk logged",
        "'showing' for it.",
    ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--passes", type=int, default=8)
    ap.add_argument("--players", default="kiosk,cvlc,mpv")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--list", action="store_true", help="print every clip heard, too")
    args = ap.parse_args(argv)
    if (why := sound.missing()) is not None:
        print(f"bench/audio: {why}")
        return 2
    work = Path(tempfile.mkdtemp(prefix="kiosk-audio-"))
    work.chmod(0o755)
    media = work / "media"
    build(media)
    results = []
    try:
        for name in args.players.split(","):
            exe = {"kiosk": sys.executable, "cvlc": "cvlc", "mpv": "mpv"}[name]
            if shutil.which(exe) is None:
                print(f"bench/audio: {name} not installed: skipped")
                continue
            server = sound.SoundServer().start()
            server.folder.chmod(0o755)  # cvlc runs as nobody
            try:
                pdir = work / name
                pdir.mkdir()
                pdir.chmod(0o777)
                started = time.time()
                heard, lines = run_player(name, media, pdir, server, args.passes)
            finally:
                server.stop()
            results.append(judge(name, heard, lines))
            if args.list:
                print(listing(results[-1], heard.start_time))
            print(f"  {name}: {time.time() - started:.0f} s", flush=True)
    finally:
        if args.keep:
            print(f"kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(report(results, args.passes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
