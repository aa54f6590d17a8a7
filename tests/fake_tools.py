"""Stand-in `cec-ctl` and `wlopm` for tests: put on PATH, they record their arguments.

No CEC adapter or wlroots compositor here, so these answer as the real tools do (the
output shapes read in cec-ctl's source and wlopm's man page), from a small state file:
- cec-ctl: `tv` in the state folder says "on", "standby" or "silent" (a TV that does not
  answer: every message gets "Tx, Not Acknowledged"); the adapter is unconfigured until a
  `--playback` run, as after boot;
- wlopm: lists the outputs with no arguments, `--off NAME|*` / `--on NAME|*` switch them.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

FAKE_CEC_CTL = r"""
import sys
from pathlib import Path

here = Path(__file__).parent
args = sys.argv[1:]
with (here / "calls").open("a") as f:
    f.write(" ".join(args) + "\n")
tv_file, conf = here / "tv", here / "configured"
tv = tv_file.read_text().strip() if tv_file.exists() else "on"
if "--playback" in args:
    conf.write_text("4")
    print("Driver Info:\n\tDriver Name                : fake\n")
    print("\tPhysical Address           : 3.0.0.0\n\tLogical Address Mask       : 0x0010")
    sys.exit(0)
if not conf.exists():
    print("\nAdapter is unconfigured, please configure it first.", file=sys.stderr)
    sys.exit(0)
messages = [a for a in args if a.startswith("--") and a != "--to"]
for m in messages:
    print(f"\nTransmit from Playback Device 1 to TV (4 to 0):\n{m[2:].upper()}")
    print("\tSequence: 7 Tx Timestamp: 100.0")
    if tv == "silent":
        print("\tTx, Not Acknowledged (4), Max Retries")
        continue
    if m == "--give-device-power-status":
        print("    Received from TV (0):\n    REPORT_POWER_STATUS (0x90):")
        print(f"\tpwr-state: {tv} (0x0)")
    elif m == "--standby":
        tv = "standby"
    elif m == "--image-view-on":
        tv = "on"
tv_file.write_text(tv)
"""

FAKE_WLOPM = r"""
import sys
from pathlib import Path

here = Path(__file__).parent
args = sys.argv[1:]
with (here / "calls").open("a") as f:
    f.write(" ".join(args) + "\n")
state = here / "outputs"
power = state.read_text().strip() if state.exists() else "on"
if (here / "unsupported").exists():
    print("ERROR: Wayland compositor does not support wlr-output-power-management-v1.",
          file=sys.stderr)
    sys.exit(1)
if not args:
    print(f"HDMI-A-1 {power}")
elif args[0] in ("--off", "--on"):
    state.write_text(args[0][2:])
else:
    sys.exit(1)
"""


def install_tool(folder: Path, name: str, body: str) -> Path:
    """Writes a stand-in executable running this interpreter; returns its folder."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def calls(folder: Path) -> list[str]:
    path = folder / "calls"
    return path.read_text().splitlines() if path.exists() else []


def on_path(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
