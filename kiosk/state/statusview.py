"""`kiosk status` for a person: what is on screen, what is wrong, is the player alive.

The file may come from an older or newer player, or be damaged: a value of the wrong type
reads as missing, never as a traceback.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from kiosk.core.ages import ago as _ago
from kiosk.core.msg import N_, Msg, _, join
from kiosk.i18n import localize, text, texts
from kiosk.state.status import StatusReport

_STATES = {
    "stopped": N_("stopped"),
    "idle": N_("idle"),
    "loading": N_("loading"),
    "video": N_("video"),
    "slide": N_("slide"),
    "closed": N_("closed"),
    "nothing": N_("nothing"),
}
_KINDS = {"video": N_("video"), "slide": N_("slide"), "text": N_("text"), "pdf": N_("pdf")}


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


def _when(ts: float, now: float) -> Msg:
    try:
        when = datetime.fromtimestamp(ts)
    except (OverflowError, ValueError, OSError):  # a damaged file's time: only its age
        return _("{ago} ago", ago=_ago(now - ts))
    return _("{when:%Y-%m-%d %H:%M:%S} ({ago} ago)", when=when, ago=_ago(now - ts))


def _word(table: dict[str, str], value: object) -> object:
    """A state or kind the player wrote, in the reader's words when it is one we know."""
    return Msg(table[value]) if isinstance(value, str) and value in table else value


def render(report: StatusReport, now: float | None = None) -> str:
    """The status for a person, in this process's language (kiosk.i18n)."""
    return "\n".join(localize(line) for line in _lines(report, now))


def _lines(report: StatusReport, now: float | None = None) -> list[str]:
    now = time.time() if now is None else now
    d: dict[str, Any] = report.data
    lines: list[str] = []
    if not d:
        return [_("kiosk: {problem}", problem=report.problem)]
    verdict = _("NOT RUNNING: {problem}", problem=report.problem)
    if report.alive:
        verdict = _("running")
    lines.append(
        _(
            "kiosk {version} at {office}: {verdict}",
            version=d.get("version", "?"),
            office=d.get("office", "?"),
            verdict=verdict,
        )
    )
    lines.append(
        _(
            "  pid {pid}, up {up}, status written {age} ago",
            pid=d.get("pid"),
            up=_ago(now - _num(d.get("started_at"), now)),
            age=_ago(report.age_s),
        )
    )
    playing = _map(d.get("now"))
    if playing.get("file"):
        title = f" \u2014 {playing['title']}" if playing.get("title") else ""
        lines.append(
            _(
                "  on screen: {file}{title} ({kind}), since {since}",
                file=playing["file"],
                title=title,
                kind=_word(_KINDS, playing.get("kind")),
                since=_when(_num(playing.get("since"), now), now),
            )
        )
    elif playing.get("state") == "idle":
        lines.append(_("  on screen: {state} (idle slide: nothing playable)", state=Msg("idle")))
    else:
        state = _word(_STATES, playing.get("state", "nothing"))
        lines.append(_("  on screen: {state}", state=state))
    if d.get("next"):
        lines.append(_("  next: {file}", file=d["next"]))
    pl = _map(d.get("playlist"))
    lines.append(
        _(
            "  playlist: {source} \u2014 {count} item(s); sync folder {folder}",
            source=text(pl, "source") or "?",
            count=pl.get("count", 0),
            folder=d.get("sync_dir", "?"),
        )
    )
    sync = _map(d.get("sync"))
    if sync:
        scanned = _num(sync.get("last_scan"), 0)
        last = _("{ago} ago", ago=_ago(now - scanned)) if scanned else _("not yet")
        line = _(
            "  sync folder: {playable} playable file(s), watched by {how}; last full scan {last}",
            playable=sync.get("playable", 0),
            how=text(sync, "watching") or "?",
            last=last,
        )
        if not sync.get("readable", True):
            line = _("{line}; FOLDER NOT READABLE", line=line)
        lines.append(line)
        arriving = _list(sync.get("arriving"))
        if arriving:
            lines.append(
                _(
                    "  arriving (copying or being checked): {files}",
                    files=", ".join(str(a) for a in arriving),
                )
            )
    if d.get("video_note"):
        lines.append(_("  video: {note}", note=text(d, "video_note")))
    c = _map(d.get("counters"))
    lines.append(
        _(
            "  played {played}, skipped {failed}, loops {loops}, stalls {stalls}, "
            "player restarts {restarts}",
            played=c.get("played", 0),
            failed=c.get("failed", 0),
            loops=c.get("loops", 0),
            stalls=c.get("stalls", 0),
            restarts=c.get("restarts", 0),
        )
    )
    screen = _map(d.get("display"))
    if screen:
        kept = texts(screen, "kept_on_by")
        held: object = join(kept) if kept else _("NOTHING (it may blank)")
        power = _map(screen.get("power"))
        lines.append(
            _(
                "  screen: {session} session, kept on by {held}; "
                "display power: {method} (display.power {setting})",
                session=screen.get("session", "?"),
                held=held,
                method=power.get("method", "?"),
                setting=power.get("setting"),
            )
        )
        # What was tried and did not hold, with why (a refused logind lock, no D-Bus service)
        lines.extend(_("    {note}", note=note) for note in texts(screen, "not_used"))
    shot = _num(d.get("screenshot_at"), 0)
    if shot:
        lines.append(_("  last screenshot: {when}", when=_when(shot, now)))
    failed = [_map(f) for f in _list(d.get("failed"))]
    if failed:
        lines.append(_("  set aside ({n}):", n=len(failed)))
        for f in failed:
            lines.append(
                _(
                    "    {file}: {reason} ({ago} ago)",
                    file=f.get("file"),
                    reason=text(f, "reason"),
                    ago=_ago(now - _num(f.get("when"), now)),
                )
            )
    early = [_map(f) for f in _list(d.get("not_whole"))]
    if early:
        lines.append(_("  not shown whole ({n}):", n=len(early)))
        for f in early:
            count = f.get("count", 1)
            if isinstance(count, int) and count > 1:
                line = _(
                    "    {file}: {reason} ({count} times)",
                    file=f.get("file"),
                    reason=text(f, "reason"),
                    count=count,
                )
            else:
                line = _("    {file}: {reason}", file=f.get("file"), reason=text(f, "reason"))
            lines.append(line)
    unplayable = [_map(f) for f in _list(sync.get("unplayable"))]
    if unplayable:
        lines.append(_("  never shown ({n}):", n=len(unplayable)))
        lines.extend(
            _("    {file}: {reason}", file=f.get("file"), reason=text(f, "reason"))
            for f in unplayable
        )
    problems = texts(d, "problems")
    if problems:
        lines.append(_("  problems ({n}):", n=len(problems)))
        lines.extend(_("    {problem}", problem=p) for p in problems)
    cannot = texts(d, "cannot_write")
    if cannot:
        lines.append(_("  cannot write (playback goes on):"))
        lines.extend(_("    {problem}", problem=x) for x in cannot)
    errors = texts(d, "recent_errors")
    if errors:
        lines.append(_("  recent errors (last {n}):", n=len(errors)))
        lines.extend(_("    {error}", error=e) for e in errors[-10:])
    if not failed and not problems and not cannot and not unplayable and not early:
        lines.append(_("  no problems"))
    return lines
