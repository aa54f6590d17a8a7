"""Where the playlist comes from: the playlist file (if any) resolved against a folder scan.

Re-read at every loop wrap. A playlist file that became invalid keeps the last good one
playing, and its problems are reported until it is fixed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.model import Playlist, Position, Problem
from kiosk.core.playlist import PlaylistSpec, parse_playlist, resolve, whole_folder
from kiosk.sync.scan import scan

log = logging.getLogger(__name__)


def read_spec(playlist_file: Path | None) -> PlaylistSpec:
    if playlist_file is None:
        return whole_folder()
    try:
        data = playlist_file.read_bytes()
    except OSError as e:
        problem = Problem(
            Position(str(playlist_file)),
            f"cannot read the playlist: {e.strerror or e}; check the `playlist:` option",
        )
        return PlaylistSpec(str(playlist_file), (), (problem,))
    return parse_playlist(data, str(playlist_file))


@dataclass
class ContentSource:
    sync_dir: Path
    playlist_file: Path | None
    slide_duration: float
    _good: PlaylistSpec | None = None
    _stale: tuple[Problem, ...] = field(default=())

    def load_spec(self) -> PlaylistSpec:
        """The playlist file now, or the last good one if it has become invalid."""
        spec = read_spec(self.playlist_file)
        if spec.valid or self._good is None:
            if spec.valid and self._stale:
                log.info("playlist %s is valid again", spec.source)
            self._stale = ()
            if spec.valid:
                self._good = spec
            return spec
        if spec.problems != self._stale:
            for p in spec.problems:
                log.error("%s (still playing the last good playlist)", p)
            self._stale = spec.problems
        return PlaylistSpec(self._good.source, self._good.entries, spec.problems)

    def __call__(self) -> Playlist:
        spec = self.load_spec()
        library = scan(self.sync_dir)
        playlist = resolve(spec, library, self.slide_duration)
        if not library.readable:
            problem = Problem(
                Position(str(self.sync_dir)),
                "the sync folder cannot be read (missing, unmounted or no permission)",
            )
            playlist = Playlist(playlist.items, playlist.source, (problem, *playlist.problems))
        return playlist
