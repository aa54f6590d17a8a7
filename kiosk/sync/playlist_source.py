"""Where the playlist comes from: a playlist file (if any) resolved against the sync folder.

Read again when something changed and once per loop of the rotation, off the Qt thread
(kiosk.sync.reads); the result lands at an item boundary. A playlist file that became
invalid keeps the last good one playing, and its problems are reported until it is fixed.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.library import Library
from kiosk.core.model import Item, Kind, Playlist
from kiosk.core.msg import _, os_reason
from kiosk.core.playlist import (
    PlaylistSpec,
    parse_playlist,
    resolve,
    whole_folder,
    with_rest_of_folder,
)
from kiosk.core.problems import Position, Problem
from kiosk.core.procedure import parse_procedure
from kiosk.core.schedule import DEFAULT_TIMEZONE, ItemSchedule
from kiosk.core.schedule_yaml import parse_sidecar
from kiosk.core.tierplaylist import tiered
from kiosk.sync.tiers import tier_folders

log = logging.getLogger(__name__)

FOLDER_PLAYLIST = "playlist.yaml"  # an admin's own order and durations, inside the sync folder


def read_spec(
    playlist_file: Path | None, sync_dir: Path | None = None, timezone: str = DEFAULT_TIMEZONE
) -> PlaylistSpec:
    """The configured playlist file; else the sync folder's playlist.yaml; else its
    subfolders' own playlist.yaml files (kiosk.core.tierplaylist); else the folder."""
    if playlist_file is None:
        inside = sync_dir / FOLDER_PLAYLIST if sync_dir is not None else None
        if inside is None or not inside.is_file():
            tiers = tier_folders(sync_dir) if sync_dir is not None else []
            if not tiers:
                return whole_folder()
            hint = _("delete it or fix it")
            return tiered([(d, _parse_file(p, hint, timezone) if p else None) for d, p in tiers])
        return with_rest_of_folder(_parse_file(inside, _("delete it or fix it"), timezone))
    return _parse_file(playlist_file, _("check the `playlist:` option"), timezone)


def _parse_file(path: Path, hint: str, timezone: str) -> PlaylistSpec:
    try:
        data = path.read_bytes()
    except OSError as e:
        problem = Problem(
            Position(str(path)),
            _("cannot read the playlist: {why}; {hint}", why=os_reason(e), hint=hint),
        )
        return PlaylistSpec(str(path), (), (problem,))
    return parse_playlist(data, str(path), timezone)


class Sidecars:
    """Per-file settings from outside the playlist, re-read only when their file changes:
    a sidecar schedule (`clip.mp4.yaml`), or a procedure slide's own `duration:` and
    schedule keys. The playlist's own rule wins, then the sidecar, then the slide."""

    def __init__(self, timezone: str) -> None:
        self.timezone = timezone
        self._cache: dict[str, tuple[float, ItemSchedule | None, list[Problem]]] = {}
        self._slides: dict[str, tuple[float, float | None, ItemSchedule | None]] = {}

    def apply(self, playlist: Playlist) -> Playlist:
        items: list[Item] = []
        problems = list(playlist.problems)
        for item in playlist.items:
            if item.schedule is None:
                schedule, found = self._read(item.path + ".yaml")
                problems.extend(p for p in found if p not in problems)
                if schedule is not None:
                    item = dataclasses.replace(item, schedule=schedule)
            if item.kind is Kind.TEXT:
                item = self._slide_own(item)
            items.append(item)
        return dataclasses.replace(playlist, items=tuple(items), problems=tuple(problems))

    def _slide_own(self, item: Item) -> Item:
        try:
            mtime = os.stat(item.path).st_mtime
            cached = self._slides.get(item.path)
            if cached is None or cached[0] != mtime:
                slide, _found = parse_procedure(Path(item.path).read_bytes(), item.path)
                cached = (mtime, slide.duration, slide.schedule) if slide else (mtime, None, None)
                self._slides[item.path] = cached
        except OSError:
            return item  # its probe or its turn on screen will say what is wrong
        _, duration, schedule = cached
        if duration is not None and not item.duration_asked:
            item = dataclasses.replace(item, duration=duration)
        if schedule is not None and item.schedule is None:
            item = dataclasses.replace(item, schedule=schedule)
        return item

    def _read(self, path: str) -> tuple[ItemSchedule | None, list[Problem]]:
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            self._cache.pop(path, None)
            return None, []
        cached = self._cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1], cached[2]
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            return None, [Problem(Position(path), _("cannot read: {why}", why=os_reason(e)))]
        schedule, problems = parse_sidecar(data, path, self.timezone)
        self._cache[path] = (mtime, schedule, problems)
        return schedule, problems


@dataclass
class ContentSource:
    sync_dir: Path
    playlist_file: Path | None
    slide_duration: float
    library: Callable[[], Library]
    timezone: str = DEFAULT_TIMEZONE
    _good: PlaylistSpec | None = None
    _sidecars: Sidecars | None = None
    _stale: tuple[Problem, ...] = field(default=())

    def load_spec(self) -> PlaylistSpec:
        """The playlist now, or the last good one (with today's problems) if it broke."""
        spec = read_spec(self.playlist_file, self.sync_dir, self.timezone)
        if self._good is not None and self._good.source != spec.source:
            self._good = None  # playlist.yaml appeared or went away: a different playlist
        if spec.valid:
            if self._stale:
                log.info("playlist %s is valid again", spec.source)
            self._stale = ()
            self._good = spec
            return spec
        # Broken: play the last good version, or else the whole folder, never nothing.
        fallback = self._good or with_rest_of_folder(PlaylistSpec(spec.source, ()))
        if spec.problems != self._stale:
            for p in spec.problems:
                log.error(
                    _("{problem} (playing the last good playlist meanwhile)", problem=p.as_msg())
                )
            self._stale = spec.problems
        return dataclasses.replace(fallback, problems=spec.problems)

    def reader(self) -> Callable[[], Playlist]:
        """On the Qt thread: the library as it is now (the index lives there). The read it
        returns touches the disk (playlist file, sidecars, slides' front matter): run it
        off the Qt thread, one at a time (the last good playlist and caches are kept here)."""
        library = self.library()
        return lambda: self.read(library)

    def __call__(self) -> Playlist:
        return self.read(self.library())

    def read(self, library: Library) -> Playlist:
        spec = self.load_spec()
        if self._sidecars is None:
            self._sidecars = Sidecars(self.timezone)
        playlist = self._sidecars.apply(resolve(spec, library, self.slide_duration))
        if not library.readable:
            problem = Problem(
                Position(str(self.sync_dir)),
                _(
                    "the sync folder cannot be read (missing, unmounted or no permission); "
                    "playing what is still readable"
                ),
            )
            playlist = Playlist(playlist.items, playlist.source, (problem, *playlist.problems))
        return playlist
