"""The sync folder's subfolders that take part in the loop, and their own playlist.yaml.

Read each time the playlist is (at item boundaries after a change, and at each wrap): one
listing of the sync folder, and a short look into subfolders without a playlist.
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.core.model import kind_of
from kiosk.core.names import is_ignored_dir, is_ignored_name
from kiosk.core.natural import natural_key

PLAYLIST = "playlist.yaml"


def _has_media(folder: Path) -> bool:
    for _dir, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not is_ignored_dir(d)]
        if any(kind_of(n) and not is_ignored_name(n) for n in filenames):
            return True
    return False


def tier_folders(sync_dir: Path) -> list[tuple[str, Path | None]]:
    """Subfolders in natural order, each with its playlist.yaml (or None); subfolders with
    neither a playlist nor a media file are left out. [] if none has a playlist."""
    try:
        names = sorted(
            (e.name for e in os.scandir(sync_dir) if e.is_dir() and not is_ignored_dir(e.name)),
            key=natural_key,
        )
    except OSError:
        return []
    found: list[tuple[str, Path | None]] = []
    for name in names:
        playlist = sync_dir / name / PLAYLIST
        if playlist.is_file():
            found.append((name, playlist))
        elif _has_media(sync_dir / name):
            found.append((name, None))
    return found if any(p is not None for _, p in found) else []
