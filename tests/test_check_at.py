"""`kiosk check --at TIME` and the "expires soon" warnings, on real files in a tmp folder.

Run in-process (kiosk.cli.main) with the test's QApplication: text slides are laid out for
real by the probe, which needs Qt and the bundled font.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.cli import main
from kiosk.ui.fonts import load_bundled_fonts
from tests.mediagen import make_image

TZ = "Asia/Ho_Chi_Minh"
PROCEDURE = """\
---
fee: "Miễn lệ phí"
---
# Đăng ký khai sinh
1. Nộp tờ khai và giấy chứng sinh
2. Nhận giấy hẹn
"""
CONFIG = """\
office:
  name: "UBND phường Bến Nghé"
  timezone: "Asia/Ho_Chi_Minh"
hours:
  mon-fri: ["07:30-11:30", "13:30-17:00"]
  sat: "07:30-11:30"
holidays: [2026-12-02]
"""


@pytest.fixture(autouse=True)
def fonts(qapp: object) -> None:
    load_bundled_fonts()


@pytest.fixture
def office(tmp_path: Path, clips: dict[str, Path]) -> tuple[Path, Path]:
    """A config with office hours and a sync folder whose playlist.yaml and sidecar carry
    schedules: clip.mp4 (always), thu-tuc.md (playlist: until 2026-12-31), old.png (sidecar:
    until 2026-11-30), sang.png (sidecar: mornings only, Monday to Friday)."""
    sync = tmp_path / "sync"
    sync.mkdir()
    (sync / "clip.mp4").write_bytes(clips["red"].read_bytes())
    (sync / "thu-tuc.md").write_text(PROCEDURE, encoding="utf-8")
    make_image(sync / "old.png", "green")
    (sync / "old.png.yaml").write_text("valid_until: 2026-11-30\n", encoding="utf-8")
    make_image(sync / "sang.png", "blue")
    (sync / "sang.png.yaml").write_text(
        'weekdays: mon-fri\ntimes: "07:00-09:00"\n', encoding="utf-8"
    )
    (sync / "playlist.yaml").write_text(
        "items:\n  - clip.mp4\n  - file: thu-tuc.md\n    valid_until: 2026-12-31\n  - old.png\n",
        encoding="utf-8",
    )
    config = tmp_path / "office.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    return config, sync


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["check", *args])
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def rotation_part(lines: list[str]) -> list[str]:
    """The lines from 'at ...' to the summary, stripped."""
    start = next(i for i, line in enumerate(lines) if line.startswith("at "))
    return [line.strip() for line in lines[start:-1]]


def test_at_lists_what_plays_in_order_and_what_not(
    office: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, sync = office
    code, lines, _ = check(capsys, "--config", str(config), "--sync-dir", str(sync),
                           "--at", "2026-12-01 08:00")  # fmt: skip
    assert code == 0
    assert rotation_part(lines) == [
        "at Thứ Ba, 01/12/2026 08:00 (Asia/Ho_Chi_Minh): the office is open",
        "what plays then, in order: 3 item(s)",
        "1. clip.mp4 (video)",
        "2. thu-tuc.md (text slide, 10 s) — until 2026-12-31",
        "3. sang.png (image, 10 s) — mon tue wed thu fri; 07:00-09:00",
        "- old.png: not shown: valid until 2026-11-30",
    ]
    assert lines[-1].startswith("kiosk check: ")


def test_at_accepts_iso_and_explicit_offsets(
    office: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, sync = office
    base = ["--config", str(config), "--sync-dir", str(sync)]
    _, plain, _ = check(capsys, *base, "--at", "2026-12-01 10:00")
    _, iso, _ = check(capsys, *base, "--at", "2026-12-01T10:00")
    _, utc, _ = check(capsys, *base, "--at", "2026-12-01T03:00+00:00")  # 10:00 in Vietnam
    _, vn, _ = check(capsys, *base, "--at", "01/12/2026 10:00")
    assert rotation_part(plain) == rotation_part(iso) == rotation_part(utc) == rotation_part(vn)
    # 10:00 is outside sang.png's morning window
    assert "- sang.png: not shown: shown only on mon tue wed thu fri at 07:00-09:00" in (
        rotation_part(plain)
    )


def test_at_when_the_office_is_closed_says_so_with_the_hours(
    office: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, sync = office
    base = ["--config", str(config), "--sync-dir", str(sync)]
    code, lines, _ = check(capsys, *base, "--at", "2026-12-05 14:00")  # Saturday afternoon
    part = rotation_part(lines)
    assert code == 0
    assert part[:6] == [
        "at Thứ Bảy, 05/12/2026 14:00 (Asia/Ho_Chi_Minh): the office is CLOSED; "
        "the closed slide shows",
        "office hours:",
        "Thứ Hai - Thứ Sáu: 07:30-11:30, 13:30-17:00",
        "Thứ Bảy: 07:30-11:30",
        "opens again: Thứ Hai, 07/12/2026 07:30",
        "rotation for that moment once the office is open: 2 item(s)",
    ]
    _, lines, _ = check(capsys, *base, "--at", "2026-12-02 09:00")  # a holiday
    assert "the office is CLOSED (a holiday)" in rotation_part(lines)[0]


@pytest.mark.parametrize(
    "value", ["2026-13-01 08:00", "2026-12-01", "tomorrow 8h", "2026-12-01 25:00"]
)
def test_bad_at_exits_2_with_a_clear_message(
    value: str, office: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, sync = office
    with pytest.raises(SystemExit) as stop:
        main(["check", "--config", str(config), "--sync-dir", str(sync), "--at", value])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --at: {value!r}" in err
    assert "2026-12-01 08:00" in err or "not a valid date" in err


def test_expiry_within_7_days_is_a_warning_at_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clips: dict[str, Path]
) -> None:
    today = datetime.now(ZoneInfo(TZ)).date()

    def day(n: int) -> str:
        return (today + timedelta(days=n)).isoformat()

    sync = tmp_path / "sync"
    sync.mkdir()
    for name in ("a.mp4", "b.mp4", "c.mp4", "d.mp4", "e.mp4"):
        (sync / name).write_bytes(clips["blue"].read_bytes())
    (sync / "b.mp4.yaml").write_text(f"valid_until: {day(4)}\n", encoding="utf-8")
    (sync / "c.mp4.yaml").write_text(f"valid_until: {day(30)}\n", encoding="utf-8")  # far
    (sync / "d.mp4.yaml").write_text(f"valid_until: {day(-3)}\n", encoding="utf-8")  # past
    (sync / "playlist.yaml").write_text(
        f"items:\n  - file: a.mp4\n    valid_until: {day(7)}\n", encoding="utf-8"
    )
    code, lines, _ = check(capsys, "--sync-dir", str(sync))
    warnings = [line for line in lines if ": warning: " in line]
    assert code == 0, lines  # warnings do not fail the check
    assert f"{sync}/playlist.yaml:3:5: warning: a.mp4 expires on {day(7)} (in 7 days)" in (
        "\n".join(warnings)
    )
    assert f"{sync}/b.mp4.yaml:1:1: warning: b.mp4 expires on {day(4)} (in 4 days)" in (
        "\n".join(warnings)
    )
    assert any(w.startswith(f"{sync}/d.mp4.yaml:1:1: warning: d.mp4 expired on") for w in warnings)
    assert len(warnings) == 3, warnings  # c.mp4 (30 days) and e.mp4 (no rule): nothing
    assert lines[-1].endswith("0 error(s), 3 warning(s)")
    # With --at the listing replaces the warnings (it shows "until ..." for each item).
    _, lines, _ = check(capsys, "--sync-dir", str(sync), "--at", f"{day(0)} 09:00")
    assert not [line for line in lines if "expires on" in line]


def test_expiry_today_and_playlist_wins_over_sidecar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clips: dict[str, Path]
) -> None:
    today: date = datetime.now(ZoneInfo(TZ)).date()
    sync = tmp_path / "sync"
    sync.mkdir()
    (sync / "a.mp4").write_bytes(clips["green"].read_bytes())
    (sync / "a.mp4.yaml").write_text("valid_until: 2000-01-01\n", encoding="utf-8")
    (sync / "playlist.yaml").write_text(
        f"items:\n  - file: a.mp4\n    valid_until: {today.isoformat()}\n", encoding="utf-8"
    )
    _, lines, _ = check(capsys, "--sync-dir", str(sync))
    warnings = [line for line in lines if ": warning: " in line]
    assert warnings == [
        f"{sync}/playlist.yaml:3:5: warning: a.mp4 expires on {today.isoformat()} "
        "(today, its last day); it is not shown after that day: change valid_until to keep it"
    ]
