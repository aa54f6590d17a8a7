"""File names that must never reach the screen: temporaries of copiers and sync tools."""

from __future__ import annotations

import re

# rsync writes `.name.XXXXXX`, Syncthing `.syncthing.name.tmp` (both dotfiles) and
# `~syncthing~name.tmp` on Windows; browsers `*.crdownload`/`*.part`; Office `~$name`.
_TEMP_SUFFIXES = (".part", ".crdownload", ".tmp", ".partial", ".download", ".swp")
_TEMP_PREFIXES = (".", "~syncthing~", "~$")
_IGNORED_DIRS = frozenset({".stfolder", ".stversions", ".sync", "lost+found", "$RECYCLE.BIN"})
_SIDE_FILE = re.compile(r"\.(ya?ml|txt|md|json)$", re.IGNORECASE)


def is_ignored_name(name: str) -> bool:
    """True for a temporary or hidden file that is never shown, whatever its extension."""
    lower = name.lower()
    return name.startswith(_TEMP_PREFIXES) or lower.endswith(_TEMP_SUFFIXES)


def is_ignored_dir(name: str) -> bool:
    return name in _IGNORED_DIRS or name.startswith(".")


def is_side_file(name: str) -> bool:
    """Text files an admin may keep in the folder (playlist.yaml, notes): not media, not errors."""
    return bool(_SIDE_FILE.search(name))
