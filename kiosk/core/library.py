"""What the sync folder holds, as a snapshot handed in by the scanner (core does no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from kiosk.core.model import Kind, kind_of
from kiosk.core.natural import natural_key, nfc


@dataclass(frozen=True)
class LibFile:
    rel: str  # posix path relative to the sync folder, NFC
    path: str  # absolute path on disk, as found (may be NFD)
    kind: Kind
    size: int = 0
    mtime: float = 0.0


@dataclass(frozen=True)
class Library:
    """Playable-looking files of the sync folder, in natural order, keyed by NFC rel path."""

    root: str
    files: tuple[LibFile, ...] = ()
    # rel paths (NFC) of symlinks that resolve outside the sync folder: refused, not missing
    escaped: frozenset[str] = field(default=frozenset())
    # False when the folder itself could not be read (unmounted share, deleted)
    readable: bool = True
    # rel path -> why the file is not playable (failed probe); listed, never played
    rejected: tuple[tuple[str, str], ...] = ()
    # rel paths still being copied or checked: they will join once complete
    pending: frozenset[str] = field(default=frozenset())

    @classmethod
    def build(
        cls,
        root: str,
        files: Iterable[LibFile],
        escaped: Iterable[str] = (),
        readable: bool = True,
        rejected: Iterable[tuple[str, str]] = (),
        pending: Iterable[str] = (),
    ) -> Library:
        ordered = sorted(files, key=lambda f: natural_key(f.rel))
        return cls(
            root,
            tuple(ordered),
            frozenset(nfc(e) for e in escaped),
            readable,
            tuple(sorted(rejected, key=lambda r: natural_key(r[0]))),
            frozenset(pending),
        )

    def rejection(self, rel: str) -> str | None:
        key = nfc(rel)
        return next((reason for r, reason in self.rejected if r == key), None)

    @cached_property
    def _by_rel(self) -> dict[str, LibFile]:
        return {f.rel: f for f in self.files}

    def get(self, rel: str) -> LibFile | None:
        return self._by_rel.get(nfc(rel))

    def under(self, folder: str) -> list[LibFile]:
        """Files in `folder` (NFC rel path, "" or "." for the root) and its subfolders."""
        prefix = nfc(folder).strip("/")
        if prefix in ("", "."):
            return list(self.files)
        return [f for f in self.files if f.rel.startswith(prefix + "/")]

    def has_folder(self, folder: str) -> bool:
        prefix = nfc(folder).strip("/")
        return prefix in ("", ".") or any(f.rel.startswith(prefix + "/") for f in self.files)


def lib_file(rel: str, path: str, size: int = 0, mtime: float = 0.0) -> LibFile | None:
    """A LibFile for a playable extension, or None for anything else."""
    kind = kind_of(rel)
    if kind is None:
        return None
    return LibFile(nfc(rel), path, kind, size, mtime)
