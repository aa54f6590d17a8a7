"""Data the whole player shares: media kinds, playlist items and the playlist itself."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from kiosk.core.problems import Position, Problem
from kiosk.core.schedule import ItemSchedule

# Containers offices have (phones, PowerPoint exports, TV recordings, old Windows PCs) and
# libVLC plays; each was played through kiosk's own player (tests/test_media_formats.py).
# An animated GIF is a clip: libVLC plays its animation (kiosk.playback.mediaopts).
VIDEO_EXTENSIONS = frozenset(
    {
        *(".mp4", ".m4v", ".mov", ".3gp", ".3g2", ".mkv", ".webm", ".avi", ".divx"),
        *(".wmv", ".asf", ".flv", ".f4v", ".rm", ".rmvb"),
        *(".mpg", ".mpeg", ".vob", ".ts", ".mts", ".m2ts", ".m2t"),
        ".gif",
    }
)
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"})
TEXT_EXTENSIONS = frozenset({".yaml", ".yml", ".md"})  # procedure slides written as text
PDF_EXTENSIONS = frozenset({".pdf"})  # every page a slide


class Kind(enum.Enum):
    VIDEO = "video"
    SLIDE = "slide"  # an image
    TEXT = "text"  # a procedure slide written as YAML or Markdown, laid out by the player
    PDF = "pdf"

    @property
    def still(self) -> bool:
        """Shown for a duration (not to an end like a video)."""
        return self is not Kind.VIDEO


def extension(name: str) -> str:
    """The extension of a file name or path, lower case with its dot; "" if none."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


def kind_of(name: str) -> Kind | None:
    """Media kind from a file name (case-insensitive); None if it is not shown.

    `playlist.yaml`, sidecar schedules (`clip.mp4.yaml`) and README.md are not slides.
    """
    ext = extension(name)
    if ext in VIDEO_EXTENSIONS:
        return Kind.VIDEO
    if ext in IMAGE_EXTENSIONS:
        return Kind.SLIDE
    if ext in PDF_EXTENSIONS:
        return Kind.PDF
    if ext in TEXT_EXTENSIONS:
        base = name.rsplit("/", 1)[-1]
        stem = base[: -len(ext)]
        if stem.lower() in ("playlist", "readme", "ticker") or extension(stem) in _SHOWN:
            return None
        return Kind.TEXT
    return None


_SHOWN = VIDEO_EXTENSIONS | IMAGE_EXTENSIONS | PDF_EXTENSIONS | TEXT_EXTENSIONS


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
    schedule: ItemSchedule | None = None  # when it may show (playlist keys or a sidecar)
    duration_asked: bool = False  # the playlist gave `duration:` (beats a slide's own)

    @property
    def stamp(self) -> tuple[int, float]:
        return (self.size, self.mtime)


@dataclass(frozen=True)
class Transition:
    """How one item hands over to the next: a clean cut (default) or a crossfade."""

    fade_s: float = 0.0  # 0: cut

    @property
    def fade_ms(self) -> int:
        return int(self.fade_s * 1000)


CUT = Transition()


@dataclass(frozen=True)
class Playlist:
    items: tuple[Item, ...]
    source: str  # the playlist file, or "<sync folder>" for the default
    problems: tuple[Problem, ...] = field(default=())
    transition: Transition = CUT

    @property
    def empty(self) -> bool:
        return not self.items
