"""Proof of play, read back at the hub: the lines an office wrote, and what they add up to.

Pure: it is handed the text of the files that came back (kiosk.state.proofofplay writes them,
one JSON object a line, times with the office's UTC offset) and counts. A day is the office's
own day (the date its line's start carries), so "shown on 2 December" means what the office
saw on its wall clock. A torn or foreign line is counted as unreadable, never fatal: the last
line of a file can be cut by a power cut, and the report says how many there were.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

OUTCOMES = ("completed", "skipped", "failed")


@dataclass(frozen=True)
class Play:
    """One item that was on screen at an office."""

    start: str  # ISO 8601 with the office's offset, as written
    day: date  # the office's own date of `start`
    file: str  # relative to its sync folder, e.g. 10-province/1-nop-ho-so.mp4
    kind: str
    duration_s: float
    outcome: str  # completed | skipped | failed
    reason: str = ""


def parse_line(line: str) -> Play | None:
    """The play a line records; None for a torn, empty or foreign line."""
    try:
        data = json.loads(line)
        start = str(data["start"])
        play = Play(
            start=start,
            day=date.fromisoformat(start[:10]),
            file=str(data["file"]),
            kind=str(data.get("kind", "")),
            duration_s=max(0.0, float(data.get("duration_s", 0.0))),
            outcome=str(data.get("outcome", "")),
            reason=str(data.get("reason", "")),
        )
    except (ValueError, TypeError, KeyError):
        return None
    return play if play.outcome in OUTCOMES else None


def parse(text: str) -> tuple[list[Play], int]:
    """The plays of a file's text, and how many non-empty lines could not be read."""
    plays: list[Play] = []
    bad = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        play = parse_line(line)
        if play is None:
            bad += 1
        else:
            plays.append(play)
    return plays, bad


@dataclass
class Tally:
    plays: int = 0
    completed: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0  # on screen, whatever the outcome

    def add(self, play: Play) -> None:
        self.plays += 1
        setattr(self, play.outcome, getattr(self, play.outcome) + 1)
        self.seconds += play.duration_s

    @property
    def minutes(self) -> float:
        return self.seconds / 60.0


@dataclass
class Report:
    first: date
    last: date
    by_clip: dict[str, dict[str, Tally]] = field(default_factory=dict)  # office -> clip ->
    by_day: dict[str, dict[date, Tally]] = field(default_factory=dict)  # office -> day ->
    unreadable: dict[str, int] = field(default_factory=dict)  # office -> lines

    def days(self) -> list[date]:
        return [
            date.fromordinal(d) for d in range(self.first.toordinal(), self.last.toordinal() + 1)
        ]

    def clip_totals(self) -> dict[str, Tally]:
        """Every office added up, per clip: how often each procedure was shown in all."""
        totals: dict[str, Tally] = {}
        for clips in self.by_clip.values():
            for clip, t in clips.items():
                total = totals.setdefault(clip, Tally())
                total.plays += t.plays
                total.completed += t.completed
                total.skipped += t.skipped
                total.failed += t.failed
                total.seconds += t.seconds
        return dict(sorted(totals.items()))


def tally(
    offices: Mapping[str, Iterable[Play]],
    first: date,
    last: date,
    unreadable: Mapping[str, int] | None = None,
) -> Report:
    """Counts each office's plays from `first` to `last` (both included, office days)."""
    report = Report(first, last, unreadable=dict(unreadable or {}))
    for office, plays in offices.items():
        clips = report.by_clip.setdefault(office, {})
        days = report.by_day.setdefault(office, {})
        for play in plays:
            if first <= play.day <= last:
                clips.setdefault(play.file, Tally()).add(play)
                days.setdefault(play.day, Tally()).add(play)
        report.by_clip[office] = dict(sorted(clips.items()))
    return report
