"""Is this file playable? Cheap checks for `kiosk check` and the sync folder's ingest.

Each probe returns None when the file looks playable, else one line for the admin saying
why not. Probes do not play or show anything and create no widgets, so they may run on any
thread (ingest runs them on a QThreadPool). Videos are opened and demuxed by libVLC's
preparser (through kiosk.playback.vlcprobe; only kiosk.playback talks to libVLC); images are
decoded by QImageReader, but only after their header promised a size we are willing to
allocate, so a 60000x60000 PNG cannot take the player's memory.
"""

from __future__ import annotations

import logging
import os
import time

from PySide6.QtCore import QSize

from kiosk.core.model import Kind, kind_of
from kiosk.core.msg import _, os_reason
from kiosk.core.problems import Position, Problem
from kiosk.media.complete import incomplete
from kiosk.media.facts import VideoFacts, recall, remember
from kiosk.media.images import MAX_PIXELS as MAX_IMAGE_PIXELS
from kiosk.media.images import load_image
from kiosk.media.shape import VIDEO_MAX

log = logging.getLogger(__name__)


_PROBE_FIT = QSize(640, 360)


class ProbeInconclusive(Exception):
    """The probe could not decide (timeout, busy preparser): try again later, not a verdict."""


# A file written to this recently may be a copy in progress: only then is "(still
# copying?)" part of a refusal. Older, it is what it is, and the reason says what to do.
COPYING_RECENT_S = 600.0


