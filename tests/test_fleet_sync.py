"""The province fleet for real: a hub and two offices, each a real Syncthing on loopback,
each office a real `kiosk run` on its own Xvfb, set up with the fleet commands.

Office A is in group `north`, office B in no group. The instances are shared by the tests
of this module (module-scoped) and the tests run in file order: the ones that stop things
come last. `kiosk fleet ...` runs in this process (kiosk.cli.main), as an admin would run
it, with --syncthing-home pointing at the instance.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from kiosk.cli import main as kiosk_main
from kiosk.core.fleetsafety import check
from kiosk.core.fleettiers import state_folder_id
from kiosk.core.fleetview import OFFLINE_AFTER_S
from kiosk.fleet.guard import ADDED, CHANGED
from kiosk.media.probe import probe
from kiosk.sync.ingest import Ingest
from tests.conftest import status_json
from tests.mediagen import make_clip
from tests.syncthing import Instance, start_all
from tests.xserver import Xvfb

pytestmark = [pytest.mark.xvfb, pytest.mark.syncthing]

OFFLINE_AFTER = 6.0  # 3 heartbeats: the tests wait for "offline" this long, not 30 s


@dataclass
class Office:
    name: str
    st: Instance
    root: Path
    xvfb: Xvfb
    player: subprocess.Popen[bytes] | None = None
    log: list[Path] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.root / "office.yaml"

    @property
    def sync(self) -> Path:
        return self.root / "sync"

    @property
    def state(self) -> Path:
        return self.root / "state"

    def write_config(self, hours: str = "") -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f"office:\n  name: Office {self.name.upper()}\n"
            f"sync:\n  dir: {self.sync}\n  quiet_seconds: 1\n"
            f"state_dir: {self.state}\nscreenshot:\n  every_seconds: 2\n{hours}",
            encoding="utf-8",
        )

    def start_player(self) -> None:
        env = dict(os.environ, DISPLAY=self.xvfb.display, QT_QPA_PLATFORM="xcb")
        env.update(KIOSK_AOUT="dummy")
        env.pop("KIOSK_CONFIG", None)
        log = self.root / f"player-{len(self.log)}.log"
        self.log.append(log)
        with open(log, "wb") as err:
            self.player = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "run", "--config", str(self.config)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )

    def stop_player(self) -> None:
        if self.player is not None and self.player.poll() is None:
            self.player.send_signal(signal.SIGTERM)
            self.player.wait(timeout=20)
        self.player = None

    def alive(self) -> bool:
        """For waitUntil: fails at once, with the player's log, if it died."""
        if self.player is not None:
            assert self.player.poll() is None, self.log[-1].read_text(errors="replace")
        return True

    def status(self) -> dict[str, Any]:
        return status_json(self.state)

    def rotation(self) -> list[str]:
        return list((self.status().get("playlist") or {}).get("items") or [])

    def set_aside(self) -> dict[str, str]:
        return {f["file"]: f["reason"] for f in self.status().get("failed") or []}


