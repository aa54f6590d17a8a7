"""Office hours as plain JSON, so that status.json carries them to whoever reads it.

The province's hub judges "closed, not dark" with the office's own hours, time zone and
holidays, which only the office's config knows: the player writes them into its status, the
hub reads them back into the same OfficeHours the player uses.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kiosk.core.schedule import OfficeHours, TimeWindow


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    return int(hours) * 60 + int(minutes)


def hours_to_json(hours: OfficeHours) -> dict[str, Any]:
    """{"timezone", "always_open", "week": 7 lists of "HH:MM-HH:MM" (Monday first), "holidays"}"""
    return {
        "timezone": hours.timezone,
        "always_open": hours.always_open,
        "week": [[f"{_hhmm(w.start)}-{_hhmm(w.end)}" for w in day] for day in hours.week],
        "holidays": sorted(d.isoformat() for d in hours.holidays),
    }


def hours_from_json(data: object) -> OfficeHours | None:
    """The OfficeHours written by `hours_to_json`; None if `data` is not that shape."""
    if not isinstance(data, dict):
        return None
    try:
        timezone = str(data["timezone"])
        if data.get("always_open"):
            return OfficeHours.always(timezone)
        week = tuple(
            tuple(TimeWindow(_minutes(w.split("-")[0]), _minutes(w.split("-")[1])) for w in day)
            for day in data["week"]
        )
        holidays = frozenset(date.fromisoformat(d) for d in data.get("holidays", ()))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None
    if len(week) != 7:
        return None
    hours = OfficeHours(week, timezone, holidays)
    try:
        hours.tz  # noqa: B018 (an unknown time zone must fail here, not at the first use)
    except Exception:
        return None
    return hours
