"""`kiosk status` for a person: what is on screen, what is wrong, is the player alive.

The file may come from an older or newer player, or be damaged: a value of the wrong type
reads as missing, never as a traceback.
"""

from __future__ import annotations

import time
from typing import Any

from kiosk.state.status import StatusReport


def _num(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        number = float(value)
    except ValueError:
        return default
    return number if number == number and abs(number) < 1e12 else default  # no NaN, no inf


def _map(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} days"


def _when(ts: float, now: float) -> str:
    try:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))
    except (OverflowError, ValueError, OSError):
        stamp = "?"
    return f"{stamp} ({_ago(now - ts)} ago)"


def render(report: StatusReport, now: float | None = None) -> str:
    now = time.time() if now is None else now
    d: dict[str, Any] = report.data
    lines: list[str] = []
    if not d:
        return f"kiosk: {report.problem}"
    verdict = "running" if report.alive else f"NOT RUNNING: {report.problem}"
    lines.append(f"kiosk {d.get('version', '?')} at {d.get('office', '?')}: {verdict}")
    lines.append(
        f"  pid {d.get('pid')}, up {_ago(now - _num(d.get('started_at'), now))}, "
        f"status written {_ago(report.age_s)} ago"
    )
    playing = _map(d.get("now"))
    if playing.get("file"):
        title = f" \u2014 {playing['title']}" if playing.get("title") else ""
        lines.append(
            f"  on screen: {playing['file']}{title} ({playing.get('kind')}), "
            f"since {_when(_num(playing.get('since'), now), now)}"
        )
    else:
        lines.append(
            f"  on screen: {playing.get('state', 'nothing')}"
            + (" (idle slide: nothing playable)" if playing.get("state") == "idle" else "")
        )
    if d.get("next"):
        lines.append(f"  next: {d['next']}")
    pl = _map(d.get("playlist"))
    lines.append(
        f"  playlist: {pl.get('source', '?')} \u2014 {pl.get('count', 0)} item(s); "
        f"sync folder {d.get('sync_dir', '?')}"
    )
    sync = _map(d.get("sync"))
    if sync:
        scanned = _num(sync.get("last_scan"), 0)
        lines.append(
            f"  sync folder: {sync.get('playable', 0)} playable file(s), watched by "
            f"{sync.get('watching', '?')}; last full scan "
            + (f"{_ago(now - scanned)} ago" if scanned else "not yet")
            + ("" if sync.get("readable", True) else "; FOLDER NOT READABLE")
        )
        if _list(sync.get("arriving")):
            arriving = ", ".join(str(a) for a in sync["arriving"])
            lines.append(f"  arriving (copying or being checked): {arriving}")
    c = _map(d.get("counters"))
    lines.append(
        f"  played {c.get('played', 0)}, skipped {c.get('failed', 0)}, "
        f"loops {c.get('loops', 0)}, stalls {c.get('stalls', 0)}, "
        f"player restarts {c.get('restarts', 0)}"
    )
    shot = _num(d.get("screenshot_at"), 0)
    if shot:
        lines.append(f"  last screenshot: {_when(shot, now)}")
    failed = [_map(f) for f in _list(d.get("failed"))]
    if failed:
        lines.append(f"  set aside ({len(failed)}):")
        for f in failed:
            when = _ago(now - _num(f.get("when"), now))
            lines.append(f"    {f.get('file')}: {f.get('reason')} ({when} ago)")
    problems = _list(d.get("problems"))
    if problems:
        lines.append(f"  problems ({len(problems)}):")
        lines.extend(f"    {p}" for p in problems)
    cannot = _list(d.get("cannot_write"))
    if cannot:
        lines.append("  cannot write (playback goes on):")
        lines.extend(f"    {x}" for x in cannot)
    errors = _list(d.get("recent_errors"))
    if errors:
        lines.append(f"  recent errors (last {len(errors)}):")
        lines.extend(f"    {e}" for e in errors[-10:])
    if not failed and not problems and not cannot:
        lines.append("  no problems")
    return "\n".join(lines)
