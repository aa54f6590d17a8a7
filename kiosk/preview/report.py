"""The preview's report, pure (no Qt): `kiosk check --at` lines (office open or closed, the
rotation in order, what is left out and why) and the "expires soon" warnings.

Which item plays is not decided here: kiosk.core.rotation decides, for the player too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from kiosk.core import rotation as rules
from kiosk.core.model import Item, Kind, Playlist
from kiosk.core.msg import Msg, _, join
from kiosk.core.problems import Position, Problem
from kiosk.core.rotation import Slot, weekdays_text
from kiosk.core.schedule import ItemSchedule, OfficeHours, format_vn_datetime

EXPIRY_WARNING_DAYS = 7  # `kiosk check` warns this many days before an item's valid_until


def office_time(at: datetime | None, timezone: str) -> datetime:
    """`at` (or now) as aware office-local time: naive means office-local already."""
    tz: tzinfo = ZoneInfo(timezone)
    if at is None:
        return datetime.now(tz)
    return at.replace(tzinfo=tz) if at.tzinfo is None else at.astimezone(tz)


def schedule_note(schedule: ItemSchedule | None) -> Msg:
    """'until 2026-12-31; mon wed; 07:30-11:30' (ISO dates, like the YAML), '' for none."""
    if schedule is None:
        return Msg("")
    parts: list[str] = []
    if schedule.valid_from is not None:
        parts.append(_("from {date:%Y-%m-%d}", date=schedule.valid_from))
    if schedule.valid_until is not None:
        parts.append(_("until {date:%Y-%m-%d}", date=schedule.valid_until))
    if schedule.weekdays is not None:
        parts.append(weekdays_text(schedule.weekdays))
    if schedule.times:
        parts.append(", ".join(str(w) for w in schedule.times))
    return join(parts, "; ")


def seconds_text(value: float | None) -> Msg:
    return _("{seconds:g} s", seconds=value if value is not None else 10.0)


def kind_label(item: Item) -> Msg:
    """'video', 'image, 10 s', 'text slide, 10 s', 'PDF, 10 s a page'."""
    if item.kind is Kind.VIDEO:
        return _("video")
    if item.kind is Kind.SLIDE:
        return _("image, {seconds}", seconds=seconds_text(item.duration))
    if item.kind is Kind.TEXT:
        return _("text slide, {seconds}", seconds=seconds_text(item.duration))
    return _("PDF, {seconds} a page", seconds=seconds_text(item.duration))


def format_length(ms: int) -> str:
    """'0:06', '12:34', '1:02:03' (rounded to the second); '?' when unknown."""
    if ms <= 0:
        return "?"
    s = round(ms / 1000)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def rotation(playlist: Playlist, at: datetime, failed: Mapping[str, str]) -> list[Slot]:
    """The loop at `at` by the player's own rules; `failed` maps paths to a failed probe's
    reason: the player sets such a file aside until it changes, as if it had just failed."""
    return rules.rotation(playlist, at, rules.probe_failures(playlist, failed, at))


def hours_lines(hours: OfficeHours, at: datetime, closed_mode: str = "slide") -> list[str]:
    """Whether the office is open at `at`, and if not, its hours and when it opens again."""
    local = hours.local(at)
    when = f"{format_vn_datetime(local)} ({hours.timezone})"
    if hours.always_open:
        return [_("at {when}: the office is open (no office hours configured)", when=when)]
    if hours.is_open(local):
        return [_("at {when}: the office is open", when=when)]
    if closed_mode == "display_off":
        then = _("the display is turned off")
    else:
        then = _("the closed slide shows")
    if local.date() in hours.holidays:
        closed = _("at {when}: the office is CLOSED (a holiday); {then}", when=when, then=then)
    else:
        closed = _("at {when}: the office is CLOSED; {then}", when=when, then=then)
    lines: list[str] = [closed]
    lines.append(_("  office hours:"))
    lines += [f"    {days}: {times}" for days, times in hours.summary()] or [_("    (none)")]
    reopen = hours.next_change(local)
    if reopen is not None:
        lines.append(_("  opens again: {when}", when=format_vn_datetime(reopen)))
    return lines


def rotation_lines(
    slots: Sequence[Slot], hours: OfficeHours, at: datetime, closed_mode: str = "slide"
) -> list[str]:
    """The `kiosk check --at` report: office open or closed, the loop in order, the rest."""
    lines = hours_lines(hours, at, closed_mode)
    closed = not hours.is_open(at)
    shown = [s for s in slots if s.order is not None]
    if closed:
        lines.append(
            _("rotation for that moment once the office is open: {n} item(s)", n=len(shown))
        )
    else:
        lines.append(_("what plays then, in order: {n} item(s)", n=len(shown)))
    for s in slots:
        if s.order is not None:
            note = schedule_note(s.item.schedule)
            kind = kind_label(s.item)
            if note:
                lines.append(
                    _(
                        "  {order}. {file} ({kind}) — {note}",
                        order=s.order,
                        file=s.item.rel,
                        kind=kind,
                        note=note,
                    )
                )
            else:
                lines.append(
                    _("  {order}. {file} ({kind})", order=s.order, file=s.item.rel, kind=kind)
                )
    if not shown:
        lines.append(_("  (nothing: the screen shows the idle picture)"))
    for s in slots:
        if s.order is None:
            lines.append(_("  - {file}: not shown: {reason}", file=s.item.rel, reason=s.reason))
    return lines


def _days_text(days: int) -> Msg:
    if days == 0:
        return _("today, its last day")
    return _("in 1 day") if days == 1 else _("in {n} days", n=days)


def expiry_problems(
    playlist: Playlist, now: datetime, days: int = EXPIRY_WARNING_DAYS
) -> list[Problem]:
    """Warnings for items whose `valid_until` is within `days` of `now`, or already past.

    Why warn: an expiring procedure disappears from the screen by itself, which is the point,
    but the admin who wanted it renewed must hear about it before, not from a citizen.
    Positioned where the rule is written (the schedule key in the playlist entry or in the
    sidecar file), else at the playlist entry, else at the file.
    """
    out: list[Problem] = []
    for item in playlist.items:
        schedule = item.schedule
        if schedule is None or schedule.valid_until is None:
            continue
        today = office_time(now, schedule.timezone).date()
        until = schedule.valid_until
        where = _rule_position(item)
        if schedule.expires_within(now, days) is not None:
            left = (until - today).days
            out.append(
                Problem(
                    where,
                    _(
                        "{file} expires on {date:%Y-%m-%d} ({left}); it is not shown after that "
                        "day: change valid_until to keep it",
                        file=item.rel,
                        date=until,
                        left=_days_text(left),
                    ),
                    "warning",
                )
            )
        elif schedule.expired(now):
            ago = (today - until).days
            out.append(
                Problem(
                    where,
                    _(
                        "{file} expired on {date:%Y-%m-%d} ({n} day(s) ago) and is no longer "
                        "shown; delete it or change valid_until",
                        file=item.rel,
                        date=until,
                        n=ago,
                    ),
                    "warning",
                )
            )
    return out


def _rule_position(item: Item) -> Position:
    schedule = item.schedule
    if schedule is not None and schedule.pos is not None and schedule.pos.line > 0:
        return schedule.pos
    if item.origin is not None and item.origin.line > 0:
        return item.origin
    sidecar = item.path + ".yaml"
    return Position(sidecar if os.path.isfile(sidecar) else item.path)
