"""PDF files as slides: one slide per page, rendered by poppler in a child process.

Why poppler-utils (`pdfinfo`, `pdftoppm`) and not QtPdf: QtPdf is only in PySide6-Addons,
hundreds of MB more, while Debian's poppler-utils is small and already the reference renderer.
A child process also means a malformed PDF can hang or crash only that process: every call
has a timeout, and every failure comes back as a reason string, never an exception.

Pure functions with no Qt objects shared: call them from a QThreadPool worker and hand the
QImage back by signal (building a QImage from PNG bytes is safe off the GUI thread).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from kiosk.core.msg import _, os_reason

__all__ = ["PdfInfo", "pdf_info", "pdf_page_count", "pdftools_missing", "render_pdf_page"]

log = logging.getLogger(__name__)

INFO_TIMEOUT = 10.0
RENDER_TIMEOUT = 30.0
MAX_PIXELS = 8192 * 8192
_PAGES = re.compile(r"^Pages:\s+(\d+)\s*$", re.M)
_PAGE_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.M)
_PAGE_ROT = re.compile(r"^Page\s+(\d+)\s+rot:\s+(\d+)", re.M)
_APT_HINT = _("install poppler-utils (apt install poppler-utils)")


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    sizes: dict[int, tuple[float, float]]  # page (1-based) -> (width, height) in points,
    # as shown (rotation applied); only for the pages asked about


def pdftools_missing() -> str | None:
    """None if pdfinfo and pdftoppm are on PATH, else what to install (for `kiosk check`)."""
    missing = [t for t in ("pdfinfo", "pdftoppm") if shutil.which(t) is None]
    if missing:
        tools = missing[0] if len(missing) == 1 else _("{a} and {b}", a=missing[0], b=missing[1])
        return _("{tools} not found: {hint} to show PDF files", tools=tools, hint=_APT_HINT)
    return None


def _run(cmd: list[str], timeout: float) -> tuple[bytes, str | None]:
    """(stdout, None) or (b"", reason)."""
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            timeout=timeout,
            env={**os.environ, "LC_ALL": "C"},  # stable English output to parse
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except FileNotFoundError:
        return b"", _("{tools} not found: {hint} to show PDF files", tools=cmd[0], hint=_APT_HINT)
    except subprocess.TimeoutExpired:
        return b"", _(
            "{tool} took longer than {seconds:g} s on this file; it may be damaged",
            tool=cmd[0],
            seconds=timeout,
        )
    except OSError as e:
        return b"", _("cannot run {tool}: {why}", tool=cmd[0], why=os_reason(e))
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = err[-1] if err else _("exit code {code}", code=done.returncode)
        if "Incorrect password" in detail or "encrypted" in detail.lower():
            return b"", _("the PDF is protected by a password; save it without one")
        return b"", _("not a readable PDF ({detail})", detail=detail)
    return done.stdout, None


def pdf_info(
    path: str, first: int = 1, last: int = 0, timeout: float = INFO_TIMEOUT
) -> PdfInfo | str:
    """Page count and the sizes of pages first..last (last 0: only `first`), or a reason."""
    last = last or first
    out, err = _run(["pdfinfo", "-f", str(first), "-l", str(last), "--", path], timeout)
    if err is not None:
        return err
    text = out.decode("utf-8", "replace")
    m = _PAGES.search(text)
    if m is None:
        return _("not a readable PDF (no page count)")
    pages = int(m.group(1))
    if pages < 1:
        return _("the PDF has no pages")
    rot = {int(p): int(r) % 180 for p, r in _PAGE_ROT.findall(text)}
    sizes = {}
    for p, w, h in _PAGE_SIZE.findall(text):
        n, fw, fh = int(p), float(w), float(h)
        sizes[n] = (fh, fw) if rot.get(n) == 90 else (fw, fh)
    return PdfInfo(pages, sizes)


def pdf_page_count(path: str, timeout: float = INFO_TIMEOUT) -> int | str:
    """Number of pages, or the reason the file cannot be shown."""
    info = pdf_info(path, timeout=timeout)
    return info if isinstance(info, str) else info.pages


def render_pdf_page(
    path: str, page: int, size: QSize, timeout: float = RENDER_TIMEOUT
) -> QImage | str:
    """Page `page` (1-based) scaled to fit inside `size`, aspect kept, or a reason.

    The image is only as big as the fitted page (the caller letterboxes it, as for photos).
    """
    if size.isEmpty():
        return _("nothing to render into (empty target size)")
    if size.width() * size.height() > MAX_PIXELS:
        return _(
            "target size {width}x{height} is too large", width=size.width(), height=size.height()
        )
    info = pdf_info(path, page, page, timeout=min(timeout, INFO_TIMEOUT))
    if isinstance(info, str) and "Wrong page range" in info:
        info = pdf_info(path, timeout=min(timeout, INFO_TIMEOUT))
    if isinstance(info, str):
        return info
    if not 1 <= page <= info.pages:
        return _("page {page} does not exist (the PDF has {pages})", page=page, pages=info.pages)
    pw, ph = info.sizes.get(page, (595.0, 842.0))
    scale = min(size.width() / max(pw, 1.0), size.height() / max(ph, 1.0))
    tw, th = max(1, round(pw * scale)), max(1, round(ph * scale))
    cmd = [
        "pdftoppm", "-png", "-f", str(page), "-l", str(page),
        "-scale-to-x", str(tw), "-scale-to-y", str(th), "--", path,
    ]  # fmt: skip
    out, err = _run(cmd, timeout)
    if err is not None:
        return err
    image = QImage()
    if not image.loadFromData(out, "PNG") or image.isNull():
        return _("page {page} could not be rendered (pdftoppm gave no image)", page=page)
    log.debug("PDF %s page %d rendered at %dx%d", path, page, image.width(), image.height())
    return image