def _bytes(path: Path) -> bytes | None:
    """For waitUntil: a file's bytes, None while it is missing (between a delete and the
    download that replaces it)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _bytes_once_there(qtbot: QtBot, path: Path) -> bytes:
    """A file Syncthing replaces now and then (missing for a moment each time), once read."""
    read: list[bytes | None] = [None]

    def there() -> bool:
        read[0] = _bytes(path)
        return read[0] is not None

    qtbot.waitUntil(there, timeout=10_000)
    assert read[0] is not None
    return read[0]


@dataclass
class Rig:
    root: Path
    hub: Instance
    offices: dict[str, Office]

    @property
    def fleet(self) -> Path:
        return self.root / "fleet"

    def kiosk(self, *args: str, home: Path | None = None) -> tuple[int, str]:
        """`kiosk fleet ARGS` as the admin types it; (exit code, stdout + stderr)."""
        out = io.StringIO()
        argv = ["fleet", *args, "--syncthing-home", str(home or self.hub.home)]
        if args[0] not in ("join", "revert"):
            argv += ["--fleet", str(self.fleet)]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = kiosk_main(argv)
        return code, out.getvalue()

    def status(self, offline_after: float = OFFLINE_AFTER) -> tuple[int, dict[str, Any]]:
        code, text = self.kiosk("status", "--json", "--offline-after", str(offline_after))
        return code, json.loads(text)

    def office_view(self, name: str) -> dict[str, Any]:
        _, data = self.status()
        return next(o for o in data["offices"] if o["id"] == name)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory, xvfb: Xvfb) -> Iterator[Rig]:
    root = tmp_path_factory.mktemp("fleet")
    instances = start_all(
        [
            Instance("hub", root / "st-hub"),
            Instance("a", root / "st-a"),
            Instance("b", root / "st-b"),
        ]
    )
    second = Xvfb(640, 360).start()
    offices = {
        name: Office(name, st, root / name, x)
        for name, st, x in (("a", instances[1], xvfb), ("b", instances[2], second))
    }
    rig = Rig(root, instances[0], offices)
    try:
        code, text = rig.kiosk("init")
        assert code == 0, text
        for o in offices.values():
            o.write_config()
            code, text = rig.kiosk(
                "join", "--config", str(o.config), "--hub", rig.hub.device_id,
                "--hub-address", rig.hub.address, home=o.st.home,
            )  # fmt: skip
            assert code == 0, text
        code, text = rig.kiosk("add-office", "a", "--device", offices["a"].st.device_id,
                               "--group", "north", "--name", "UBND xã A")  # fmt: skip
        assert code == 0, text
        code, text = rig.kiosk("add-office", "b", "--device", offices["b"].st.device_id)
        assert code == 0, text
        for o in offices.values():
            o.start_player()
        yield rig
    finally:
        for o in offices.values():
            with contextlib.suppress(Exception):
                o.stop_player()
        second.stop()
        for st in instances:
            st.stop()


def _clip(rig: Rig, name: str, colour: str, seconds: float = 1.0) -> Path:
    return make_clip(rig.root / "src" / name, colour, seconds)


# ------------------------------------------------------------------------------------------
def test_init_and_join_leave_every_syncthing_safe_and_on_loopback(rig: Rig) -> None:
    _, data = rig.status()
    assert [f for f in data["hub"]["safe_settings"] if not f["ok"]] == []
    for o in rig.offices.values():
        api = o.st.api()
        findings = check(api.get("/rest/config"), "player", o.st.device_id, rig.hub.device_id)
        assert [f for f in findings if not f.ok] == [], o.name
    # Nothing listens or talks beyond 127.0.0.1 (no discovery, relays, NAT, reporting).
    pids = {p for st in (rig.hub, *(o.st for o in rig.offices.values())) for p in st.pids}
    sockets = subprocess.run(
        ["ss", "-Htunap"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    ours = [s for s in sockets if any(f"pid={p}," in s for p in pids)]
    assert ours, sockets
    for line in ours:
        local, peer = line.split()[4:6]
        assert local.startswith("127.0.0.1:"), line
        assert peer.startswith(("127.0.0.1:", "0.0.0.0:*", "*:*")), line


def test_a_clip_for_the_province_reaches_both_rotations(rig: Rig, qtbot: QtBot) -> None:
    code, text = rig.kiosk("publish", str(_clip(rig, "1-red.mp4", "red")), "--to", "province")
    assert code == 0, text
    a, b = rig.offices["a"], rig.offices["b"]
    qtbot.waitUntil(
        lambda: (
            a.alive()
            and b.alive()
            and "10-province/1-red.mp4" in a.rotation()
            and "10-province/1-red.mp4" in b.rotation()
        ),
        timeout=30_000,
    )


def test_a_clip_for_one_office_reaches_it_alone(rig: Rig, qtbot: QtBot) -> None:
    code, text = rig.kiosk("publish", str(_clip(rig, "2-green.mp4", "green")), "--to", "office:a")
    assert code == 0, text
    a, b = rig.offices["a"], rig.offices["b"]
    qtbot.waitUntil(lambda: a.alive() and "30-office/2-green.mp4" in a.rotation(), timeout=30_000)
    # B is fully in sync with everything shared with it, and has no such file.
    qtbot.waitUntil(
        lambda: all(v == 100 for v in rig.office_view("b")["completion"].values()),
        timeout=15_000,
    )
    assert not any(p.name == "2-green.mp4" for p in b.sync.rglob("*"))
    assert "2-green.mp4" not in " ".join(b.rotation())


def test_a_clip_for_a_group_reaches_its_members_only(rig: Rig, qtbot: QtBot) -> None:
    code, text = rig.kiosk("publish", str(_clip(rig, "3-blue.mp4", "blue")), "--to", "group:north")
    assert code == 0, text
    a, b = rig.offices["a"], rig.offices["b"]
    qtbot.waitUntil(lambda: a.alive() and "20-north/3-blue.mp4" in a.rotation(), timeout=30_000)
    assert not (b.sync / "20-north").exists()
    assert "3-blue.mp4" not in " ".join(b.rotation())
    code, text = rig.kiosk("publish", str(rig.root / "src" / "1-red.mp4"), "--to", "group:south")
    assert code == 2 and "no such group" in text


def test_a_tiers_playlist_orders_that_tier_on_screen(rig: Rig, qtbot: QtBot) -> None:
    b = rig.offices["b"]
    playlist = rig.root / "src" / "playlist.yaml"
    playlist.write_text("items:\n  - 8-second.mp4\n", encoding="utf-8")
    first, second = _clip(rig, "7-first.mp4", "yellow"), _clip(rig, "8-second.mp4", "magenta")
    code, text = rig.kiosk("publish", str(first), str(second), str(playlist), "--to", "office:b")
    assert code == 0, text

    def office_tier() -> list[str]:
        b.alive()
        return [rel for rel in b.rotation() if rel.startswith("30-office/")]

    qtbot.waitUntil(
        lambda: office_tier() == ["30-office/8-second.mp4", "30-office/7-first.mp4"],
        timeout=30_000,
    )
    assert b.rotation()[0] == "10-province/1-red.mp4"  # the province tier first
    # What would leave every office of the tier with a playlist error is refused at the hub.
    code, text = rig.kiosk("unpublish", "8-second.mp4", "--from", "office:b")
    assert code == 1
    assert "8-second.mp4 is still listed in office:b's playlist (line 2)" in text
    playlist.write_text("items:\n  - 9-missing.mp4\n", encoding="utf-8")
    code, text = rig.kiosk("publish", str(playlist), "--to", "office:b")
    assert code == 1
    assert f"{playlist}:2:5: error: '9-missing.mp4' is not in office:b nor in this publish" in text


def test_publish_refuses_a_broken_file_and_publishes_nothing(rig: Rig) -> None:
    broken = rig.root / "src" / "4-broken.mp4"
    whole = (rig.root / "src" / "1-red.mp4").read_bytes()
    broken.write_bytes(whole[: len(whole) // 2])
    good = _clip(rig, "5-cyan.mp4", "cyan")
    code, text = rig.kiosk("publish", str(good), str(broken), "--to", "province")
    assert code == 1
    assert f"{broken}: cannot be played: incomplete: the file declares" in text
    assert not (rig.fleet / "content" / "province" / "5-cyan.mp4").exists()


def test_unpublish_takes_the_clip_out_of_the_rotation(rig: Rig, qtbot: QtBot) -> None:
    a = rig.offices["a"]
    code, text = rig.kiosk("unpublish", "2-green.mp4", "--from", "office:a")
    assert code == 0, text
    qtbot.waitUntil(
        lambda: a.alive() and "30-office/2-green.mp4" not in a.rotation(), timeout=20_000
    )
    assert not (a.sync / "30-office" / "2-green.mp4").exists()
    kept = list((rig.fleet / "content" / "office-a" / ".stversions").glob("2-green~*.mp4"))
    assert len(kept) == 1
    # Syncthing lists it as a version of the file: its GUI's Versions dialog restores it.
    versions = rig.hub.api().get("/rest/folder/versions", folder="kiosk-office-a")
    assert list(versions) == ["2-green.mp4"], versions


def test_status_screenshot_and_proof_of_play_reach_the_hub(rig: Rig, qtbot: QtBot) -> None:
    for name in rig.offices:
        there = rig.fleet / "offices" / name

        def arrived(there: Path = there) -> bool:
            return (
                (there / "status.json").is_file()
                and (there / "screenshot.jpg").is_file()
                and any((there / "proof-of-play").glob("*.jsonl"))
            )

        qtbot.waitUntil(arrived, timeout=30_000)
        proof = next((there / "proof-of-play").glob("*.jsonl")).read_text().splitlines()
        assert any("1-red.mp4" in line for line in proof), proof
        assert not (there / "kiosk.log").exists()  # the log stays at the office
    # Not about the offline threshold (the last tests are): the default one, as the province
    # runs it, so that a loaded machine's slower heartbeat does not count. Once all are
    # online, every call says so, though each status.json is replaced at the hub meanwhile
    # (missing there for a moment: tests/test_fleet_received.py).
    qtbot.waitUntil(
        lambda: all(
            o["state"] == "online"
            and o["on_screen"].startswith(("10-province/", "20-north/"))
            and all(v == 100 for v in o["completion"].values())
            for o in rig.status(OFFLINE_AFTER_S)[1]["offices"]
        ),
        timeout=20_000,
    )
    code, data = rig.status(OFFLINE_AFTER_S)
    assert code == 0, data["alerts"]
    assert data["offices"][0]["completion"] == {
        "10-province": 100,
        "20-north": 100,
        "30-office": 100,
    }
    code, text = rig.kiosk("status")
    lines = text.splitlines()
    assert code == 0 and lines[-1] == "no alerts", text
    assert [line.split()[:2] for line in lines[2:4]] == [["a", "online"], ["b", "online"]]


def test_a_file_changed_by_hand_at_an_office_never_plays_and_the_hub_wins(
    rig: Rig, qtbot: QtBot
) -> None:
    a = rig.offices["a"]
    tier = a.sync / "10-province"
    hub_copy = (rig.fleet / "content" / "province" / "1-red.mp4").read_bytes()
    shutil.copy(_clip(rig, "hand.mp4", "yellow"), tier / "0-hand.mp4")  # added by hand
    shutil.copy(rig.root / "src" / "hand.mp4", tier / "1-red.mp4")  # the hub's clip, replaced
    seen: set[str] = set()

    def both_set_aside() -> bool:
        a.alive()
        seen.update(a.rotation())
        aside = a.set_aside()
        return aside.get("10-province/0-hand.mp4") == ADDED and (
            aside.get("10-province/1-red.mp4") == CHANGED
        )

    qtbot.waitUntil(both_set_aside, timeout=20_000)
    assert "10-province/0-hand.mp4" not in seen
    qtbot.waitUntil(lambda: len(rig.office_view("a")["set_aside"]) == 2, timeout=15_000)
    code, data = rig.status()
    assert code == 1
    assert any(x.startswith("a: 2 file(s) set aside: ") for x in data["alerts"]), data["alerts"]
    assert rig.office_view("a")["completion"]["10-province"] < 100  # the hub sees it differ
    code, text = rig.kiosk("revert", "--config", str(a.config), "--dry-run", home=a.st.home)
    assert code == 1
    assert "10-province/0-hand.mp4: added or changed here" in text
    code, text = rig.kiosk("revert", "--config", str(a.config), home=a.st.home)
    assert code == 0 and "10-province: reverted to the hub's version" in text
    qtbot.waitUntil(
        lambda: (
            a.alive()
            and not (tier / "0-hand.mp4").exists()
            and _bytes(tier / "1-red.mp4") == hub_copy  # Syncthing replaces it meanwhile
            and "10-province/1-red.mp4" in a.rotation()
            and not a.set_aside()
        ),
        timeout=20_000,
    )
    proof = "".join(p.read_text() for p in (a.state / "proof-of-play").glob("*.jsonl"))
    assert "0-hand.mp4" not in proof
    qtbot.waitUntil(lambda: rig.status()[0] == 0, timeout=15_000)


def test_an_office_cannot_write_another_offices_status_nor_the_hubs_content(
    rig: Rig, qtbot: QtBot
) -> None:
    a, b = rig.offices["a"], rig.offices["b"]
    api = a.st.api()
    # A (tampered with) offers a folder under B's state folder ID to the hub...
    evil = rig.root / "evil-state"
    evil.mkdir()
    (evil / "status.json").write_text('{"office": "forged by A"}')
    forged = state_folder_id(b.st.device_id)
    api.post(
        "/rest/config/folders",
        {"id": forged, "path": str(evil), "type": "sendonly",
         "devices": [{"deviceID": a.st.device_id}, {"deviceID": rig.hub.device_id}]},
    )  # fmt: skip
    # ...and turns its copy of the province tier into a sending one, with a file in it.
    api.patch("/rest/config/folders/kiosk-province", {"type": "sendreceive"})
    make_clip(a.sync / "10-province" / "9-from-a.mp4", "magenta")
    hub = rig.hub.api()

    def hub_saw_and_refused() -> bool:
        pending = hub.get("/rest/cluster/pending/folders")
        offered = forged in pending and a.st.device_id in pending[forged]["offeredBy"]
        needs = hub.get("/rest/db/status", folder="kiosk-province")["needFiles"] >= 1
        return bool(offered and needs)

    try:
        # The hub got A's offer and A's index (it lists the file as one it does not have)
        # and applied neither: B's status is B's own, the province tier is the hub's.
        qtbot.waitUntil(hub_saw_and_refused, timeout=20_000)
        assert b"forged" not in _bytes_once_there(
            qtbot, rig.fleet / "offices" / "b" / "status.json"
        )
        assert not (rig.fleet / "content" / "province" / "9-from-a.mp4").exists()
        assert not (b.sync / "10-province" / "9-from-a.mp4").exists()
        # A's own screen does not play it either: the hub did not write it.
        qtbot.waitUntil(
            lambda: a.set_aside().get("10-province/9-from-a.mp4") == ADDED, timeout=15_000
        )
    finally:
        api.delete(f"/rest/config/folders/{forged}")
        api.patch("/rest/config/folders/kiosk-province", {"type": "receiveonly"})
        # A's change is now the newest version A knows: the hub's "Override changes" wins.
        hub.post("/rest/db/override", folder="kiosk-province")
    qtbot.waitUntil(lambda: not (a.sync / "10-province" / "9-from-a.mp4").exists(), timeout=15_000)


def test_a_slow_copy_into_the_hub_never_reaches_a_screen_half_written(
    rig: Rig, qtbot: QtBot
) -> None:
    """Bypassing publish: Syncthing sends each partial version; the probe sets them aside."""
    a = rig.offices["a"]
    data = make_clip(rig.root / "src" / "6-slow.mkv", "green", seconds=3).read_bytes()
    # The same ingest and probe the player runs, watching office A's province tier.
    ingest = Ingest(a.sync / "10-province", quiet_s=0.5, probe=probe)
    admitted: list[int] = []
    refused: list[str] = []

    def on_change() -> None:
        lib = ingest.library()
        admitted.extend(f.size for f in lib.files if f.rel == "6-slow.mkv")
        refused.extend(r for rel, r in lib.rejected if rel == "6-slow.mkv")

    ingest.changed.connect(on_change)
    ingest.start()
    try:
        target = rig.fleet / "content" / "province" / "6-slow.mkv"
        with open(target, "wb") as f:
            step = len(data) // 6 + 1
            for at in range(0, len(data), step):
                f.write(data[at : at + step])
                f.flush()
                qtbot.wait(1500)  # longer than the hub's 1 s watcher delay: it sends this much
        qtbot.waitUntil(lambda: len(data) in admitted, timeout=20_000)
    finally:
        ingest.stop()
    assert set(admitted) == {len(data)}, (admitted, refused)
    assert refused and all(r.startswith("incomplete: the file declares") for r in refused)
    qtbot.waitUntil(lambda: a.alive() and "10-province/6-slow.mkv" in a.rotation(), timeout=15_000)


def _hours_excluding_now() -> str:
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    start, end = now + timedelta(hours=6), now + timedelta(hours=7)
    return f'hours:\n  mon-sun: "{start:%H:00}-{end:%H:00}"\n'


def test_outside_its_hours_a_dark_office_is_closed_not_offline(rig: Rig, qtbot: QtBot) -> None:
    a = rig.offices["a"]
    a.stop_player()
    a.write_config(_hours_excluding_now())
    a.start_player()
    qtbot.waitUntil(lambda: a.alive() and a.status().get("now", {}).get("state") == "closed",
                    timeout=30_000)  # fmt: skip
    qtbot.waitUntil(lambda: rig.office_view("a")["state"] == "closed", timeout=15_000)
    a.stop_player()
    a.st.stop()
    stopped = time.monotonic()
    qtbot.waitUntil(lambda: time.monotonic() - stopped > OFFLINE_AFTER + 2, timeout=20_000)
    code, data = rig.status()
    view = next(o for o in data["offices"] if o["id"] == "a")
    assert view["state"] == "closed", view
    assert "its Syncthing is not connected" in view["why"]
    assert view["alerts"] == []
    assert code == 0, data["alerts"]


def test_stopping_an_offices_kiosk_or_syncthing_turns_it_offline(rig: Rig, qtbot: QtBot) -> None:
    b = rig.offices["b"]
    b.stop_player()
    stopped = time.monotonic()
    qtbot.waitUntil(lambda: rig.office_view("b")["state"] == "offline", timeout=20_000)
    assert time.monotonic() - stopped < OFFLINE_AFTER + 5
    code, data = rig.status()
    assert code == 1
    assert any(
        x.startswith("b: offline during office hours: its player stopped") for x in data["alerts"]
    )
    b.start_player()
    qtbot.waitUntil(lambda: rig.office_view("b")["state"] == "online", timeout=30_000)
    b.st.stop()
    stopped = time.monotonic()
    qtbot.waitUntil(lambda: rig.office_view("b")["state"] == "offline", timeout=30_000)
    assert time.monotonic() - stopped < OFFLINE_AFTER + 5
    assert "its Syncthing is not connected" in rig.office_view("b")["why"]
