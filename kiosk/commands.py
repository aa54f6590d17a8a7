"""What each CLI command does, given parsed arguments. Problems print as path:line:col."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import i18n
from kiosk.config import Config, config_path_from_env, load_config
from kiosk.core.msg import _
from kiosk.core.problems import Position, Problem
from kiosk.i18n import localize
from kiosk.state.status import write_atomic

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

log = logging.getLogger(__name__)

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_CONFIG = 0, 1, 2


def demo_dir() -> Path:
    """The bundled demo content, used when no sync folder is configured."""
    return Path(__file__).resolve().parent.parent / "assets" / "demo"


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    return {
        "sync.dir": getattr(args, "sync_dir", None),
        "playlist": getattr(args, "playlist", None),
        "state_dir": getattr(args, "state_dir", None),
        "display.windowed": getattr(args, "windowed", None),
        "display.screen": getattr(args, "screen", None),
    }


def _errors(problems: list[Problem] | tuple[Problem, ...]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def _print_problems(problems: list[Problem] | tuple[Problem, ...]) -> None:
    for p in problems:
        print(localize(p.as_msg()), file=sys.stderr)


def load(args: argparse.Namespace) -> tuple[Config, list[Problem]]:
    """The config, and the language from it where `--lang` did not choose one."""
    cfg, problems = load_config(config_path_from_env(args.config), _overrides(args))
    i18n.use(i18n.choose(getattr(args, "lang", None), cfg.office_language))
    return cfg, problems


def sync_dir_of(cfg: Config) -> Path:
    return cfg.sync_dir if cfg.sync_dir is not None else demo_dir()


def run(args: argparse.Namespace) -> int:
    from kiosk.app import RunSettings
    from kiosk.app import run as run_app
    from kiosk.state.logsetup import setup_logging
    from kiosk.sync.playlist_source import read_spec

    cfg, problems = load(args)
    if cfg.playlist is not None:
        # The configured playlist must be valid to start; the sync folder's own
        # playlist.yaml never stops the screen (the folder plays meanwhile).
        problems += list(read_spec(cfg.playlist).problems)
    _print_problems(problems)
    if _errors(problems):
        print(
            localize(
                _("kiosk: not started: fix the problems above (`kiosk check` lists them all)")
            ),
            file=sys.stderr,
        )
        return EXIT_BAD_CONFIG
    log_problem = setup_logging(cfg.log_level, cfg.state_dir)
    if cfg.source is None:
        log.info("no config file (--config or $KIOSK_CONFIG): using defaults")
    if cfg.sync_dir is None:
        log.info("no sync folder configured: playing the bundled demo from %s", demo_dir())
    settings = RunSettings(
        cfg=cfg,
        sync_dir=sync_dir_of(cfg),
        screenshot_dir=args.screenshot_dir,
        screenshot_every=args.screenshot_every,
        problems=tuple(p.as_msg() for p in problems) + ((log_problem,) if log_problem else ()),
    )
    return run_app(settings)


def offscreen_app() -> object:
    """A Qt application without a window (for `check`), with the bundled fonts registered."""
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QGuiApplication

    from kiosk.ui.fonts import load_bundled_fonts

    app = QGuiApplication.instance() or QGuiApplication(["kiosk"])
    load_bundled_fonts()
    return app


def check(args: argparse.Namespace) -> int:
    from kiosk.core.model import Kind
    from kiosk.core.playlist import resolve
    from kiosk.media.probe import file_problem, heavy_video, probe, refusal, text_slide_problems
    from kiosk.preview import expiry_problems, office_time, rotation, rotation_lines
    from kiosk.sync.playlist_source import Sidecars, read_spec
    from kiosk.sync.scan import library_of, walk

    _qt = offscreen_app()  # kept alive: text slides are laid out for real (Qt, fonts)
    cfg, problems = load(args)
    at = getattr(args, "at", None)
    sync_dir = sync_dir_of(cfg)
    spec = read_spec(cfg.playlist, sync_dir, cfg.office_timezone)
    problems += list(spec.problems)
    listing = walk(sync_dir)
    library = library_of(sync_dir, listing)
    problems += [
        Problem(_pos(str(sync_dir / rel)), _("never shown: {why}", why=why), "warning")
        for rel, why in sorted(listing.unplayable.items())
    ]
    if not library.readable:
        problems.append(
            Problem(
                _pos(str(sync_dir)),
                _("the sync folder does not exist or cannot be read; create it or fix `sync.dir`"),
            )
        )
    if cfg.office_logo is not None:
        from kiosk.media.probe import probe_image

        reason = probe_image(str(cfg.office_logo))
        if reason is not None:
            problems.append(
                Problem(
                    _pos(str(cfg.office_logo)),
                    _("office.logo cannot be shown: {reason}", reason=reason),
                )
            )
    # Sidecar schedules (clip.mp4.yaml) apply as in the player, so --at and expiry see them.
    playlist = Sidecars(cfg.office_timezone).apply(resolve(spec, library, cfg.slides_duration))
    problems += [p for p in playlist.problems if p not in problems]
    ok = 0
    failed: dict[str, str] = {}
    for item in playlist.items:
        if item.kind is Kind.TEXT and not (file_problem(item.path) or refusal(item.path)):
            # A slide's own problems, each at its line and column (warnings too).
            found = text_slide_problems(item.path)
            problems += [p for p in found if p not in problems]
            bad = _errors(found)
            if bad:
                failed[item.path] = bad[0].message
            else:
                ok += 1
            continue
        reason = probe(item.path)
        if reason is None:
            ok += 1
            if heavy := heavy_video(item.path):
                problems.append(Problem(_pos(item.path), heavy, "warning"))
            continue
        failed[item.path] = reason
        if item.origin and item.origin.line:
            said = _(
                "cannot be played: {reason}; it will be skipped (listed at {origin})",
                reason=reason,
                origin=str(item.origin),
            )
        else:
            said = _("cannot be played: {reason}; it will be skipped", reason=reason)
        problems.append(Problem(_pos(item.path), said))
    if at is None:
        problems += expiry_problems(playlist, office_time(None, cfg.office_timezone))
    for p in problems:
        print(localize(p.as_msg()))
    if at is not None:
        when = office_time(at, cfg.office_timezone)
        slots = rotation(playlist, when, failed)
        for line in rotation_lines(slots, cfg.hours, when, cfg.closed_mode):
            print(localize(line))
    errors = len(_errors(problems))
    warnings = len(problems) - errors
    print(
        localize(
            _(
                "kiosk check: {config}; sync folder {folder}; playlist {playlist}: "
                "{ok} playable item(s), {errors} error(s), {warnings} warning(s)",
                config=str(cfg.source) if cfg.source else _("no config file (defaults)"),
                folder=str(sync_dir),
                playlist=playlist.source,
                ok=ok,
                errors=errors,
                warnings=warnings,
            )
        )
    )
    return EXIT_PROBLEMS if errors else EXIT_OK


def preview(args: argparse.Namespace) -> int:
    """Writes the contact sheet of the rotation (kiosk.preview) as a PNG.

    Offscreen Qt unless QT_QPA_PLATFORM says otherwise: nothing is shown on a screen, so a
    missing or unusable DISPLAY (an SSH session, a service) must not stop it.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from kiosk.preview.compose import make_preview

    cfg, problems = load(args)
    _print_problems(problems)
    if _errors(problems):
        print(localize(_("kiosk preview: fix the config problems above first")), file=sys.stderr)
        return EXIT_BAD_CONFIG
    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # kept until return
    sheet, found = make_preview(cfg, sync_dir_of(cfg), args.at, args.size)
    _print_problems(found)
    out: Path = args.out
    folder = out.parent if str(out.parent) else Path(".")
    why = _write_png(sheet.image, out) if folder.is_dir() else _("the folder does not exist")
    if why is not None:
        print(
            localize(_("kiosk preview: cannot write {path}: {why}", path=str(out), why=why)),
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    items = {c.item.path for c in sheet.cells}
    aside = items - {c.item.path for c in sheet.cells if not c.set_aside}
    print(
        localize(
            _(
                "wrote {path}: {pictures} picture(s) of {items} item(s), {aside} set aside",
                path=str(out),
                pictures=len(sheet.cells),
                items=len(items),
                aside=len(aside),
            )
        )
    )
    return EXIT_OK


def _write_png(image: QImage, out: Path) -> str | None:
    """Writes through a temporary file renamed into place: a viewer never sees half a PNG."""
    tmp = out.with_name(f".{out.name}.tmp.png")  # the suffix tells Qt the format
    try:
        if not image.save(str(tmp)):
            tmp.unlink(missing_ok=True)
            return _("not writable, or the disk is full")
        os.replace(tmp, out)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        return str(e.strerror or e)
    return None


def _pos(path: str) -> Position:
    return Position(path)


def status(args: argparse.Namespace) -> int:
    from kiosk.state.status import read_status
    from kiosk.state.statusview import render

    state_dir = args.state_dir
    cfg, _problems = load_config(config_path_from_env(args.config), {})
    i18n.use(i18n.choose(getattr(args, "lang", None), cfg.office_language))
    if state_dir is None:
        state_dir = cfg.state_dir
    report = read_status(state_dir)
    if args.json:
        print(
            json.dumps(
                {**report.data, "alive": report.alive, "problem": report.problem},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(render(report))
    return EXIT_OK if report.alive else EXIT_PROBLEMS


def install_service(args: argparse.Namespace) -> int:
    """Renders the systemd unit with this machine's paths; writes it unless --dry-run.

    It never runs systemctl: enabling a service that takes over the screen is the admin's
    step, so the exact commands are printed instead.
    """
    from kiosk.system import service

    config = config_path_from_env(args.config)
    if config is not None and not config.is_file():
        print(f"{config}: no such config file", file=sys.stderr)
        return EXIT_BAD_CONFIG
    user = args.run_as or service.service_user()
    settings = service.UnitSettings(
        exec_start=service.kiosk_command(config),
        user=user,
        display=os.environ.get("DISPLAY") or ":0",
        xauthority=service.default_xauthority(user),
        user_mode=args.user,
        systemd_version=service.systemd_version(),
    )
    text = service.render_unit(settings)
    if args.dry_run:
        print(text, end="")
        return EXIT_OK
    folder = args.unit_dir or service.unit_dir(args.user)
    path = folder / service.UNIT_NAME
    try:
        write_atomic(path, text)
        path.chmod(0o644)
    except OSError as e:
        hint = "" if args.user else " (run it with sudo, or use --user)"
        print(f"cannot write {path}: {e.strerror or e}{hint}", file=sys.stderr)
        return EXIT_PROBLEMS
    notes = []
    if config is None:
        notes.append("no --config (nor $KIOSK_CONFIG): the service plays the bundled demo")
    if user == "root" and not args.user:
        notes.append("the player would run as root: pass --run-as NAME for a normal account")
    print(f"wrote {path}")
    print(f"  runs: {' '.join(settings.exec_start)}")
    print(f"  as {user} on DISPLAY={settings.display} (XAUTHORITY={settings.xauthority})")
    for note in notes:
        print(f"  note: {note}")
    print("next:")
    for command in service.systemctl_commands(args.user, user):
        print(f"  {command}")
    return EXIT_OK
