"""A hub's fleet folder as offices' files would leave it, for the page, report and metrics.

Built with the project's own writers: fleet.json by the registry, each office's
`offices/ID/status.json` in the shape `kiosk run` writes it, `screenshot.jpg` a JPEG like the
player's, and `proof-of-play/*.jsonl` by kiosk.state.proofofplay. Syncthing's facts (who is
connected, completion) are not files: `rest_facts` hands them in where `gather` would ask the
hub's Syncthing (the page is not about Syncthing; test_fleet_page has one test with a real one).

The four offices:
    ubnd-an-phu   group chau-thanh   online, a clip on screen
    ubnd-tan-an   group chau-thanh   offline during its hours (always open), silent for 1 h
    ubnd-phu-my   group phu-tan      closed (weekdays, today a holiday), its screenshot broken
    tt-hcc        no group           a file set aside; its name carries a <script> tag
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter

from kiosk.core.fleetview import Completion, OfficeFacts
from kiosk.core.hoursjson import hours_to_json
from kiosk.core.schedule import OfficeHours, TimeWindow
from kiosk.fleet.registry import Fleet, Office
from kiosk.fleet.rest import Syncthing
from kiosk.fleet.status import HubFacts, gather
from kiosk.state.proofofplay import SUBDIR, Record, file_name, format_line
from kiosk.state.screenshot import SCREENSHOT_FILE, encode_jpeg
from kiosk.state.status import STATUS_FILE, write_atomic

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TZ = "Asia/Ho_Chi_Minh"
ALWAYS = hours_to_json(OfficeHours.always(TZ))
NEVER = hours_to_json(OfficeHours(((),) * 7, TZ))
WORKDAYS = hours_to_json(
    OfficeHours(((TimeWindow(450, 690), TimeWindow(810, 1020)),) * 5 + ((), ()), TZ)
)
EVIL_NAME = "<script>document.title='pwned'</script> Trung tâm Phục vụ hành chính công"
EVIL_FILE = '10-province/<img src=x onerror="document.title=1">.mp4'
CLIPS = (
    ("10-province/1-huong-dan-nop-ho-so.mp4", "video", 30.0),
    ("10-province/2-thanh-toan-phi.mp4", "video", 20.0),
    ("20-chau-thanh/lich-tiep-dan.png", "image", 10.0),
)


def screenshot_bytes(colour: str, band: str = "#ffffff") -> bytes:
    """A 640x360 JPEG: a colour with a band and a block, so it is not blank."""
    image = QImage(640, 360, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    painter = QPainter(image)
    painter.fillRect(QRect(0, 290, 640, 70), QColor(band))
    painter.fillRect(QRect(40, 40, 200, 120), QColor("#202020"))
    painter.end()
    data = encode_jpeg(image)
    assert isinstance(data, bytes)
    return data


def status(updated: float, name: str, hours: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A status.json as `kiosk run` writes it (kiosk.app.build_status and Health.write)."""
    data: dict[str, Any] = {
        "version": "0.9.0",
        "pid": 4242,
        "office": name,
        "hours": hours,
        "state": "running",
        "started_at": updated - 86400,
        "updated_at": updated,
        "heartbeat_s": 2.0,
        "sync_dir": "/var/lib/kiosk/sync",
        "now": {
            "state": "video",
            "file": CLIPS[0][0],
            "title": "Hướng dẫn nộp hồ sơ trực tuyến",
            "kind": "video",
            "since": updated - 12,
        },
        "next": CLIPS[1][0],
        "playlist": {"source": "folder", "count": 3, "items": [c[0] for c in CLIPS]},
        "failed": [],
        "sync": {"dir": "/var/lib/kiosk/sync"},
        "problems": [],
        "counters": {"played": 812, "failed": 0, "loops": 270, "restarts": 1, "stalls": 2},
        "recent_errors": [],
        "screenshot_at": updated - 30,
        "cannot_write": [],
    }
    return data | extra


def write_plays(state_dir: Path, start: float, count: int, skip_every: int = 0) -> None:
    """`count` plays from `start`, one after the other, in the office's daily files."""
    lines: dict[str, list[bytes]] = {}
    t = start
    for i in range(count):
        clip, kind, length = CLIPS[i % len(CLIPS)]
        skipped = bool(skip_every) and i % skip_every == skip_every - 1
        end = t + (length / 3 if skipped else length)
        record = Record(t, end, clip, kind, "skipped" if skipped else "completed")
        if skipped:
            record = dataclasses.replace(record, reason="the playlist changed")
        day = datetime.fromtimestamp(t, VN).date()
        lines.setdefault(file_name(day), []).append(format_line(record, VN))
        t = end
    folder = state_dir / SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    for name, chunk in lines.items():
        with open(folder / name, "ab") as f:
            f.write(b"".join(chunk))


def write_office(
    fleet: Fleet, office: Office, data: dict[str, Any] | None, shot: bytes | None
) -> Path:
    state = fleet.state_dir(office.id)
    state.mkdir(parents=True, exist_ok=True)
    (state / ".stfolder").mkdir(exist_ok=True)  # Syncthing's marker, as at a real hub
    if data is not None:
        write_atomic(state / STATUS_FILE, json.dumps(data, ensure_ascii=False, indent=1))
    if shot is not None:
        (state / SCREENSHOT_FILE).write_bytes(shot)
    return state


@dataclass
class Hub:
    root: Path
    fleet: Fleet
    now: float
    rest: dict[str, dict[str, Any]]  # office id -> the REST facts Syncthing would give


