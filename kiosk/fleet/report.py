"""`kiosk fleet report`: how often each clip was shown, per office, from the proof of play
that came back to the hub (offices/ID/proof-of-play/).

For each office and clip: plays, completed, skipped, failed, minutes on screen, over the
offices' own days FROM to TO. Printed as a table; `--csv FILE` writes the same rows (UTF-8
with a byte-order mark, so a spreadsheet shows Vietnamese names right); `--charts DIR` draws
a daily chart per office (pygal, SVG) and an index.html with the totals, to send on as is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pygal
from pygal.style import Style

from kiosk.core.fleettiers import state_folder_id
from kiosk.core.pagemodel import OUTCOME_WORDS, slug
from kiosk.core.playstats import Report, Tally, tally
from kiosk.fleet.page.site import environment
from kiosk.fleet.plays import plays_between
from kiosk.fleet.publicfile import write_public
from kiosk.fleet.received import hub_syncthing, index_of
from kiosk.fleet.registry import FleetError, Office, load
from kiosk.i18n import current, localize

Out = Callable[[str], None]
COLUMNS = (
    "office",
    "name",
    "groups",
    "clip",
    "plays",
    "completed",
    "skipped",
    "failed",
    "minutes_on_screen",
)
COLOURS = ("#2e7d32", "#e65100", "#c62828")  # completed, skipped, failed: as on the page


def choose(offices: dict[str, Office], group: str | None, office: str | None) -> list[Office]:
    if office is not None and office not in offices:
        raise FleetError(f"no office {office!r} in the fleet (kiosk fleet status lists them)")
    chosen = [
        o
        for o in sorted(offices.values(), key=lambda o: o.id)
        if (office is None or o.id == office) and (group is None or group in o.groups)
    ]
    if group is not None and not chosen:
        raise FleetError(f"no office in group {group!r}")
    return chosen


def _row(t: Tally) -> list[str]:
    return [str(t.plays), str(t.completed), str(t.skipped), str(t.failed), f"{t.minutes:.1f}"]


def rows(report: Report, offices: list[Office]) -> list[list[str]]:
    out = []
    for o in offices:
        for clip, t in report.by_clip.get(o.id, {}).items():
            out.append([o.id, o.name, ",".join(o.groups), clip, *_row(t)])
    return out


def csv_bytes(report: Report, offices: list[Office]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(report, offices))
    return buffer.getvalue().encode("utf-8-sig")


def chart(report: Report, office: Office) -> bytes:
    """The office's plays per day, stacked by outcome (an SVG; pygal escapes the title)."""
    days = report.days()
    per_day = report.by_day.get(office.id, {})
    minutes = sum(t.seconds for t in per_day.values()) / 60
    bars = pygal.StackedBar(
        js=[],  # pygal links a tooltip script from the internet by default
        width=900,
        height=360,
        title=f"{office.name or office.id}: lượt phát mỗi ngày ({minutes:.0f} phút trên màn hình)",
        x_title="Ngày",
        y_title="Lượt phát",
        legend_at_bottom=True,
        show_minor_x_labels=len(days) <= 31,
        x_label_rotation=0 if len(days) <= 14 else 45,
        style=Style(
            font_family='"Noto Sans", "DejaVu Sans", sans-serif',
            colors=COLOURS,
            background="white",
            plot_background="white",
        ),
    )
    bars.x_labels = [d.strftime("%d/%m") for d in days]
    for outcome in ("completed", "skipped", "failed"):
        bars.add(
            localize(OUTCOME_WORDS[outcome]),
            [getattr(per_day.get(d, Tally()), outcome) for d in days],
        )
    return bytes(bars.render())


def _table(report: Report, offices: list[Office]) -> list[str]:
    lines = []
    width = max([40, *(len(c) for o in report.by_clip.values() for c in o)])
    head = f"  {'CLIP':<{width}} {'PLAYS':>6} {'DONE':>6} {'SKIP':>6} {'FAIL':>6} {'MINUTES':>8}"
    for o in offices:
        clips = report.by_clip.get(o.id, {})
        lines.append(f"{o.id}" + (f" ({o.name})" if o.name else "") + ":")
        if not clips:
            lines.append("  no plays in these days")
            continue
        lines.append(head)
        for clip, t in clips.items():
            p, c, s, f, m = _row(t)
            lines.append(f"  {clip:<{width}} {p:>6} {c:>6} {s:>6} {f:>6} {m:>8}")
    totals = report.clip_totals()
    if len(offices) > 1 and totals:
        lines.append(f"all {len(offices)} offices:")
        lines.append(head)
        for clip, t in totals.items():
            p, c, s, f, m = _row(t)
            lines.append(f"  {clip:<{width}} {p:>6} {c:>6} {s:>6} {f:>6} {m:>8}")
    return lines


def report(
    root: Path,
    home: Path | None,
    first: date,
    last: date,
    group: str | None,
    office: str | None,
    csv_path: Path | None,
    charts: Path | None,
    out: Out,
) -> int:
    if first > last:
        raise FleetError(f"--from {first} is after --to {last}")
    fleet = load(root)
    offices = choose(fleet.offices, group, office)
    api = hub_syncthing(fleet, home)  # a day's file it is replacing is not a day without plays
    plays, unreadable = {}, {}
    for o in offices:
        held = index_of(api, state_folder_id(o.device))
        plays[o.id], unreadable[o.id] = plays_between(fleet.state_dir(o.id), first, last, held)
    result = tally(plays, first, last, unreadable)
    out(f"proof of play from {first} to {last} (each office's own days): {len(offices)} office(s)")
    for line in _table(result, offices):
        out(line)
    bad = {k: v for k, v in unreadable.items() if v}
    if bad:
        out(
            "unreadable lines (cut by a power cut, or not a play): "
            + ", ".join(f"{k} {v}" for k, v in bad.items())
        )
    if csv_path is not None:
        write_public(csv_path, csv_bytes(result, offices))
        out(f"wrote {csv_path}")
    if charts is not None:
        for o in offices:
            write_public(charts / f"office-{slug(o.id)}.svg", chart(result, o))
        index = (
            environment()
            .get_template("report.html")
            .render(
                first=first.strftime("%d/%m/%Y"),
                last=last.strftime("%d/%m/%Y"),
                offices=[(o, slug(o.id), result.by_clip.get(o.id, {})) for o in offices],
                totals=result.clip_totals(),
                lang=current(),
            )
        )
        write_public(charts / "index.html", index.encode("utf-8"))
        out(f"wrote {len(offices)} chart(s) and index.html into {charts}")
    return 0
