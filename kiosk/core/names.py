"""File names of the sync folder that are passed over in silence: temporaries of copiers and
sync tools, the operating systems' own files, and the player's own side files.

Anything else that is not media is listed (kiosk.media.formats says why and what to do), so an
admin never wonders why a file does not show.
"""

from __future__ import annotations

from kiosk.core.model import TEXT_EXTENSIONS, extension, kind_of

# rsync writes `.name.XXXXXX`, Syncthing `.syncthing.name.tmp` (both dotfiles) and
# `~syncthing~name.tmp` on Windows; browsers `*.crdownload`/`*.part`; Office `~$name`.
_TEMP_SUFFIXES = (".part", ".crdownload", ".tmp", ".partial", ".download", ".swp", "~")
_TEMP_PREFIXES = (".", "~syncthing~", "~$")
# What Windows and macOS leave in every folder they open (macOS's own are dotfiles).
_SYSTEM_FILES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini", "icon\r"})
_IGNORED_DIRS = frozenset(
    {".stfolder", ".stversions", ".sync", "lost+found", "$RECYCLE.BIN", "System Volume Information"}
)
# Read by the player itself: the folder's playlist, the ticker text, notes for people.
_PLAYER_FILES = frozenset({"playlist", "ticker", "readme"})


def is_ignored_name(name: str) -> bool:
    """True for a temporary, hidden or system file that is never shown, whatever its extension."""
    lower = name.lower()
    return (
        name.startswith(_TEMP_PREFIXES) or lower.endswith(_TEMP_SUFFIXES) or lower in _SYSTEM_FILES
    )


def is_ignored_dir(name: str) -> bool:
    return name in _IGNORED_DIRS or name.startswith(".")


def is_player_file(name: str) -> bool:
    """A file the player reads rather than shows: playlist.yaml, ticker.txt, README.md, and
    sidecar schedules (`clip.mp4.yaml`). Not media, not a problem."""
    ext = extension(name)
    if ext not in (*TEXT_EXTENSIONS, ".txt"):
        return False
    base = name.rsplit("/", 1)[-1]
    stem = base[: -len(ext)]
    return stem.lower() in _PLAYER_FILES or kind_of(stem) is not None
