"""Playlist files: parse YAML (with positions) and resolve entries against the sync folder.

A playlist is a mapping with `items:` (or just the list), each item one of
    - file: clips/1-intro.mp4      # plus optional `duration:` (slides) and `title:`
    - folder: procedures           # every playable file below it, natural order
    - 2-thanh-toan.mp4             # shorthand for `file:`
Paths are relative to the sync folder and must stay inside it.
"""

from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass

from kiosk.core.library import Library
from kiosk.core.model import (
    CUT,
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    Item,
    Kind,
    Playlist,
    Transition,
    kind_of,
)
from kiosk.core.msg import _
from kiosk.core.natural import nfc
from kiosk.core.problems import Position, Problem
from kiosk.core.schedule import DEFAULT_TIMEZONE, ItemSchedule
from kiosk.core.schedule_yaml import SCHEDULE_KEYS, parse_item_schedule
from kiosk.core.yamlpos import YMap, YNode, YScalar, YSeq, describe, number_in, parse_bytes

MIN_DURATION = 1.0
MAX_DURATION = 3600.0
DEFAULT_SOURCE = _("<whole sync folder>")
PLAYLIST_KEYS = ("items", "transition", "fade_seconds")
DEFAULT_FADE_S = 0.5
MIN_FADE_S, MAX_FADE_S = 0.1, 3.0
ITEM_KEYS = ("file", "folder", "duration", "title", *SCHEDULE_KEYS)


@dataclass(frozen=True)
class Entry:
    """One line of intent from a playlist file: a file or a folder, with options."""

    pos: Position
    file: str | None = None
    folder: str | None = None
    duration: float | None = None
    title: str | None = None
    rest: bool = False  # a folder entry taking only files no other entry listed
    schedule: ItemSchedule | None = None


@dataclass(frozen=True)
class PlaylistSpec:
    source: str
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...] = ()
    transition: Transition = CUT

    @property
    def valid(self) -> bool:
        """False when the file itself is broken (then the last good playlist stays on)."""
        return not any(p.severity == "error" for p in self.problems)


def whole_folder() -> PlaylistSpec:
    """The default playlist: every playable file of the sync folder, natural order."""
    return PlaylistSpec(DEFAULT_SOURCE, (Entry(Position(DEFAULT_SOURCE), folder="."),))


def with_rest_of_folder(spec: PlaylistSpec) -> PlaylistSpec:
    """A sync folder's own playlist.yaml: files it does not list follow in natural order."""
    rest = Entry(Position(spec.source), folder=".", rest=True)
    return dataclasses.replace(spec, entries=(*spec.entries, rest))


def parse_playlist(data: bytes, path: str, timezone: str = DEFAULT_TIMEZONE) -> PlaylistSpec:
    node, problems = parse_bytes(data, path)
    if node is None:
        if not problems:
            problems.append(
                Problem(Position(path, 1, 1), _("the playlist is empty; add an `items:` list"))
            )
        return PlaylistSpec(path, (), tuple(problems))
    items: YNode = node
    transition = Transition()
    if isinstance(node, YMap):
        for key, _v in node:
            if key.raw not in PLAYLIST_KEYS:
                problems.append(
                    Problem(
                        key.pos,
                        _(
                            "unknown key {key!r}; a playlist has {keys}",
                            key=key.raw,
                            keys=", ".join(PLAYLIST_KEYS),
                        ),
                    )
                )
        transition = _transition(node, problems)
        listed = node.get("items")
        if listed is None:
            problems.append(
                Problem(
                    node.pos,
                    _(
                        "missing `items:`; add `items:` with the files to play below it "
                        "as `- name` lines"
                    ),
                )
            )
            return PlaylistSpec(path, (), tuple(problems))
        items = listed
    if not isinstance(items, YSeq):
        problems.append(
            Problem(
                items.pos,
                _(
                    "expected a list of items (lines starting with '- '), got {what}",
                    what=describe(items),
                ),
            )
        )
        return PlaylistSpec(path, (), tuple(problems))
    entries = []
    for item in items:
        entry = _entry(item, problems, timezone)
        if entry is not None:
            entries.append(entry)
    return PlaylistSpec(path, tuple(entries), tuple(problems), transition)


