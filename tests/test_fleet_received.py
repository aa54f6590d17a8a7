"""An office's status.json while Syncthing replaces it at the hub (kiosk.fleet.received).

Syncthing removes the hub's old copy before it renames the new one into place, so the file
is missing for a moment at every replacement. `kiosk fleet status` once reported an office
"offline: no status received yet" from such a moment. The first tests drive the reader's
decisions on real files; the last ones replace status.json many times through a real hub
and office Syncthing and read it at the hub without pause meanwhile.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.core.fleettiers import state_folder_id
from kiosk.fleet import hub as fleet_hub
from kiosk.fleet import player as fleet_player
from kiosk.fleet import received
from kiosk.fleet.received import Holds, Vanished, held_by, read_received
from kiosk.fleet.status import read_status
from kiosk.fleet.statuscmd import status as fleet_status
from kiosk.state.status import STATUS_FILE, StatusWriter
from tests.syncthing import Instance, start_all


class Asked:
    """A Holds that answers from a list (the last answer repeats) and counts the questions."""

    def __init__(self, *answers: bool | None, then: Path | None = None) -> None:
        self.answers = list(answers)
        self.calls = 0
        self.then = then  # a file that lands right after the first question

    def __call__(self) -> bool | None:
        self.calls += 1
        if self.then is not None and self.calls == 1:
            self.then.write_text('{"n": 2}', encoding="utf-8")
        return self.answers[min(self.calls, len(self.answers)) - 1]


def test_a_file_syncthing_does_not_hold_is_not_received_without_waiting(tmp_path: Path) -> None:
    asked = Asked(False)
    assert read_received(tmp_path / STATUS_FILE, asked, wait_s=3600) is None
    assert asked.calls == 1
    assert read_status(tmp_path / STATUS_FILE, asked) == (None, "")


def test_a_file_being_replaced_is_read_once_it_is_back(tmp_path: Path) -> None:
    path = tmp_path / STATUS_FILE
    asked = Asked(True, then=path)  # the rename lands just after the hub's index was asked
    assert read_status(path, asked) == ({"n": 2}, "")
    assert asked.calls == 1


def test_a_file_held_but_missing_for_longer_than_a_replacement_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / STATUS_FILE
    with pytest.raises(Vanished, match="missing although the hub's Syncthing holds it"):
        read_received(path, Asked(True), wait_s=0.05)
    monkeypatch.setattr(received, "REPLACE_WAIT_S", 0.05)
    status, error = read_status(path, Asked(True))
    assert status is None
    assert error.startswith(f"{path} is missing although the hub's Syncthing holds it")


@pytest.mark.parametrize("later", [False, None], ids=["deleted-by-the-office", "cannot-say"])
def test_a_file_gone_for_good_or_unknown_is_not_received(
    tmp_path: Path, later: bool | None
) -> None:
    asked = Asked(True, later)
    assert read_received(tmp_path / STATUS_FILE, asked, wait_s=0.05) is None
    assert asked.calls == 2
    assert read_received(tmp_path / STATUS_FILE, Asked(None), wait_s=0.05) is None


# ------------------------------------------------------------------------------------------
@dataclass
class Pair:
    """A hub and one office "a", each a real Syncthing, set up by the fleet commands."""

    root: Path
    hub: Instance
    office: Instance

    @property
    def fleet(self) -> Path:
        return self.root / "fleet"

    @property
    def state(self) -> Path:
        return self.root / "a" / "state"

    @property
    def at_hub(self) -> Path:
        return self.fleet / "offices" / "a" / STATUS_FILE

    @property
    def folder(self) -> str:
        return state_folder_id(self.office.device_id)

    def holds(self) -> Holds:
        return held_by(self.hub.api(), self.folder, STATUS_FILE)


def _quiet(_line: str) -> None:
    pass


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    hub, office = start_all(
        [Instance("hub", tmp_path / "st-hub"), Instance("a", tmp_path / "st-a")]
    )
    pair = Pair(tmp_path, hub, office)
    try:
        config = tmp_path / "a" / "office.yaml"
        config.parent.mkdir()
        config.write_text(
            f"office:\n  name: A\nsync:\n  dir: {tmp_path / 'a' / 'sync'}\n"
            f"state_dir: {pair.state}\n",
            encoding="utf-8",
        )
        assert fleet_hub.init(pair.fleet, hub.home, False, _quiet) == 0
        assert fleet_player.join(config, office.home, hub.device_id, hub.address, False,
                                 _quiet) == 0  # fmt: skip
        # With the office's address, the hub dials it at once (the office redials in 10 s).
        assert fleet_hub.add_office(pair.fleet, hub.home, "a", office.device_id, [], "",
                                    office.address, _quiet) == 0  # fmt: skip
        yield pair
    finally:
        hub.stop()
        office.stop()


def _status(n: int) -> dict[str, object]:
    return {"state": "running", "updated_at": time.time(), "heartbeat_s": 2.0, "n": n}


GAPS_WANTED = 3  # replacements during which the hub's reader found the file missing
MAX_REPLACEMENTS = 300


@pytest.mark.syncthing
def test_status_json_being_replaced_at_the_hub_is_never_taken_for_missing(
    pair: Pair, qtbot: QtBot
) -> None:
    holds = pair.holds()
    assert holds() is False  # nothing sent yet: not in the hub's index
    assert read_status(pair.at_hub, holds) == (None, "")
    writer = StatusWriter(pair.state)
    office = pair.office.api()
    assert writer.write(_status(1))
    # The hub's index lists the file once the pull that brought it ends, just after it lands.
    qtbot.waitUntil(
        lambda: read_status(pair.at_hub, holds)[0] is not None and holds() is True,
        timeout=30_000,
    )
    # Each new version is scanned at once and sent; the hub's copy is read without pause
    # until it is the new one. `met` counts the reads that found the file missing.
    met = 0

    def counting() -> bool | None:
        nonlocal met
        met += 1
        return holds()

    replaced = 1
    while met < GAPS_WANTED and replaced < MAX_REPLACEMENTS:
        replaced += 1
        assert writer.write(_status(replaced))
        office.post("/rest/db/scan", folder=pair.folder, sub=STATUS_FILE)
        deadline = time.monotonic() + 20
        while True:
            status, error = read_status(pair.at_hub, counting)
            assert status is not None, f"version {replaced}: {error or 'no status received'}"
            if status["n"] == replaced:
                break
            assert time.monotonic() < deadline, f"version {replaced} never reached the hub"
    assert met >= GAPS_WANTED, (
        f"Syncthing replaced status.json {replaced} times at the hub and the reader found it "
        f"missing {met} times only: does Syncthing now replace files in one rename? "
        "(kiosk.fleet.received)"
    )
    # What the province's cron sees meanwhile: the office online.
    out: list[str] = []
    code = fleet_status(pair.fleet, pair.hub.home, True, 30.0, out.append)
    view = json.loads("".join(out))["offices"][0]
    assert (code, view["state"]) == (0, "online"), view


@pytest.mark.syncthing
def test_a_status_json_the_office_deletes_is_no_status_at_the_hub(pair: Pair, qtbot: QtBot) -> None:
    holds = pair.holds()
    assert StatusWriter(pair.state).write(_status(1))
    qtbot.waitUntil(pair.at_hub.is_file, timeout=30_000)
    qtbot.waitUntil(lambda: holds() is True, timeout=10_000)
    (pair.state / STATUS_FILE).unlink()
    qtbot.waitUntil(lambda: not pair.at_hub.exists() and holds() is False, timeout=15_000)
    assert read_status(pair.at_hub, holds) == (None, "")
