"""bench/soak: many transitions on the real player; does memory or the fd count creep?

Runs `kiosk run` on Xvfb over short clips and slides until N items have been shown
(default 2,000), sampling the process's RSS and open file descriptors at start, middle and
end, and counting stalls. Then measures CPU while a single still slide is on screen. The
same figures are measured in the same run for mpv looping the same media, as a baseline.
Targets: end RSS within 10 MB of the middle, zero unexplained stalls, ~0 % CPU on a still.
With --sound the clips carry a tone and both players play it into a private PulseAudio null
sink (tests/sound.py): libVLC opens an audio stream per clip, which must not leak either.
Usage: .venv/bin/python bench/soak.py [--transitions 2000] [--still 20] [--sound]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mediagen import make_clip, make_image  # noqa: E402
from tests.sound import SoundServer  # noqa: E402
from tests.xserver import Xvfb  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")


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


def media(folder: Path, audio: bool = False) -> None:
    colours = ["red", "green", "blue", "yellow", "magenta", "cyan"]
    for i, c in enumerate(colours):
        make_clip(folder / f"{i * 2 + 1:02d}-{c}.mp4", c, seconds=0.3, size="640x360", audio=audio)
    make_image(folder / "04-slide.png", "yellow", (640, 360))
    make_image(folder / "08-slide.png", "cyan", (640, 360))
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


def kiosk_soak(
    xvfb: Xvfb, work: Path, transitions: int, sound_env: dict[str, str] | None = None
) -> dict[str, object]:
    sync = work / "sync"
    sync.mkdir()
    media(sync, audio=sound_env is not None)
    config = work / "office.yaml"
    config.write_text("slides:\n  duration: 1\n", encoding="utf-8")
    state = work / "state"
    env = player_env(xvfb, sound_env)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "run",
            "--config",
            str(config),
            "--sync-dir",
            str(sync),
            "--state-dir",
            str(state),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "kiosk.log", "wb"),  # noqa: SIM115
    )
    samples: dict[str, tuple[int, float, int]] = {}
    timeline: list[tuple[int, float]] = []  # (items, RSS MB) every tenth of the run
    played = 0
    started = time.monotonic()
    try:
        while played < transitions:
            time.sleep(1.0)
            if proc.poll() is not None:
                raise RuntimeError(f"kiosk died: {(work / 'kiosk.log').read_text()[-2000:]}")
            try:
                status = json.loads((state / "status.json").read_text())
            except (OSError, ValueError):
                continue
            played = int(status["counters"]["played"])
            if played >= (len(timeline) + 1) * max(1, transitions // 10):
                timeline.append((played, rss_mb(proc.pid)))
            if "start" not in samples and played >= 20:
                samples["start"] = (played, rss_mb(proc.pid), fds(proc.pid))
            if "middle" not in samples and played >= transitions // 2:
                samples["middle"] = (played, rss_mb(proc.pid), fds(proc.pid))
        samples["end"] = (played, rss_mb(proc.pid), fds(proc.pid))
        elapsed = time.monotonic() - started
        cpu = cpu_s(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return {
        "samples": samples,
        "timeline": timeline,
        "stalls": status["counters"]["stalls"],
        "failed": status["counters"]["failed"],
        "restarts": status["counters"]["restarts"],
        "elapsed": elapsed,
        "cpu": cpu,
    }


def mpv_soak(
    xvfb: Xvfb, work: Path, seconds: float, sound_env: dict[str, str] | None = None
) -> dict[str, object] | None:
    mpv = shutil.which("mpv")
    if mpv is None:
        return None
    sync = work / "sync"
    files = sorted(str(f) for f in sync.iterdir())
    env = player_env(xvfb, sound_env)
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
            *files,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    samples = {}
    try:
        for name, at in (("start", 5.0), ("middle", seconds / 2), ("end", seconds)):
            while time.monotonic() - t0(proc) < at:
                time.sleep(0.5)
            samples[name] = (0, rss_mb(proc.pid), fds(proc.pid))
        cpu = cpu_s(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return {"samples": samples, "elapsed": seconds, "cpu": cpu}


_T0: dict[int, float] = {}


def t0(proc: subprocess.Popen[bytes]) -> float:
    return _T0.setdefault(proc.pid, time.monotonic())


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
        cmd = [
            mpv,
            "--really-quiet",
            "--fs",
            "--vo=x11",
            "--image-display-duration=inf",
            str(image),
        ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(5)  # settle: start-up work is not what we measure
        c0, w0 = cpu_s(proc.pid), time.monotonic()
        time.sleep(seconds)
        return (cpu_s(proc.pid) - c0) / (time.monotonic() - w0) * 100
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def row(name: str, result: dict[str, object]) -> None:
    samples = result["samples"]
    assert isinstance(samples, dict)
    parts = [f"{k} {v[1]:.1f} MB/{v[2]} fds" for k, v in samples.items()]
    print(f"  {name:6} " + " | ".join(parts))
    mid, end = samples["middle"][1], samples["end"][1]
    cpu, elapsed = float(result["cpu"]), float(result["elapsed"])  # type: ignore[arg-type]
    print(
        f"         end - middle RSS: {end - mid:+.1f} MB (target within 10 MB); "
        f"CPU {cpu / elapsed * 60:.1f} s/min over {elapsed:.0f} s"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--transitions", type=int, default=2000)
    ap.add_argument("--still", type=float, default=20.0, help="seconds of still-slide CPU sampling")
    ap.add_argument(
        "--kiosk-only", action="store_true", help="no mpv baseline and no still-slide CPU"
    )
    ap.add_argument(
        "--sound",
        action="store_true",
        help="clips with sound, played into a private PulseAudio null sink (tests/sound.py)",
    )
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    xvfb = Xvfb(640, 360).start()
    server = SoundServer().start() if args.sound else None
    sound_env = server.env if server is not None else None
    try:
        print(
            f"soak: {args.transitions} items shown, 0.3 s clips (640x360"
            f"{', with sound into a PulseAudio null sink' if args.sound else ''}) and 1 s "
            f"slides, Xvfb 640x360, {os.cpu_count()} cores"
        )
        ours = kiosk_soak(xvfb, work, args.transitions, sound_env)
        print(
            f"\nRSS and open fds after {ours['samples']['end'][0]} items "  # type: ignore[index]
            f"(start = after 20 items)"
        )
        row("kiosk", ours)
        print(
            f"         stalls {ours['stalls']}, files skipped {ours['failed']}, "
            f"player restarts {ours['restarts']}"
        )
        timeline = ours["timeline"]
        assert isinstance(timeline, list)
        print("         RSS MB by items shown: " + ", ".join(f"{n}: {r:.0f}" for n, r in timeline))
        if args.kiosk_only:
            return 0
        base = mpv_soak(xvfb, work, float(ours["elapsed"]), sound_env)  # type: ignore[arg-type]
        if base is None:
            print("  mpv    not installed (apt-get install mpv) - no baseline")
        else:
            row("mpv", base)
        print(f"\nCPU while one still slide is shown ({args.still:g} s, % of one core)")
        k = still_cpu(xvfb, work, args.still, "kiosk")
        m = still_cpu(xvfb, work, args.still, "mpv")
        print(f"  kiosk  {k:.2f} %")
        print(f"  mpv    {m:.2f} %" if m is not None else "  mpv    not installed")
    finally:
        xvfb.stop()
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