def _transition(node: YMap, problems: list[Problem]) -> Transition:
    """`transition: cut` (default) or `transition: fade`, with `fade_seconds:` (0.5)."""
    kind = node.get("transition")
    seconds = node.get("fade_seconds")
    fade = 0.0
    if kind is not None:
        text = kind.text() if isinstance(kind, YScalar) else None
        if text not in ("cut", "fade"):
            problems.append(
                Problem(
                    kind.pos, _("`transition:` is `cut` or `fade`, got {what}", what=describe(kind))
                )
            )
        elif text == "fade":
            fade = DEFAULT_FADE_S
    if seconds is not None:
        value = number_in(seconds, MIN_FADE_S, MAX_FADE_S)
        if value is None:
            problems.append(
                Problem(
                    seconds.pos,
                    _(
                        "`fade_seconds:` must be a number from {low} to {high}, got {what}",
                        low=f"{MIN_FADE_S:g}",  # as written in the file: a dot, in any language
                        high=f"{MAX_FADE_S:g}",
                        what=describe(seconds),
                    ),
                )
            )
        elif fade:
            fade = value
    return Transition(fade)


def _entry(node: YNode, problems: list[Problem], timezone: str) -> Entry | None:
    if isinstance(node, YScalar):
        text = node.text()
        if not text:
            problems.append(
                Problem(node.pos, _("expected a file name, got {what}", what=describe(node)))
            )
            return None
        return Entry(node.pos, file=text)
    if not isinstance(node, YMap):
        problems.append(
            Problem(
                node.pos,
                _("expected `file: NAME` or `folder: NAME`, got {what}", what=describe(node)),
            )
        )
        return None
    ok = True
    for key, _v in node:
        if key.raw not in ITEM_KEYS:
            problems.append(
                Problem(
                    key.pos,
                    _(
                        "unknown key {key!r}; an item takes {keys}",
                        key=key.raw,
                        keys=", ".join(ITEM_KEYS),
                    ),
                )
            )
            ok = False
    file = _text(node, "file", problems)
    folder = _text(node, "folder", problems)
    title = _text(node, "title", problems)
    duration = parse_duration(node, problems)
    schedule, more = parse_item_schedule(node, timezone)
    problems.extend(more)
    if (file is None) == (folder is None):
        if node.get("file") is None and node.get("folder") is None:
            problems.append(Problem(node.pos, _("an item needs `file:` or `folder:`")))
        elif file is not None:
            problems.append(Problem(node.pos, _("an item has `file:` or `folder:`, not both")))
        return None
    if not ok:
        return None
    return Entry(
        node.pos, file=file, folder=folder, duration=duration, title=title, schedule=schedule
    )


def _text(node: YMap, key: str, problems: list[Problem]) -> str | None:
    value = node.get(key)
    if value is None:
        return None
    if isinstance(value, YScalar) and value.text():
        return value.text()
    problems.append(
        Problem(
            value.pos,
            _(
                "`{key}:` must be text (put it in quotes), got {what}",
                key=key,
                what=describe(value),
            ),
        )
    )
    return None


def parse_duration(node: YMap, problems: list[Problem]) -> float | None:
    """`duration:` of a playlist item or a procedure slide, in seconds (None if absent)."""
    value = node.get("duration")
    if value is None:
        return None
    seconds = number_in(value, MIN_DURATION, MAX_DURATION)
    if seconds is not None:
        return seconds
    problems.append(
        Problem(
            value.pos,
            _(
                "`duration:` must be a number of seconds from {low} to {high}, got {what}",
                low=f"{MIN_DURATION:g}",  # as written in the file: a dot, in any language
                high=f"{MAX_DURATION:g}",
                what=describe(value),
            ),
        )
    )
    return None


# ---------------------------------------------------------------------------------------------
# entries → items


def confine(name: str, root: str) -> str | None:
    """`name` as a clean path relative to `root`, or None if it points outside it."""
    name = name.strip().replace("\\", "/")
    if posixpath.isabs(name):
        root_clean = posixpath.normpath(root)
        clean = posixpath.normpath(name)
        if clean == root_clean:
            return "."
        if not clean.startswith(root_clean.rstrip("/") + "/"):
            return None
        name = clean[len(root_clean.rstrip("/")) + 1 :]
    rel = posixpath.normpath(name)
    if rel == ".." or rel.startswith("../"):
        return None
    return rel


