"""`kiosk fleet status`: every office's state, from what arrived and from the hub's Syncthing.

Gathers the facts: each office's status.json under offices/ID (one that Syncthing is
replacing is not taken for a missing one: kiosk.fleet.received), and from the REST API who
is connected, last seen, when each state folder last received a file, completion per tier;
lets kiosk.core.fleetview judge, and renders one line per office, or JSON.
Exit codes: 0 all well; 1 an alert (an office offline during its hours, files set aside,
player problems, a wrong clock, an unsafe hub setting); 2 the fleet or the hub's Syncthing
cannot be read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.fleetsafety import Finding, check
from kiosk.core.fleettiers import state_folder_id
from kiosk.core.fleetview import OFFLINE_AFTER_S, Completion, OfficeFacts, OfficeView, ago
from kiosk.fleet.received import Holds, Vanished, held_by, never_held, read_received
from kiosk.fleet.registry import Fleet, Office
from kiosk.fleet.rest import Syncthing, SyncthingError, parse_time
from kiosk.state.status import STATUS_FILE

Out = Callable[[str], None]


@dataclass
class HubFacts:
    version: str = ""
    device: str = ""
    findings: list[Finding] = field(default_factory=list)
    error: str = ""  # the hub's Syncthing could not be asked


def read_status(path: Path, holds: Holds = never_held) -> tuple[dict[str, Any] | None, str]:
    """The office's status.json as it arrived, or why not ("" when none arrived yet). A file
    Syncthing is replacing is missing for a moment (kiosk.fleet.received): not "none yet"."""
    try:
        text = read_received(path, holds)
    except Vanished as e:
        return None, str(e)
    except OSError as e:
        return None, f"cannot read {path}: {e}"
    if text is None:
        return None, ""
    try:
        data = json.loads(text)
    except ValueError as e:
        return None, f"cannot read {path}: {e}"
    return (data, "") if isinstance(data, dict) else (None, f"{path} is not a status file")


class _Rest:
    """The REST facts for every office, fetched once per run."""

    def __init__(self, api: Syncthing) -> None:
        self.api = api
        self.connections = api.get("/rest/system/connections").get("connections", {})
        self.devices = api.get("/rest/stats/device")
        self.folders = api.get("/rest/stats/folder")

    def completion(self, folder: str, device: str) -> Completion | None:
        try:
            c = self.api.get("/rest/db/completion", folder=folder, device=device)
        except SyncthingError:
            return None
        return Completion(float(c.get("completion", 0)), int(c.get("needItems", 0)))

    def holds_status(self, o: Office) -> Holds:
        return held_by(self.api, state_folder_id(o.device), STATUS_FILE)

    def facts(
        self, fleet: Fleet, o: Office, status: dict[str, Any] | None, error: str
    ) -> OfficeFacts:
        conn = self.connections.get(o.device) or {}
        last_file = (self.folders.get(state_folder_id(o.device)) or {}).get("lastFile") or {}
        return OfficeFacts(
            id=o.id,
            name=o.name,
            groups=o.groups,
            device=o.device,
            status=status,
            status_error=error,
            received_at=parse_time(last_file.get("at")),
            connected=bool(conn.get("connected")),
            last_seen=parse_time((self.devices.get(o.device) or {}).get("lastSeen")),
            completion={t.label: self.completion(t.folder_id, o.device) for t in o.tiers()},
        )


def gather(fleet: Fleet, api: Syncthing | None) -> tuple[HubFacts, list[OfficeFacts]]:
    hub = HubFacts()
    rest: _Rest | None = None
    if api is not None:
        try:
            hub.version = str(api.get("/rest/system/version").get("version", "?"))
            hub.device = api.my_id()
            hub.findings = check(api.get("/rest/config"), "hub", hub.device)
            rest = _Rest(api)
        except SyncthingError as e:
            hub.error = str(e)
    offices = []
    for o in sorted(fleet.offices.values(), key=lambda o: o.id):
        holds = rest.holds_status(o) if rest is not None else never_held
        status, error = read_status(fleet.state_dir(o.id) / STATUS_FILE, holds)
        if rest is not None:
            offices.append(rest.facts(fleet, o, status, error))
        else:
            offices.append(OfficeFacts(o.id, o.name, o.groups, o.device, status, error))
    return hub, offices


def _completion(view: OfficeView) -> str:
    parts = []
    for label, pct in view.completion.items():
        parts.append(f"{label} {'?' if pct is None else f'{pct:.0f}%'}")
    return ", ".join(parts)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def render(fleet: Fleet, hub: HubFacts, views: list[OfficeView], alerts: list[str]) -> list[str]:
    head = f"kiosk fleet {fleet.root}: {len(views)} office(s)"
    if hub.error:
        head += f"; HUB SYNCTHING: {hub.error}"
    else:
        bad = [f for f in hub.findings if not f.ok]
        head += f"; hub Syncthing {hub.version} ({hub.device[:7]}); safe settings: " + (
            "ok" if not bad else f"{len(bad)} BAD"
        )
    lines = [head]
    width = max([6, *(len(v.id) for v in views)])
    lines.append(
        f"{'OFFICE':<{width}}  {'STATE':<8} {'STATUS':>7}  {'ON SCREEN':<34} "
        "SET ASIDE  STALLS/RESTARTS  SCREENSHOT  CONTENT"
    )
    for v in views:
        lines.append(
            f"{v.id:<{width}}  {v.state:<8} {ago(v.status_age_s):>7}  "
            f"{_cut(v.on_screen, 34):<34} {len(v.set_aside):>9}  "
            f"{f'{v.stalls}/{v.restarts}':>15}  {ago(v.screenshot_age_s):>10}  {_completion(v)}"
        )
    notes = [f"  {v.id}: {v.state}: {v.why}" for v in views if v.state in ("offline", "closed")]
    if notes:
        lines.append("why:")
        lines += notes
    lines.append(f"alerts ({len(alerts)}):" if alerts else "no alerts")
    lines += [f"  {a}" for a in alerts]
    return lines


__all__ = ["OFFLINE_AFTER_S", "gather", "read_status", "render"]
