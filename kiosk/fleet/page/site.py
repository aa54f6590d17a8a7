"""`kiosk fleet page`: the province's page as a static site, from one snapshot of the fleet.

The folder it writes works from a file share or any web server, with nothing fetched from
elsewhere (its own CSS and the bundled Noto Sans; a Content-Security-Policy that allows
nothing but its own files):
    index.html            every office, a section per group, offline first
    group-G.html          one group's offices (the filter)
    office-ID.html        one office: screenshot, plays, files set aside, errors, hours
    static/               style.css, the font and its licence
    thumbs/ID.jpg  shots/ID.jpg   screenshots, re-encoded
Each file is replaced atomically, so `kiosk fleet serve` can serve while it regenerates.
Templates are Jinja2 with autoescaping on: office names, file names, reasons and errors all
come from offices and are shown as text. The folder is marked as the page's own; files the
page no longer links (a removed office) are deleted, and nothing else ever is.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from kiosk import __version__
from kiosk.core import pagemodel
from kiosk.core.msg import Msg, _
from kiosk.fleet.page import shots
from kiosk.fleet.plays import last_plays
from kiosk.fleet.publicfile import write_public
from kiosk.fleet.snapshot import OfficeSnap, Snapshot
from kiosk.i18n import current, localize, text, texts
from kiosk.state.screenshot import SCREENSHOT_FILE
from kiosk.ui.fonts import FONT_DIR, FONT_FILES

MARKER = ".kiosk-fleet-page"
REFRESH_S = 30
PLAYS_SHOWN = 50
ERRORS_SHOWN = 20
HERE = Path(__file__).resolve().parent
STATIC = ("style.css",)
_OURS = re.compile(r"^(group|office)-[a-z0-9-]+\.html$")


class PageError(Exception):
    """The page cannot be written where asked; the message says what to do."""


@dataclass(frozen=True)
class Result:
    out: Path
    offices: int
    page_bytes: int  # index.html with its CSS and fonts: what the overview loads but pictures
    seconds: float


def _localized(value: object) -> object:
    """What a template prints: a message in the page's language, anything else untouched."""
    return localize(value) if isinstance(value, Msg) else value


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_localized,  # messages (kiosk.core.pagemodel's words) in the page's language
    )
    env.filters["slug"] = pagemodel.slug
    env.globals["_"] = _  # `{{ _("Last seen") }}`: a message of the catalog (babel.cfg)
    return env


def _prepare(out: Path) -> None:
    """The folder exists and is the page's: never write into (nor prune) someone's folder."""
    if out.exists() and not (out / MARKER).exists():
        if not out.is_dir():
            raise PageError(f"{out} is not a folder: give --out a folder for the page")
        if any(out.iterdir()):
            raise PageError(
                f"{out} is not empty and was not made by `kiosk fleet page`: give --out a new "
                "or empty folder (the page deletes its own old files there)"
            )
    try:
        for sub in ("static", "thumbs", "shots"):
            (out / sub).mkdir(parents=True, exist_ok=True)
        (out / MARKER).write_text("made by kiosk fleet page; its files are replaced\n")
    except OSError as e:
        raise PageError(f"cannot write the page into {out}: {e.strerror or e}") from None


def _copy_if_changed(src: Path, dest: Path) -> None:
    st = src.stat()
    try:
        d = dest.stat()
        if d.st_size == st.st_size and d.st_mtime_ns == st.st_mtime_ns:
            return
    except OSError:
        pass
    write_public(dest, src.read_bytes(), mtime_ns=st.st_mtime_ns)


def _static(out: Path) -> None:
    for name in STATIC:
        _copy_if_changed(HERE / "static" / name, out / "static" / name)
    for name in (*FONT_FILES, "OFL.txt"):
        _copy_if_changed(FONT_DIR / name, out / "static" / name)


def _write(path: Path, text: str) -> int:
    data = text.encode("utf-8")
    write_public(path, data)
    return len(data)


def _errors(status: dict[str, Any] | None) -> list[str]:
    """The office's problems and recent errors, as messages where its player stored them so
    (they show in the page's language), else as it wrote them."""
    status = status or {}
    lines = [*texts(status, "problems"), *texts(status, "cannot_write")]
    lines += reversed(texts(status, "recent_errors"))  # newest first
    return [x if isinstance(x, Msg) else str(x) for x in lines][:ERRORS_SHOWN]


