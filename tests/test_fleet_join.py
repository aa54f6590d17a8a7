"""An office joins, and the hub adds it, in either order, with real Syncthing instances.

The README's order is join, then add-office. A province admin may well add every office at
the hub first and visit them after; the office's Syncthing then meets the hub's offer the
moment join lets it accept the hub's folders, and it used to auto-accept its own state folder
as a new folder under Syncthing's default path (`~/kiosk state a`), after which join stopped
with a FleetError. Either order must leave the same setup: the state folder at the office's
state dir, send-only, shared with the hub, its files kept and sent; the tiers in the sync
folder, receive-only. The last test starts from what that failed join left behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.fleet import publish as fleet_publish
from kiosk.state.status import STATUS_FILE, write_atomic
from tests.syncthing import Pair

pytestmark = pytest.mark.syncthing

KEPT = "proof-of-play/proof-of-play-2026-12-01.jsonl"  # a state file from before the join
NOTICE = "thong-bao.md"  # a text slide: publish checks it without libVLC


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    s = Pair.start(tmp_path)
    try:
        # The player ran before the office joined: its state folder holds files already.
        write_atomic(s.state / STATUS_FILE, json.dumps({"state": "running", "n": 1}))
        write_atomic(s.state / KEPT, '{"file": "10-province/x.mp4"}\n')
        yield s
    finally:
        s.stop()


def _folders(s: Pair) -> dict[str, dict[str, Any]]:
    """The office's Syncthing folders by ID."""
    return {f["id"]: f for f in s.office.api().get("/rest/config/folders")}


def _pending(s: Pair) -> set[str]:
    """The folders the hub offers that the office's Syncthing has not taken."""
    return set(s.office.api().get("/rest/cluster/pending/folders") or {})


def _set_up_right(s: Pair, qtbot: QtBot) -> None:
    """Whatever the order, what join promises: checked in Syncthing's config and on disk."""
    wanted = sorted([s.folder, "kiosk-province", "kiosk-office-a"])
    qtbot.waitUntil(lambda: sorted(_folders(s)) == wanted, timeout=30_000)
    folders = _folders(s)
    state = folders[s.folder]
    assert (Path(state["path"]), state["type"]) == (s.state, "sendonly"), state
    assert s.hub.device_id in {d["deviceID"] for d in state["devices"]}
    province = folders["kiosk-province"]
    assert (Path(province["path"]), province["type"]) == (s.sync / "10-province", "receiveonly")
    assert not _pending(s)
    assert not [line for line in s.said if "warning" in line], "\n".join(s.said)
    # The office's files are still there, and reach the hub; the hub's content reaches the
    # office's sync folder.
    assert json.loads((s.state / STATUS_FILE).read_text())["n"] == 1
    assert (s.state / KEPT).is_file()
    qtbot.waitUntil(
        lambda: (s.at_hub / KEPT).is_file() and (s.at_hub / STATUS_FILE).is_file(),
        timeout=30_000,
    )
    notice = s.root / NOTICE
    notice.write_text("# Nộp hồ sơ\n\n1. Lấy số thứ tự\n2. Nộp hồ sơ\n", encoding="utf-8")
    code = fleet_publish.publish(s.fleet, s.hub.home, [notice], "province", None, s.said.append)
    assert code == 0, "\n".join(s.said)
    qtbot.waitUntil((s.sync / "10-province" / NOTICE).is_file, timeout=30_000)
    # And the hub learns that it arrived (the office's index of the tier reaches the hub).
    hub = s.hub.api()

    def complete() -> bool:
        got = hub.get("/rest/db/completion", folder="kiosk-province", device=s.office.device_id)
        return bool(got["completion"] == 100 and got["globalItems"] == 1)

    qtbot.waitUntil(complete, timeout=30_000)


def _nothing_under_syncthings_default_path(s: Pair) -> None:
    """No folder accepted there, or one moved from there and left empty behind (its HOME)."""
    home = s.office.root / "home"
    assert not list(home.iterdir()), "\n".join(s.said)


