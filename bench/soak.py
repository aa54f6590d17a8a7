"""bench/soak: a week of items in an hour; does memory or the fd count creep?

Runs `kiosk run` on Xvfb over short clips and slides until N items have been shown (default
10,000: about a week of an office's 20-second clips), and, in the same run, mpv looping the
same media on an Xvfb of its own. Both are sampled every `--sample-every` items: RSS and open
file descriptors. The figure that matters is the slope after warm-up (least squares over the
samples past `--warmup` items), in MB and fds per 1,000 items; the target is under 1 MB per
1,000 items with zero stalls. Then CPU while a single still slide is shown.

An item is one clip (`--clip-seconds`, 0.3 s: 640x360 H.264 at 25 fps, long enough that the
next clip is primed while it plays, as with real clips) or one slide shown for 1 s (kiosk's
minimum): per loop, 16 clips, one PNG and one procedure slide written in Markdown, so the
clip path, the image path and the text-slide layout all run thousands of times.
mpv counts its items from its IPC socket ("start-file" events).

With --sound the clips carry a tone and both players play it into a private PulseAudio null
sink (tests/sound.py): libVLC opens an audio stream per clip, which must not leak either.
With --probe kiosk runs inside bench/soakprobe.py, which adds Python-heap (tracemalloc), gc
and glibc malloc figures to its samples: what to look at when the slope is not flat.
Usage: .venv/bin/python bench/soak.py [--items 10000] [--kiosk-only] [--sound] [--probe]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mediagen import COLOURS, make_clip, make_image  # noqa: E402
from tests.sound import SoundServer  # noqa: E402
from tests.xserver import Xvfb  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")
CLIPS_PER_LOOP = 16
SLIDE_MD = """---
duration: 1
---
# Cấp bản sao trích lục hộ tịch

1. Điền tờ khai theo mẫu
2. Xuất trình Căn cước công dân
3. Nộp hồ sơ và lệ phí tại Bộ phận Một cửa
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK  # utime + stime


@dataclass
class Sample:
    items: int
    at: float  # monotonic
    rss_mb: float
    fds: int
    cpu_s: float
    extra: dict[str, float] = field(default_factory=dict)  # --probe figures


@dataclass
class Soak:
    """One player's run: its samples, and what it said about itself (kiosk only)."""

    name: str
    proc: subprocess.Popen[bytes]
    samples: list[Sample] = field(default_factory=list)
    items: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    counters: dict[str, int] = field(default_factory=dict)

    def sample(self, extra: dict[str, float] | None = None) -> None:
        pid = self.proc.pid
        self.samples.append(
            Sample(self.items, time.monotonic(), rss_mb(pid), fds(pid), cpu_s(pid), extra or {})
        )


def media(folder: Path, clip_s: float, audio: bool = False) -> None:
    colours = list(COLOURS)
    for i in range(CLIPS_PER_LOOP):
        c = colours[i % len(colours)]
        make_clip(folder / f"{i + 1:02d}-{c}.mp4", c, seconds=clip_s, size="640x360", audio=audio)
    make_image(folder / "08-slide.png", "yellow", (640, 360))
    (folder / "16-thu-tuc.md").write_text(SLIDE_MD, encoding="utf-8")
    past = time.time() - 60
    for f in folder.iterdir():
        os.utime(f, (past, past))  # settled: admitted at start after their probe


def player_env(xvfb: Xvfb, sound_env: dict[str, str] | None) -> dict[str, str]:
    """The players' environment: dummy audio, or the private sound server of --sound."""
    env = dict(os.environ, DISPLAY=xvfb.display, QT_QPA_PLATFORM="xcb", KIOSK_AOUT="dummy")
    env.pop("KIOSK_CONFIG", None)
    if sound_env is not None:
        env.pop("KIOSK_AOUT")
        env.update(sound_env)
    return env


def start_kiosk(
    xvfb: Xvfb, work: Path, sync: Path, sound_env: dict[str, str] | None, probe: bool
) -> tuple[subprocess.Popen[bytes], Path]:
    config = work / "office.yaml"
    config.write_text("slides:\n  duration: 1\n", encoding="utf-8")
    state = work / "state"
    env = player_env(xvfb, sound_env)
    cmd = [sys.executable, "-m", "kiosk"]
    if probe:
        env["KIOSK_SOAKPROBE"] = str(work / "probe.jsonl")
        cmd = [sys.executable, str(ROOT / "bench" / "soakprobe.py")]
    cmd += ["run", "--config", str(config), "--sync-dir", str(sync), "--state-dir", str(state)]
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "kiosk.log", "wb"),  # noqa: SIM115
    )
    return proc, state


