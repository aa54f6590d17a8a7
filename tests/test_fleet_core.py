"""The fleet's pure decisions, without Syncthing: tiers and names, safe settings, the hub's
view of an office (online, offline, closed, problem), the guard's rule, tier playlists."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.fleetsafety import check, owned_fixes
from kiosk.core.fleettiers import (
    PROVINCE,
    group,
    normal_device_id,
    office,
    parse_target,
    state_folder_id,
    tier_of_folder,
)
from kiosk.core.fleetview import Completion, OfficeFacts, judge
from kiosk.core.hoursjson import hours_from_json, hours_to_json
from kiosk.core.playlist import resolve
from kiosk.core.schedule import OfficeHours, TimeWindow
from kiosk.fleet.guard import ADDED, CHANGED, written_by_hub
from kiosk.fleet.rest import GuiConfig, parse_time
from kiosk.sync.playlist_source import read_spec
from kiosk.sync.scan import scan

HUB = "FI5JTO3-42A3HX7-ICC3GG4-QODIQPA-JSQKCDW-YTQHBXL-W5RJSBO-WIZC7QR"
ME = "TLYQXAO-Y7GYE5A-DDCD7L6-DFXM2ZI-X66BHVS-ITOJ7G3-LLNL7BR-WYLRVAT"
OTHER = "HGFR3Z2-BYAFH6S-7VZFVDB-3N5JKJS-CLXLTEC-AXCTU5K-INVNASS-ATMKUA2"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


# ------------------------------------------------------------------------------ tiers, names
def test_tier_names_order_and_targets() -> None:
    tiers = [office("a"), group("north"), PROVINCE]
    assert [t.label for t in sorted(tiers)] == ["10-province", "20-north", "30-office"]
    assert [t.folder_id for t in sorted(tiers)] == [
        "kiosk-province",
        "kiosk-group-north",
        "kiosk-office-a",
    ]
    assert parse_target("group:north") == group("north")
    assert parse_target("office:a") == office("a")
    assert parse_target("province") == PROVINCE
    for bad in ("group:", "district:x", "office:Ấp 1", "province:x"):
        assert isinstance(parse_target(bad), str), bad
    for t in tiers:
        assert tier_of_folder(t.folder_id) == t
    assert tier_of_folder(state_folder_id(ME)) is None
    assert state_folder_id(ME) == "kiosk-state-tlyqxao"


def test_device_ids_are_normalised_or_refused() -> None:
    assert normal_device_id(ME.lower().replace("-", "")) == ME
    assert normal_device_id(ME[:-1]) is None
    assert normal_device_id(ME.replace("T", "1", 1)) is None  # 1 is not base32


# ------------------------------------------------------------------------------ safe settings
def _config(role: str) -> dict[str, Any]:
    """A safe config for the role, in the shape of GET /rest/config."""
    me, peer = (HUB, ME) if role == "hub" else (ME, HUB)
    tier = {
        "id": "kiosk-province",
        "type": "sendonly" if role == "hub" else "receiveonly",
        "devices": [{"deviceID": me}, {"deviceID": peer}],
        "versioning": {"type": "simple" if role == "hub" else ""},
    }
    state = {
        "id": state_folder_id(ME),
        "type": "receiveonly" if role == "hub" else "sendonly",
        "devices": [{"deviceID": me}, {"deviceID": peer}],
        "versioning": {"type": ""},
    }
    return {
        "options": {
            "relaysEnabled": False,
            "globalAnnounceEnabled": False,
            "localAnnounceEnabled": False,
        },
        "gui": {"address": "127.0.0.1:8384"},
        "devices": [
            {"deviceID": me},
            {"deviceID": peer, "autoAcceptFolders": role == "player", "introducer": False},
        ],
        "defaults": {
            "device": {"autoAcceptFolders": False, "introducer": False},
            "folder": {"type": "receiveonly" if role == "player" else "sendreceive"},
        },
        "folders": [tier, state],
    }


def _bad(config: dict[str, Any], role: str, **kw: Any) -> dict[str, str]:
    me = HUB if role == "hub" else ME
    hub = "" if role == "hub" else HUB
    return {f.rule: f.detail for f in check(config, role, me, hub, **kw) if not f.ok}


@pytest.mark.parametrize("role", ["hub", "player"])
def test_safe_configs_pass(role: str) -> None:
    assert _bad(_config(role), role) == {}


@pytest.mark.parametrize("role", ["hub", "player"])
def test_each_unsafe_setting_is_named(role: str) -> None:
    cases: list[tuple[str, Any]] = [
        ("relays off", lambda c: c["options"].update(relaysEnabled=True)),
        ("discovery off", lambda c: c["options"].update(globalAnnounceEnabled=True)),
        ("GUI/API on 127.0.0.1", lambda c: c["gui"].update(address="0.0.0.0:8384")),
        (
            "auto-accept from the hub only",
            lambda c: c["devices"].append({"deviceID": OTHER, "autoAcceptFolders": True}),
        ),
        ("no introducer", lambda c: c["devices"][1].update(introducer=True)),
        (
            "versioning only on the hub's content",
            lambda c: c["folders"][1].update(versioning={"type": "trashcan"}),
        ),
        (
            "tiers one way, state the other",
            lambda c: c["folders"][0].update(type="sendreceive"),
        ),
        (
            "tiers one way, state the other",
            lambda c: c["folders"][1]["devices"].append({"deviceID": OTHER}),
        ),
    ]
    for rule, spoil in cases:
        config = copy.deepcopy(_config(role))
        spoil(config)
        assert list(_bad(config, role)) == [rule], rule
    allowed = copy.deepcopy(_config(role))
    allowed["options"]["localAnnounceEnabled"] = True
    assert _bad(allowed, role, allow_discovery=True) == {}
    assert owned_fixes(allowed, allow_discovery=False) == {"localAnnounceEnabled": False}


def test_a_player_without_the_hub_accepting_is_not_safe() -> None:
    config = _config("player")
    config["devices"][1]["autoAcceptFolders"] = False
    assert "kiosk fleet join" in _bad(config, "player")["auto-accept from the hub only"]
    config = _config("player")
    config["defaults"]["folder"]["versioning"] = {"type": "simple"}
    assert list(_bad(config, "player")) == ["versioning only on the hub's content"]


# ------------------------------------------------------------------------------ office hours
WEEKDAYS = OfficeHours(
    ((TimeWindow(450, 690), TimeWindow(810, 1020)),) * 5 + ((), ()),
    "Asia/Ho_Chi_Minh",
    frozenset({datetime(2026, 12, 2).date()}),
)


def test_hours_survive_json() -> None:
    back = hours_from_json(hours_to_json(WEEKDAYS))
    assert back == WEEKDAYS
    assert hours_from_json(hours_to_json(OfficeHours.always("UTC"))) == OfficeHours.always("UTC")
    bad: object
    for bad in (None, "x", {"timezone": "Nowhere/City", "week": [[]] * 7}, {"week": []}):
        assert hours_from_json(bad) is None


# ------------------------------------------------------------------------------ the hub's view
def _at(day: int, hh: int, mm: int = 0) -> float:
    """A moment of December 2026 in Vietnam (the 1st is a Tuesday), as epoch seconds."""
    return datetime(2026, 12, day, hh, mm, tzinfo=VN).timestamp()


def _status(updated: float, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "state": "running",
        "updated_at": updated,
        "heartbeat_s": 2.0,
        "hours": hours_to_json(WEEKDAYS),
        "now": {"state": "video", "file": "10-province/1-red.mp4", "title": "Nộp hồ sơ"},
        "failed": [],
        "problems": [],
        "counters": {"stalls": 1, "restarts": 0},
        "screenshot_at": updated - 20,
    }
    return data | extra


def _facts(now: float, age: float, **kw: Any) -> OfficeFacts:
    status = kw.pop("status", _status(now - age - 0.5))  # written 0.5 s before it arrived
    kw.setdefault("connected", True)
    kw.setdefault("received_at", now - age if status else None)
    return OfficeFacts("a", "Office A", ("north",), ME, status, **kw)


def test_online_office_during_hours() -> None:
    now = _at(1, 9)
    view = judge(_facts(now, 3, completion={"10-province": Completion(100.0)}), now)
    assert (view.state, view.alerts) == ("online", ())
    assert view.on_screen == "10-province/1-red.mp4 (Nộp hồ sơ)"
    assert view.status_age_s == pytest.approx(3)
    assert view.screenshot_age_s == pytest.approx(23)
    assert (view.stalls, view.restarts, view.completion) == (1, 0, {"10-province": 100.0})


def test_silent_office_during_hours_is_offline_and_says_why() -> None:
    now = _at(1, 9)
    dark = judge(_facts(now, 60, connected=False, last_seen=now - 58), now, offline_after=30)
    assert dark.state == "offline"
    assert dark.why == "no status for 60 s; its Syncthing is not connected (last seen 58 s ago)"
    assert dark.alerts == (f"a: offline during office hours: {dark.why}",)
    assert dark.on_screen.startswith("last: ")
    hung = judge(_facts(now, 60), now, offline_after=30)
    assert hung.why == "no status for 60 s; its Syncthing is connected"
    stopped = judge(_facts(now, 1, status=_status(now - 1, state="stopped")), now)
    assert stopped.state == "offline" and "its player stopped" in stopped.why
    never = judge(_facts(now, 0, status=None, connected=False), now)
    assert never.why == (
        "no status received yet; its Syncthing has never connected "
        "(check the address its join was given)"
    )
    # Just within the threshold is still online.
    assert judge(_facts(now, 29), now, offline_after=30).state == "online"


@pytest.mark.parametrize(
    "when", [_at(1, 12, 0), _at(1, 20), _at(5, 9), _at(2, 9)]
)  # lunch, evening, Saturday, holiday
def test_silent_office_outside_its_hours_is_closed_not_an_alarm(when: float) -> None:
    view = judge(_facts(when, 3600, connected=False), when, offline_after=30)
    assert view.state == "closed"
    assert view.alerts == ()
    running = judge(_facts(when, 2), when)
    assert running.state == "closed" and running.why.endswith("player running")


def test_files_set_aside_problems_and_a_wrong_clock_are_alerts() -> None:
    now = _at(1, 9)
    failed = [{"file": "10-province/x.mp4", "reason": "incomplete: ...", "when": now}]
    view = judge(_facts(now, 2, status=_status(now - 2, failed=failed)), now)
    assert view.state == "problem"
    assert view.alerts == ("a: 1 file(s) set aside: 10-province/x.mp4: incomplete: ...",)
    closed = judge(_facts(_at(1, 20), 2, status=_status(_at(1, 20) - 2, failed=failed)), _at(1, 20))
    assert closed.state == "closed" and len(closed.alerts) == 1
    problems = ["/s/playlist.yaml:3:5: error: 'x.mp4' is not in the sync folder"]
    view = judge(_facts(now, 2, status=_status(now - 2, problems=problems)), now)
    assert view.state == "problem" and view.alerts == (f"a: player problem: {problems[0]}",)
    skewed = judge(_facts(now, 2, status=_status(now - 2 - 900)), now)
    assert skewed.state == "problem"
    assert skewed.alerts[0].startswith("a: its clock is 15 min behind the hub's")


# ------------------------------------------------------------------------------ the guard's rule
def _record(by: str, size: int, modified: str, flags: int = 0, invalid: bool = False) -> dict:
    entry = {"modifiedBy": by, "size": size, "modified": modified, "localFlags": flags}
    return entry | {"invalid": invalid, "deleted": False}


def test_only_the_hubs_version_on_disk_passes() -> None:
    stamp = "2026-12-01T15:26:26.961724381Z"
    mtime = parse_time(stamp)
    assert mtime == datetime(2026, 12, 1, 15, 26, 26, 961724, tzinfo=UTC).timestamp()
    hub, mine = HUB[:7], ME[:7]
    arrived = {"global": _record(hub, 5, stamp), "local": _record(hub, 5, stamp)}
    assert written_by_hub(arrived, hub, 5, mtime) is None
    # Renamed into place a moment before Syncthing's database caught up: the global one.
    assert written_by_hub({"global": _record(hub, 5, stamp), "local": None}, hub, 5, mtime) is None
    changed = {"global": _record(hub, 5, stamp), "local": _record(mine, 15, stamp, 8, True)}
    assert written_by_hub(changed, hub, 15, mtime + 3) == CHANGED
    assert written_by_hub(arrived, hub, 15, mtime) == CHANGED  # not yet scanned by Syncthing
    added = {"global": _record(mine, 7, stamp, 8, True), "local": _record(mine, 7, stamp, 8, True)}
    assert written_by_hub(added, hub, 7, mtime) == ADDED


def test_gui_address_and_time_parsing() -> None:
    assert GuiConfig("0.0.0.0:8384", "k", False).url == "http://127.0.0.1:8384"
    assert GuiConfig("[::1]:8443", "k", True).url == "https://[::1]:8443"
    assert parse_time("0001-01-01T00:00:00Z") is None
    assert parse_time("2026-12-01T22:26:26.5+07:00") == pytest.approx(
        datetime(2026, 12, 1, 15, 26, 26, 500000, tzinfo=UTC).timestamp()
    )


# ------------------------------------------------------------------------------ tier playlists
def _touch(root: Path, *rels: str) -> None:
    for rel in rels:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x")


def _loop(sync: Path) -> tuple[list[str], list[str]]:
    playlist = resolve(read_spec(None, sync), scan(sync), 10.0)
    return [i.rel for i in playlist.items], [str(p) for p in playlist.problems]


def test_each_tier_orders_its_own_files_and_tiers_play_in_turn(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "10-province/a.mp4",
        "10-province/b.mp4",
        "10-province/c.png",
        "20-north/z.mp4",
        "20-north/y.mp4",
        "30-office/k.mp4",
        "30-office/j.png",
        "9-local.mp4",
    )
    # Without any tier playlist: the whole folder in natural order, as before.
    assert _loop(tmp_path)[0][:3] == ["9-local.mp4", "10-province/a.mp4", "10-province/b.mp4"]
    (tmp_path / "10-province/playlist.yaml").write_text("items:\n  - c.png\n  - b.mp4\n")
    (tmp_path / "30-office/playlist.yaml").write_text("- j.png\n")
    items, problems = _loop(tmp_path)
    assert items == [
        "10-province/c.png",
        "10-province/b.mp4",
        "10-province/a.mp4",  # not listed: after the listed ones
        "20-north/y.mp4",  # no playlist: natural order
        "20-north/z.mp4",
        "30-office/j.png",
        "30-office/k.mp4",
        "9-local.mp4",  # files directly in the sync folder come last
    ]
    assert problems == []


def test_a_tier_cannot_list_another_tiers_files(tmp_path: Path) -> None:
    _touch(tmp_path, "10-province/a.mp4", "30-office/k.mp4")
    bad = tmp_path / "10-province/playlist.yaml"
    bad.write_text("items:\n  - a.mp4\n  - ../30-office/k.mp4\n")
    items, problems = _loop(tmp_path)
    assert items == ["10-province/a.mp4", "30-office/k.mp4"]
    assert problems == [
        f"{bad}:3:5: error: '../30-office/k.mp4': {bad} may only list files of its own "
        "folder (10-province/); name them relative to it"
    ]