def _set_aside(status: dict[str, Any] | None, listed: Sequence[dict[str, str]]) -> list[object]:
    """The files set aside, each reason in the page's language where the player stored it so."""
    stored = {
        str(f.get("file")): f for f in (status or {}).get("failed") or () if isinstance(f, dict)
    }
    return [{**f, "reason": text(stored.get(f["file"], f), "reason")} for f in listed]


def _office_page(
    env: jinja2.Environment, o: OfficeSnap, card: pagemodel.Card, common: dict[str, Any]
) -> str:
    status = o.facts.status
    view = o.view
    return env.get_template("office.html").render(
        common,
        c=card,
        view=view,
        device=o.facts.device,
        screenshot_age=pagemodel.ago_text(view.screenshot_age_s),
        syncthing=pagemodel.syncthing_text(view),
        completion=[
            (tier, pagemodel.UNKNOWN if pct is None else f"{pct:.0f} %")
            for tier, pct in view.completion.items()
        ],
        hours=pagemodel.hours(status),
        set_aside=_set_aside(status, view.set_aside),
        errors=_errors(status),
        plays=pagemodel.play_rows(last_plays(o.state_dir, PLAYS_SHOWN, o.index)),
    )


def generate(snap: Snapshot, out: Path, refresh_s: int = REFRESH_S) -> Result:
    started = time.perf_counter()
    _prepare(out)
    _static(out)
    env = environment()
    cards: list[pagemodel.Card] = []
    shot: dict[str, str] = {}  # office id -> "?v=mtime" when it has a screenshot
    for o in snap.offices:
        card = pagemodel.card(o.view, o.facts.status)
        cards.append(card)
        src = o.state_dir / SCREENSHOT_FILE
        thumb = out / "thumbs" / f"{card.slug}.jpg"
        holds = o.index(SCREENSHOT_FILE)
        if shots.refresh(src, thumb, shots.THUMB_WIDTH, holds) and shots.refresh(
            src, out / "shots" / f"{card.slug}.jpg", shots.FULL_WIDTH, holds
        ):
            shot[card.id] = f"?v={thumb.stat().st_mtime_ns // 1_000_000_000}"
    sections = pagemodel.sections(cards)
    common: dict[str, Any] = {
        "generated": pagemodel.clock(snap.now),
        "refresh": refresh_s,
        "version": __version__,
        "words": pagemodel.STATE_WORDS,
        "hub_error": snap.hub.error,
        "shot": shot,
        "all_sections": sections,
        "total": pagemodel.counts(cards),
        "offices": len(cards),
        "lang": current(),
        "no_group": pagemodel.NO_GROUP,
        "unknown": pagemodel.UNKNOWN,
    }
    overview = env.get_template("overview.html")
    written = {"index.html"}
    page_bytes = _write(out / "index.html", overview.render(common, sections=sections, only=""))
    for s in sections:
        if s.group:
            name = f"group-{s.slug}.html"
            written.add(name)
            _write(out / name, overview.render(common, sections=[s], only=s.group))
    by_id = {c.id: c for c in cards}
    for o in snap.offices:
        card = by_id[o.view.id]
        name = f"office-{card.slug}.html"
        written.add(name)
        _write(out / name, _office_page(env, o, card, common))
    _prune(out, written, {c.slug for c in cards if c.id in shot})
    page_bytes += sum((out / "static" / n).stat().st_size for n in (*STATIC, *FONT_FILES))
    return Result(out, len(cards), page_bytes, time.perf_counter() - started)


def _prune(out: Path, pages: set[str], pictures: set[str]) -> None:
    """Deletes the page's own files that this run did not write (removed offices, groups)."""
    for entry in os.scandir(out):
        if entry.is_file() and _OURS.match(entry.name) and entry.name not in pages:
            os.unlink(entry.path)
    for sub in ("thumbs", "shots"):
        for entry in os.scandir(out / sub):
            if entry.name.endswith(".jpg") and entry.name[:-4] not in pictures:
                os.unlink(entry.path)


def remove(out: Path) -> None:
    """Deletes a page folder the page made (`kiosk fleet serve` without --out)."""
    if (out / MARKER).exists():
        shutil.rmtree(out, ignore_errors=True)
