"""Reads the sync folder from disk: a listing for the sync index, or a one-shot Library."""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.library import LibFile, Library, lib_file
from kiosk.core.model import kind_of
from kiosk.core.names import is_ignored_dir, is_ignored_name
from kiosk.core.natural import nfc
from kiosk.core.syncindex import Stat
from kiosk.media.formats import unplayable_reason

log = logging.getLogger(__name__)


@dataclass
class Listing:
    """Media files (rel -> Stat), files kiosk will never show (rel -> why), links leaving the
    folder, and whether the root was readable."""

    files: dict[str, Stat] = field(default_factory=dict)
    unplayable: dict[str, str] = field(default_factory=dict)
    escaped: list[str] = field(default_factory=list)
    readable: bool = True


def inside(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def rel_of(root: str, path: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def stat_file(root_real: str, path: str) -> Stat | str | None:
    """Stat of one media file; None if gone/unreadable; "escaped" for a link leaving root."""
    try:
        if os.path.islink(path) and not inside(os.path.realpath(path), root_real):
            return "escaped"
        st = os.stat(path)
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return None
    # A pipe or device named like a clip is listed (and refused by the probe), not hidden.
    return Stat(path, st.st_size, st.st_mtime)


def walk(root: Path | str, below: str | None = None) -> Listing:
    """Every media file under `root` (or under its subfolder `below`), never raising.

    Temporary names, hidden files and Syncthing's folders are skipped; symlinks whose
    target leaves the sync folder are listed as escaped, not followed; any other file that is
    not media is listed as unplayable, with the reason.
    """
    root = str(root)
    listing = Listing()
    try:
        root_real = os.path.realpath(root)
        if not os.path.isdir(root_real):
            listing.readable = False
            return listing
        os.listdir(root_real)
    except OSError:
        listing.readable = False
        return listing
    start = os.path.join(root, below) if below else root
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(start, onerror=errors.append, followlinks=False):
        kept = []
        for d in dirnames:
            if is_ignored_dir(d):
                continue
            full = os.path.join(dirpath, d)
            if os.path.islink(full):
                # os.walk does not descend into linked folders; say so if they leave the tree.
                if not inside(os.path.realpath(full), root_real):
                    listing.escaped.append(rel_of(root, full))
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in filenames:
            if is_ignored_name(name):
                continue
            full = os.path.join(dirpath, name)
            if kind_of(name) is None:
                why = unplayable_reason(name)
                if why is not None:
                    listing.unplayable[nfc(rel_of(root, full))] = why
                continue
            st = stat_file(root_real, full)
            if st == "escaped":
                listing.escaped.append(rel_of(root, full))
            elif isinstance(st, Stat):
                listing.files[rel_of(root, full)] = st
    for e in errors:
        log.warning("cannot read %s: %s", e.filename or start, e.strerror)
    return listing


def scan(root: Path) -> Library:
    """A one-shot Library of everything that looks playable (for `kiosk check`)."""
    return library_of(root, walk(root))


def library_of(root: Path, listing: Listing) -> Library:
    """The one-shot Library of a listing (its unplayable files are the caller's to report)."""
    files: list[LibFile] = []
    for rel, st in listing.files.items():
        f = lib_file(rel, st.path, st.size, st.mtime)
        if f is not None:
            files.append(f)
    return Library.build(str(root), files, listing.escaped, listing.readable)
