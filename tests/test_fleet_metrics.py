"""`kiosk fleet metrics`: the four offices in Prometheus' text format, validated by promtool,
written atomically; and the example alert rule in docs/, run by `promtool test rules`."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from kiosk.core.promtext import escape
from kiosk.fleet.metrics import metrics
from tests.fleetfixture import Hub, four_offices, rest_facts

PROMTOOL = shutil.which("promtool") or "promtool"
RULES = Path(__file__).resolve().parent.parent / "docs" / "fleet-alerts.yml"
ODD_NAME = 'UBND "Tân An" \\ chi nhánh\nmới'
_SAMPLE = re.compile(r"^(\w+)(?:\{(.*)\})? (\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def _parse(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    samples = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        assert m, line
        labels = frozenset(_LABEL.findall(m[2] or ""))
        samples[(m[1], labels)] = float(m[3])
    return samples


def _get(samples: dict, name: str, office: str, **labels: str) -> float | None:
    for (n, ls), v in samples.items():
        d = dict(ls)
        if (
            n == name
            and d.get("office") == office
            and all(d.get(k) == x for k, x in labels.items())
        ):
            return float(v)
    return None


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    hub = four_offices(tmp_path / "fleet", time.time())
    hub.fleet.offices["ubnd-tan-an"].name = ODD_NAME
    hub.fleet.save()
    return hub


def _write(hub: Hub, path: Path) -> int:
    lines: list[str] = []
    code = metrics(hub.root, None, 30.0, path, lines.append, hub.now, rest_facts(hub.rest))
    assert not lines, lines
    return code


def test_metrics_for_the_four_offices(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "textfile" / "kiosk.prom"
    assert _write(hub, path) == 0
    text = path.read_text(encoding="utf-8")
    check = subprocess.run(
        [PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    s = _parse(text)
    offices = ("ubnd-an-phu", "ubnd-tan-an", "ubnd-phu-my", "tt-hcc")
    assert [_get(s, "kiosk_office_up", o) for o in offices] == [1, 0, 0, 1]
    assert [_get(s, "kiosk_office_open_now", o) for o in offices] == [1, 1, 0, 1]
    states = ("online", "offline", "closed", "problem")
    for office, state in zip(offices, states, strict=True):
        assert _get(s, "kiosk_office_state", office, state=state) == 1
        assert sum(_get(s, "kiosk_office_state", office, state=x) or 0 for x in states) == 1
    assert _get(s, "kiosk_office_status_age_seconds", "ubnd-an-phu") == pytest.approx(2, abs=0.01)
    assert _get(s, "kiosk_office_status_age_seconds", "ubnd-phu-my") == pytest.approx(7200, abs=1)
    assert _get(s, "kiosk_office_files_set_aside", "tt-hcc") == 2
    assert _get(s, "kiosk_office_files_set_aside", "ubnd-an-phu") == 0
    assert _get(s, "kiosk_office_stalls_total", "ubnd-an-phu") == 2
    assert _get(s, "kiosk_office_restarts_total", "ubnd-an-phu") == 1
    assert _get(s, "kiosk_office_syncthing_connected", "ubnd-tan-an") == 0
    assert _get(s, "kiosk_office_content_completion_ratio", "tt-hcc", tier="10-province") == 0.8
    assert _get(s, "kiosk_office_content_completion_ratio", "tt-hcc", tier="30-office") == 0.8
    assert (
        _get(s, "kiosk_office_content_completion_ratio", "ubnd-an-phu", tier="20-chau-thanh") == 1
    )
    # Labelled by office and group; an office in no group has group="".
    assert _get(s, "kiosk_office_up", "ubnd-an-phu", group="chau-thanh") == 1
    assert _get(s, "kiosk_office_up", "tt-hcc", group="") == 1
    # A name with quotes, a backslash and a newline stays one valid label value.
    assert f'name="{escape(ODD_NAME)}"' in text
    assert escape(ODD_NAME) == 'UBND \\"Tân An\\" \\\\ chi nhánh\\nmới'
    assert s[("kiosk_fleet_offices", frozenset())] == 4
    assert s[("kiosk_fleet_hub_syncthing_up", frozenset())] == 1
    assert path.stat().st_mode & 0o777 == 0o644  # node_exporter runs as its own user
    assert sorted(p.name for p in path.parent.iterdir()) == ["kiosk.prom"]


def test_the_file_is_replaced_whole(hub: Hub, tmp_path: Path) -> None:
    """The collector may read at any moment: every read is a whole file."""
    path = tmp_path / "kiosk.prom"
    _write(hub, path)
    seen: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(path.read_text(encoding="utf-8"))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(40):
            _write(hub, path)
    finally:
        done.set()
        reader.join()
    assert len(seen) > 40
    whole = [t for t in seen if t.rstrip("\n").splitlines()[-1].startswith("kiosk_fleet_metrics_")]
    assert len(whole) == len(seen)


def test_without_the_hubs_syncthing_metrics_are_still_written(tmp_path: Path) -> None:
    hub = four_offices(tmp_path / "fleet", time.time())
    lines: list[str] = []
    code = metrics(hub.root, tmp_path / "no-syncthing", 30.0, Path("-"), lines.append, hub.now)
    assert code == 0
    s = _parse(lines[0])
    assert s[("kiosk_fleet_hub_syncthing_up", frozenset())] == 0
    assert _get(s, "kiosk_office_up", "ubnd-an-phu") == 1  # the files alone say so
    assert _get(s, "kiosk_office_syncthing_connected", "ubnd-an-phu") is None  # not made up
    assert not any(n == "kiosk_office_content_completion_ratio" for n, _ in s)


ALERT_TEST = """
rule_files: [{rules}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # dark during hours from minute 5 on
      - series: 'kiosk_office_up{{office="dark",group="g",instance="hub:9100",job="node"}}'
        values: '1x4 0x20'
      - series: 'kiosk_office_open_now{{office="dark",group="g",instance="hub:9100",job="node"}}'
        values: '1x25'
      # silent all along, but closed
      - series: 'kiosk_office_up{{office="shut",group="g",instance="hub:9100",job="node"}}'
        values: '0x25'
      - series: 'kiosk_office_open_now{{office="shut",group="g",instance="hub:9100",job="node"}}'
        values: '0x25'
      - series: 'kiosk_fleet_metrics_timestamp_seconds{{instance="hub:9100",job="node"}}'
        values: '0+60x25'
    alert_rule_test:
      - eval_time: 14m
        alertname: KioskOfficeDarkDuringHours
        exp_alerts: []
      - eval_time: 16m
        alertname: KioskOfficeDarkDuringHours
        exp_alerts:
          - exp_labels:
              {{office: dark, group: g, instance: "hub:9100", job: node, severity: warning}}
            exp_annotations:
              summary: "TV dark at dark during office hours"
              description: >-
                Office dark (group g) has sent no status for more than 10 minutes while it
                is open. `kiosk fleet status` at the hub says whether its Syncthing is still
                connected (the player is dark) or not (the machine or its link is down).
      - eval_time: 20m
        alertname: KioskFleetMetricsStale
        exp_alerts: []
"""


def test_the_example_alert_fires_after_10_minutes_dark_in_hours(tmp_path: Path) -> None:
    check = subprocess.run([PROMTOOL, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    test = tmp_path / "alerts_test.yml"
    test.write_text(ALERT_TEST.format(rules=RULES))
    run = subprocess.run([PROMTOOL, "test", "rules", str(test)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
