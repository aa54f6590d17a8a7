"""Data the whole player shares: playlist items, problems with positions."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

VIDEO_EXTENSIONS = frozenset({".mp4", ".mkv", ".webm", ".mov", ".avi", ".ts"})
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp"})


class Kind(enum.Enum):
    VIDEO = "video"
    SLIDE = "slide"


def kind_of(name: str) -> Kind | None:
    """Media kind from a file name's extension (case-insensitive); None if not playable."""
    dot = name.rfind(".")
    if dot < 0:
        return None
    ext = name[dot:].lower()
    if ext in VIDEO_EXTENSIONS:
        return Kind.VIDEO
    if ext in IMAGE_EXTENSIONS:
        return Kind.SLIDE
    return None


@dataclass(frozen=True)
class Position:
    """A place in a text file, 1-based, as editors and `path:line:col` show it."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """Something wrong the admin must see: in `kiosk check`, the status file and the log."""

    where: Position
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Item:
    """One thing to show. `path` is absolute; `rel` is relative to the sync folder (for people)."""

    path: str
    rel: str
    kind: Kind
    duration: float | None = None  # seconds; slides only (videos end on EndReached)
    title: str | None = None
    origin: Position | None = None  # where the playlist asked for it
    size: int = 0  # size and mtime when listed: a failed file is retried only once it changes
    mtime: float = 0.0

    @property
    def stamp(self) -> tuple[int, float]:
        return (self.size, self.mtime)


@dataclass(frozen=True)
class Playlist:
    items: tuple[Item, ...]
    source: str  # the playlist file, or "<sync folder>" for the default
    problems: tuple[Problem, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.items
