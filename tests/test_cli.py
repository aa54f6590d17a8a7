"""The `kiosk` command as an admin meets it: exit codes and `path:line:col` messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.state.status import StatusWriter
from tests.mediagen import make_image


def kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "KIOSK_CONFIG"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        check=False,
    )


def test_version_and_help() -> None:
    out = kiosk("--version")
    assert out.returncode == 0 and out.stdout.startswith("kiosk ")
    out = kiosk("run", "--help")
    assert out.returncode == 0
    assert "examples:" in out.stdout and "--sync-dir" in out.stdout


def test_check_clean_folder(tmp_path: Path, clips: dict[str, Path]) -> None:
    sync = tmp_path / "sync"
    sync.mkdir()
    (sync / "1.mp4").write_bytes(clips["red"].read_bytes())
    make_image(sync / "2.png", "yellow")
    out = kiosk("check", "--sync-dir", str(sync))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 playable item(s), 0 error(s)" in out.stdout


def test_check_lists_every_problem_with_positions(tmp_path: Path, clips: dict[str, Path]) -> None:
    sync = tmp_path / "sync"
    sync.mkdir()
    (sync / "ok.mp4").write_bytes(clips["green"].read_bytes())
    (sync / "fake.mp4").write_text("not a video")
    config = tmp_path / "office.yaml"
    config.write_text("audio:\n  volume: 140\nslides:\n  duraton: 5\n", encoding="utf-8")
    playlist = tmp_path / "pl.yaml"
    playlist.write_text(
        "items:\n  - ok.mp4\n  - ../../etc/passwd.png\n  - fake.mp4\n  - missing.png\n",
        encoding="utf-8",
    )
    out = kiosk(
        "check", "--config", str(config), "--sync-dir", str(sync), "--playlist", str(playlist)
    )
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert any(line.startswith(f"{config}:2:11: error:") for line in lines), lines
    assert any(line.startswith(f"{config}:4:3: error: unknown option") for line in lines), lines
    assert any(
        line.startswith(f"{playlist}:3:5: error: '../../etc/passwd.png' is outside")
        for line in lines
    ), lines
    assert any(
        line.startswith(f"{playlist}:5:5: error: 'missing.png' is not in the sync")
        for line in lines
    ), lines
    assert any(
        line.startswith(f"{sync / 'fake.mp4'}: error: cannot be played")
        and f"listed at {playlist}:4:5" in line
        for line in lines
    ), lines
    assert "1 playable item(s), 5 error(s)" in lines[-1]


def test_run_refuses_a_broken_config_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "office.yaml"
    config.write_text("office:\n  name: [unclosed\n", encoding="utf-8")
    out = kiosk("run", "--config", str(config), "--state-dir", str(tmp_path / "s"))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert out.stderr.startswith(f"{config}:"), out.stderr
    assert "kiosk check" in out.stderr


def test_run_refuses_a_broken_playlist_with_exit_2(tmp_path: Path) -> None:
    playlist = tmp_path / "pl.yaml"
    playlist.write_text("items:\n  - file: a.png\n    duraton: 3\n", encoding="utf-8")
    out = kiosk("run", "--playlist", str(playlist), "--state-dir", str(tmp_path / "s"))
    assert out.returncode == 2
    assert out.stderr.startswith(f"{playlist}:3:5: error: unknown key 'duraton'"), out.stderr


def test_kiosk_config_env_var_is_used(tmp_path: Path) -> None:
    config = tmp_path / "office.yaml"
    config.write_text("audio:\n  volume: loud\n", encoding="utf-8")
    out = kiosk("check", env={"KIOSK_CONFIG": str(config)})
    assert out.returncode == 1
    assert f"{config}:2:11: error:" in out.stdout


def _status(state_dir: Path, **fields: object) -> None:
    now = time.time()
    data = {
        "version": "0.1.0",
        "pid": 1,
        "office": "UBND phường Bến Nghé",
        "state": "running",
        "started_at": now - 3600,
        "updated_at": now,
        "heartbeat_s": 2.0,
        "sync_dir": "/srv/s",
        "now": {
            "state": "video",
            "file": "1-huong-dan.mp4",
            "title": "Hướng dẫn",
            "kind": "video",
            "since": now - 3,
        },
        "next": "2-slide.png",
        "playlist": {"source": "<whole sync folder>", "count": 2, "items": []},
        "failed": [
            {"file": "bad.mp4", "reason": "no picture after 5 s", "when": now - 60, "count": 1}
        ],
        "problems": [],
        "counters": {"played": 10, "failed": 1, "loops": 4},
    }
    data.update(fields)
    assert StatusWriter(state_dir).write(data)


def test_status_alive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _status(tmp_path)
    assert main(["status", "--state-dir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "running" in text and "1-huong-dan.mp4" in text and "Hướng dẫn" in text
    assert "bad.mp4: no picture after 5 s" in text
    assert main(["status", "--state-dir", str(tmp_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["alive"] is True and data["now"]["file"] == "1-huong-dan.mp4"


def test_status_dead_when_heartbeat_is_old_or_stopped_or_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _status(tmp_path, updated_at=time.time() - 60)
    assert main(["status", "--state-dir", str(tmp_path)]) == 1
    assert "looks dead" in capsys.readouterr().out
    _status(tmp_path, state="stopped")
    assert main(["status", "--state-dir", str(tmp_path)]) == 1
    assert main(["status", "--state-dir", str(tmp_path / "nowhere")]) == 1
    assert "no status file" in capsys.readouterr().out


def test_status_writer_survives_a_read_only_state_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    writer = StatusWriter(blocker / "state")  # a folder under a file: cannot be created
    assert writer.write({"a": 1}) is False


def test_bundled_demo_and_example_playlist_check_clean() -> None:
    """What a newcomer runs first must be clean: the demo folder and playlists/demo.yaml."""
    root = Path(__file__).resolve().parent.parent
    out = kiosk("check")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "6 playable item(s), 0 error(s), 0 warning(s)" in out.stdout
    out = kiosk("check", "--playlist", str(root / "playlists" / "demo.yaml"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "6 playable item(s), 0 error(s), 0 warning(s)" in out.stdout


def test_shipped_example_config_checks_clean(tmp_path: Path) -> None:
    """README step 2, as a new admin runs it: the example copied elsewhere, then checked."""
    example = Path(__file__).resolve().parent.parent / "config" / "office.yaml"
    for config in (example, tmp_path / "etc" / "kiosk" / "office.yaml"):
        config.parent.mkdir(parents=True, exist_ok=True)
        if config != example:
            config.write_bytes(example.read_bytes())
        out = kiosk("check", "--config", str(config), "--lang", "en")  # it says `language: vi`
        assert out.returncode == 0, out.stdout + out.stderr
        assert out.stdout.splitlines() == [
            f"kiosk check: {config}; sync folder {example.parent.parent / 'assets' / 'demo'}; "
            "playlist <whole sync folder>: 6 playable item(s), 0 error(s), 0 warning(s)"
        ], out.stdout


def test_check_lays_out_text_slides_and_refuses_too_much_text(tmp_path: Path) -> None:
    """In its own process (no test Qt app): `check` must bring up Qt and the fonts itself."""
    sync = tmp_path / "sync"
    sync.mkdir()
    (sync / "1-thu-tuc.md").write_text(
        "# Cấp bản sao trích lục hộ tịch\n\n1. Nộp tờ khai\n2. Nhận kết quả\n", encoding="utf-8"
    )
    steps = "".join(
        f"{i}. {'Điền đầy đủ thông tin vào tờ khai theo mẫu ' * 6}\n" for i in range(1, 40)
    )
    (sync / "2-qua-dai.md").write_text(f"# Quá nhiều chữ\n\n{steps}", encoding="utf-8")
    out = kiosk("check", "--sync-dir", str(sync))
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1, out.stdout + out.stderr
    errors = [line for line in out.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "2-qua-dai.md" in errors[0] and "too much text" in errors[0]


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    """`kiosk status | head`: the reader leaves early; no traceback about the closed pipe."""
    now = time.time()
    failed = [{"file": f"f{i}.mp4", "reason": "broken " * 20, "when": now} for i in range(3000)]
    status = {"pid": os.getpid(), "office": "X", "state": "running", "updated_at": now}
    (tmp_path / "status.json").write_text(json.dumps({**status, "failed": failed}))
    kiosk = Path(sys.executable).parent / "kiosk"
    done = subprocess.run(
        f"'{kiosk}' status --state-dir '{tmp_path}' | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
