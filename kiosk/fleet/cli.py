"""`kiosk fleet ...`: the arguments of each fleet command, and running it.

Exit codes: 0 done (status: all well); 1 status found an alert, publish refused a file,
revert --dry-run found local changes; 2 the fleet, Syncthing or its settings stop the
command (the message says what to do).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kiosk.core.fleetview import OFFLINE_AFTER_S
from kiosk.fleet import viewcli

EXAMPLES = """\
at the hub (the provincial IT centre):
  kiosk fleet init                          check Syncthing, create the province tier
  kiosk fleet add-office ubnd-an-phu --device DEVICE-ID --group huyen-a --name "UBND xã An Phú"
  kiosk fleet publish 1-nop-ho-so.mp4 --to province      every office
  kiosk fleet publish lich.png --to group:huyen-a        the offices of one group
  kiosk fleet publish gio-lam-viec.png --to office:ubnd-an-phu
  kiosk fleet unpublish 1-nop-ho-so.mp4 --from province
  kiosk fleet status [--json]               one line per office; exit 1 on an alert
  kiosk fleet page --out /var/www/kiosk     every TV at a glance, as a static site
  kiosk fleet serve [--port 8080]           the same page on http://127.0.0.1:8080/
  kiosk fleet report --from 2026-12-01 --to 2026-12-31 --csv dec.csv --charts dec/
  kiosk fleet metrics --textfile /var/lib/prometheus/node-exporter/kiosk.prom
  kiosk fleet remove-office ubnd-an-phu
on an office's player:
  kiosk fleet join --config /etc/kiosk/office.yaml --hub HUB-ID --hub-address tcp://HUB:22000
  kiosk fleet revert --config /etc/kiosk/office.yaml     undo local changes in the tiers

exit codes: 0 ok; 1 an alert (status), a refused file (publish), local changes (revert
--dry-run); 2 cannot go on (no fleet, Syncthing not running or unsafely set up).
The fleet folder is --fleet DIR, else $KIOSK_FLEET, else ~/kiosk-fleet; Syncthing's config
folder is --syncthing-home DIR, else $KIOSK_SYNCTHING_HOME, else Syncthing's default.
"""


def _common(p: argparse.ArgumentParser, hub: bool) -> None:
    if hub:
        p.add_argument("--fleet", type=Path, metavar="DIR", help="the fleet folder")
    else:
        p.add_argument("--config", type=Path, metavar="FILE", help="the office config")
    p.add_argument("--syncthing-home", type=Path, metavar="DIR", help="Syncthing's config folder")


def add_parser(sub: Any) -> None:
    fleet = sub.add_parser(
        "fleet",
        help="the province's fleet on Syncthing: publish to offices, see every TV",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmds = fleet.add_subparsers(dest="fleet_command", metavar="FLEET-COMMAND")

    def command(name: str, help: str, hub: bool = True) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = cmds.add_parser(
            name, help=help, epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        _common(p, hub)
        return p

    init = command("init", "hub: check Syncthing's safe settings, create the tiers")
    init.add_argument(
        "--discovery", action="store_true", help="leave Syncthing's discovery on (default: off)"
    )
    add = command("add-office", "hub: share the tiers with an office's player")
    add.add_argument("id", help="office ID: lowercase letters, digits, dashes")
    add.add_argument("--device", required=True, help="the device ID its `join` printed")
    add.add_argument(
        "--group", action="append", default=[], metavar="G", help="a group it belongs to"
    )
    add.add_argument("--name", default="", help='its full name, e.g. "UBND xã An Phú"')
    add.add_argument(
        "--address", default="", help="where the hub can reach it (default: it dials the hub)"
    )
    remove = command("remove-office", "hub: stop sharing with an office")
    remove.add_argument("id")
    pub = command("publish", "hub: send files to province, group:G or office:ID")
    pub.add_argument("files", nargs="+", type=Path, metavar="FILE")
    pub.add_argument("--to", required=True, metavar="TIER", help="province | group:G | office:ID")
    pub.add_argument("--as", dest="as_name", metavar="NAME", help="its name in the tier")
    unpub = command("unpublish", "hub: take files back from a tier")
    unpub.add_argument("names", nargs="+", metavar="NAME")
    unpub.add_argument("--from", dest="frm", required=True, metavar="TIER")
    status = command("status", "hub: one line per office; exit 1 on an alert")
    status.add_argument("--json", action="store_true", help="the same for scripts")
    status.add_argument(
        "--offline-after",
        type=float,
        default=OFFLINE_AFTER_S,
        metavar="S",
        help=f"an office whose status is older is offline (default {OFFLINE_AFTER_S:g})",
    )
    viewcli.add_parsers(command)
    join = command("join", "player: connect to the hub; prints this player's device ID", False)
    join.add_argument("--hub", required=True, metavar="DEVICE-ID", help="the hub's device ID")
    join.add_argument(
        "--hub-address", required=True, metavar="tcp://HOST:22000", help="where the hub listens"
    )
    join.add_argument(
        "--discovery", action="store_true", help="leave Syncthing's discovery on (default: off)"
    )
    join.add_argument(
        "--status-every",
        type=int,
        default=0,
        metavar="S",
        help="send the state folder every S seconds rather than ~1 s after each change "
        "(a hub with hundreds of offices: see README)",
    )
    revert = command("revert", "player: undo local changes in the hub's tiers", False)
    revert.add_argument("--dry-run", action="store_true", help="only list them (exit 1 if any)")


def run(args: argparse.Namespace) -> int:
    from kiosk.fleet.registry import FleetError, default_root
    from kiosk.fleet.rest import SyncthingError

    def out(line: str) -> None:
        print(line, flush=True)

    command = getattr(args, "fleet_command", None)
    if command is None:
        print("kiosk fleet: give a command (kiosk fleet --help)", file=sys.stderr)
        return 2
    root = getattr(args, "fleet", None) or default_root()
    home = args.syncthing_home
    try:
        if command in ("join", "revert"):
            from kiosk.fleet import player

            if command == "join":
                return player.join(
                    args.config,
                    home,
                    args.hub,
                    args.hub_address,
                    args.discovery,
                    out,
                    args.status_every,
                )
            return player.revert(args.config, home, args.dry_run, out)
        if command in ("publish", "unpublish"):
            from kiosk.fleet import publish

            if command == "publish":
                return publish.publish(root, home, args.files, args.to, args.as_name, out)
            return publish.unpublish(root, home, args.names, args.frm, out)
        if command in ("page", "serve", "report", "metrics"):
            from kiosk.fleet.page.site import PageError

            try:
                return viewcli.run(command, args, root, out)
            except PageError as e:
                print(f"kiosk fleet {command}: {e}", file=sys.stderr)
                return 2
        if command == "status":
            from kiosk.fleet.statuscmd import status

            return status(root, home, args.json, args.offline_after, out)
        from kiosk.fleet import hub

        if command == "init":
            return hub.init(root, home, args.discovery, out)
        if command == "add-office":
            return hub.add_office(
                root, home, args.id, args.device, args.group, args.name, args.address, out
            )
        return hub.remove_office(root, home, args.id, out)
    except (FleetError, SyncthingError) as e:
        print(f"kiosk fleet {command}: {e}", file=sys.stderr)
        return 2
