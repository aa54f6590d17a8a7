"""A file changed by hand in a receive-only tier never plays: asked of the player's Syncthing.

The player's probe calls `changed_by_hand(path)`, importing this module on its first probe;
it does nothing (a few stats) outside the tiers. It only acts on files inside a folder that
carries Syncthing's
`.stfolder` marker and whose parent, the sync folder, carries the marker `kiosk fleet join`
writes (`.kiosk-fleet.json`, naming the hub and Syncthing's config folder).

The rule: the file on disk must be a version the hub wrote. Syncthing's record of the file
(/rest/db/file) has the hub's short device ID in `modifiedBy`, and the same size and time
stamp as the file on disk, either as the folder's global version or as the local version
not flagged as changed here. A file the hub never sent, or one edited at the office, fails.
Checked the moment the probe runs, so it does not depend on when Syncthing scans.
If the player's Syncthing cannot be asked, the file is judged by the probe alone and a
warning is logged: a Syncthing that starts after the player must not darken the screen.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core.fleettiers import short_id
from kiosk.core.msg import _
from kiosk.fleet.rest import Syncthing, SyncthingError, SyncthingUnreachable, parse_time

log = logging.getLogger(__name__)

MARKER = ".kiosk-fleet.json"
RECEIVE_ONLY_CHANGED = 8  # Syncthing's FlagLocalReceiveOnly in `localFlags`
MTIME_SLACK_S = 2.0  # FAT and some network file systems keep 2 s time stamps
FOLDERS_TTL_S = 30.0
ADDED = _(
    "added by hand in a tier the hub sends (not published by the hub); "
    "`kiosk fleet revert` removes it"
)
CHANGED = _(
    "changed by hand in a tier the hub sends (the hub's version differs); "
    "`kiosk fleet revert` restores the hub's version"
)


def written_by_hub(record: dict[str, Any], hub_short: str, size: int, mtime: float) -> str | None:
    """Pure: None if /rest/db/file's `record` shows the file on disk as the hub's, else why."""

    def same(entry: dict[str, Any] | None) -> bool:
        if not entry or entry.get("deleted") or entry.get("invalid"):
            return False
        if int(entry.get("localFlags", 0)) & RECEIVE_ONLY_CHANGED:
            return False
        when = parse_time(entry.get("modified"))
        return (
            entry.get("modifiedBy") == hub_short
            and int(entry.get("size", -1)) == size
            and when is not None
            and abs(when - mtime) <= MTIME_SLACK_S
        )

    if same(record.get("global")) or same(record.get("local")):
        return None
    hub_has = any(
        e and e.get("modifiedBy") == hub_short and not e.get("invalid") and not e.get("deleted")
        for e in (record.get("global"), record.get("local"))
    )
    return CHANGED if hub_has else ADDED


@dataclass
class _Tier:
    folder_id: str
    receive_only: bool


class Guard:
    """Per-process cache of the Syncthing client and the tier folders (refreshed every 30 s)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._apis: dict[Path, tuple[Syncthing, str]] = {}
        self._tiers: dict[Path, tuple[float, dict[str, _Tier]]] = {}
        self._warned = 0.0

    def check(self, path: str) -> str | None:
        found = _tier_root(Path(path))
        if found is None:
            return None
        tier_dir, marker = found
        try:
            with self._lock:
                api, hub_short = self._api(marker)
                tier = self._tier(api, marker, tier_dir)
            if tier is None or not tier.receive_only:
                return None
            st = os.stat(path)
            rel = Path(path).relative_to(tier_dir).as_posix()
            try:
                record = api.get("/rest/db/file", folder=tier.folder_id, file=rel)
            except SyncthingError as e:
                if isinstance(e, SyncthingUnreachable) or "404" not in str(e):
                    raise
                return ADDED  # Syncthing has no record of it at all
            return written_by_hub(record, hub_short, st.st_size, st.st_mtime)
        except (SyncthingError, OSError, ValueError, KeyError) as e:
            now = time.monotonic()
            if now - self._warned > 300:
                self._warned = now
                log.warning(
                    "cannot ask Syncthing whether %s came from the hub (%s): judged by the "
                    "probe alone",
                    path,
                    e,
                )
            return None

    def _api(self, marker: Path) -> tuple[Syncthing, str]:
        if marker not in self._apis:
            data = json.loads(marker.read_text(encoding="utf-8"))
            home = data.get("syncthing_home")
            api = Syncthing.from_home(Path(home) if home else None, timeout=3.0)
            self._apis[marker] = (api, short_id(str(data["hub"])))
        return self._apis[marker]

    def _tier(self, api: Syncthing, marker: Path, tier_dir: Path) -> _Tier | None:
        at, tiers = self._tiers.get(marker, (0.0, {}))
        key = str(tier_dir.resolve())
        if key not in tiers or time.monotonic() - at > FOLDERS_TTL_S:
            tiers = {
                str(Path(f["path"]).expanduser().resolve()): _Tier(
                    f["id"], f["type"] == "receiveonly"
                )
                for f in api.get("/rest/config/folders")
            }
            self._tiers[marker] = (time.monotonic(), tiers)
        return tiers.get(key)


def _tier_root(path: Path) -> tuple[Path, Path] | None:
    """The nearest folder above `path` with a .stfolder, and the fleet marker beside it."""
    for parent in list(path.parents)[:32]:
        if (parent / ".stfolder").is_dir():
            marker = parent.parent / MARKER
            return (parent, marker) if marker.is_file() else None
    return None


_GUARD = Guard()


def changed_by_hand(path: str) -> str | None:
    """The probe's hook: why `path` must not play (not the hub's version), or None."""
    return _GUARD.check(path)
