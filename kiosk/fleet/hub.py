"""The hub's fleet commands that change Syncthing's config: init, add-office, remove-office.

Every change goes through the REST API (kiosk.fleet.rest); the fleet folder's fleet.json
keeps what Syncthing has no place for. Each command checks the safe settings first and
changes nothing while one it does not own is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kiosk.core.fleetsafety import Finding, check, owned_fixes
from kiosk.core.fleettiers import (
    PROVINCE,
    Tier,
    check_name,
    group,
    normal_device_id,
    office,
    state_folder_id,
)
from kiosk.fleet.registry import Fleet, FleetError, Office, load
from kiosk.fleet.rest import Syncthing

Out = Callable[[str], None]

WATCH_DELAY_S = 1  # content is scanned 1 s after a change, not Syncthing's default 10 s
HUB_VERSIONS_KEPT = "5"  # the "simple" versioner's `keep`: unpublished files stay restorable


def syncthing_for(home: Path | None, fleet: Fleet | None = None) -> Syncthing:
    """The hub's Syncthing: --syncthing-home, else the one init was given, else the default."""
    if home is None and fleet is not None and fleet.syncthing_home:
        home = Path(fleet.syncthing_home)
    return Syncthing.from_home(home)


def make_safe(
    api: Syncthing, role: str, me: str, hub: str, allow_discovery: bool, out: Out
) -> list[Finding]:
    """Sets what kiosk owns (relays, discovery, defaults for new devices); the findings."""
    config: dict[str, Any] = api.get("/rest/config")
    fixes = owned_fixes(config, allow_discovery)
    if fixes:
        api.patch("/rest/config/options", fixes)
        out("  set " + ", ".join(f"{k}={str(v).lower()}" for k, v in fixes.items()))
    device_defaults = config.get("defaults", {}).get("device", {})
    if device_defaults.get("autoAcceptFolders") or device_defaults.get("introducer"):
        api.patch("/rest/config/defaults/device", {"autoAcceptFolders": False, "introducer": False})
        out("  set new devices to auto-accept nothing and introduce nobody")
    return check(api.get("/rest/config"), role, me, hub, allow_discovery)


def report_findings(findings: Iterable[Finding], out: Out) -> bool:
    """Prints each rule; True if all hold."""
    ok = True
    for f in findings:
        out(f"  {'ok ' if f.ok else 'BAD'} {f.rule}" + ("" if f.ok else f": {f.detail}"))
        ok = ok and f.ok
    return ok


def ensure_folder(api: Syncthing, wanted: dict[str, Any], out: Out) -> dict[str, Any]:
    """Creates the folder, or brings the fields kiosk owns back to `wanted`."""
    current = api.folder(wanted["id"])
    if current is None:
        Path(wanted["path"]).mkdir(parents=True, exist_ok=True)
        api.post("/rest/config/folders", wanted)
        out(f"  created folder {wanted['id']} ({wanted['type']}) at {wanted['path']}")
        return wanted
    if Path(current["path"]).resolve() != Path(wanted["path"]).resolve():
        raise FleetError(
            f"Syncthing folder {wanted['id']} is at {current['path']}, not {wanted['path']}: "
            "remove it in Syncthing's GUI or use the fleet folder it belongs to"
        )
    changes = {
        k: v
        for k, v in wanted.items()
        if k not in ("devices", "path") and _differs(current.get(k), v)
    }
    if changes:
        api.patch(f"/rest/config/folders/{wanted['id']}", changes)
        out(f"  updated folder {wanted['id']}: {', '.join(sorted(changes))}")
    return {**current, **changes}


def ensure_device(api: Syncthing, device: str, name: str, address: str, auto_accept: bool) -> bool:
    """Adds the device, or sets it back to this; never an introducer. True if it was added."""
    entry = {
        "deviceID": device,
        "name": name,
        "addresses": [address],
        "autoAcceptFolders": auto_accept,
        "introducer": False,
    }
    if api.device(device) is None:
        api.post("/rest/config/devices", entry)
        return True
    api.patch(f"/rest/config/devices/{device}", entry)
    return False


def _differs(current: Any, wanted: Any) -> bool:
    """Only the keys kiosk sets count: Syncthing adds its own to nested objects."""
    if isinstance(wanted, dict) and isinstance(current, dict):
        return any(_differs(current.get(k), v) for k, v in wanted.items())
    return bool(current != wanted)


def tier_folder(fleet: Fleet, tier: Tier, me: str) -> dict[str, Any]:
    return {
        "id": tier.folder_id,
        "label": tier.label,
        "path": str(fleet.tier_dir(tier)),
        "type": "sendonly",
        "devices": [{"deviceID": me}],
        "fsWatcherEnabled": True,
        "fsWatcherDelayS": WATCH_DELAY_S,
        "versioning": {"type": "simple", "params": {"keep": HUB_VERSIONS_KEPT}},
    }


def set_sharing(api: Syncthing, folder: dict[str, Any], device: str, shared: bool) -> bool:
    """Shares the folder with `device`, or stops sharing it; True if that changed anything."""
    devices = [d["deviceID"] for d in folder.get("devices", ())]
    if (device in devices) == shared:
        return False
    devices = [*devices, device] if shared else [d for d in devices if d != device]
    api.patch(
        f"/rest/config/folders/{folder['id']}", {"devices": [{"deviceID": d} for d in devices]}
    )
    folder["devices"] = [{"deviceID": d} for d in devices]
    return True