def test_join_then_add_office(pair: Pair, qtbot: QtBot) -> None:
    """The README's order."""
    assert pair.join() == 0, pair.said
    assert pair.add_office() == 0, pair.said
    _set_up_right(pair, qtbot)


def test_add_office_then_join(pair: Pair, qtbot: QtBot) -> None:
    """The hub's admin added the office first; its Syncthing refused the hub, unknown yet."""
    assert pair.add_office() == 0, pair.said
    qtbot.waitUntil(
        lambda: pair.hub.device_id in (pair.office.api().get("/rest/cluster/pending/devices")
                                        or {}),
        timeout=30_000,
    )  # fmt: skip
    assert pair.join() == 0, "\n".join(pair.said)
    _set_up_right(pair, qtbot)
    _nothing_under_syncthings_default_path(pair)


@pytest.mark.parametrize("auto_accept", [True, False], ids=["auto-accepted", "pending"])
def test_join_again_places_a_state_folder_the_hub_offered(
    pair: Pair, qtbot: QtBot, auto_accept: bool
) -> None:
    """What an earlier join left: the hub known, with its folders auto-accepted where
    Syncthing's defaults put them (the state folder as `~/kiosk state a`), or still pending
    (the hub added in Syncthing's GUI without auto-accept). Join again puts it right."""
    # As the README has it, only the office dials (the offices know where the hub is, not
    # the other way round); it dials at once as it learns of the hub.
    assert pair.add_office(dial=False) == 0, pair.said
    pair.office.api().post(
        "/rest/config/devices",
        {
            "deviceID": pair.hub.device_id,
            "addresses": [pair.hub.address],
            "autoAcceptFolders": auto_accept,
        },
    )
    if auto_accept:
        qtbot.waitUntil(lambda: pair.folder in _folders(pair), timeout=30_000)
        assert _folders(pair)[pair.folder]["path"] == "~/kiosk state a"
        misplaced = pair.office.root / "home" / "kiosk state a"  # its HOME
        assert misplaced.is_dir()
    else:
        qtbot.waitUntil(lambda: pair.folder in _pending(pair), timeout=30_000)
    assert pair.join() == 0, "\n".join(pair.said)
    _set_up_right(pair, qtbot)
    _nothing_under_syncthings_default_path(pair)


def test_a_tier_accepted_elsewhere_with_files_is_said_and_not_moved(
    pair: Pair, qtbot: QtBot
) -> None:
    """An earlier join let Syncthing accept the province's tier under its default path, and
    the hub's clips arrived there: join says so and moves nothing (moved in Syncthing's
    config, its files would be reported deleted); what it says to do then works."""
    notice = pair.root / NOTICE
    notice.write_text("# Nộp hồ sơ\n\n1. Lấy số thứ tự\n2. Nộp hồ sơ\n", encoding="utf-8")
    assert fleet_publish.publish(pair.fleet, pair.hub.home, [notice], "province", None,
                                 pair.said.append) == 0  # fmt: skip
    assert pair.add_office(dial=False) == 0, pair.said
    office = pair.office.api()
    office.post(
        "/rest/config/devices",
        {
            "deviceID": pair.hub.device_id,
            "addresses": [pair.hub.address],
            "autoAcceptFolders": True,
        },
    )
    elsewhere = pair.office.root / "home" / "10-province"
    qtbot.waitUntil((elsewhere / NOTICE).is_file, timeout=30_000)
    assert pair.join() == 0, "\n".join(pair.said)
    warning = next(line for line in pair.said if "warning" in line)
    assert "tier 10-province was accepted at ~/10-province" in warning, warning
    assert _folders(pair)["kiosk-province"]["path"] == "~/10-province"
    assert (elsewhere / NOTICE).is_file()
    # As the warning says: remove that folder in Syncthing, restart it.
    office.delete("/rest/config/folders/kiosk-province")
    pair.office.stop()
    pair.office.start()
    qtbot.waitUntil((pair.sync / "10-province" / NOTICE).is_file, timeout=30_000)
    assert Path(_folders(pair)["kiosk-province"]["path"]) == pair.sync / "10-province"
    assert (elsewhere / NOTICE).is_file()  # its files stay on disk
