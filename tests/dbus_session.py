"""A private D-Bus session bus (`dbus-daemon --session` with its own config and socket) and
stand-in services on it, so that tests never touch the machine's own session bus. The same
with `bus_type="system"` stands in for the system bus (DBUS_SYSTEM_BUS_ADDRESS), for logind."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtDBus import QDBusConnection

CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{bus_type}</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
STANDIN = Path(__file__).with_name("dbus_standin.py")


@dataclass
class PrivateBus:
    folder: Path
    address: str = ""
    proc: subprocess.Popen[str] | None = None
    standins: list[subprocess.Popen[str]] = field(default_factory=list)
    served: int = 0
    bus_type: str = "session"

    def start(self) -> PrivateBus:
        exe = shutil.which("dbus-daemon")
        if exe is None:
            raise RuntimeError("dbus-daemon is not installed: run scripts/setup --test")
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "bus.conf"
        config.write_text(
            CONFIG.format(socket=self.folder / "bus", bus_type=self.bus_type), encoding="utf-8"
        )
        self.proc = subprocess.Popen(
            [exe, f"--config-file={config}", "--nofork", "--print-address"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        self.address = self.proc.stdout.readline().strip()  # written once it listens
        if not self.address:
            raise RuntimeError("dbus-daemon did not start")
        return self

    def serve(self, kind: str) -> Path:
        """Starts a stand-in service (see dbus_standin.py); returns its record file."""
        self.served += 1
        record = self.folder / f"{kind}-{self.served}.jsonl"
        record.touch()
        proc = subprocess.Popen(
            [sys.executable, str(STANDIN), self.address, str(record), kind],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the {kind} stand-in did not start")
        self.standins.append(proc)
        return record

    def stop_standins(self) -> None:
        for p in self.standins:
            p.terminate()
            p.wait(timeout=10)
            if p.stdout is not None:
                p.stdout.close()
        self.standins.clear()

    def stop(self) -> None:
        self.stop_standins()
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self.proc = None


def events(record: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in record.read_text().splitlines() if line.strip()]


@contextmanager
def connection_to(bus: PrivateBus) -> Iterator[QDBusConnection]:
    """The player's side, in this process, on the private bus (needs the QApplication)."""
    name = f"test-{id(bus)}"
    conn = QDBusConnection.connectToBus(bus.address, name)
    assert conn.isConnected()
    yield conn
    QDBusConnection.disconnectFromBus(name)
