"""`kiosk fleet metrics --textfile PATH`: the fleet for node_exporter's textfile collector.

The same snapshot as the page (kiosk.fleet.snapshot), rendered by kiosk.core.promtext and
written atomically and readable by node_exporter's account: the collector may read at any
moment. Quiet when it works, for cron; `--textfile -` prints it instead. A hub whose
Syncthing does not answer still gets its metrics written (kiosk_fleet_hub_syncthing_up 0).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.core.promtext import render
from kiosk.fleet.publicfile import write_public
from kiosk.fleet.snapshot import Gather, gather, take

Out = Callable[[str], None]


def metrics(
    root: Path,
    home: Path | None,
    offline_after: float,
    textfile: Path,
    out: Out,
    now: float | None = None,
    gather_facts: Gather = gather,
) -> int:
    snap = take(root, home, offline_after, now, gather_facts)
    text = render([o.view for o in snap.offices], snap.now, hub_up=not snap.hub.error)
    if str(textfile) == "-":
        out(text.rstrip("\n"))
        return 0
    if textfile.suffix != ".prom":
        out(f"note: node_exporter's textfile collector reads only *.prom files, not {textfile}")
    try:
        write_public(textfile, text.encode("utf-8"), fsync=True)
    except OSError as e:
        out(f"kiosk fleet metrics: cannot write {textfile}: {e.strerror or e}")
        return 2
    return 0