def start_mpv(
    xvfb: Xvfb, work: Path, sync: Path, sound_env: dict[str, str] | None
) -> tuple[subprocess.Popen[bytes], Path] | None:
    mpv = shutil.which("mpv")
    if mpv is None:
        return None
    files = sorted(str(f) for f in sync.iterdir() if f.suffix != ".md")  # mpv shows no .md
    ipc = work / "mpv.sock"
    proc = subprocess.Popen(
        [
            mpv,
            "--really-quiet",
            "--fs",
            "--vo=x11",
            "--ao=pulse" if sound_env is not None else "--ao=null",
            "--loop-playlist=inf",
            "--image-display-duration=1",
            "--prefetch-playlist=yes",
            f"--input-ipc-server={ipc}",
            *files,
        ],
        env=player_env(xvfb, sound_env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, ipc


def count_mpv_items(soak: Soak, ipc: Path, stop: threading.Event) -> None:
    """On a thread: one item per "start-file" event on mpv's JSON IPC socket."""
    sock = socket.socket(socket.AF_UNIX)
    while not stop.is_set():
        try:
            sock.connect(str(ipc))
            break
        except OSError:
            time.sleep(0.05)
    sock.settimeout(0.5)
    buffer = b""
    while not stop.is_set():
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            return
        if not chunk:
            return
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if b'"start-file"' in line:
                soak.items += 1
    sock.close()


def read_probe(path: Path) -> dict[str, float]:
    """The last line soakprobe wrote (Python heap, gc objects, glibc arenas)."""
    try:
        lines = path.read_bytes().splitlines()
        return json.loads(lines[-1]) if lines else {}
    except (OSError, ValueError):
        return {}


def soak_both(args: argparse.Namespace, work: Path, sound_env: dict[str, str] | None) -> None:
    sync = work / "sync"
    sync.mkdir()
    media(sync, args.clip_seconds, audio=sound_env is not None)
    screens = [Xvfb(640, 360).start()]
    stop = threading.Event()
    soaks: list[Soak] = []
    try:
        proc, state = start_kiosk(screens[0], work, sync, sound_env, args.probe)
        kiosk = Soak("kiosk", proc)
        soaks.append(kiosk)
        mpv: Soak | None = None
        if not args.kiosk_only:
            screens.append(Xvfb(640, 360).start())
            started = start_mpv(screens[1], work, sync, sound_env)
            if started is None:
                print("  mpv    not installed (apt-get install mpv): no baseline")
            else:
                mpv = Soak("mpv", started[0])
                soaks.append(mpv)
                threading.Thread(
                    target=count_mpv_items, args=(mpv, started[1], stop), daemon=True
                ).start()
        status: dict[str, object] = {}
        next_report = 1000
        while any(s.finished is None for s in soaks):
            time.sleep(0.5)
            for s in soaks:
                if s.proc.poll() is not None:
                    log = (work / "kiosk.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"{s.name} died (exit {s.proc.returncode}): {log}")
            try:
                status = json.loads((state / "status.json").read_text())
                kiosk.items = int(status["counters"]["played"])  # type: ignore[index]
            except (OSError, ValueError, KeyError, TypeError):
                pass
            for s in soaks:
                if s.finished is not None:
                    continue
                due = (len(s.samples)) * args.sample_every
                if s.items >= due:
                    extra = read_probe(work / "probe.jsonl") if s is kiosk and args.probe else {}
                    s.sample(extra)
                if s.items >= args.items:
                    s.finished = time.monotonic()
            if kiosk.items >= next_report:
                others = f", mpv {mpv.items}" if mpv is not None else ""
                rss = rss_mb(kiosk.proc.pid)
                print(
                    f"  ... {kiosk.items} items ({time.monotonic() - kiosk.started:.0f} s; "
                    f"kiosk RSS {rss:.1f} MB{others})",
                    flush=True,
                )
                next_report += 1000
        kiosk.counters = dict(status.get("counters") or {})  # type: ignore[call-overload]
    finally:
        stop.set()
        for s in soaks:
            if s.proc.poll() is None:
                s.proc.send_signal(signal.SIGTERM)
                try:
                    s.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    s.proc.kill()
        for x in screens:
            x.stop()
    report(args, soaks, work)


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


def report(args: argparse.Namespace, soaks: list[Soak], work: Path) -> None:
    print(
        f"\nRSS and open fds, sampled every {args.sample_every} items; slope = least squares over "
        f"the samples after {args.warmup} items (warm-up), per 1,000 items"
    )
    for s in soaks:
        after = [x for x in s.samples if x.items >= args.warmup]
        first, last = s.samples[0], s.samples[-1]
        elapsed = (s.finished or time.monotonic()) - s.started
        rss_slope = slope([(x.items, x.rss_mb) for x in after]) * 1000
        fd_slope = slope([(x.items, float(x.fds)) for x in after]) * 1000
        low = min(x.rss_mb for x in after) if after else 0.0
        high = max(x.rss_mb for x in after) if after else 0.0
        verdict = "ok" if rss_slope < 1.0 else "OVER TARGET"
        print(
            f"  {s.name:6} {last.items} items in {elapsed:.0f} s "
            f"({elapsed / max(1, last.items) * 1000:.0f} ms/item); "
            f"CPU {(last.cpu_s - first.cpu_s) / max(1.0, last.at - first.at) * 60:.1f} s/min"
        )
        print(
            f"         RSS slope {rss_slope:+.2f} MB/1,000 items (target < 1: {verdict}); "
            f"fd slope {fd_slope:+.2f}/1,000 items"
        )
        print(
            f"         RSS after warm-up {low:.1f}..{high:.1f} MB; at {first.items} items "
            f"{first.rss_mb:.1f} MB/{first.fds} fds, at {last.items} {last.rss_mb:.1f} MB/"
            f"{last.fds} fds"
        )
        if s.counters:
            c = s.counters
            print(
                f"         stalls {c.get('stalls', 0)}, files skipped {c.get('failed', 0)}, "
                f"player restarts {c.get('restarts', 0)}, loops {c.get('loops', 0)}"
            )
        marks = [x for x in s.samples if x.items % 1000 < args.sample_every or x is last]
        print(
            "         RSS MB (fds) by items: "
            + ", ".join(f"{x.items}: {x.rss_mb:.0f} ({x.fds})" for x in marks)
        )
        extras = [x for x in after if x.extra]
        if extras:
            keys = sorted(extras[-1].extra)
            print("         probe slopes per 1,000 items (bench/soakprobe.py):")
            for k in keys:
                pts = [(x.items, x.extra[k]) for x in extras if k in x.extra]
                print(
                    f"           {k:24} {slope(pts) * 1000:+12.2f}   "
                    f"(first {pts[0][1]:.0f}, last {pts[-1][1]:.0f})"
                )


def still_cpu(xvfb: Xvfb, work: Path, seconds: float, player: str) -> float | None:
    folder = work / f"still-{player}"
    folder.mkdir()
    image = make_image(folder / "still.png", "green", (640, 360))
    past = time.time() - 60
    os.utime(image, (past, past))
    env = dict(os.environ, DISPLAY=xvfb.display, QT_QPA_PLATFORM="xcb", KIOSK_AOUT="dummy")
    env.pop("KIOSK_CONFIG", None)
    if player == "kiosk":
        config = work / "still.yaml"
        config.write_text("slides:\n  duration: 3600\n", encoding="utf-8")
        cmd = [
            sys.executable,
            "-m",
            "kiosk",
            "run",
            "--config",
            str(config),
            "--sync-dir",
            str(folder),
            "--state-dir",
            str(work / "still-state"),
        ]
    else:
        mpv = shutil.which("mpv")
        if mpv is None:
            return None
        cmd = [mpv, "--really-quiet", "--fs", "--vo=x11", "--image-display-duration=inf"]
        cmd.append(str(image))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(5)  # settle: start-up work is not what we measure
        c0, w0 = cpu_s(proc.pid), time.monotonic()
        time.sleep(seconds)
        return (cpu_s(proc.pid) - c0) / (time.monotonic() - w0) * 100
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--items", "--transitions", type=int, default=10_000, dest="items")
    ap.add_argument("--warmup", type=int, help="items before the slope counts (default 10 %%)")
    ap.add_argument("--sample-every", type=int, help="items between samples (default 1 %%)")
    ap.add_argument("--clip-seconds", type=float, default=0.3)
    ap.add_argument("--still", type=float, default=20.0, help="seconds of still-slide CPU sampling")
    ap.add_argument(
        "--kiosk-only", action="store_true", help="no mpv baseline and no still-slide CPU"
    )
    ap.add_argument(
        "--sound",
        action="store_true",
        help="clips with sound, played into a private PulseAudio null sink (tests/sound.py)",
    )
    ap.add_argument(
        "--probe", action="store_true", help="kiosk inside bench/soakprobe.py (heap figures)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs, state)")
    args = ap.parse_args()
    args.warmup = args.items // 10 if args.warmup is None else args.warmup
    args.sample_every = args.sample_every or max(1, args.items // 100)
    work = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    server = SoundServer().start() if args.sound else None
    sound_env = server.env if server is not None else None
    try:
        print(
            f"soak: {args.items} items per player, kiosk and "
            f"{'no baseline' if args.kiosk_only else 'mpv at the same time'}, each on its own "
            f"Xvfb 640x360; {os.cpu_count()} cores"
        )
        print(
            f"an item: one {args.clip_seconds:g} s clip (640x360 H.264, 25 fps"
            f"{', with sound into a PulseAudio null sink' if args.sound else ''}) or one 1 s "
            f"slide; a loop is {CLIPS_PER_LOOP} clips, a PNG and a Markdown procedure slide "
            "(mpv: no Markdown slide)"
        )
        soak_both(args, work, sound_env)
        if not args.kiosk_only:
            xvfb = Xvfb(640, 360).start()
            try:
                print(f"\nCPU while one still slide is shown ({args.still:g} s, % of one core)")
                k = still_cpu(xvfb, work, args.still, "kiosk")
                m = still_cpu(xvfb, work, args.still, "mpv")
                print(f"  kiosk  {k:.2f} %")
                print(f"  mpv    {m:.2f} %" if m is not None else "  mpv    not installed")
            finally:
                xvfb.stop()
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