def hub_address(listen: list[str]) -> str:
    """The address offices dial, as far as this machine knows it (a name only it can give)."""
    for address in listen:
        scheme, _, rest = address.partition("://")
        host, _, port = rest.rpartition(":")
        if scheme == "tcp" and host and host not in ("0.0.0.0", "[::]", ""):
            return address
        if scheme == "tcp" and port:
            return f"tcp://THIS-HUB-ADDRESS:{port}"
    return "tcp://THIS-HUB-ADDRESS:22000"


def init(root: Path, home: Path | None, allow_discovery: bool, out: Out) -> int:
    api = Syncthing.from_home(home)
    version = str(api.get("/rest/system/version").get("version", "?"))
    me = api.my_id()
    out(f"hub Syncthing {version}, device {me}")
    out("safe settings:")
    if not report_findings(make_safe(api, "hub", me, "", allow_discovery, out), out):
        out("kiosk fleet init: fix the settings marked BAD, then run it again (nothing created)")
        return 2
    try:
        fleet = load(root)
    except FleetError:
        fleet = Fleet(root)
    if fleet.hub_device and fleet.hub_device != me:
        raise FleetError(
            f"{fleet.path} belongs to the hub {fleet.hub_device[:7]}, not this Syncthing ({me[:7]})"
        )
    fleet.hub_device = me
    if home is not None:
        fleet.syncthing_home = str(home.resolve())
    (root / "offices").mkdir(parents=True, exist_ok=True)
    ensure_folder(api, tier_folder(fleet, PROVINCE, me), out)
    fleet.save()
    listen = api.get("/rest/config/options").get("listenAddresses", [])
    out(f"fleet folder {root}: put what every office plays with `kiosk fleet publish`")
    out(f"Syncthing listens on {', '.join(listen)}; the offices must reach it there")
    out("next, on each office's player:")
    out(
        "  kiosk fleet join --config /etc/kiosk/office.yaml "
        f"--hub {me} --hub-address {hub_address(listen)}"
    )
    return 0


def add_office(
    root: Path,
    home: Path | None,
    office_id: str,
    device_text: str,
    groups: list[str],
    name: str,
    address: str,
    out: Out,
) -> int:
    for problem in [check_name(office_id, "office ID"), *(check_name(g, "group") for g in groups)]:
        if problem:
            raise FleetError(problem)
    device = normal_device_id(device_text)
    if device is None:
        raise FleetError(
            f"{device_text!r} is not a Syncthing device ID (8 groups of 7 letters and digits, "
            "as `kiosk fleet join` prints it)"
        )
    fleet = load(root)
    api = syncthing_for(home, fleet)
    me = api.my_id()
    if device == me:
        raise FleetError("that is the hub's own device ID: give the office's (from its join)")
    taken = [o.id for o in fleet.offices.values() if o.device == device and o.id != office_id]
    if taken:
        raise FleetError(f"device {device[:7]} is already office {taken[0]}")
    before = fleet.offices.get(office_id)
    if before is not None and before.device != device:
        out(f"office {office_id} moves from device {before.device[:7]} to {device[:7]}")
        _unshare_all(api, fleet, before, out)
    new = Office(
        office_id, device, name or (before.name if before else ""), tuple(sorted(set(groups)))
    )
    label = f"kiosk {office_id}" + (f" ({new.name})" if new.name else "")
    if ensure_device(api, device, label, address or "dynamic", auto_accept=False):
        out(f"  added device {device[:7]} as {label}")
    for tier in new.tiers():
        folder = ensure_folder(api, tier_folder(fleet, tier, me), out)
        if set_sharing(api, folder, device, True):
            out(f"  {tier.target}: shared with {office_id}")
    left = set(before.groups if before and before.device == device else ()) - set(new.groups)
    for g in sorted(left):
        old = api.folder(group(g).folder_id)
        if old is not None and set_sharing(api, old, device, False):
            out(f"  group:{g}: no longer shared with {office_id} (its files stay on that player)")
    ensure_folder(api, _state_folder(fleet, new, me), out)
    fleet.offices[office_id] = new
    fleet.save()
    tiers = ", ".join(t.target for t in new.tiers())
    out(f"office {office_id}: receives {tiers}; its status arrives in {fleet.state_dir(office_id)}")
    return 0


def _state_folder(fleet: Fleet, o: Office, me: str) -> dict[str, Any]:
    return {
        "id": state_folder_id(o.device),
        "label": f"kiosk state {o.id}",
        "path": str(fleet.state_dir(o.id)),
        "type": "receiveonly",
        "devices": [{"deviceID": me}, {"deviceID": o.device}],
        "versioning": {"type": "", "params": {}},
    }


def _unshare_all(api: Syncthing, fleet: Fleet, o: Office, out: Out) -> None:
    for folder in api.get("/rest/config/folders"):
        set_sharing(api, folder, o.device, False)
    for folder_id in (office(o.id).folder_id, state_folder_id(o.device)):
        if api.folder(folder_id) is not None:
            api.delete(f"/rest/config/folders/{folder_id}")
            out(f"  removed folder {folder_id} from Syncthing (its files stay on disk)")


def remove_office(root: Path, home: Path | None, office_id: str, out: Out) -> int:
    fleet = load(root)
    o = fleet.offices.get(office_id)
    if o is None:
        raise FleetError(f"no office {office_id!r} in {fleet.path}")
    api = syncthing_for(home, fleet)
    _unshare_all(api, fleet, o, out)
    if api.device(o.device) is not None:
        api.delete(f"/rest/config/devices/{o.device}")
        out(f"  removed device {o.device[:7]}")
    del fleet.offices[office_id]
    fleet.save()
    out(
        f"office {office_id} removed; kept on disk: {fleet.tier_dir(office(office_id))} and "
        f"{fleet.state_dir(office_id)} (delete them when you no longer need them)"
    )
    return 0
