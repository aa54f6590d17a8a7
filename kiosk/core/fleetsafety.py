"""The safe settings of a fleet's Syncthing, checked on its config (the REST API's JSON).

`kiosk fleet init` (hub) and `kiosk fleet join` (player) set the ones kiosk owns (relays and
discovery off) and refuse to go on while the others are wrong; `kiosk fleet status` reports
them all. The rules, for either role:
- relays off, and global and local discovery off unless asked for (the offices dial the
  hub's address; nothing needs to be found or relayed);
- the GUI and REST API on this machine only (127.0.0.1, ::1 or localhost);
- folders auto-accepted from the hub only (a player auto-accepts the hub's tiers; the hub
  auto-accepts from nobody);
- no introducer (the hub must not introduce the offices to one another);
- versioning only on the hub's content folders (on a player, old versions of clips would
  fill its disk and could end up in the sync folder's rotation).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kiosk.core.fleettiers import STATE_PREFIX, tier_of_folder


@dataclass(frozen=True)
class Finding:
    rule: str  # short name of the rule
    ok: bool
    detail: str  # what is wrong and how to fix it ("" when ok)


def owned_fixes(config: dict[str, Any], allow_discovery: bool) -> dict[str, bool]:
    """The options kiosk sets itself (relays, discovery), as a PATCH for /rest/config/options."""
    options = config.get("options", {})
    wanted = {"relaysEnabled": False}
    if not allow_discovery:
        wanted |= {"globalAnnounceEnabled": False, "localAnnounceEnabled": False}
    return {k: v for k, v in wanted.items() if options.get(k) != v}


def _loopback(address: str) -> bool:
    host = address.rpartition(":")[0].strip("[]") if ":" in address else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _versioned(folder: dict[str, Any]) -> bool:
    return bool((folder.get("versioning") or {}).get("type"))


def _shared_with(folder: dict[str, Any], me: str) -> set[str]:
    return {d["deviceID"] for d in folder.get("devices", ()) if d["deviceID"] != me}


def check(
    config: dict[str, Any],
    role: str,
    me: str,
    hub: str = "",
    allow_discovery: bool = False,
) -> list[Finding]:
    """Every rule for `role` ("hub" or "player"); `hub` is the hub's device ID on a player."""
    options = config.get("options", {})
    devices = [d for d in config.get("devices", ()) if d["deviceID"] != me]
    defaults = config.get("defaults", {})
    folders = config.get("folders", ())
    out: list[Finding] = []

    def rule(name: str, bad: Iterable[str]) -> None:
        problems = list(bad)
        out.append(Finding(name, not problems, "; ".join(problems)))

    rule(
        "relays off",
        ["relays are on (kiosk fleet init/join turns them off)"]
        * bool(options.get("relaysEnabled")),
    )
    discovery = [k for k in ("globalAnnounceEnabled", "localAnnounceEnabled") if options.get(k)]
    rule(
        "discovery off" if not allow_discovery else "discovery (allowed)",
        []
        if allow_discovery or not discovery
        else [f"{', '.join(discovery)} on (kiosk fleet init/join turns them off)"],
    )
    address = str(config.get("gui", {}).get("address", ""))
    rule(
        "GUI/API on 127.0.0.1",
        []
        if _loopback(address)
        else [
            f"the GUI/API listens on {address}: set it to 127.0.0.1:PORT in Syncthing's GUI "
            "(Actions > Settings > GUI), then run this again"
        ],
    )
    accept = [
        f"device {d.get('name') or d['deviceID'][:7]} ({d['deviceID'][:7]}) auto-accepts folders"
        for d in devices
        if d.get("autoAcceptFolders") and (role == "hub" or d["deviceID"] != hub)
    ]
    if defaults.get("device", {}).get("autoAcceptFolders"):
        accept.append("new devices auto-accept folders by default (Settings > Defaults)")
    if (
        role == "player"
        and hub
        and not any(d["deviceID"] == hub and d.get("autoAcceptFolders") for d in devices)
    ):
        accept.append("the hub's folders are not auto-accepted: run kiosk fleet join again")
    rule("auto-accept from the hub only", accept)
    introducers = [
        f"device {d.get('name') or d['deviceID'][:7]} is an introducer"
        for d in devices
        if d.get("introducer")
    ]
    if defaults.get("device", {}).get("introducer"):
        introducers.append("new devices are introducers by default")
    rule("no introducer", introducers)
    versioned = [
        f"folder {f['id']} keeps versions"
        for f in folders
        if _versioned(f) and not (role == "hub" and tier_of_folder(f["id"]) is not None)
    ]
    if role == "player" and _versioned(defaults.get("folder", {})):
        versioned.append("new folders keep versions by default (the hub's tiers would)")
    rule("versioning only on the hub's content", versioned)
    out.append(_folder_types(folders, role, me, hub, defaults))
    return out


def _folder_types(
    folders: Iterable[dict[str, Any]], role: str, me: str, hub: str, defaults: dict[str, Any]
) -> Finding:
    """Tiers send-only at the hub and receive-only on players; state folders the other way,
    each shared with the other side alone."""
    wrong: list[str] = []
    for f in folders:
        others = _shared_with(f, me)
        tier = tier_of_folder(f["id"])
        if tier is not None:
            want = "sendonly" if role == "hub" else "receiveonly"
            if f.get("type") != want:
                wrong.append(f"{f['id']} is {f.get('type')}, should be {want}")
        elif f["id"].startswith(STATE_PREFIX):
            want = "receiveonly" if role == "hub" else "sendonly"
            if f.get("type") != want:
                wrong.append(f"{f['id']} is {f.get('type')}, should be {want}")
            if len(others) > 1 or (role == "player" and others - {hub}):
                wrong.append(f"{f['id']} is shared with more than the other side")
    if role == "player" and defaults.get("folder", {}).get("type") != "receiveonly":
        wrong.append("new folders from the hub would not be receive-only: run join again")
    return Finding("tiers one way, state the other", not wrong, "; ".join(wrong))
