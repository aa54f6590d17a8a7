"""A player's side of the fleet: `kiosk fleet join` and `kiosk fleet revert`.

join sets up the player's Syncthing, through its REST API, so that:
- the hub is a known device whose folders are auto-accepted (and nobody else's), dialled
  every 10 s while not connected;
- a folder the hub shares lands in the sync folder under its label (10-province,
  20-GROUP, 30-office), receive-only, unversioned, scanned 1 s after a local change;
- the state folder (status.json, screenshot, proof of play) goes to the hub alone, send-only,
  without the log and the temporary files;
- `.kiosk-fleet.json` in the sync folder tells the player's probe (kiosk.fleet.guard) that
  its tiers play only what the hub sent.
The hub may have added the office before it joined: its Syncthing then accepts the hub's
folders the moment join trusts the hub, where Syncthing's defaults of that moment say. So
join sets those defaults and makes the state folder first, and trusts the hub last; a folder
the hub offered that an earlier run left elsewhere, or pending, is placed again.
revert undoes local changes in the tiers: the hub's copy wins.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.config import config_path_from_env, load_config
from kiosk.core.fleettiers import normal_device_id, state_folder_id, tier_of_folder
from kiosk.fleet.guard import MARKER
from kiosk.fleet.hub import (
    WATCH_DELAY_S,
    ensure_device,
    ensure_folder,
    make_safe,
    report_findings,
    set_sharing,
)
from kiosk.fleet.registry import FleetError
from kiosk.fleet.rest import Syncthing, default_home
from kiosk.state.status import write_atomic

Out = Callable[[str], None]
STATE_IGNORES = ["kiosk.log*", ".*.tmp"]
# Syncthing retries an unconnected device every 60 s: an office added at the hub after it
# joined, or a hub back from a restart, would wait that long. It dials one device: 10 s.
RECONNECT_S = 10
SYNCTHING_OWN = (".stfolder", ".stignore")  # what Syncthing puts in a folder it accepts


def _player_dirs(config: Path | None) -> tuple[Path, Path]:
    cfg, problems = load_config(config_path_from_env(config), {})
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise FleetError("; ".join(str(p) for p in errors) + " (fix the config first)")
    if cfg.sync_dir is None:
        raise FleetError(
            f"{cfg.source or 'no config'}: no `sync.dir`: the hub's tiers need a sync folder; "
            "set it in the office config and give --config FILE"
        )
    return cfg.sync_dir, cfg.state_dir


def join(
    config: Path | None,
    home: Path | None,
    hub_text: str,
    hub_address: str,
    allow_discovery: bool,
    out: Out,
    status_every: int = 0,
) -> int:
    """`status_every` 0: the state folder is sent ~1 s after each change (its watcher); S > 0:
    it is scanned every S s instead (±25 %), for a hub with many offices (bench/fleet.py).
    A longer watcher delay would not do: Syncthing holds a file that keeps changing for up
    to 6 delays (measured with 10 s: statuses up to 53 s old)."""
    hub = normal_device_id(hub_text)
    if hub is None:
        raise FleetError(
            f"--hub {hub_text!r} is not a Syncthing device ID (the hub's init prints it)"
        )
    if not hub_address.startswith(("tcp://", "quic://", "dynamic")):
        raise FleetError(f"--hub-address {hub_address!r}: write it like tcp://HOST:22000")
    sync_dir, state_dir = _player_dirs(config)
    api = Syncthing.from_home(home)
    me = api.my_id()
    if me == hub:
        raise FleetError("--hub is this player's own device ID: give the hub's")
    out(f"player Syncthing, device {me}")
    sync_dir.mkdir(parents=True, exist_ok=True)
    state_dir.mkdir(parents=True, exist_ok=True)
    hub_known = api.device(hub) is not None
    if hub_known:  # nothing is accepted until the folders below are where they belong
        api.patch(f"/rest/config/devices/{hub}", {"autoAcceptFolders": False})
    if api.get("/rest/config/options").get("reconnectionIntervalS") != RECONNECT_S:
        api.patch("/rest/config/options", {"reconnectionIntervalS": RECONNECT_S})
        out(f"  the hub is dialled again every {RECONNECT_S} s while not connected (not 60 s)")
    # Syncthing places an accepted folder by the defaults of that moment: set them first.
    api.patch(
        "/rest/config/defaults/folder",
        {
            "path": str(sync_dir),
            "type": "receiveonly",
            "fsWatcherEnabled": True,
            "fsWatcherDelayS": WATCH_DELAY_S,
            "versioning": {"type": "", "params": {}},
        },
    )
    out(f"  the hub's tiers arrive receive-only in {sync_dir} (10-province, 20-GROUP, 30-office)")
    state_id = state_folder_id(me)
    tilde = str(api.get("/rest/system/status").get("tilde") or "~")
    current = api.folder(state_id)
    if current is not None and _disk_path(current["path"], tilde) != state_dir.resolve():
        _unplace(api, current, tilde, "the state folder", out)
    # Created before the hub is trusted, so that the hub's offer of it (an office added at
    # the hub before it joined) finds it here rather than as a new folder to accept.
    ensure_folder(
        api,
        {
            "id": state_id,
            "label": "kiosk state",
            "path": str(state_dir),
            "type": "sendonly",
            "devices": [{"deviceID": me}, {"deviceID": hub}],  # the hub once it is known
            "fsWatcherEnabled": not status_every,
            "fsWatcherDelayS": WATCH_DELAY_S,
            "rescanIntervalS": status_every or 3600,
            "versioning": {"type": "", "params": {}},
        },
        out,
    )
    api.post("/rest/db/ignores", {"ignore": STATE_IGNORES}, folder=state_id)
    moved = [
        _unplace(api, f, tilde, f"tier {f['label']}", out)
        for f in api.get("/rest/config/folders")
        if tier_of_folder(f["id"]) is not None
        and _disk_path(f["path"], tilde).parent != sync_dir.resolve()
    ]
    if ensure_device(api, hub, "kiosk hub", hub_address, auto_accept=True):
        out(f"  added the hub {hub[:7]} at {hub_address}; its folders are accepted")
    state = api.folder(state_id)
    if state is not None and set_sharing(api, state, hub, True):
        out(f"  shared folder {state_id} with the hub")
    pending = api.get("/rest/cluster/pending/folders", device=hub) or {}
    if hub_known and (moved or pending):
        # Syncthing accepts what the hub offers when the hub says so: on connecting.
        api.post("/rest/system/pause", device=hub)
        api.post("/rest/system/resume", device=hub)
        out("  reconnected to the hub, so that its folders are accepted now")
    out(f"  state folder {state_dir} goes to the hub alone (not {', '.join(STATE_IGNORES)})")
    if status_every:
        out(f"  it is sent every {status_every} s (±25 %), not after each change")
    marker = {"hub": hub, "syncthing_home": str((home or default_home()).resolve())}
    write_atomic(sync_dir / MARKER, json.dumps(marker, indent=1) + "\n")
    out("safe settings:")
    if not report_findings(make_safe(api, "player", me, hub, allow_discovery, out), out):
        out("kiosk fleet join: fix the settings marked BAD, then run it again")
        return 2
    clashes = [
        p.name
        for p in sorted(sync_dir.iterdir())
        if p.is_dir() and p.name[:3] in ("10-", "20-", "30-") and not (p / ".stfolder").exists()
    ]
    if clashes:
        out(
            f"  warning: {', '.join(clashes)} already exist in {sync_dir}: a hub tier of the "
            "same name would arrive under its folder ID instead; move them away"
        )
    out("give the hub's admin this player's device ID:")
    out(f"  {me}")
    out(f"  (at the hub: kiosk fleet add-office OFFICE-ID --device {me} [--group G])")
    return 0


def _disk_path(path: str, tilde: str) -> Path:
    """A folder path as Syncthing reads it: `~` is its own HOME (/rest/system/status)."""
    if path == "~" or path.startswith("~/"):
        path = tilde + path[1:]
    return Path(path).resolve()


def _unplace(api: Syncthing, folder: dict[str, Any], tilde: str, what: str, out: Out) -> str:
    """Takes a folder the hub offered out of Syncthing's config where it is not where it
    belongs (accepted before join set where: `~/kiosk state ID`, `~/10-province`); join
    places it again. No file is touched: Syncthing removes its own `.stfolder` marker, and
    the old folder goes only when nothing else is left in it."""
    api.delete(f"/rest/config/folders/{folder['id']}")
    old = _disk_path(folder["path"], tilde)
    left = (
        "the empty folder there is removed"
        if _remove_if_empty(old)
        else f"{old} keeps its files: delete them when no longer needed"
    )
    out(f"  {what} {folder['id']} had been accepted at {folder['path']}: placed again ({left})")
    return str(folder["id"])


def _remove_if_empty(folder: Path) -> bool:
    """Removes `folder` if it holds nothing but Syncthing's own, empty, marker and ignores."""
    try:
        entries = list(os.scandir(folder))
        if any(e.name not in SYNCTHING_OWN for e in entries):
            return False
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                os.rmdir(e.path)  # only if empty
            elif e.stat(follow_symlinks=False).st_size == 0:
                os.unlink(e.path)
            else:
                return False
        os.rmdir(folder)
    except OSError:
        return False
    return True


def revert(config: Path | None, home: Path | None, dry_run: bool, out: Out) -> int:
    """Lists the local changes in every tier and, unless dry_run, brings back the hub's copy."""
    sync_dir, _ = _player_dirs(config)
    if home is None and (sync_dir / MARKER).is_file():
        saved = json.loads((sync_dir / MARKER).read_text(encoding="utf-8")).get("syncthing_home")
        home = Path(saved) if saved else None
    api = Syncthing.from_home(home)
    changed = 0
    for folder in api.get("/rest/config/folders"):
        tier = tier_of_folder(folder["id"])
        if tier is None or folder.get("type") != "receiveonly":
            continue
        files = api.get("/rest/db/localchanged", folder=folder["id"]).get("files") or []
        for f in files:
            what = "deleted" if f.get("deleted") else "added or changed"
            out(f"{tier.label}/{f['name']}: {what} here")
        changed += len(files)
        if files and not dry_run:
            api.post("/rest/db/revert", folder=folder["id"])
            out(f"{tier.label}: reverted to the hub's version")
    if not changed:
        out("no local changes in the hub's tiers")
        return 0
    return 1 if dry_run else 0
