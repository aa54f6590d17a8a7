"""The three players, started on the same media, and what their process trees cost."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gapslib.media import Item, Media

ROOT = Path(__file__).resolve().parents[2]
CLK = os.sysconf("SC_CLK_TCK")
PLAYERS = ("kiosk", "cvlc", "mpv")
INSTALL = "apt-get install -y --no-install-recommends vlc-bin vlc-plugin-base mpv"


# --------------------------------------------------------------------------- process trees


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields from 3 (state) on; comm may hold spaces


def tree(root: int) -> list[int]:
    """`root` and all its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_seconds(root: int) -> float:
    """utime+stime of the tree, plus cutime+cstime (children that already exited, reaped)."""
    ticks = 0
    for pid in tree(root):
        fields = _stat(pid)
        if fields is not None:
            ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return ticks / CLK


def rss_mb(root: int) -> float:
    """Resident memory of the whole tree now, MB."""
    total = 0
    for pid in tree(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


# --------------------------------------------------------------------------- launching


@dataclass
class Launch:
    name: str
    cmd: list[str]
    env: dict[str, str]
    log: Path


def missing(name: str) -> str | None:
    """Why `name` cannot run here, or None."""
    if name == "cvlc" and shutil.which("cvlc") is None:
        return f"cvlc not installed ({INSTALL})"
    if name == "mpv" and shutil.which("mpv") is None:
        return f"mpv not installed ({INSTALL})"
    return None


def as_nobody(work: Path) -> tuple[list[str], dict[str, str]]:
    """VLC refuses to start as root (a geteuid() check in the vlc binary): drop to `nobody`."""
    if os.geteuid() != 0:
        return [], {}
    user = pwd.getpwnam("nobody")
    home = work / "vlc-home"
    home.mkdir(exist_ok=True)
    os.chown(home, user.pw_uid, user.pw_gid)
    wrap = [
        "setpriv",
        f"--reuid={user.pw_uid}",
        f"--regid={user.pw_gid}",
        "--clear-groups",
        "--",
    ]
    return wrap, {"HOME": str(home), "XDG_CONFIG_HOME": str(home), "XDG_CACHE_HOME": str(home)}


def command(
    name: str,
    media: Media,
    items: Sequence[Item],
    display: str,
    work: Path,
    cvlc_vout: str | None = None,
) -> Launch:
    """How to start `name` fullscreen on `display`, looping `items` in order."""
    env = dict(os.environ, DISPLAY=display)
    files = [str(i.path) for i in items]
    if name == "kiosk":
        sync, state = media.folder, work / "state"
        config = work / "office.yaml"
        config.write_text(f"slides:\n  duration: {media.slide_seconds}\n", encoding="utf-8")
        playlist = work / "playlist.yaml"
        lines = ["items:"]
        for i in items:
            lines.append(f"  - file: {i.path.name}")
            if i.kind == "slide":
                lines.append(f"    duration: {media.slide_seconds}")
        playlist.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env.update(QT_QPA_PLATFORM="xcb", KIOSK_AOUT="dummy")
        env.pop("KIOSK_CONFIG", None)
        cmd = [sys.executable, "-m", "kiosk", "run", "--sync-dir", str(sync)]
        cmd += ["--state-dir", str(state), "--config", str(config), "--playlist", str(playlist)]
        env["PYTHONPATH"] = str(ROOT)
    elif name == "cvlc":
        wrap, extra = as_nobody(work)
        env.update(extra)
        cmd = [*wrap, "cvlc", "--fullscreen", "--loop", f"--image-duration={media.slide_seconds}"]
        # Not part of the comparison, but they would paint over the picture or fail noisily.
        cmd += ["--no-video-title-show", "--no-osd", "--aout=dummy"]
        if cvlc_vout:
            cmd.append(f"--vout={cvlc_vout}")
        cmd += files
    elif name == "mpv":
        cmd = ["mpv", "--fs", "--loop-playlist=inf", "--vo=x11", "--prefetch-playlist=yes"]
        cmd += [f"--image-display-duration={media.slide_seconds}", "--ao=null", "--really-quiet"]
        cmd += files
    else:
        raise ValueError(name)
    return Launch(name, cmd, env, work / f"{name}.log")


def start(launch: Launch) -> subprocess.Popen[bytes]:
    with launch.log.open("wb") as log:
        return subprocess.Popen(
            launch.cmd,
            env=launch.env,
            cwd=launch.log.parent,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole, by its id
        )


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM the player's process group (ours, by id), SIGKILL it if it does not go."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # leftovers of the group (a child that outlived it)
