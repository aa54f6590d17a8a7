"""`kiosk status` for a person: what is on screen, what is wrong, is the player alive."""

from __future__ import annotations

import time
from typing import Any

from kiosk.state.status import StatusReport


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
    return f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(ts))} ({_ago(now - ts)} ago)"


def render(report: StatusReport, now: float | None = None) -> str:
    now = time.time() if now is None else now
    d: dict[str, Any] = report.data
    lines: list[str] = []
    if not d:
        return f"kiosk: {report.problem}"
    verdict = "running" if report.alive else f"NOT RUNNING: {report.problem}"
    lines.append(f"kiosk {d.get('version', '?')} at {d.get('office', '?')}: {verdict}")
    lines.append(
        f"  pid {d.get('pid')}, up {_ago(now - float(d.get('started_at', now)))}, "
        f"status written {_ago(report.age_s)} ago"
    )
    playing = d.get("now") or {}
    if playing.get("file"):
        title = f" \u2014 {playing['title']}" if playing.get("title") else ""
        lines.append(
            f"  on screen: {playing['file']}{title} ({playing.get('kind')}), "
            f"since {_when(float(playing.get('since', now)), now)}"
        )
    else:
        lines.append(
            f"  on screen: {playing.get('state', 'nothing')}"
            + (" (idle slide: nothing playable)" if playing.get("state") == "idle" else "")
        )
    if d.get("next"):
        lines.append(f"  next: {d['next']}")
    pl = d.get("playlist") or {}
    lines.append(
        f"  playlist: {pl.get('source', '?')} \u2014 {pl.get('count', 0)} item(s); "
        f"sync folder {d.get('sync_dir', '?')}"
    )
    sync = d.get("sync") or {}
    if sync:
        scanned = float(sync.get("last_scan") or 0)
        lines.append(
            f"  sync folder: {sync.get('playable', 0)} playable file(s), watched by "
            f"{sync.get('watching', '?')}; last full scan "
            + (f"{_ago(now - scanned)} ago" if scanned else "not yet")
            + ("" if sync.get("readable", True) else "; FOLDER NOT READABLE")
        )
        if sync.get("arriving"):
            lines.append(f"  arriving (copying or being checked): {', '.join(sync['arriving'])}")
    if d.get("video_note"):
        lines.append(f"  video: {d['video_note']}")
    c = d.get("counters") or {}
    lines.append(
        f"  played {c.get('played', 0)}, skipped {c.get('failed', 0)}, "
        f"loops {c.get('loops', 0)}, stalls {c.get('stalls', 0)}, "
        f"player restarts {c.get('restarts', 0)}"
    )
    shot = d.get("screenshot_at")
    if shot:
        lines.append(f"  last screenshot: {_when(float(shot), now)}")
    failed = d.get("failed") or []
    if failed:
        lines.append(f"  set aside ({len(failed)}):")
        for f in failed:
            lines.append(f"    {f['file']}: {f['reason']} ({_ago(now - float(f['when']))} ago)")
    early = d.get("not_whole") or []
    if early:
        lines.append(f"  not shown whole ({len(early)}):")
        for f in early:
            times = f" ({f['count']} times)" if f.get("count", 1) > 1 else ""
            lines.append(f"    {f['file']}: {f['reason']}{times}")
    unplayable = sync.get("unplayable") or []
    if unplayable:
        lines.append(f"  never shown ({len(unplayable)}):")
        lines.extend(f"    {f['file']}: {f['reason']}" for f in unplayable)
    problems = d.get("problems") or []
    if problems:
        lines.append(f"  problems ({len(problems)}):")
        lines.extend(f"    {p}" for p in problems)
    cannot = d.get("cannot_write") or []
    if cannot:
        lines.append("  cannot write (playback goes on):")
        lines.extend(f"    {x}" for x in cannot)
    errors = d.get("recent_errors") or []
    if errors:
        lines.append(f"  recent errors (last {len(errors)}):")
        lines.extend(f"    {e}" for e in errors[-10:])
    if not failed and not problems and not cannot and not unplayable and not early:
        lines.append("  no problems")
    return "\n".join(lines)
