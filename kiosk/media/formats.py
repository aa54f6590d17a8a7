"""Files of the sync folder that kiosk will never show, and what the admin can do about each.

Decided by name alone (no I/O, no Qt): the listing of the sync folder (kiosk.sync.scan), the
status file and `kiosk check` say it for every such file, so none is passed over in silence.
Temporary, hidden and system files, and the player's own side files (playlist.yaml,
ticker.txt, sidecar schedules), are not listed (kiosk.core.names).
"""

from __future__ import annotations

from kiosk.core.model import (
    IMAGE_EXTENSIONS,
    TEXT_EXTENSIONS,
    VIDEO_EXTENSIONS,
    extension,
    kind_of,
)
from kiosk.core.names import is_ignored_name, is_player_file


def _exts(exts: frozenset[str]) -> str:
    return " ".join(sorted(e.lstrip(".") for e in exts))


_SHOWN = (
    f"kiosk shows videos ({_exts(VIDEO_EXTENSIONS)}), pictures ({_exts(IMAGE_EXTENSIONS)}), "
    f"PDF pages and procedure slides ({_exts(TEXT_EXTENSIONS)})"
)

# extension -> (what it is, what to do). Grouped by what an office would have.
_KNOWN: dict[str, tuple[str, str]] = {}


def _add(exts: str, what: str, todo: str) -> None:
    for e in exts.split():
        _KNOWN["." + e] = (what, todo)


_add(
    "heic heif avif",
    "a HEIC/HEIF photo (iPhone's default format)",
    "export it as JPEG (on the iPhone: Settings > Camera > Formats > Most Compatible)",
)
_add(
    "mp3 wav m4a aac ogg oga opus flac wma amr mid midi",
    "a sound file (no picture)",
    "make it a video (sound over a still picture) if it must play",
)
_add(
    "doc docx odt rtf xls xlsx ods csv",
    "a document",
    "save it as PDF (File > Save as > PDF): every page becomes a slide",
)
_add(
    "ppt pptx pps ppsx odp key",
    "a presentation",
    "export it as a video (File > Export > Create a Video, MP4) or save it as PDF",
)
_add(
    "ogv",
    "an Ogg Theora video, which libVLC 3 stops after a fraction of a second when it plays it again",
    "convert it to MP4 (H.264)",
)
_add("zip rar 7z tar gz", "an archive", "unpack it into the sync folder")
_add(
    "svg eps ai psd xcf cdr raw cr2 nef dng ico",
    "a picture kiosk cannot decode",
    "export it as PNG or JPEG",
)
_add("txt html htm url lnk", "a text or link file", "write a procedure slide as .md instead")
_add("exe msi bat cmd apk", "a program", "remove it from the sync folder")
_add("iso img dmg", "a disc image", "copy the video files out of it into the sync folder")


def unplayable_reason(name: str) -> str | None:
    """Why the file `name` will never be shown and what to do; None if it is media, or a file
    passed over in silence (temporary, hidden, system, or one the player reads itself)."""
    base = name.rsplit("/", 1)[-1]
    if kind_of(base) is not None or is_ignored_name(base) or is_player_file(base):
        return None
    ext = extension(base)
    known = _KNOWN.get(ext)
    if known is not None:
        what, todo = known
        return f"{what}; {todo}"
    kind = f"a '{ext}' file" if ext else "a file without an extension"
    return f"{kind}, not a format kiosk plays; {_SHOWN}"
