"""Subfolders with their own playlist.yaml: each orders its own files, the folders in turn.

On a fleet player the sync folder holds the hub's tiers as subfolders (10-province,
20-GROUP, 30-office), each with its own playlist.yaml written at the hub. Without a
playlist.yaml at the top of the sync folder, the loop is:
    for each subfolder, in natural order: the files its playlist.yaml lists, in that order
        (paths relative to the subfolder), then the rest of that subfolder in natural order
        (a subfolder without a playlist.yaml: all its files in natural order);
    then the files lying directly in the sync folder, in natural order.
A subfolder's playlist may only name files inside that subfolder: a tier cannot pull in
another tier's content. The crossfade setting of the first subfolder playlist that asks
for one applies to the whole loop (one loop, one way of handing over).
"""

from __future__ import annotations

import dataclasses
import posixpath

from kiosk.core.model import CUT, Position, Problem
from kiosk.core.msg import _
from kiosk.core.playlist import Entry, PlaylistSpec


def _inside(entry: Entry, folder: str, source: str) -> Entry | Problem:
    name = (entry.file if entry.file is not None else entry.folder) or "."
    clean = name.strip().replace("\\", "/")
    rel = posixpath.normpath(posixpath.join(folder, clean))
    if posixpath.isabs(clean) or not (rel == folder or rel.startswith(folder + "/")):
        return Problem(
            entry.pos,
            _(
                "{name!r}: {source} may only list files of its own folder ({folder}/); "
                "name them relative to it",
                name=name,
                source=source,
                folder=folder,
            ),
        )
    if entry.file is not None:
        return dataclasses.replace(entry, file=rel)
    return dataclasses.replace(entry, folder=rel)


def tiered(folders: list[tuple[str, PlaylistSpec | None]]) -> PlaylistSpec:
    """One spec for the whole sync folder from its subfolders (natural order) and their
    playlists (None: the subfolder has none)."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    sources: list[str] = []
    transition = CUT
    for folder, spec in folders:
        if spec is not None:
            sources.append(spec.source)
            problems += spec.problems
            if transition == CUT:
                transition = spec.transition
            for entry in spec.entries:
                moved = _inside(entry, folder, spec.source)
                if isinstance(moved, Problem):
                    problems.append(moved)
                else:
                    entries.append(moved)
        entries.append(Entry(Position(spec.source if spec else folder), folder=folder, rest=True))
    source = " + ".join(sources)
    entries.append(Entry(Position(source), folder=".", rest=True))
    return PlaylistSpec(source, tuple(entries), tuple(problems), transition)
