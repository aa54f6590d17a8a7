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
the hub offered that an earlier run let Syncthing accept elsewhere is moved where it belongs,
and the tiers it offered that wait to be accepted are accepted.
revert undoes local changes in the tiers: the hub's copy wins.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.config import config_path_from_env, load_config
from kiosk.core.fleettiers import Tier, normal_device_id, state_folder_id, tier_of_folder
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
# A tier at a player: receive-only, unversioned, scanned 1 s after a local change.
TIER: dict[str, Any] = {
    "type": "receiveonly",
    "fsWatcherEnabled": True,
    "fsWatcherDelayS": WATCH_DELAY_S,
    "versioning": {"type": "", "params": {}},
}


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
    api.patch("/rest/config/defaults/folder", {"path": str(sync_dir), **TIER})
    out(f"  the hub's tiers arrive receive-only in {sync_dir} (10-province, 20-GROUP, 30-office)")
    tilde = str(api.get("/rest/system/status").get("tilde") or "~")
    state_id = _state_folder(api, me, hub, state_dir, status_every, tilde, out)
    for f in api.get("/rest/config/folders"):
        tier = tier_of_folder(f["id"])
        if tier is not None and _disk_path(f["path"], tilde).parent != sync_dir.resolve():
            _move_tier(api, f, tier, sync_dir, tilde, out)
    # Looked for before the hub is trusted: a tier accepted from now on is not a clash.
    clashes = [
        p.name
        for p in sorted(sync_dir.iterdir())
        if p.is_dir() and p.name[:3] in ("10-", "20-", "30-") and not (p / ".stfolder").exists()
    ]
    if ensure_device(api, hub, "kiosk hub", hub_address, auto_accept=True):
        out(f"  added the hub {hub[:7]} at {hub_address}; its folders are accepted")
    state = api.folder(state_id)
    if state is not None and set_sharing(api, state, hub, True):
        out(f"  shared folder {state_id} with the hub")
    # Syncthing accepts what the hub offers when the hub sends its list of folders (on
    # connecting): the tiers it offered while they could not be accepted, join accepts.
    for folder_id in sorted(api.get("/rest/cluster/pending/folders", device=hub) or {}):
        tier = tier_of_folder(folder_id)
        if tier is not None:
            _accept(api, tier, sync_dir, [me, hub], out)
    out(f"  state folder {state_dir} goes to the hub alone (not {', '.join(STATE_IGNORES)})")
    if status_every:
        out(f"  it is sent every {status_every} s (±25 %), not after each change")
    marker = {"hub": hub, "syncthing_home": str((home or default_home()).resolve())}
    write_atomic(sync_dir / MARKER, json.dumps(marker, indent=1) + "\n")
    out("safe settings:")
    if not report_findings(make_safe(api, "player", me, hub, allow_discovery, out), out):
        out("kiosk fleet join: fix the settings marked BAD, then run it again")
        return 2
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


def _state_folder(
    api: Syncthing, me: str, hub: str, state_dir: Path, status_every: int, tilde: str, out: Out
) -> str:
    """The state folder at the state dir, send-only, without the log; made before the hub
    is trusted, so that the hub's offer of it (an office added at the hub before it joined)
    finds it there rather than as a new folder to accept. Its ID."""
    state_id = state_folder_id(me)
    current = api.folder(state_id)
    if current is not None and _disk_path(current["path"], tilde) != state_dir.resolve():
        _move_state_folder(api, current, state_dir, tilde, out)
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
    return state_id


def _move_state_folder(
    api: Syncthing, folder: dict[str, Any], state_dir: Path, tilde: str, out: Out
) -> None:
    """The state folder as Syncthing accepted it from the hub's offer before join set where
    (`~/kiosk state ID`), moved to the state dir (see _move)."""
    settings = {"type": "sendonly", "label": "kiosk state"}
    if not _move(api, folder, state_dir, settings, tilde, "the state folder", out):
        raise FleetError(
            f"Syncthing folder {folder['id']} (this office's state) was accepted at "
            f"{folder['path']} and holds files already: remove it in Syncthing's GUI (its "
            "files stay on disk), run join again, then restart Syncthing"
        )


def _move_tier(
    api: Syncthing, folder: dict[str, Any], tier: Tier, sync_dir: Path, tilde: str, out: Out
) -> None:
    """A tier accepted before join set where (`~/10-province`), moved into the sync folder
    (see _move); one that holds files already is said, and left where it is, receive-only."""
    to = _tier_path(sync_dir, tier)
    if to is None or not _move(api, folder, to, TIER, tilde, f"tier {tier.label}", out):
        api.patch(f"/rest/config/folders/{folder['id']}", TIER)
        out(
            f"  warning: tier {tier.label} was accepted at {folder['path']}, where the player "
            "does not play it, and holds files already: remove that folder in Syncthing's GUI "
            f"(its files stay on disk), then restart Syncthing: it lands in {sync_dir}"
        )


def _move(
    api: Syncthing,
    folder: dict[str, Any],
    to: Path,
    settings: dict[str, Any],
    tilde: str,
    what: str,
    out: Out,
) -> bool:
    """Moves a folder the hub offered to `to`, in its config: Syncthing restarts it there
    (and makes its `.stfolder` marker) with its index and its exchange with the hub going
    on. (Taken out and made again, it would send the hub nothing until they reconnect, and
    reconnecting on demand is not reliable: Syncthing holds back repeated dials.) Only an
    empty one (False otherwise): a folder with files would report them deleted."""
    status = api.get("/rest/db/status", folder=folder["id"])
    if status.get("sequence") or status.get("localFiles"):
        return False
    api.patch(f"/rest/config/folders/{folder['id']}", {"path": str(to), **settings})
    old = _disk_path(folder["path"], tilde)
    left = "" if not old.exists() or _remove_if_empty(old) else f" ({old} is left as it was)"
    out(f"  {what} had been accepted at {folder['path']}: moved to {to}{left}")
    return True


def _tier_path(sync_dir: Path, tier: Tier) -> Path | None:
    """Where Syncthing's auto-accept puts a tier (lib/model/model.go, handleAutoAccepts): at
    sync_dir/LABEL, else sync_dir/ID; None when both are taken."""
    return next(
        (p for p in (sync_dir / tier.label, sync_dir / tier.folder_id) if not p.exists()), None
    )


def _accept(api: Syncthing, tier: Tier, sync_dir: Path, devices: list[str], out: Out) -> None:
    """Adds a tier the hub offers as Syncthing's auto-accept does (lib/model/model.go,
    handleAutoAccepts): from the folder defaults, at sync_dir/LABEL, else sync_dir/ID."""
    if api.folder(tier.folder_id) is not None:  # Syncthing accepted it meanwhile
        return
    path = _tier_path(sync_dir, tier)
    if path is None:
        out(
            f"  warning: tier {tier.label} not accepted: {tier.label} and {tier.folder_id} "
            f"already exist in {sync_dir}; move them away and join again"
        )
        return
    folder = api.get("/rest/config/defaults/folder")
    folder.update(
        id=tier.folder_id,
        label=tier.label,
        path=str(path),
        devices=[{"deviceID": d} for d in devices],
    )
    path.mkdir(parents=True)
    api.post("/rest/config/folders", folder)
    out(f"  accepted tier {tier.label} ({tier.folder_id}) from the hub into {path}")


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
