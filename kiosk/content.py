"""Where the playlist comes from: a playlist file (if any) resolved against the sync folder.

Read again at item boundaries when something changed, and at every wrap of the loop. A
playlist file that became invalid keeps the last good one playing, and its problems are
reported until it is fixed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.library import Library
from kiosk.core.model import Playlist, Position, Problem
from kiosk.core.playlist import (
    PlaylistSpec,
    parse_playlist,
    resolve,
    whole_folder,
    with_rest_of_folder,
)

log = logging.getLogger(__name__)

FOLDER_PLAYLIST = "playlist.yaml"  # an admin's own order and durations, inside the sync folder


def read_spec(playlist_file: Path | None, sync_dir: Path | None = None) -> PlaylistSpec:
    """The configured playlist file; else the sync folder's playlist.yaml; else the folder."""
    if playlist_file is None:
        inside = sync_dir / FOLDER_PLAYLIST if sync_dir is not None else None
        if inside is None or not inside.is_file():
            return whole_folder()
        return with_rest_of_folder(_parse_file(inside, "delete it or fix it"))
    return _parse_file(playlist_file, "check the `playlist:` option")


def _parse_file(path: Path, hint: str) -> PlaylistSpec:
    try:
        data = path.read_bytes()
    except OSError as e:
        problem = Problem(
            Position(str(path)), f"cannot read the playlist: {e.strerror or e}; {hint}"
        )
        return PlaylistSpec(str(path), (), (problem,))
    return parse_playlist(data, str(path))


@dataclass
class ContentSource:
    sync_dir: Path
    playlist_file: Path | None
    slide_duration: float
    library: Callable[[], Library]
    _good: PlaylistSpec | None = None
    _stale: tuple[Problem, ...] = field(default=())

    def load_spec(self) -> PlaylistSpec:
        """The playlist now, or the last good one (with today's problems) if it broke."""
        spec = read_spec(self.playlist_file, self.sync_dir)
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
                log.error("%s (playing the last good playlist meanwhile)", p)
            self._stale = spec.problems
        return PlaylistSpec(fallback.source, fallback.entries, spec.problems)

    def __call__(self) -> Playlist:
        spec = self.load_spec()
        library = self.library()
        playlist = resolve(spec, library, self.slide_duration)
        if not library.readable:
            problem = Problem(
                Position(str(self.sync_dir)),
                "the sync folder cannot be read (missing, unmounted or no permission); "
                "playing what is still readable",
            )
            playlist = Playlist(playlist.items, playlist.source, (problem, *playlist.problems))
        return playlist
