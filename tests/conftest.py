"""Shared fixtures. Qt runs offscreen in-process; tests needing a real X server start Xvfb."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_AOUT", "dummy")  # CI has no sound card
# The machine's system bus is never touched (the player takes logind's idle lock there, and
# that lock is system-wide): a test that wants one starts its own (tests/dbus_session.py).
os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=/nonexistent/kiosk-tests-system-bus"
# The suite reads kiosk's English words, whatever this machine's locale says, in this process
# and in every kiosk it starts (LANGUAGE comes first in kiosk.i18n, as in gettext); the tests
# about Vietnamese ask for it (i18n.language("vi"), `--lang vi`, `office.language: vi`).
os.environ["LANGUAGE"] = "en"

import json
import subprocess
import sys
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.mediagen import make_clip, make_image
from tests.xserver import Xvfb

# --- skips in CI ----------------------------------------------------------------------------
# CI (.ci/run sets CI=true) installs everything the suite needs (scripts/setup --test), so a
# skip there means a tool went missing or a skip condition is wrong: a test silently not run.
# It fails instead. A skip that is right even in CI goes here, by node id (a module, a test,
# or one parameter of it), with the reason. The sound test's skip where pipewire-pulse runs
# is not one: CI has no PipeWire, so that test runs there.
SKIPS_ALLOWED_IN_CI: dict[str, str] = {}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def skip_allowed_in_ci(nodeid: str) -> bool:
    return any(
        nodeid == key or nodeid.startswith((f"{key}::", f"{key}[")) for key in SKIPS_ALLOWED_IN_CI
    )


def _skip_to_failure(report: pytest.TestReport | pytest.CollectReport) -> None:
    if not report.skipped or hasattr(report, "wasxfail") or not in_ci():
        return
    if skip_allowed_in_ci(report.nodeid):
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    reason = reason.removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = (
        f"skipped in CI ({reason}): every test must run there. Install what it needs in "
        "scripts/setup --test, or list it in SKIPS_ALLOWED_IN_CI (tests/conftest.py) with why."
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _skip_to_failure(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    _skip_to_failure(report)
    return report


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Each test starts in English: a `kiosk` command run in this process sets the language."""
    from kiosk import i18n

    i18n.use(None)
    yield
    i18n.use(None)


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """A test must not leave threads behind (libVLC's are native, Python's are checked)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    leaked: list[threading.Thread] = []
    for t in threading.enumerate():
        # libVLC's native threads that ran a Python callback stay listed as _DummyThread
        # forever (CPython); they belong to libVLC, which is checked by its own tests.
        if t in before or isinstance(t, threading._DummyThread):
            continue
        t.join(timeout=max(0.0, deadline - time.monotonic()))  # give it time to finish
        if t.is_alive():
            leaked.append(t)
    if not leaked:
        return
    pytest.fail(f"threads leaked by the test: {[t.name for t in leaked]}")


@pytest.fixture(scope="session")
def media_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def clips(media_cache: Path) -> dict[str, Path]:
    """One-second solid-colour clips, made once per test session."""
    return {c: make_clip(media_cache / f"{c}.mp4", c) for c in ("red", "green", "blue")}


@pytest.fixture
def sync_dir(tmp_path: Path) -> Path:
    d = tmp_path / "sync"
    d.mkdir()
    return d


@pytest.fixture
def slide(media_cache: Path) -> Path:
    path = media_cache / "yellow.png"
    if not path.exists():
        make_image(path, "yellow")
    return path


@pytest.fixture(scope="session")
def xvfb() -> Iterator[Xvfb]:
    server = Xvfb(640, 360).start()
    yield server
    server.stop()


def status_json(state: Path) -> dict[str, Any]:
    """The player's status.json as it is now; {} while missing or half-written (polling)."""
    try:
        data = json.loads((state / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class KioskRun:
    """`kiosk run` as a real process on the test's Xvfb, with its stderr kept for messages."""

    def __init__(self, xvfb: Xvfb, tmp_path: Path) -> None:
        self.xvfb = xvfb
        self.tmp_path = tmp_path
        self.state = tmp_path / "state"
        self.stderr = tmp_path / "stderr.log"
        self.procs: list[subprocess.Popen[bytes]] = []

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        full = dict(
            os.environ, DISPLAY=self.xvfb.display, QT_QPA_PLATFORM="xcb", KIOSK_AOUT="dummy"
        )
        full.pop("KIOSK_CONFIG", None)
        full.update(env or {})
        with open(self.stderr, "ab") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "run", "--state-dir", str(self.state), *args],
                env=full,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        self.procs.append(proc)
        return proc

    def alive(self) -> bool:
        """For waitUntil: fails the test at once (with the player's log) if it died."""
        for p in self.procs:
            assert p.poll() is None, self.stderr.read_text(errors="replace")
        return True

    def status(self) -> dict[str, Any]:
        return json.loads((self.state / "status.json").read_text(encoding="utf-8"))

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)


@pytest.fixture
def run_kiosk(xvfb: Xvfb, tmp_path: Path) -> Iterator[KioskRun]:
    runner = KioskRun(xvfb, tmp_path)
    yield runner
    runner.stop()
