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
from kiosk.core.msg import N_, Msg, _
from kiosk.core.names import is_ignored_name, is_player_file


def _exts(exts: frozenset[str]) -> str:
    return " ".join(sorted(e.lstrip(".") for e in exts))


def _shown() -> Msg:
    return _(
        "kiosk shows videos ({videos}), pictures ({pictures}), PDF pages and procedure "
        "slides ({slides})",
        videos=_exts(VIDEO_EXTENSIONS),
        pictures=_exts(IMAGE_EXTENSIONS),
        slides=_exts(TEXT_EXTENSIONS),
    )


# extension -> (what it is, what to do). Grouped by what an office would have.
_KNOWN: dict[str, tuple[str, str]] = {}


def _add(exts: str, what: str, todo: str) -> None:
    for e in exts.split():
        _KNOWN["." + e] = (what, todo)


_add(
    "heic heif avif",
    N_("a HEIC/HEIF photo (iPhone's default format)"),
    N_("export it as JPEG (on the iPhone: Settings > Camera > Formats > Most Compatible)"),
)
_add(
    "mp3 wav m4a aac ogg oga opus flac wma amr mid midi",
    N_("a sound file (no picture)"),
    N_("make it a video (sound over a still picture) if it must play"),
)
_add(
    "doc docx odt rtf xls xlsx ods csv",
    N_("a document"),
    N_("save it as PDF (File > Save as > PDF): every page becomes a slide"),
)
_add(
    "ppt pptx pps ppsx odp key",
    N_("a presentation"),
    N_("export it as a video (File > Export > Create a Video, MP4) or save it as PDF"),
)
_add(
    "ogv",
    N_(
        "an Ogg Theora video, which libVLC 3 stops after a fraction of a second when it "
        "plays it again"
    ),
    N_("convert it to MP4 (H.264)"),
)
_add("zip rar 7z tar gz", N_("an archive"), N_("unpack it into the sync folder"))
_add(
    "svg eps ai psd xcf cdr raw cr2 nef dng ico",
    N_("a picture kiosk cannot decode"),
    N_("export it as PNG or JPEG"),
)
_add(
    "txt html htm url lnk",
    N_("a text or link file"),
    N_("write a procedure slide as .md instead"),
)
_add("exe msi bat cmd apk", N_("a program"), N_("remove it from the sync folder"))
_add("iso img dmg", N_("a disc image"), N_("copy the video files out of it into the sync folder"))


def unplayable_reason(name: str) -> Msg | None:
    """Why the file `name` will never be shown and what to do; None if it is media, or a file
    passed over in silence (temporary, hidden, system, or one the player reads itself)."""
    base = name.rsplit("/", 1)[-1]
    if kind_of(base) is not None or is_ignored_name(base) or is_player_file(base):
        return None
    ext = extension(base)
    known = _KNOWN.get(ext)
    if known is not None:
        what, todo = known
        return _("{what}; {todo}", what=Msg(what), todo=Msg(todo))
    if ext:
        return _("a '{ext}' file, not a format kiosk plays; {shown}", ext=ext, shown=_shown())
    return _("a file without an extension, not a format kiosk plays; {shown}", shown=_shown())
