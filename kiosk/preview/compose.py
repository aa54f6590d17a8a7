"""The whole preview: the playlist the player would build now, every item pictured at the
main zone's size, numbered by the rotation rules (kiosk.core.rotation), laid on a sheet."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.core import rotation as rules
from kiosk.core.model import Item, Kind, Playlist
from kiosk.core.msg import _
from kiosk.core.problems import Position, Problem
from kiosk.core.schedule import format_vn_datetime
from kiosk.preview.grabber import FrameGrabber
from kiosk.preview.report import format_length, office_time, seconds_text
from kiosk.preview.sheet import Cell, Sheet, build_sheet

if TYPE_CHECKING:
    from PySide6.QtCore import QSize

    from kiosk.config import Config
    from kiosk.ui.slides import SlideRenderer

log = logging.getLogger(__name__)


def current_playlist(cfg: Config, sync_dir: Path) -> tuple[Playlist, list[Problem]]:
    """The playlist the player would build now: spec, sync folder, sidecar schedules."""
    from kiosk.core.playlist import resolve
    from kiosk.sync.playlist_source import Sidecars, read_spec
    from kiosk.sync.scan import scan

    spec = read_spec(cfg.playlist, sync_dir, cfg.office_timezone)
    library = scan(sync_dir)
    playlist = Sidecars(cfg.office_timezone).apply(resolve(spec, library, cfg.slides_duration))
    problems = list(playlist.problems)
    if not library.readable:
        problems.append(
            Problem(Position(str(sync_dir)), _("the sync folder does not exist or cannot be read"))
        )
    return playlist, problems


def main_zone_size(cfg: Config, sync_dir: Path, screen: QSize) -> QSize:
    """The size slides are rendered for: the screen minus the header and ticker bands that
    are on (same rule as KioskWindow.main_size; the ticker shows only with text)."""
    from PySide6.QtCore import QSize

    from kiosk.ui.ticker import TICKER_FILE, read_ticker
    from kiosk.ui.zones import header_height, ticker_height

    height = screen.height()
    if cfg.header_enabled:
        height -= header_height(screen)
    if cfg.ticker_enabled and read_ticker(sync_dir / TICKER_FILE, cfg.ticker_text).strip():
        height -= ticker_height(screen)
    return QSize(screen.width(), max(1, height))


def gather_cells(
    playlist: Playlist,
    at: datetime,
    zone: QSize,
    renderer: SlideRenderer,
    probe: Callable[[str], str | None],
    grabber: Callable[[], FrameGrabber] = FrameGrabber,
) -> list[Cell]:
    """Every item (every page of a PDF) with its picture as the main zone shows it, numbered
    in rotation order by the player's rules (kiosk.core.rotation).

    A file the player would fail (probe, decode) counts as failed at `at`; items set aside
    are still pictured when possible (an item outside its schedule renders fine), so the
    admin recognises them. `grabber` makes the FrameGrabber at the first video: libVLC
    starts only if needed.
    """
    made: list[FrameGrabber] = []

    def video_grabber() -> FrameGrabber:
        if not made:
            made.append(grabber())
        return made[0]

    per_item: list[list[Cell]] = []
    failures: dict[str, rules.Failure] = {}
    try:
        for item in playlist.items:
            cells, failure = _item_cells(item, zone, renderer, probe, video_grabber)
            if failure is not None:
                failures[item.path] = rules.failed({}, item, failure, at.timestamp())
            per_item.append(cells)
    finally:
        for g in made:
            g.close()
    out: list[Cell] = []
    for slot, cells in zip(rules.rotation(playlist, at, failures), per_item, strict=True):
        for cell in cells:
            cell.reason = cell.reason or slot.reason
            cell.order = slot.order if cell.reason is None else None
        out += cells
    return out


def _item_cells(
    item: Item,
    zone: QSize,
    renderer: SlideRenderer,
    probe: Callable[[str], str | None],
    video_grabber: Callable[[], FrameGrabber],
) -> tuple[list[Cell], str | None]:
    """The cells of one item (one, or one per page of a PDF), and why the player would fail
    it, if it would. A cell's reason is set here only when it has no picture."""
    from kiosk.media.probe import ProbeInconclusive

    schedule = item.schedule.describe() if item.schedule is not None else _("always")
    try:
        failed = probe(item.path)
    except ProbeInconclusive as e:  # libVLC busy or slow: the player would try again later
        failed = _("could not be checked now ({why})", why=e.args[0] if e.args else str(e))
    if failed is not None:
        why = _("cannot be played: {reason}", reason=failed)
        return [Cell(item, None, why, schedule=schedule)], failed
    if item.kind is Kind.VIDEO:
        grabbed = video_grabber().grab(item.path)
        if isinstance(grabbed, str):
            why = _("cannot be played: {reason}", reason=grabbed)
            return [Cell(item, None, why, schedule=schedule)], grabbed
        picture, length = grabbed
        length_text = format_length(length)
        return [Cell(item, None, None, 1, 1, picture, length_text, schedule)], None
    duration = seconds_text(item.duration)
    first = renderer(item, 1, zone)
    if isinstance(first, str):
        why = _("cannot be shown: {reason}", reason=first)
        return [Cell(item, None, why, duration=duration, schedule=schedule)], first
    picture, pages = first
    cells = [Cell(item, None, None, 1, pages, picture, duration, schedule)]
    for page in range(2, pages + 1):
        got = renderer(item, page, zone)
        if isinstance(got, str):
            log.warning("%s page %d: %s", item.rel, page, got)
            why = _("page {page} cannot be shown: {reason}", page=page, reason=got)
            cells.append(Cell(item, None, why, page, pages, duration=duration, schedule=schedule))
        else:
            cells.append(Cell(item, None, None, page, pages, got[0], duration, schedule))
    return cells, None


