"""`kiosk install-service`: the unit rendered with real paths, checked by systemd-analyze.

systemctl is never run here: the command only writes the unit and prints the next steps.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.system import service
from kiosk.system.service import TEMPLATE, UnitSettings, quote, render_unit

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def no_systemctl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "systemd_version", lambda: 252)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "office.yaml"
    path.write_text("office:\n  name: UBND phường\n", encoding="utf-8")
    return path


def settings(**changes: Any) -> UnitSettings:
    base = UnitSettings(
        exec_start=("/opt/kiosk/.venv/bin/kiosk", "run", "--config", "/etc/kiosk/office.yaml"),
        user="kiosk",
        display=":0",
        xauthority="/home/kiosk/.Xauthority",
    )
    return dataclasses.replace(base, **changes)


def test_repo_unit_file_is_the_template() -> None:
    assert (REPO / "systemd" / "kiosk.service").read_text(encoding="utf-8") == TEMPLATE


def test_dry_run_prints_the_unit_with_real_paths(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", ":3")
    assert main(["install-service", "--config", str(config), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"ExecStart={sys.prefix}/bin/kiosk run --config {config.absolute()}\n" in out
    for line in (
        "Type=notify",
        "NotifyAccess=main",
        "Restart=always",
        "RestartSec=3",
        "WatchdogSec=30",
        "StartLimitIntervalSec=0",
        "After=graphical.target",
        "WantedBy=graphical.target",
        "Environment=DISPLAY=:3",
    ):
        assert f"\n{line}\n" in out, line
    assert "\nUser=" in out
    assert re.search(r"@[A-Z_]+@", out) is None  # every placeholder filled in


def test_render_system_and_user_units() -> None:
    system = render_unit(settings())
    assert "\nUser=kiosk\n" in system
    assert "\nEnvironment=XAUTHORITY=/home/kiosk/.Xauthority\n" in system
    assert "#RestartSteps=6" in system  # systemd 252 (Debian 12) does not know it
    assert "\nLimitNICE=30\n" in system  # video threads may go to nice -10
    user = render_unit(settings(user_mode=True))
    assert "User=" not in user
    assert "\nLimitNICE=" not in user  # a user manager cannot raise it: the unit would fail
    assert "After=graphical-session.target" in user and "WantedBy=default.target" in user
    assert "graphical.target" not in user


def test_backoff_where_systemd_has_it() -> None:
    text = render_unit(settings(systemd_version=254))
    assert "\nRestartSteps=6\n" in text and "\nRestartMaxDelaySec=120\n" in text


def test_quoting_of_spaces_and_percent() -> None:
    assert quote("/opt/kiosk/bin/kiosk") == "/opt/kiosk/bin/kiosk"
    assert quote("/srv/Văn phòng/office.yaml") == '"/srv/Văn phòng/office.yaml"'
    assert quote("/srv/100%/a.yaml") == "/srv/100%%/a.yaml"
    assert quote('a"b') == '"a\\"b"'
    text = render_unit(settings(xauthority="/home/k k/.Xauthority"))
    assert '\nEnvironment="XAUTHORITY=/home/k k/.Xauthority"\n' in text


def test_install_writes_the_unit_and_prints_the_commands(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = tmp_path / "units"
    code = main(
        ["install-service", "--config", str(config), "--run-as", "kiosk", "--unit-dir", str(units)]
    )
    assert code == 0
    unit = units / "kiosk.service"
    assert "Type=notify" in unit.read_text(encoding="utf-8")
    assert unit.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in units.iterdir()] == ["kiosk.service"]  # no temp left behind
    out = capsys.readouterr().out
    assert "sudo systemctl daemon-reload" in out
    assert "sudo systemctl enable --now kiosk.service" in out
    assert "\nUser=kiosk\n" in unit.read_text(encoding="utf-8")


def test_user_install_prints_user_commands(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = tmp_path / "user-units"
    assert (
        main(["install-service", "--user", "--config", str(config), "--unit-dir", str(units)]) == 0
    )
    out = capsys.readouterr().out
    assert "systemctl --user enable --now kiosk.service" in out
    assert "User=" not in (units / "kiosk.service").read_text(encoding="utf-8")


def test_user_unit_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert service.unit_dir(True) == tmp_path / "systemd" / "user"
    assert service.unit_dir(False) == Path("/etc/systemd/system")


def test_missing_config_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["install-service", "--config", str(tmp_path / "nope.yaml"), "--dry-run"])
    assert code == 2
    assert "no such config file" in capsys.readouterr().err


def test_unwritable_unit_dir_says_what_to_do(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(["install-service", "--config", str(config), "--unit-dir", str(blocker / "d")])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"cannot write {blocker / 'd' / 'kiosk.service'}") and "sudo" in err


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
@pytest.mark.parametrize("user_mode", [False, True])
def test_systemd_analyze_verify(tmp_path: Path, user_mode: bool) -> None:
    odd = tmp_path / "Văn phòng 100%"
    odd.mkdir()
    config = odd / "office.yaml"
    config.write_text("{}\n", encoding="utf-8")
    real = subprocess.run(
        ["systemd-analyze", "--version"], capture_output=True, text=True, check=False
    )
    version = int(real.stdout.split()[1]) if real.stdout.startswith("systemd ") else None
    unit = tmp_path / "kiosk.service"
    unit.write_text(
        render_unit(
            UnitSettings(
                exec_start=service.kiosk_command(config),
                user="root",  # an account that exists on every machine running the test
                display=":0",
                xauthority="/root/.Xauthority",
                user_mode=user_mode,
                systemd_version=version,
            )
        ),
        encoding="utf-8",
    )
    out = subprocess.run(
        ["systemd-analyze", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    ours = [line for line in out.stderr.splitlines() if str(unit) in line]
    assert ours == [], out.stderr
