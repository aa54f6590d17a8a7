"""Reads the sync folder from disk into a core Library snapshot."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from kiosk.core.library import LibFile, Library, lib_file
from kiosk.core.names import is_ignored_dir, is_ignored_name

log = logging.getLogger(__name__)


def _inside(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def scan(root: Path) -> Library:
    """Walk `root` for playable-looking files; symlinks that leave the folder are refused.

    Never raises for an unreadable folder: it returns an unreadable, empty Library so the
    caller can keep the last good content on screen.
    """
    try:
        root_real = os.path.realpath(root)
        if not os.path.isdir(root_real):
            return Library.build(str(root), [], readable=False)
    except OSError:
        return Library.build(str(root), [], readable=False)
    files: list[LibFile] = []
    escaped: list[str] = []
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root)
        kept = []
        for d in dirnames:
            if is_ignored_dir(d):
                continue
            full = os.path.join(dirpath, d)
            if os.path.islink(full):
                # os.walk does not descend into linked folders; say so if they leave the tree.
                if not _inside(os.path.realpath(full), root_real):
                    escaped.append(_rel(rel_dir, d))
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in filenames:
            if is_ignored_name(name):
                continue
            full = os.path.join(dirpath, name)
            rel = _rel(rel_dir, name)
            if os.path.islink(full) and not _inside(os.path.realpath(full), root_real):
                escaped.append(rel)
                continue
            try:
                st = os.stat(full)
            except OSError:
                continue  # vanished or dangling link: not playable, nothing to list
            f = lib_file(rel, full, st.st_size, st.st_mtime)
            if f is not None:
                files.append(f)
    for e in errors:
        if os.path.realpath(getattr(e, "filename", "") or "") == root_real:
            return Library.build(str(root), [], readable=False)
        log.warning("cannot read %s: %s", getattr(e, "filename", root), e.strerror)
    return Library.build(str(root), files, escaped)


def _rel(rel_dir: str, name: str) -> str:
    rel = name if rel_dir == "." else os.path.join(rel_dir, name)
    return rel.replace(os.sep, "/")
