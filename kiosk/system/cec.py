"""The TV switched over HDMI-CEC with `cec-ctl` (v4l-utils), what signage players do.

Why CEC: it is what the TV itself obeys, whatever the computer's session; DPMS only stops
the signal (many TVs then show "no signal" for minutes). Why cec-ctl: it speaks the kernel's
CEC framework (/dev/cecN: Raspberry Pi 4/5 under KMS, many USB and DP adapters), is in
Debian's v4l-utils, and prints each message's transmit status, so "the TV did not answer"
can be told apart from "sent". libcec's cec-client would do too, but reports less.

How cec-ctl behaves (read in its source, utils/cec-ctl/cec-ctl.cpp):
- `--playback` claims a logical address as a playback device; until something does, the
  adapter is unconfigured and cec-ctl only says so on stderr ("Adapter is unconfigured,
  please configure it first.") and exits 0 without sending;
- a message the TV does not acknowledge still exits 0, with a status line such as
  "Tx, Not Acknowledged (1), Max Retries"; so the output is read, not only the exit code.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Cec", "CecResult", "find_cec_device"]

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
TV = "0"  # the TV's logical address
_NOT_ANSWERED = ("Not Acknowledged", "Timeout", "Max Retries", "Aborted", "Arbitration Lost")
_PHYS = re.compile(r"Physical Address\s*:\s*([0-9a-fA-F](?:\.[0-9a-fA-F]){3})")
_INVALID_PHYS = "f.f.f.f"  # no hotplug from the TV: we have no HDMI input address


@dataclass(frozen=True)
class CecResult:
    ok: bool  # sent, and the TV acknowledged
    detail: str  # what went wrong (empty when ok)


def find_cec_device(configured: Path | None, dev: Path = Path("/dev")) -> Path | None:
    """The configured device, else the first /dev/cecN; None if there is none."""
    if configured is not None:
        return configured
    found = sorted(dev.glob("cec[0-9]*"))
    return found[0] if found else None


class Cec:
    """One CEC adapter driven through cec-ctl, as a playback device talking to the TV."""

    def __init__(self, device: Path, exe: str | None = None) -> None:
        self.device = device
        self.exe = exe or shutil.which("cec-ctl") or ""
        self.phys_addr = ""  # ours, as the TV numbers its inputs ("1.0.0.0" = HDMI 1)
        self._configured = False

    def _run(self, *args: str) -> tuple[int, str]:
        if not self.exe:
            return 127, "cec-ctl not found: install v4l-utils"
        cmd = [self.exe, "-d", str(self.device), *args]
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired:
            return 124, f"cec-ctl gave no answer within {TIMEOUT_S:.0f} s"
        except OSError as e:
            return 126, f"cannot run cec-ctl: {e}"
        return done.returncode, done.stdout + done.stderr

    def configure(self) -> CecResult:
        """Claim a playback device's logical address, and learn our physical address."""
        code, out = self._run("--playback")
        if code != 0:
            return CecResult(False, _first_line(out) or f"cec-ctl exited with {code}")
        m = _PHYS.search(out)
        self.phys_addr = m.group(1).lower() if m else ""
        self._configured = True
        return CecResult(True, "")

    def _send(self, *message: str) -> CecResult:
        if not self._configured:
            done = self.configure()
            if not done.ok:
                return done
        code, out = self._run("-s", "--to", TV, *message)
        if "unconfigured" in out:  # the adapter lost its address (hotplug): claim it again
            self._configured = False
            done = self.configure()
            if not done.ok:
                return done
            code, out = self._run("-s", "--to", TV, *message)
        if code != 0:
            return CecResult(False, _first_line(out) or f"cec-ctl exited with {code}")
        for line in out.splitlines():
            tx = line.strip().split(", Rx")[0]  # a missing reply (Rx) is not a missing TV
            if tx.startswith("Tx") and any(s in tx for s in _NOT_ANSWERED):
                return CecResult(False, f"the TV did not answer on {self.device} ({tx})")
        return CecResult(True, "")

    def probe(self) -> CecResult:
        """Does a TV answer? Asks its power status, which every CEC TV must report."""
        return self._send("--give-device-power-status")

    def standby(self) -> CecResult:
        return self._send("--standby")

    def wake(self) -> CecResult:
        """<Image View On>, then <Active Source> so that the TV shows our input."""
        if self.phys_addr and self.phys_addr != _INVALID_PHYS:
            return self._send("--image-view-on", "--active-source", f"phys-addr={self.phys_addr}")
        return self._send("--image-view-on")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
