"""The systemd unit: one template, rendered with this machine's real paths and installed.

Why a service at all: systemd restarts the player when it crashes (Restart=always) and
kills it when its Qt loop hangs (WatchdogSec= with the keep-alive from kiosk.system.sdnotify),
which covers what a player left alone for months meets. The template is kept here, in the
package, so `kiosk install-service` works from any install; systemd/kiosk.service in the
repo is the same text (a test keeps them equal) for admins who prefer to install by hand.
"""

from __future__ import annotations

import getpass
import os
import pwd
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kiosk import __version__

UNIT_NAME = "kiosk.service"
SYSTEM_UNIT_DIR = Path("/etc/systemd/system")
# systemd >= 254 can lengthen RestartSec on each restart in a row (RestartSteps=).
BACKOFF_SINCE = 254

TEMPLATE = """\
# kiosk signage player as a systemd service.
# `kiosk install-service` fills in the @NAME@ fields and installs it; by hand: replace
# them, copy this file to /etc/systemd/system/, then
#   sudo systemctl daemon-reload && sudo systemctl enable --now kiosk.service
[Unit]
Description=kiosk signage player
After=graphical.target
# Never give up on a crash loop (the default gives up after 5 starts in 10 s): an office
# TV must come back by itself once the cause (a full disk, a missing display) is gone.
StartLimitIntervalSec=0

[Service]
Type=notify
NotifyAccess=main
User=@USER@
Environment=DISPLAY=@DISPLAY@
Environment=XAUTHORITY=@XAUTHORITY@
Environment=PYTHONUNBUFFERED=1
ExecStart=@EXEC_START@
Restart=always
RestartSec=3
# systemd >= 254 backs off in a crash loop: 3 s, longer on each restart in a row, up to
# 2 min (install-service uncomments these there; older systemd restarts every 3 s).
#RestartSteps=6
#RestartMaxDelaySec=120
# The Qt loop sends WATCHDOG=1 every 2 s (with status.json); a hung loop is killed.
WatchdogSec=30
# libVLC's video output threads raise themselves to nice -10 (a picture is due every
# 40 ms): let this user go that far, no further. (Left out of user units.)
LimitNICE=30
# Start-up ends with READY=1; waiting for the display extends it (EXTEND_TIMEOUT_USEC).
TimeoutStartSec=90
TimeoutStopSec=15

[Install]
WantedBy=graphical.target
"""


@dataclass(frozen=True)
class UnitSettings:
    exec_start: tuple[str, ...]  # the command line, unquoted
    user: str
    display: str
    xauthority: str
    user_mode: bool = False  # a `systemctl --user` unit: no User=, the session's targets
    systemd_version: int | None = None


def quote(arg: str) -> str:
    """One ExecStart= argument: '%' is a specifier in units, spaces need double quotes."""
    arg = arg.replace("%", "%%")
    if arg and not re.search(r'[\s"\'\\;]', arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _env(name: str, value: str) -> str:
    assignment = f"{name}={value}".replace("%", "%%")
    if re.search(r'[\s"\\]', assignment):
        return 'Environment="' + assignment.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"Environment={assignment}"


def render_unit(s: UnitSettings) -> str:
    """The unit file text for these settings (pure)."""
    body = TEMPLATE.split("[Unit]\n", 1)[1]  # the how-to-install-by-hand header goes
    text = (
        f"# Written by `kiosk install-service` (kiosk {__version__}): run it again to update.\n"
        "[Unit]\n"
        + body.replace("@EXEC_START@", " ".join(quote(a) for a in s.exec_start))
        .replace("User=@USER@", f"User={s.user}".replace("%", "%%"))
        .replace("Environment=DISPLAY=@DISPLAY@", _env("DISPLAY", s.display))
        .replace("Environment=XAUTHORITY=@XAUTHORITY@", _env("XAUTHORITY", s.xauthority))
    )
    if s.systemd_version is not None and s.systemd_version >= BACKOFF_SINCE:
        text = text.replace("#RestartSteps=", "RestartSteps=")
        text = text.replace("#RestartMaxDelaySec=", "RestartMaxDelaySec=")
    if s.user_mode:
        # A user manager has no User= and no graphical.target: the session's targets instead.
        # Nor may it raise limits: the threads keep their priority there.
        text = "\n".join(
            line for line in text.split("\n") if not line.startswith(("User=", "LimitNICE="))
        )
        text = text.replace("After=graphical.target", "After=graphical-session.target")
        text = text.replace("WantedBy=graphical.target", "WantedBy=default.target")
    return text


def venv_dir() -> Path:
    """The venv (or prefix) this Python runs from: sys.prefix, not the resolved symlink."""
    return Path(sys.prefix)


def kiosk_command(config: Path | None) -> tuple[str, ...]:
    """`<venv>/bin/kiosk run --config <abs path>`; `python -m kiosk` if there is no script."""
    script = venv_dir() / "bin" / "kiosk"
    base: tuple[str, ...] = (
        (str(script),) if script.exists() else (str(Path(sys.executable).absolute()), "-m", "kiosk")
    )
    args = ("run", "--config", str(config.absolute())) if config is not None else ("run",)
    return base + args


def service_user() -> str:
    """Who the player runs as: the admin behind sudo, else whoever runs the command."""
    return os.environ.get("SUDO_USER") or getpass.getuser()


def home_of(user: str) -> Path:
    try:
        return Path(pwd.getpwnam(user).pw_dir)
    except KeyError:
        return Path.home()


def default_xauthority(user: str) -> str:
    """$XAUTHORITY when it is the same user's (sudo drops it), else ~user/.Xauthority."""
    env = os.environ.get("XAUTHORITY")
    if env and not os.environ.get("SUDO_USER"):
        return env
    return str(home_of(user) / ".Xauthority")


def systemd_version() -> int | None:
    """The installed systemd's version number (252 on Debian 12), or None."""
    exe = shutil.which("systemctl")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.match(r"systemd (\d+)", out)
    return int(m[1]) if m else None


def unit_dir(user_mode: bool) -> Path:
    if not user_mode:
        return SYSTEM_UNIT_DIR
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user"


def systemctl_commands(user_mode: bool, user: str) -> list[str]:
    """What the admin runs next (printed, never run by us: enabling is their decision)."""
    if user_mode:
        return [
            "systemctl --user daemon-reload",
            f"systemctl --user enable --now {UNIT_NAME}",
            f"sudo loginctl enable-linger {user}   # start at boot, without a login",
            "journalctl --user -u kiosk -f          # its log",
        ]
    return [
        "sudo systemctl daemon-reload",
        f"sudo systemctl enable --now {UNIT_NAME}",
        "journalctl -u kiosk -f                  # its log",
    ]