def could_be_copying(path: str, now: float | None = None) -> bool:
    """Whether the file changed recently enough to be a copy still under way."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return False
    return (time.time() if now is None else now) - mtime < COPYING_RECENT_S


def _partial(path: str, reason: str) -> str:
    """A refusal a partial copy would also cause: say so only when the file could be one."""
    if could_be_copying(path):
        return _("{reason} (still copying?)", reason=reason)
    return _("{reason}; copy it again", reason=reason)


def file_problem(path: str) -> str | None:
    if not os.path.exists(path):
        return _("file not found")
    if not os.path.isfile(path):
        return _("not a regular file (a pipe, socket or device named like a media file)")
    try:
        if os.path.getsize(path) == 0:
            return _partial(path, _("the file is empty"))
    except OSError as e:
        return _("cannot read the file: {why}", why=os_reason(e))
    if not os.access(path, os.R_OK):
        return _("the file is not readable (permissions)")
    return None


def probe_video(path: str, timeout: float = 5.0) -> str | None:
    """None if libVLC can show a picture of the file, else the true reason why not.

    The container's own account first (cheap: libVLC's preparser): a size and a length are
    enough. Where it cannot say (MPEG transport and program streams tell the picture size
    only once a picture is decoded) the first picture is decoded: a valid file is never
    refused for what its container omits. A container that declares more bytes than the
    file holds is set aside before libVLC sees it (kiosk.media.complete).
    """
    if problem := file_problem(path):
        return problem
    if cut := incomplete(path):
        return _partial(path, cut)  # libVLC would open many cut-off files and play them
    from kiosk.playback.vlcprobe import first_picture, parse_media  # libVLC loads on first use

    info = parse_media(path, timeout=timeout)
    if info.status not in ("done", "failed"):
        # libVLC's preparser was busy or slow (a loaded machine, a slow share): no verdict.
        raise ProbeInconclusive(
            _(
                "libVLC could not read the file within {seconds:g} s (status: {status})",
                seconds=timeout,
                status=info.status,
            )
        )
    known = [t for t in info.video if t.known]
    if known and info.duration_ms > 0:
        remember(path, VideoFacts(*known[0].size_codec, info.duration_ms))
        return None
    seen = first_picture(path, timeout=timeout)
    if seen.picture:
        sized = [t for t in seen.video if t.known]
        if sized:
            remember(path, VideoFacts(*sized[0].size_codec, seen.duration_ms))
        return None
    if seen.status == "timeout":
        raise ProbeInconclusive(
            _("libVLC decoded no picture within {seconds:g} s", seconds=timeout)
        )
    video = seen.video or info.video
    if video:
        if video[0].codec:
            why = _(
                "its video track ({codec}) gives no picture: damaged, or a codec libVLC lacks",
                codec=video[0].codec,
            )
        else:
            why = _("its video track gives no picture: damaged, or a codec libVLC lacks")
        return _partial(path, why)
    if seen.audio or info.audio:
        return _("only sound, no picture: kiosk shows videos with a picture")
    return _partial(path, _("no video track: not a video file, or a damaged one"))


def heavy_video(path: str) -> str | None:
    """A warning for a video the probe found larger than the pictures kiosk paints (4K):
    it plays, decoded by every core, but may stutter on a small machine."""
    facts = recall(path)
    if facts is None or facts.width * facts.height <= VIDEO_MAX[0] * (VIDEO_MAX[1] + 8):
        return None
    return _(
        "{width}x{height} ({codec}): kiosk shows video at {max_width}x{max_height} at most, "
        "and decoding this size may stutter on a {cores}-core machine (kiosk status tells); "
        "re-encode it at {max_width}x{max_height} (H.264) to be sure",
        width=facts.width,
        height=facts.height,
        codec=facts.codec or "?",
        max_width=VIDEO_MAX[0],
        max_height=VIDEO_MAX[1],
        cores=os.cpu_count() or 1,
    )


def probe_image(path: str, max_pixels: int = MAX_IMAGE_PIXELS) -> str | None:
    """None if the player could show the image, else the reason.

    The very decoder the player uses (kiosk.media.images): the size from the header is checked
    before decoding, which also catches files whose header is fine but whose body is broken.
    """
    if problem := file_problem(path):
        return problem
    # Decoded whole (a broken body shows), but small: a JPEG is scaled while decoding.
    image = load_image(path, max_pixels, fit=_PROBE_FIT)
    return image if isinstance(image, str) else None


def text_slide_problems(path: str) -> list[Problem]:
    """Every problem of a procedure slide, each at its line and column (for `kiosk check`):
    the parser's, then the layout's at 1920x1080 (too much text), if it parsed."""
    from kiosk.core.procedure import parse_procedure
    from kiosk.ui.slides import SlideRenderer

    with open(path, "rb") as f:
        slide, problems = parse_procedure(f.read(), path)
    if slide is None:
        if not any(p.severity == "error" for p in problems):
            problems.append(Problem(Position(path, 1, 1), _("not a procedure slide")))
        return problems
    if any(p.severity == "error" for p in problems):
        return problems
    from kiosk.ui.textslide import render_procedure
    from kiosk.ui.theme import Theme

    _image, more = render_procedure(slide, SlideRenderer().size(), Theme(), os.path.dirname(path))
    return problems + more


def probe_text(path: str) -> str | None:
    """None if the procedure slide parses and its text fits one slide at 1920x1080.

    Laid out for real (the fonts must have been registered by the caller, on the Qt thread):
    too much text is refused here rather than shown cut off.
    """
    if problem := file_problem(path):
        return problem
    errors = [p for p in text_slide_problems(path) if p.severity == "error"]
    if not errors:
        return None
    first = errors[0]
    if first.where.line:
        return _("{problem} (line {line})", problem=first.message, line=first.where.line)
    return first.message


def probe_pdf(path: str) -> str | None:
    if problem := file_problem(path):
        return problem
    from kiosk.ui.pdf import pdf_page_count

    pages = pdf_page_count(path)
    if isinstance(pages, str):
        return pages
    return None if pages > 0 else _("the PDF has no pages")


def _not_from_hub(path: str) -> str | None:
    """On a fleet player, a file changed by hand in a tier the hub sends never plays.

    The one place the player reaches into kiosk.fleet, on the first probe: outside such a
    tier the check is a few stats and answers None.
    """
    from kiosk.fleet.guard import changed_by_hand

    return changed_by_hand(path)


def refusal(path: str) -> str | None:
    """Why a file may not play whatever it holds (its name, where it came from), else None."""
    if not _is_text(path):
        # Bytes that are not UTF-8 (an old zip, a share with another charset): libVLC and Qt
        # take file names as UTF-8 text and cannot open it.
        return _("its name is not valid UTF-8 text (made on another system?); rename the file")
    if kind_of(path) is not None:
        return _not_from_hub(path)
    return None


def probe(path: str, video_timeout: float = 5.0) -> str | None:
    """Probe by kind (from the extension): None if playable, else the reason."""
    if refused := refusal(path):
        return refused
    kind = kind_of(path)
    if kind is Kind.VIDEO:
        return probe_video(path, timeout=video_timeout)
    if kind is Kind.SLIDE:
        return probe_image(path)
    if kind is Kind.TEXT:
        return probe_text(path)
    if kind is Kind.PDF:
        return probe_pdf(path)
    return _("not a supported file type")


def _is_text(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
