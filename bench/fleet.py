"""bench/fleet: a hub and N offices on loopback, each a real Syncthing, set up by kiosk fleet.

For N = 2, 5, 10 (--offices), prints:
  - publish until admitted on every office: from `kiosk fleet publish` (its checks included)
    to the moment each office's ingest (the player's own: watcher, quiet period, libVLC probe,
    completeness check, the fleet guard asking the office's Syncthing) admits the clip; the
    median and max over offices and rounds, and per round the slowest office;
  - the age of each office's status at the hub, sampled every second by the same code as
    `kiosk fleet status` (median, max), and how long that command's gathering takes;
  - CPU (% of one core) and RSS per office, for its Syncthing (monitor + worker) and, at
    office 1, for a real `kiosk run` on Xvfb (the other offices write a status.json every 2 s
    like a player, from this process); and the hub's Syncthing, which grows with N.
Baselines of issue 13, measured in the same run: two instances connect after the second one
starts; a file dropped at one reaches the other with fsWatcherDelayS 1 and 10; idle RSS.
Publish keeps a file's own time stamp: a clip made more than the quiet period ago is
admitted on arrival, a fresh one after the quiet period; every other round is each.
Goals: all offices admitted within the quiet period + 3 s; an online office's status at the
hub never older than 2 heartbeats + 2 s. Then the hub's figures are fitted against N and
extrapolated to 300 offices.

Usage: .venv/bin/python bench/fleet.py [--offices 2,5,10] [--rounds 5] [--idle 30]
                                       [--status-every 0,10]
Needs syncthing, ffmpeg and Xvfb (scripts/setup --test). Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_AOUT", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

from bench.sync_latency import spin, wait_for
from kiosk.core.fleetview import judge
from kiosk.core.hoursjson import hours_to_json
from kiosk.core.schedule import OfficeHours
from kiosk.fleet import hub as fleet_hub
from kiosk.fleet import player as fleet_player
from kiosk.fleet.publish import publish
from kiosk.fleet.registry import load
from kiosk.fleet.status import gather
from kiosk.media.probe import probe
from kiosk.state.status import HEARTBEAT_S, StatusWriter
from kiosk.sync.ingest import Ingest
from tests.mediagen import make_clip
from tests.syncthing import Instance, children, start_all
from tests.xserver import Xvfb

QUIET_S = 2.0  # the player's default sync.quiet_seconds
# watchdog's inotify says so when Syncthing's .stfolder marker is made again under a watch.
warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning)
TICK = os.sysconf("SC_CLK_TCK")


def quiet(_line: str) -> None:
    pass


# ------------------------------------------------------------------------------ /proc figures
def cpu_s(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def fmt(values: list[float], unit: str = "s", digits: int = 2) -> str:
    if not values:
        return "n/a"
    return (
        f"median {statistics.median(values):.{digits}f} {unit}, "
        f"max {max(values):.{digits}f} {unit} (n={len(values)})"
    )


# ------------------------------------------------------------------------------ one fleet
@dataclass
class Office:
    name: str
    st: Instance
    root: Path
    ingest: Ingest | None = None
    admitted: dict[str, float] = field(default_factory=dict)
    writer: StatusWriter | None = None
    player: subprocess.Popen[bytes] | None = None

    @property
    def sync(self) -> Path:
        return self.root / "sync"

    @property
    def state(self) -> Path:
        return self.root / "state"

    def config(self) -> Path:
        path = self.root / "office.yaml"
        self.root.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"office:\n  name: {self.name}\nsync:\n  dir: {self.sync}\n"
            f"state_dir: {self.state}\nscreenshot:\n  every_seconds: 60\n",
            encoding="utf-8",
        )
        return path


@dataclass
class Figures:
    n: int
    status_every: int
    arrive: list[float]  # on the office's disk, whole
    admit: list[float]  # in the office's rotation (fresh and old clips)
    admit_old: list[float]  # clips whose time stamp is older than the quiet period
    slowest: list[float]
    ages: list[float]
    gather_s: list[float]
    st_cpu: list[float]  # % of one core, per office
    st_rss: list[float]
    hub_cpu: float
    hub_rss: float
    kiosk_cpu: float
    kiosk_rss: float


def heartbeat(offices: list[Office], started: float) -> None:
    """What a player writes every 2 s, for offices without a real player."""
    hours = hours_to_json(OfficeHours.always())
    for o in offices:
        if o.writer is not None:
            o.writer.write(
                {
                    "state": "running",
                    "started_at": started,
                    "updated_at": time.time(),
                    "heartbeat_s": HEARTBEAT_S,
                    "hours": hours,
                    "now": {"state": "idle"},
                    "failed": [],
                    "problems": [],
                    "counters": {},
                }
            )


def run_fleet(
    n: int, rounds: int, idle_s: float, work: Path, xvfb: Xvfb, status_every: int
) -> Figures:
    root = work / f"n{n}-e{status_every}"
    hub_st, *office_st = start_all(
        [Instance("hub", root / "st-hub")]
        + [Instance(f"o{i + 1}", root / f"st-o{i + 1}") for i in range(n)]
    )
    offices = [Office(st.name, st, root / st.name) for st in office_st]
    fleet_dir = root / "fleet"
    beat = QTimer()
    try:
        fleet_hub.init(fleet_dir, hub_st.home, False, quiet)
        for o in offices:
            fleet_player.join(
                o.config(), o.st.home, hub_st.device_id, hub_st.address, False, quiet, status_every
            )
            fleet_hub.add_office(fleet_dir, hub_st.home, o.name, o.st.device_id, [], "", "", quiet)
        # Office 1: a real player. The others: their status written from here, like a player.
        env = dict(os.environ, DISPLAY=xvfb.display, QT_QPA_PLATFORM="xcb", KIOSK_AOUT="dummy")
        offices[0].player = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk",
                "run",
                "--config",
                str(offices[0].root / "office.yaml"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(root / "player.log", "wb"),  # noqa: SIM115 (kept open while it runs)
        )
        for o in offices[1:]:
            o.writer = StatusWriter(o.state)
        started = time.time()
        beat.setInterval(int(HEARTBEAT_S * 1000))
        beat.timeout.connect(lambda: heartbeat(offices, started))
        beat.start()
        for o in offices:  # the player's own ingest, probe and guard, one per office
            o.ingest = Ingest(o.sync, quiet_s=QUIET_S, rescan_s=3600, probe=probe)

            def seen(o: Office = o) -> None:
                assert o.ingest is not None
                for f in o.ingest.library().files:
                    o.admitted.setdefault(f.rel, time.monotonic())

            o.ingest.changed.connect(seen)
            o.ingest.start(wait_first_scan=False)
        hub_api = fleet_hub.syncthing_for(hub_st.home)
        wait_for(
            lambda: all(
                hub_api.get("/rest/system/connections")["connections"]
                .get(o.st.device_id, {})
                .get("connected")
                for o in offices
            ),
            30,
        )
        arrive: list[float] = []
        admit: list[float] = []
        admit_old: list[float] = []
        slowest: list[float] = []
        for r in range(rounds):
            clip = make_clip(work / "src" / f"{r + 1}-n{n}.mp4", "red", seconds=1.0)
            old = r % 2 == 1  # every other clip was made an hour ago, as most are
            if old:
                os.utime(clip, (time.time() - 3600, time.time() - 3600))
            rel = f"10-province/{clip.name}"
            size = clip.stat().st_size
            on_disk: dict[str, float] = {}

            def done(rel: str = rel, size: int = size, on_disk: dict[str, float] = on_disk) -> bool:
                for o in offices:
                    path = o.sync / rel
                    if o.name not in on_disk and path.is_file() and path.stat().st_size == size:
                        on_disk[o.name] = time.monotonic()
                return all(rel in o.admitted for o in offices)

            t0 = time.monotonic()
            publish(fleet_dir, hub_st.home, [clip], "province", None, quiet)
            ok = wait_for(done, 30)
            times = [o.admitted[rel] - t0 for o in offices if rel in o.admitted]
            if not ok:
                print(f"  n={n} round {r + 1}: {len(times)} of {n} offices admitted it", flush=True)
            arrive += [t - t0 for t in on_disk.values()]
            admit += times
            admit_old += times if old else []
            slowest.append(max(times, default=float("nan")))
            spin(1.0)
        # Idle with heartbeats: status age at the hub, and what each Syncthing costs.
        fleet = load(fleet_dir)
        groups = {
            "hub": hub_st.worker_pids(),
            **{o.name: o.st.worker_pids() for o in offices},
            "kiosk": [offices[0].player.pid, *children(offices[0].player.pid)],
        }
        spin(3.0)
        before = {k: cpu_s(v) for k, v in groups.items()}
        t0 = time.monotonic()
        ages: list[float] = []
        gather_s: list[float] = []
        while time.monotonic() - t0 < idle_s:
            g0 = time.monotonic()
            _, facts = gather(fleet, hub_api)
            gather_s.append(time.monotonic() - g0)
            now = time.time()
            ages += [v.status_age_s for v in (judge(f, now) for f in facts) if v.status_age_s]
            spin(1.0)
        elapsed = time.monotonic() - t0
        pct = {k: 100 * (cpu_s(v) - before[k]) / elapsed for k, v in groups.items()}
        rss = {k: rss_mb(v) for k, v in groups.items()}
        return Figures(
            n,
            status_every,
            arrive,
            admit,
            admit_old,
            slowest,
            ages,
            gather_s,
            [pct[o.name] for o in offices],
            [rss[o.name] for o in offices],
            pct["hub"],
            rss["hub"],
            pct["kiosk"],
            rss["kiosk"],
        )
    finally:
        beat.stop()
        for o in offices:
            if o.ingest is not None:
                o.ingest.stop()
            if o.player is not None:
                o.player.terminate()
                o.player.wait(timeout=20)
        for st in [hub_st, *office_st]:
            st.stop()


# ------------------------------------------------------------------------------ baselines
def baselines(work: Path, drops: int) -> dict[str, str]:
    """Two bare instances: connect time, drop-to-office time (delay 1 and 10), idle RSS."""
    out: dict[str, str] = {}
    a, b = Instance("base-a", work / "base-a"), Instance("base-b", work / "base-b")
    a.generate().start()
    b.generate()
    try:
        api_a = a.api()
        api_a.post("/rest/config/devices", {"deviceID": b.device_id, "addresses": [b.address]})
        t0 = time.monotonic()
        b.start()
        api_b = b.api()
        api_b.post("/rest/config/devices", {"deviceID": a.device_id, "addresses": [a.address]})
        wait_for(
            lambda: api_a.get("/rest/system/connections")["connections"][b.device_id]["connected"],
            60,
        )
        out["connect"] = f"{time.monotonic() - t0:.2f} s after the second one starts"
        for delay, count in ((1, drops), (10, max(2, drops // 2))):
            src, dst = work / f"src-{delay}", work / f"dst-{delay}"
            folder = {
                "id": f"drop-{delay}",
                "devices": [{"deviceID": a.device_id}, {"deviceID": b.device_id}],
                "fsWatcherDelayS": delay,
            }
            api_a.post("/rest/config/folders", folder | {"path": str(src), "type": "sendonly"})
            api_b.post("/rest/config/folders", folder | {"path": str(dst), "type": "receiveonly"})
            wait_for(lambda d=dst: (d / ".stfolder").is_dir(), 30)
            spin(2.0)
            lat = []
            for i in range(count):
                data = os.urandom(200_000)
                tmp = src / f".tmp-{i}"
                tmp.write_bytes(data)
                os.replace(tmp, src / f"drop-{i}.bin")
                t0 = time.monotonic()
                target = dst / f"drop-{i}.bin"
                size = len(data)
                if wait_for(lambda t=target, n=size: t.is_file() and t.stat().st_size == n, 40):
                    lat.append(time.monotonic() - t0)
                spin(0.5)
            out[f"drop{delay}"] = fmt(lat)
        spin(5.0)
        out["rss"] = f"{rss_mb(a.worker_pids()):.0f} MB (monitor + worker, idle, 2 small folders)"
    finally:
        a.stop()
        b.stop()
    return out


# ------------------------------------------------------------------------------ report
def sent(every: int) -> str:
    if every:
        return f"status sent every {every} s (join --status-every {every})"
    return "status sent ~1 s after each write (join's default)"


def fit(ns: list[int], ys: list[float], at: int) -> tuple[float, float, float]:
    """Least-squares line through (n, y): (intercept, slope, value at `at`)."""
    mx, my = statistics.mean(ns), statistics.mean(ys)
    sxx = sum((x - mx) ** 2 for x in ns)
    slope = sum((x - mx) * (y - my) for x, y in zip(ns, ys, strict=True)) / sxx if sxx else 0.0
    return my - slope * mx, slope, my + slope * (at - mx)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--offices", default="2,5,10", help="fleet sizes to run (default 2,5,10)")
    ap.add_argument("--rounds", type=int, default=5, help="publishes per fleet size")
    ap.add_argument("--idle", type=float, default=30.0, help="seconds of idle sampling")
    ap.add_argument("--drops", type=int, default=6, help="baseline drops with delay 1")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument(
        "--status-every",
        default="0",
        help="join --status-every values to run, e.g. 0,10 (0: sent ~1 s after each change)",
    )
    args = ap.parse_args()
    if shutil.which("syncthing") is None:
        print("bench/fleet: syncthing is not installed (scripts/setup --test)", file=sys.stderr)
        return 2
    _app = QGuiApplication.instance() or QGuiApplication(["bench-fleet"])
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-fleet-"))
    xvfb = Xvfb(640, 360).start()
    version = subprocess.run(["syncthing", "--version"], capture_output=True, text=True).stdout
    print(f"bench/fleet: {version.split(' ')[1] if version else '?'} on {os.cpu_count()} cores; "
          f"player quiet period {QUIET_S:g} s, heartbeat {HEARTBEAT_S:g} s")  # fmt: skip
    results: list[Figures] = []
    try:
        base = baselines(work, args.drops)
        for every in (int(x) for x in args.status_every.split(",")):
            for n in (int(x) for x in args.offices.split(",")):
                print(f"  running a hub and {n} offices ({sent(every)})...", flush=True)
                results.append(run_fleet(n, args.rounds, args.idle, work, xvfb, every))
    finally:
        xvfb.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    admit_goal = QUIET_S + 3
    age_goal = 2 * HEARTBEAT_S + 2
    print("\nbaselines (issue 13, FLEET.md), measured in this run:")
    print(f"  two instances connected: {base['connect']}   [FLEET.md: ~1.43 s]")
    print(f"  drop -> other side, fsWatcherDelayS 1:  {base['drop1']}   [median 1.03, max 1.39]")
    print(f"  drop -> other side, fsWatcherDelayS 10: {base['drop10']}   [median 9.8, max 11.9]")
    print(f"  idle Syncthing RSS: {base['rss']}   [~50 MB worker + ~17 MB monitor]")
    print("\nkiosk fleet:")
    for f in results:
        met_admit = max(f.admit, default=99) <= admit_goal
        met_age = max(f.ages, default=99) <= age_goal
        print(f"  N={f.n} offices, {sent(f.status_every)}")
        print(f"    publish -> whole on the office's disk: {fmt(f.arrive)}")
        print(f"    publish -> admitted, every office: {fmt(f.admit)}")
        print(f"      of which clips older than the quiet period: {fmt(f.admit_old)}")
        print(f"      slowest office per round: {', '.join(f'{x:.2f}' for x in f.slowest)} s"
              f"   goal <= quiet {QUIET_S:g} s + 3 s = {admit_goal:g} s: "
              f"{'met' if met_admit else 'NOT met'}")  # fmt: skip
        print(f"    status age at the hub: {fmt(f.ages)}   goal <= 2 heartbeats + 2 s = "
              f"{age_goal:g} s: {'met' if met_age else 'NOT met'}")  # fmt: skip
        print(f"    `kiosk fleet status` gathering: {fmt(f.gather_s, digits=3)}")
        print(f"    per office, Syncthing: CPU {fmt(f.st_cpu, '%')}, RSS {fmt(f.st_rss, 'MB', 0)}")
        print(f"    office 1, kiosk run (Xvfb, 160x90 test clips): CPU {f.kiosk_cpu:.1f} %, "
              f"RSS {f.kiosk_rss:.0f} MB")  # fmt: skip
        print(f"    hub Syncthing: CPU {f.hub_cpu:.2f} %, RSS {f.hub_rss:.0f} MB")
    for every in sorted({f.status_every for f in results}):
        runs = [f for f in results if f.status_every == every]
        if len(runs) < 2:
            continue
        ns = [f.n for f in runs]
        c0, c1, c300 = fit(ns, [f.hub_cpu for f in runs], 300)
        r0, r1, r300 = fit(ns, [f.hub_rss for f in runs], 300)
        g0, g1, g300 = fit(ns, [statistics.median(f.gather_s) for f in runs], 300)
        print(f"\nextrapolated to 300 offices, {sent(every)} (least squares, a line):")
        print(f"  hub Syncthing CPU: {c0:.2f} % + {c1:.3f} % per office -> {c300:.0f} % of a core")
        print(f"  hub Syncthing RSS: {r0:.0f} MB + {r1:.1f} MB per office -> {r300:.0f} MB")
        print(f"  `kiosk fleet status`: {g0:.3f} s + {g1 * 1000:.1f} ms per office -> {g300:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