def resolve(spec: PlaylistSpec, library: Library, slide_duration: float) -> Playlist:
    """Items to play, in order; every entry that cannot be played becomes a Problem."""
    problems = list(spec.problems)
    items: list[Item] = []
    for entry in spec.entries:
        name = entry.file if entry.file is not None else entry.folder or "."
        rel = confine(name, library.root)
        if rel is None:
            problems.append(
                Problem(
                    entry.pos,
                    _(
                        "{name!r} is outside the sync folder ({root}); copy the file into the "
                        "sync folder and name it relative to it",
                        name=name,
                        root=library.root,
                    ),
                )
            )
            continue
        if rel in library.escaped or any(rel.startswith(e + "/") for e in library.escaped):
            problems.append(
                Problem(
                    entry.pos,
                    _("{name!r} is a link pointing outside the sync folder; refused", name=name),
                )
            )
            continue
        if entry.folder is not None:
            if not library.has_folder(rel):
                problems.append(
                    Problem(
                        entry.pos,
                        _(
                            "folder {name!r} has no playable file in the sync folder ({root})",
                            name=name,
                            root=library.root,
                        ),
                        "warning",
                    )
                )
            listed = (
                {i.path for i in items} | _explicit_files(spec, library) if entry.rest else set()
            )
            for f in library.under(rel):
                if entry.rest and f.path in listed:
                    continue
                items.append(
                    Item(
                        f.path,
                        f.rel,
                        f.kind,
                        _slide_time(f.kind, entry.duration, slide_duration),
                        None,
                        entry.pos,
                        f.size,
                        f.mtime,
                        entry.schedule,
                        entry.duration is not None,
                    )
                )
            continue
        kind = kind_of(rel)
        if kind is None:
            problems.append(
                Problem(
                    entry.pos,
                    _(
                        "{name!r} is not a file type the player shows (videos: {videos}; "
                        "slides: {slides})",
                        name=name,
                        videos=_exts(VIDEO_EXTENSIONS),
                        slides=_exts(IMAGE_EXTENSIONS),
                    ),
                )
            )
            continue
        found = library.get(rel)
        if found is None:
            problems.append(_not_found(entry.pos, name, rel, library))
            continue
        if kind is Kind.VIDEO and entry.duration is not None:
            problems.append(
                Problem(
                    entry.pos,
                    _("`duration:` is ignored for videos (they play to the end); remove it"),
                    "warning",
                )
            )
        items.append(
            Item(
                found.path,
                found.rel,
                found.kind,
                _slide_time(found.kind, entry.duration, slide_duration),
                entry.title,
                entry.pos,
                found.size,
                found.mtime,
                entry.schedule,
                entry.duration is not None,
            )
        )
    return Playlist(tuple(items), spec.source, tuple(problems), spec.transition)


def _explicit_files(spec: PlaylistSpec, library: Library) -> set[str]:
    """Paths named by `file:` entries anywhere in the spec (a rest entry leaves them out)."""
    found = set()
    for e in spec.entries:
        rel = confine(e.file, library.root) if e.file is not None else None
        f = library.get(rel) if rel is not None else None
        if f is not None:
            found.add(f.path)
    return found


def _not_found(pos: Position, name: str, rel: str, library: Library) -> Problem:
    rejected = library.rejection(rel)
    if rejected is not None:
        return Problem(
            pos,
            _(
                "{name!r} cannot be played: {reason}; it is skipped until fixed",
                name=name,
                reason=rejected,
            ),
        )
    if nfc(rel) in library.pending:
        return Problem(
            pos,
            _(
                "{name!r} is still arriving (copying or being checked); it plays once complete",
                name=name,
            ),
            "warning",
        )
    return Problem(
        pos,
        _(
            "{name!r} is not in the sync folder ({root}); check the name, "
            "or wait until it has finished copying",
            name=name,
            root=library.root,
        ),
    )


def _slide_time(kind: Kind, asked: float | None, default: float) -> float | None:
    if kind is Kind.VIDEO:
        return None
    return asked if asked is not None else default


def _exts(exts: frozenset[str]) -> str:
    return " ".join(sorted(e.lstrip(".") for e in exts))
