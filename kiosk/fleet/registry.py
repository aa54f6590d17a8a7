"""The hub's own record of its fleet: offices, their devices, names and groups.

`fleet.json` in the fleet folder, written atomically. Syncthing's config stays the truth of
what is shared with whom; this file holds what Syncthing has no place for (an office's ID,
its full name, its groups) and lets `status` list offices that never connected.

The fleet folder:
    fleet.json
    content/province/, content/group-G/, content/office-ID/   send-only tiers (what to play)
    offices/ID/                                               receive-only: status coming back
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.fleettiers import PROVINCE, Tier, group, office
from kiosk.state.status import write_atomic

FLEET_FILE = "fleet.json"


class FleetError(Exception):
    """A fleet command cannot go on; the message says what to do."""


def default_root() -> Path:
    """$KIOSK_FLEET, else ~/kiosk-fleet."""
    env = os.environ.get("KIOSK_FLEET")
    return Path(env) if env else Path.home() / "kiosk-fleet"


@dataclass
class Office:
    id: str
    device: str
    name: str = ""
    groups: tuple[str, ...] = ()

    def tiers(self) -> list[Tier]:
        return [PROVINCE, *(group(g) for g in self.groups), office(self.id)]


@dataclass
class Fleet:
    root: Path
    hub_device: str = ""
    syncthing_home: str = ""  # as given to init ("" = Syncthing's default for this user)
    offices: dict[str, Office] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.root / FLEET_FILE

    def tier_dir(self, tier: Tier) -> Path:
        return self.root / "content" / tier.hub_dir

    def state_dir(self, office_id: str) -> Path:
        return self.root / "offices" / office_id

    def groups(self) -> list[str]:
        return sorted({g for o in self.offices.values() for g in o.groups})

    def members(self, tier: Tier) -> list[Office]:
        return [o for o in self.offices.values() if tier in o.tiers()]

    def tiers(self) -> list[Tier]:
        return sorted({t for o in self.offices.values() for t in o.tiers()} | {PROVINCE})

    def save(self) -> None:
        data: dict[str, Any] = {
            "version": 1,
            "hub_device": self.hub_device,
            "syncthing_home": self.syncthing_home,
            "offices": {
                o.id: {"device": o.device, "name": o.name, "groups": list(o.groups)}
                for o in sorted(self.offices.values(), key=lambda o: o.id)
            },
        }
        write_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def load(root: Path) -> Fleet:
    path = root / FLEET_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FleetError(
            f"no fleet at {root} ({FLEET_FILE} missing): run `kiosk fleet init` first, "
            "or give --fleet DIR (or set KIOSK_FLEET)"
        ) from None
    except (OSError, ValueError) as e:
        raise FleetError(f"{path}: cannot read: {e}") from None
    try:
        offices = {
            oid: Office(oid, str(o["device"]), str(o.get("name", "")), tuple(o.get("groups", ())))
            for oid, o in data.get("offices", {}).items()
        }
        return Fleet(
            root, str(data.get("hub_device", "")), str(data.get("syncthing_home", "")), offices
        )
    except (AttributeError, KeyError, TypeError) as e:
        raise FleetError(f"{path}: not a fleet file ({e}); restore it from a backup") from None