def four_offices(root: Path, now: float) -> Hub:
    fleet = Fleet(root, hub_device="HUBHUBH-" * 7 + "HUBHUBH")
    offices = [
        Office("ubnd-an-phu", "AAAAAAA", "UBND xã An Phú", ("chau-thanh",)),
        Office("ubnd-tan-an", "BBBBBBB", "UBND xã Tân An", ("chau-thanh",)),
        Office("ubnd-phu-my", "CCCCCCC", "UBND thị trấn Phú Mỹ", ("phu-tan",)),
        Office("tt-hcc", "DDDDDDD", EVIL_NAME, ()),
    ]
    fleet.offices = {o.id: o for o in offices}
    fleet.save()
    a, b, c, d = offices
    sa = write_office(fleet, a, status(now - 2, a.name, ALWAYS), screenshot_bytes("#1565c0"))
    write_plays(sa, now - 3 * 3600, 80, skip_every=10)
    sb = write_office(
        fleet, b, status(now - 3600, b.name, ALWAYS), screenshot_bytes("#6a1b9a", "#ffeb3b")
    )
    write_plays(sb, now - 5 * 3600, 40)
    holiday = dict(WORKDAYS, holidays=[datetime.fromtimestamp(now, VN).date().isoformat()])
    sc = write_office(fleet, c, status(now - 7200, c.name, holiday), b"\xff\xd8\xff broken")
    write_plays(sc, now - 30 * 3600, 10)
    failed = [
        {"file": EVIL_FILE, "reason": "cannot be decoded: <b>bad</b> header", "when": now - 60},
        {"file": "20-x/incomplete.mp4", "reason": "incomplete: 3 of 5 MB", "when": now - 50},
    ]
    sd = write_office(
        fleet,
        d,
        status(
            now - 1,
            d.name,
            ALWAYS,
            failed=failed,
            recent_errors=["2026-12-01 09:00:01 ERROR <i>decoder</i> said no"],
        ),
        screenshot_bytes("#2e7d32"),
    )
    write_plays(sd, now - 3600, 20)
    rest = {
        a.id: {"connected": True, "received_at": now - 2, "completion": 100.0},
        b.id: {"connected": False, "last_seen": now - 3590, "completion": 100.0},
        c.id: {"connected": False, "last_seen": now - 7100, "completion": 100.0},
        d.id: {"connected": True, "received_at": now - 1, "completion": 80.0},
    }
    return Hub(root, fleet, now, rest)


def rest_facts(
    facts: dict[str, dict[str, Any]],
) -> Any:
    """A `gather` for kiosk.fleet.snapshot.take: the files as read by the real gather, plus
    the REST facts given here in place of the hub's Syncthing."""

    def fake(fleet: Fleet, api: Syncthing | None) -> tuple[HubFacts, list[OfficeFacts]]:
        hub, offices = gather(fleet, None)
        hub.version, hub.device, hub.error = "v1.19.2", fleet.hub_device, ""
        out = []
        for f in offices:
            given = facts.get(f.id, {})
            tiers = fleet.offices[f.id].tiers()
            pct = given.get("completion")
            out.append(
                dataclasses.replace(
                    f,
                    connected=given.get("connected"),
                    last_seen=given.get("last_seen"),
                    received_at=given.get("received_at"),
                    completion={
                        t.label: None if pct is None else Completion(float(pct)) for t in tiers
                    },
                )
            )
        return hub, out

    return fake


def many_offices(root: Path, now: float, count: int = 300, groups: int = 15) -> Hub:
    """A province: `count` offices in `groups` districts, some dark, some closed, some with
    files set aside, each with a screenshot and a day of plays."""
    fleet = Fleet(root, hub_device="HUBHUBH-" * 7 + "HUBHUBH")
    shots = [screenshot_bytes(c) for c in ("#1565c0", "#6a1b9a", "#00838f", "#ef6c00")]
    rest: dict[str, dict[str, Any]] = {}
    template = root / ".plays-template"
    for i in range(count):
        oid = f"ubnd-xa-{i:03d}"
        office = Office(
            oid, f"DEV{i:04d}", f"UBND xã Số {i} Phước Thịnh", (f"huyen-{i % groups:02d}",)
        )
        fleet.offices[oid] = office
        kind = i % 20
        updated = now - (3600 if kind == 0 else 2)  # 1 in 20 dark
        hours = NEVER if kind in (1, 2, 3) else ALWAYS  # 3 in 20 closed
        extra: dict[str, Any] = {}
        if kind == 4:  # 1 in 20 with a file set aside
            extra["failed"] = [{"file": "10-province/x.mp4", "reason": "incomplete", "when": now}]
        state = write_office(fleet, office, status(updated, office.name, hours, **extra), None)
        (state / SCREENSHOT_FILE).write_bytes(shots[i % len(shots)])
        if i == 0:
            write_plays(state, now - 10 * 3600, 1000, skip_every=7)
            shutil.copytree(state / SUBDIR, template)
        else:
            shutil.copytree(template, state / SUBDIR)
        rest[oid] = {"connected": kind != 0, "received_at": updated, "completion": 100.0}
    shutil.rmtree(template)
    fleet.save()
    return Hub(root, fleet, now, rest)


def at(day: int, hh: int, mm: int = 0) -> float:
    """A moment of December 2026 in Vietnam (the 1st is a Tuesday)."""
    return datetime(2026, 12, day, hh, mm, tzinfo=VN).timestamp()


def days(first: float, n: int) -> list[str]:
    base = datetime.fromtimestamp(first, VN).date()
    return [(base + timedelta(days=i)).isoformat() for i in range(n)]
