"""Reading a file at the hub that Syncthing keeps replacing (an office's status.json).

Syncthing does not replace a file in one step. Its puller (lib/model/folder_sendrecv.go,
performFinish, in 1.19 and still today) first takes the old file away (deleteItemOnDisk:
`Remove` when the folder has no versioner, as the hub's state folders have none; a
versioner's `Archive` or a conflict copy move it away just the same), then renames its
temporary `.syncthing.NAME.tmp` into place (osutil.RenameOrCopy, behind one lock shared by
every folder). In between, the name does not exist. Measured at a hub (Syncthing 1.19.2, an
office writing status.json atomically every 2 s, two busy loops beside): inotify showed
DELETE status.json, then MOVED_FROM .syncthing.status.json.tmp -> MOVED_TO status.json, at
every one of 89 replacements, and a reader looping on the file found it missing at 31 of
them, for 0.04 to 80 ms. No folder setting and no writer at the office can avoid it.

So a missing file means "not received" only when the hub's Syncthing does not hold it (no
live entry for it in the folder's local index, /rest/db/file). While it does hold it, the
file is being replaced: it is read again for a moment, and if it stays missing longer than
any replacement takes, that is said (Vanished) rather than "nothing arrived".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from kiosk.fleet.rest import Syncthing, SyncthingError, SyncthingUnreachable

# The longest replacement measured was 80 ms on a loaded 2-core machine; a busy hub with
# hundreds of folders queues on Syncthing's one rename lock, hence the room.
REPLACE_WAIT_S = 2.0
RETRY_S = 0.01

# Does the hub's Syncthing hold the file (True), not (False), or can it not say (None)?
Holds = Callable[[], bool | None]


class Vanished(OSError):
    """The hub's Syncthing holds the file, yet it stayed missing longer than a replacement."""


def never_held() -> bool | None:
    """For a hub whose Syncthing does not answer: it replaces nothing one could wait for
    (and `kiosk fleet status` already says the hub's Syncthing cannot be asked)."""
    return False


def held_by(api: Syncthing, folder: str, name: str) -> Holds:
    """Asks the folder's local index: a live entry means the file should be on disk."""

    def holds() -> bool | None:
        try:
            record = api.get("/rest/db/file", folder=folder, file=name)
        except SyncthingError as e:
            # 404: not in the index at all (never received), or no such folder.
            if isinstance(e, SyncthingUnreachable) or "404" not in str(e):
                return None
            return False
        local = (record or {}).get("local") or {}
        return bool(
            local.get("name") == name and not local.get("deleted") and not local.get("invalid")
        )

    return holds


def read_received(path: Path, holds: Holds, wait_s: float | None = None) -> str | None:
    """The file's text; None when it has not arrived. A file that Syncthing holds but that
    is missing is read again every RETRY_S for up to `wait_s` (REPLACE_WAIT_S), then
    Vanished is raised. When Syncthing cannot say, the same wait, then None."""
    wait_s = REPLACE_WAIT_S if wait_s is None else wait_s
    deadline: float | None = None
    while True:
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            pass
        if deadline is None:
            if holds() is False:
                return None
            deadline = time.monotonic() + wait_s
        elif time.monotonic() >= deadline:
            if not holds():  # deleted meanwhile (by the office), or still no answer
                return None
            raise Vanished(
                f"{path} is missing although the hub's Syncthing holds it (deleted by hand "
                f"at the hub, or Syncthing cannot write {path.parent}: see its folder errors)"
            )
        time.sleep(RETRY_S)
