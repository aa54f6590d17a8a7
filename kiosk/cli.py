"""`kiosk run | check | status`: exit codes mean something, errors say file:line:col."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk import __version__, i18n

EXAMPLES = """\
examples:
  kiosk run                               play the bundled demo (no config needed)
  kiosk run --config /etc/kiosk/office.yaml
  kiosk run --sync-dir /srv/kiosk/sync --windowed
  kiosk check --config /etc/kiosk/office.yaml    validate everything, play nothing
  kiosk check --at "2026-12-01 08:00"     what would play at that moment (office-local time)
  kiosk preview --out sheet.png           a picture of every item of the rotation
  kiosk status                            what is on screen, what is wrong
  kiosk status --json                     the same for scripts
  sudo .venv/bin/kiosk install-service --config /etc/kiosk/office.yaml   start at boot
  kiosk fleet --help                      the province's fleet on Syncthing (hub, players)

exit codes: 0 ok, 1 problems found (check) or player not running (status),
            2 the config or playlist cannot be used (fix the file named in the message)
The config file is --config, else $KIOSK_CONFIG, else none (the bundled demo).
"""

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_BAD_CONFIG = 2


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="office config (default: $KIOSK_CONFIG, else the bundled demo)",
    )
    p.add_argument("--sync-dir", type=Path, metavar="DIR", help="folder the content comes from")
    p.add_argument(
        "--playlist",
        type=Path,
        metavar="FILE",
        help="playlist YAML (default: every playable file of the sync folder)",
    )
    p.add_argument(
        "--state-dir", type=Path, metavar="DIR", help="where status.json and the logs go"
    )
    p.add_argument(
        "--windowed",
        action="store_true",
        default=None,
        help="a normal window instead of fullscreen (for trying it out)",
    )
    p.add_argument("--screen", type=int, metavar="N", help="screen number (0 = first)")


def _parse_at(text: str) -> datetime:
    from kiosk.preview import parse_at

    return parse_at(text)


def _parse_size(text: str) -> tuple[int, int]:
    from kiosk.preview import parse_size

    return parse_size(text)


def _command(sub: Any, name: str, help: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with the examples, like the top level's."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help, epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    return parser


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="kiosk",
        description="Signage player: loops clips and procedure slides from a sync folder.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    run = _command(sub, "run", "play, fullscreen, until stopped")
    _add_common(run)
    run.add_argument(
        "--screenshot-dir",
        type=Path,
        metavar="DIR",
        help="save what the screen shows into DIR (see --screenshot-every)",
    )
    run.add_argument(
        "--screenshot-every",
        type=float,
        default=5.0,
        metavar="S",
        help="seconds between screenshots (default 5)",
    )
    check = _command(sub, "check", "validate config, playlist and files; play nothing")
    _add_common(check)
    check.add_argument(
        "--at",
        type=_parse_at,
        metavar="TIME",
        help='also list what would play at TIME, office-local ("2026-12-01 08:00")',
    )
    preview = _command(
        sub, "preview", "draw a contact sheet (PNG) of the rotation: every item as it will appear"
    )
    _add_common(preview)
    preview.add_argument(
        "--at",
        type=_parse_at,
        metavar="TIME",
        help='the rotation at TIME, office-local ("2026-12-01 08:00"; default: now)',
    )
    preview.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the PNG file to write"
    )
    preview.add_argument(
        "--size",
        type=_parse_size,
        default=(1920, 1080),
        metavar="WxH",
        help="screen size the slides are laid out for (default 1920x1080)",
    )
    status = _command(sub, "status", "what the running player is doing")
    status.add_argument("--config", type=Path, metavar="FILE", help=argparse.SUPPRESS)
    status.add_argument(
        "--state-dir",
        type=Path,
        metavar="DIR",
        help="the player's state dir (default: from the config)",
    )
    status.add_argument("--json", action="store_true", help="print the raw status JSON")
    service = _command(
        sub,
        "install-service",
        "install the systemd unit that starts the player at boot and restarts it",
    )
    service.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="office config the service plays (default: $KIOSK_CONFIG)",
    )
    service.add_argument(
        "--user",
        action="store_true",
        help="a `systemctl --user` unit in ~/.config/systemd/user (no sudo needed)",
    )
    service.add_argument(
        "--run-as",
        metavar="NAME",
        help="account the player runs as (default: the user behind sudo, else you)",
    )
    service.add_argument(
        "--dry-run", action="store_true", help="print the unit instead of installing it"
    )
    service.add_argument("--unit-dir", type=Path, help=argparse.SUPPRESS)  # for tests
    from kiosk.fleet.cli import add_parser as add_fleet

    add_fleet(sub)
    _lang_everywhere(top)
    return top


def _lang_everywhere(top: argparse.ArgumentParser) -> None:
    """`--lang` before or after any command, down to `kiosk fleet publish`."""
    help = "language of what kiosk says: vi or en (default: office.language, else LANG, else vi)"
    top.add_argument("--lang", choices=i18n.LANGUAGES, default=None, help=help)
    todo = [top]
    while todo:
        for action in todo.pop()._actions:
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    # SUPPRESS: a subcommand without --lang keeps the one given before it
                    child.add_argument(
                        "--lang", choices=i18n.LANGUAGES, default=argparse.SUPPRESS, help=help
                    )
                    todo.append(child)


def main(argv: list[str] | None = None) -> int:
    try:
        return _dispatch(argv)
    except BrokenPipeError:
        # `kiosk status | head`: the reader left. Say nothing more, and let Python's exit
        # flush into /dev/null rather than print a traceback about the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + signal.SIGPIPE  # what a shell reports for a writer the pipe stopped


def _dispatch(argv: list[str] | None) -> int:
    args = parser().parse_args(argv)
    i18n.use(i18n.choose(args.lang))  # the office config, once read, may choose instead
    if args.command is None:
        parser().print_help()
        return EXIT_OK
    if args.command == "fleet":
        from kiosk.fleet.cli import run as run_fleet

        return run_fleet(args)
    from kiosk import commands

    if args.command == "run":
        return commands.run(args)
    if args.command == "check":
        return commands.check(args)
    if args.command == "preview":
        return commands.preview(args)
    if args.command == "install-service":
        return commands.install_service(args)
    return commands.status(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
