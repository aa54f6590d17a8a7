"""`kiosk fleet status`: one line per office (or JSON), alerts, and an exit code for cron.

Apart from status.py (gathering and the table) because it takes a snapshot, which gathers
with status.py: one import direction.
"""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.fleet.snapshot import take
from kiosk.fleet.status import Out, render

__all__ = ["status"]


def status(
    root: Path,
    home: Path | None,
    as_json: bool,
    offline_after: float,
    out: Out,
    now: float | None = None,
) -> int:
    snap = take(root, home, offline_after, now)
    fleet, hub, now = snap.fleet, snap.hub, snap.now
    views = [o.view for o in snap.offices]
    alerts = [a for v in views for a in v.alerts]
    alerts += [f"hub: {f.rule}: {f.detail}" for f in hub.findings if not f.ok]
    code = 2 if hub.error else (1 if alerts else 0)
    if as_json:
        data = {
            "fleet": str(fleet.root),
            "checked_at": now,
            "offline_after_s": offline_after,
            "hub": {
                "syncthing": hub.version,
                "device": hub.device,
                "error": hub.error,
                "safe_settings": [
                    {"rule": f.rule, "ok": f.ok, "detail": f.detail} for f in hub.findings
                ],
            },
            "offices": [v.as_json() for v in views],
            "alerts": alerts,
            "exit_code": code,
        }
        out(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in render(fleet, hub, views, alerts):
            out(line)
    return code
