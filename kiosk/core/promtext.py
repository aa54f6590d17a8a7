"""The hub's view of its offices in Prometheus' text format, for node_exporter's textfile
collector: the monitoring a province's IT centre already runs alerts on it.

Pure: it is handed the judged views (kiosk.core.fleetview) and renders them. Every office
series carries `office` (its ID) and `group` (its groups joined by commas, "" for none), so
one rule can alert per office and a dashboard can sum per district. A value that is not
known (no status ever arrived, the hub's Syncthing could not be asked) is left out rather
than made up: `absent()` and the `up` series say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kiosk.core.fleetview import OfficeView

STATES = ("online", "offline", "closed", "problem")


@dataclass(frozen=True)
class Family:
    name: str
    kind: str  # gauge | counter
    help: str


FAMILIES = (
    Family("kiosk_office_info", "gauge", "An office of the fleet: its full name; always 1."),
    Family(
        "kiosk_office_up",
        "gauge",
        "1 if the office's player sent a fresh status (open or closed), else 0.",
    ),
    Family(
        "kiosk_office_open_now", "gauge", "1 if the office is within its own hours now (in_hours)."
    ),
    Family("kiosk_office_state", "gauge", "1 for the office's state as `kiosk fleet status` says."),
    Family(
        "kiosk_office_status_age_seconds",
        "gauge",
        "Age of the office's last status at the hub; missing if none arrived.",
    ),
    Family(
        "kiosk_office_screenshot_age_seconds",
        "gauge",
        "Age of the office's last screenshot; missing if none arrived.",
    ),
    Family("kiosk_office_files_set_aside", "gauge", "Files the office's player cannot play."),
    Family("kiosk_office_player_problems", "gauge", "Problems the office's player reports."),
    Family("kiosk_office_alerts", "gauge", "Alerts `kiosk fleet status` raises for the office."),
    Family(
        "kiosk_office_stalls_total",
        "counter",
        "Playback stalls the office's player counted since it started.",
    ),
    Family(
        "kiosk_office_restarts_total",
        "counter",
        "Player restarts the office's player counted since it started.",
    ),
    Family(
        "kiosk_office_syncthing_connected",
        "gauge",
        "1 if the office's Syncthing is connected to the hub's; missing if unknown.",
    ),
    Family(
        "kiosk_office_content_completion_ratio",
        "gauge",
        "How much of a content tier the office holds (0 to 1), from Syncthing.",
    ),
    Family("kiosk_fleet_offices", "gauge", "Offices in the fleet."),
    Family(
        "kiosk_fleet_hub_syncthing_up",
        "gauge",
        "1 if the hub's Syncthing answered when the metrics were written.",
    ),
    Family(
        "kiosk_fleet_metrics_timestamp_seconds",
        "gauge",
        "When these metrics were written (Unix time): alert if it stops moving.",
    ),
)


def escape(value: str) -> str:
    """A label value: backslash, double quote and newline escaped as the format says."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in pairs) + "}"


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(round(float(x), 3))


def render(views: Sequence[OfficeView], now: float, hub_up: bool) -> str:
    """The whole file: each family's HELP and TYPE, then its samples."""
    samples: dict[str, list[str]] = {f.name: [] for f in FAMILIES}

    def put(name: str, labels: list[tuple[str, str]], value: float | None) -> None:
        if value is not None:
            samples[name].append(f"{name}{_labels(labels)} {_number(value)}")

    for v in views:
        base = [("office", v.id), ("group", ",".join(v.groups))]
        put("kiosk_office_info", [*base, ("name", v.name)], 1)
        put("kiosk_office_up", base, int(v.alive))
        put("kiosk_office_open_now", base, int(v.in_hours))
        for state in STATES:
            put("kiosk_office_state", [*base, ("state", state)], int(v.state == state))
        put("kiosk_office_status_age_seconds", base, v.status_age_s)
        put("kiosk_office_screenshot_age_seconds", base, v.screenshot_age_s)
        put("kiosk_office_files_set_aside", base, len(v.set_aside))
        put("kiosk_office_player_problems", base, len(v.problems))
        put("kiosk_office_alerts", base, len(v.alerts))
        put("kiosk_office_stalls_total", base, v.stalls)
        put("kiosk_office_restarts_total", base, v.restarts)
        put(
            "kiosk_office_syncthing_connected",
            base,
            None if v.connected is None else int(v.connected),
        )
        for tier, pct in v.completion.items():
            ratio = None if pct is None else max(0.0, min(1.0, pct / 100.0))
            put("kiosk_office_content_completion_ratio", [*base, ("tier", tier)], ratio)
    samples["kiosk_fleet_offices"].append(f"kiosk_fleet_offices {len(views)}")
    samples["kiosk_fleet_hub_syncthing_up"].append(f"kiosk_fleet_hub_syncthing_up {int(hub_up)}")
    samples["kiosk_fleet_metrics_timestamp_seconds"].append(
        f"kiosk_fleet_metrics_timestamp_seconds {_number(round(now, 3))}"
    )
    lines: list[str] = []
    for f in FAMILIES:
        lines += [f"# HELP {f.name} {f.help}", f"# TYPE {f.name} {f.kind}", *samples[f.name]]
    return "\n".join(lines) + "\n"
