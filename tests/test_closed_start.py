"""`kiosk run` started while the office is closed (a holiday): the closed picture is its first
picture, so systemd hears READY=1 at once; without it, the unit's start timeout (90 s) would
kill and restart the player all night long."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from tests.conftest import KioskRun
from tests.mediagen import make_clip


def test_started_on_a_holiday_the_closed_slide_counts_as_the_first_picture(
    sync_dir: Path, run_kiosk: KioskRun, qtbot: QtBot, tmp_path: Path
) -> None:
    make_clip(sync_dir / "1-green.mp4", "green", seconds=1)
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    config = tmp_path / "office.yaml"
    config.write_text(
        f'office:\n  timezone: "Asia/Ho_Chi_Minh"\nhours:\n  mon-sun: "07:00-17:00"\n'
        f"holidays: [{today}]\n",
        encoding="utf-8",
    )
    address = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # plays systemd's part
    sock.bind(address)
    sock.setblocking(False)
    got: list[str] = []

    def receive() -> list[str]:
        while True:
            try:
                got.append(sock.recv(4096).decode())
            except BlockingIOError:
                return got

    try:
        run_kiosk(
            "--sync-dir", str(sync_dir), "--config", str(config), env={"NOTIFY_SOCKET": address}
        )
        qtbot.waitUntil(lambda: run_kiosk.alive() and "READY=1" in receive(), timeout=20_000)
        qtbot.waitUntil(lambda: run_kiosk.status()["now"]["state"] == "closed", timeout=10_000)
    finally:
        sock.close()
