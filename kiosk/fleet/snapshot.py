"""One look at the whole fleet, for the page, the metrics and the report.

The same facts and judgement as `kiosk fleet status` (kiosk.fleet.status.gather, then
kiosk.core.fleetview.judge), taken once, plus where each office's files arrived. `gather` is
a parameter so a test can hand in Syncthing's facts without a Syncthing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.fleettiers import state_folder_id
from kiosk.core.fleetview import OfficeFacts, OfficeView, judge
from kiosk.fleet.hub import syncthing_for
from kiosk.fleet.received import Index, index_of, no_index
from kiosk.fleet.registry import Fleet, load
from kiosk.fleet.rest import Syncthing, SyncthingError
from kiosk.fleet.status import HubFacts, gather

Gather = Callable[[Fleet, Syncthing | None], tuple[HubFacts, list[OfficeFacts]]]


@dataclass(frozen=True)
class OfficeSnap:
    view: OfficeView
    facts: OfficeFacts
    state_dir: Path  # offices/ID at the hub: status.json, screenshot.jpg, proof-of-play/
    index: Index = no_index  # what the hub's Syncthing holds there (kiosk.fleet.received)


@dataclass(frozen=True)
class Snapshot:
    fleet: Fleet
    hub: HubFacts
    offices: list[OfficeSnap]
    now: float
    offline_after: float


def take(
    root: Path,
    home: Path | None,
    offline_after: float,
    now: float | None = None,
    gather_facts: Gather = gather,
) -> Snapshot:
    """Raises FleetError when there is no fleet; a silent Syncthing is a fact, not an error."""
    fleet = load(root)
    api: Syncthing | None
    try:
        api = syncthing_for(home, fleet)
    except SyncthingError as e:
        api, early = None, str(e)
    else:
        early = ""
    hub, facts = gather_facts(fleet, api)
    if not hub.version:  # the hub's Syncthing never answered: say why
        hub.error = hub.error or early
    now = time.time() if now is None else now
    asked = api if hub.version and not hub.error else None  # it answered: files may be asked
    offices = [
        OfficeSnap(
            judge(f, now, offline_after),
            f,
            fleet.state_dir(f.id),
            index_of(asked, state_folder_id(f.device)),
        )
        for f in facts
    ]
    return Snapshot(fleet, hub, offices, now, offline_after)
