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
any replacement takes, that is said (Vanished) rather than "nothing arrived". A folder listed
in that moment holds the temporary name instead (`received_names` counts it as the file).
Every hub reader of an office's files goes through here: status.json (kiosk.fleet.status),
the screenshot (kiosk.fleet.page.shots), the proof of play (kiosk.fleet.plays).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kiosk.fleet.hub import syncthing_for
from kiosk.fleet.registry import Fleet
from kiosk.fleet.rest import Syncthing, SyncthingError, SyncthingUnreachable

# The longest replacement measured was 80 ms on a loaded 2-core machine; a busy hub with
# hundreds of folders queues on Syncthing's one rename lock, hence the room.
REPLACE_WAIT_S = 2.0
RETRY_S = 0.01

# Syncthing's temporary name for NAME while it pulls it (lib/fs/tempname.go, on Unix).
TEMP_PREFIX = ".syncthing."
TEMP_SUFFIX = ".tmp"

# Does the hub's Syncthing hold the file (True), not (False), or can it not say (None)?
Holds = Callable[[], bool | None]
# The same question for each file of one office's state folder, by its name in the folder.
Index = Callable[[str], Holds]
T = TypeVar("T")


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


def no_index(_name: str) -> Holds:
    """For a hub whose Syncthing does not answer (see never_held)."""
    return never_held


def index_of(api: Syncthing | None, folder: str) -> Index:
    """What the hub's Syncthing holds in `folder` (an office's state folder); None: nothing."""
    return no_index if api is None else functools.partial(held_by, api, folder)


def hub_syncthing(fleet: Fleet, home: Path | None) -> Syncthing | None:
    """The hub's Syncthing if it answers now, else None: a reader then waits on nothing."""
    try:
        api = syncthing_for(home, fleet)
        api.get("/rest/system/ping")
    except SyncthingError:
        return None
    return api


def read_with(
    path: Path, holds: Holds, read: Callable[[Path], T], wait_s: float | None = None
) -> T | None:
    """`read(path)`; None when the file has not arrived. A file that Syncthing holds but that
    is missing (`read` raised FileNotFoundError) is read again every RETRY_S for up to
    `wait_s` (REPLACE_WAIT_S), then Vanished is raised. When Syncthing cannot say, the same
    wait, then None. Other errors of `read` are raised."""
    wait_s = REPLACE_WAIT_S if wait_s is None else wait_s
    deadline: float | None = None
    while True:
        try:
            return read(path)
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


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def read_received(path: Path, holds: Holds, wait_s: float | None = None) -> str | None:
    """The file's text, as read_with reads it."""
    return read_with(path, holds, _text, wait_s)


def received_names(folder: Path) -> list[str]:
    """The names in `folder` (os.listdir, whose OSError it raises), and the name of each file
    Syncthing is replacing there at this moment: between its delete and its rename, only its
    temporary `.syncthing.NAME.tmp` is listed. That name is also there while a file arrives
    for the first time: read it with read_with, which tells the two apart."""
    names = os.listdir(folder)
    present = set(names)
    for name in list(names):
        if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
            final = name[len(TEMP_PREFIX) : -len(TEMP_SUFFIX)]
            if final and final not in present:
                names.append(final)
                present.add(final)
    return names