def make_preview(
    cfg: Config,
    sync_dir: Path,
    at: datetime | None,
    screen: tuple[int, int] = (1920, 1080),
    probe: Callable[[str], str | None] | None = None,
) -> tuple[Sheet, list[Problem]]:
    """The contact sheet of the rotation at `at` (None: now) on a `screen`-sized display.

    Needs a QGuiApplication (fonts, painting); the bundled font is registered here.
    """
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor

    from kiosk.media.images import load_image
    from kiosk.media.probe import probe as default_probe
    from kiosk.ui.fonts import load_bundled_fonts
    from kiosk.ui.slides import SlideRenderer
    from kiosk.ui.theme import Theme

    family = load_bundled_fonts()
    when = office_time(at, cfg.office_timezone)
    playlist, problems = current_playlist(cfg, sync_dir)
    logo = None
    if cfg.office_logo is not None:
        loaded = load_image(str(cfg.office_logo))
        logo = None if isinstance(loaded, str) else loaded
    theme = Theme(
        background=QColor(cfg.theme_background),
        accent=QColor(cfg.theme_accent),
        text=QColor(cfg.theme_text),
        font_family=family,
        logo=logo,
    )
    zone = main_zone_size(cfg, sync_dir, QSize(*screen))
    renderer = SlideRenderer(theme=theme, size=lambda: zone)
    cells = gather_cells(playlist, when, zone, renderer, probe or default_probe)
    shown = {c.item.path for c in cells if not c.set_aside}
    aside = len({c.item.path for c in cells}) - len(shown)
    hours = cfg.hours
    alert = None
    if not hours.is_open(when):
        reopen = hours.next_change(when)
        off = cfg.closed_mode == "display_off"
        screen_then = _("the screen shows the closed slide")
        if off:
            screen_then = _("the display is off")
        if reopen:
            alert = _(
                "Office closed at this time: {then}; opens again {when}. "
                "The rotation plays once open.",
                then=screen_then,
                when=format_vn_datetime(reopen),
            )
        else:
            alert = _(
                "Office closed at this time: {then}. The rotation plays once open.",
                then=screen_then,
            )
    header = [
        _(
            "Sync folder: {folder}   ·   playlist: {playlist}",
            folder=str(sync_dir),
            playlist=playlist.source,
        ),
        _(
            "Rotation at {when} ({zone}): {shown} item(s) shown, {aside} set aside   ·   "
            "screen {width}x{height}, main zone {zone_width}x{zone_height}",
            when=format_vn_datetime(when),
            zone=cfg.office_timezone,
            shown=len(shown),
            aside=aside,
            width=screen[0],
            height=screen[1],
            zone_width=zone.width(),
            zone_height=zone.height(),
        ),
    ]
    sheet = build_sheet(cells, zone, cfg.office_name, header, alert, family)
    return sheet, problems
