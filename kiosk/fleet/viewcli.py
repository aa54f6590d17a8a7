"""The arguments of the hub's views of its fleet (page, serve, report, metrics), and running
them: each is a rendering of what `kiosk fleet status` sees (kiosk.fleet.cli dispatches)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.core.fleetview import OFFLINE_AFTER_S


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-31") from None


def add_parsers(command: Any) -> None:
    """page, serve, report, metrics: renderings of what `status` sees."""

    def offline_after(p: argparse.ArgumentParser) -> None:
        p.add_argument("--offline-after", type=float, default=OFFLINE_AFTER_S, metavar="S")

    page = command("page", "hub: write the province's page (HTML, CSS, thumbnails) into a folder")
    page.add_argument("--out", type=Path, required=True, metavar="DIR", help="the page's folder")
    offline_after(page)
    serve = command("serve", "hub: serve that page read-only, regenerated every 30 s")
    serve.add_argument("--bind", default="127.0.0.1", help="address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: any)")
    serve.add_argument("--out", type=Path, metavar="DIR", help="keep the page here")
    offline_after(serve)
    rep = command("report", "hub: plays per clip and office from the proof of play")
    rep.add_argument("--from", dest="first", type=_day, required=True, metavar="DATE")
    rep.add_argument("--to", dest="last", type=_day, required=True, metavar="DATE")
    rep.add_argument("--group", metavar="G", help="only the offices of this group")
    rep.add_argument("--office", metavar="ID", help="only this office")
    rep.add_argument("--csv", type=Path, metavar="FILE", help="also write the rows as CSV")
    rep.add_argument("--charts", type=Path, metavar="DIR", help="a daily chart per office")
    met = command("metrics", "hub: the fleet in Prometheus' text format, for node_exporter")
    met.add_argument("--textfile", type=Path, required=True, metavar="PATH", help="- prints it")
    offline_after(met)


def run(command: str, args: argparse.Namespace, root: Path, out: Any) -> int:
    if command == "page":
        from kiosk.fleet.page.site import generate
        from kiosk.fleet.snapshot import take

        result = generate(take(root, args.syncthing_home, args.offline_after), args.out)
        out(
            f"wrote {result.out}/index.html: {result.offices} office(s) in "
            f"{result.seconds:.2f} s, {result.page_bytes / 1e6:.2f} MB before thumbnails"
        )
        return 0
    if command == "serve":
        from kiosk.fleet.serve import serve

        return serve(
            root, args.syncthing_home, args.offline_after, args.bind, args.port, args.out, out
        )
    if command == "report":
        from kiosk.fleet.report import report

        return report(
            root,
            args.syncthing_home,
            args.first,
            args.last,
            args.group,
            args.office,
            args.csv,
            args.charts,
            out,
        )
    from kiosk.fleet.metrics import metrics

    return metrics(root, args.syncthing_home, args.offline_after, args.textfile, out)
