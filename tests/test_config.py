"""Config loading: every mistake reported at its exact file:line:col, defaults always valid."""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import UTC
from pathlib import Path

import pytest

from kiosk.config import (
    CLI_SOURCE,
    OPTIONS,
    Config,
    config_path_from_env,
    default_config,
    load_config,
    parse_config,
)
from kiosk.config.example import example_config
from kiosk.config.values import check_key_chord, check_value
from kiosk.core.problems import Problem

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "config" / "office.yaml"


def _load(tmp_path: Path, text: str | bytes) -> tuple[Path, Config, list[str]]:
    p = tmp_path / "office.yaml"
    if isinstance(text, str):
        p.write_text(text, encoding="utf-8")
    else:
        p.write_bytes(text)
    cfg, problems = load_config(p, {})
    return p, cfg, [str(x) for x in problems]


# --- the schema itself -----------------------------------------------------------------------


def test_every_default_is_valid_under_its_own_validator() -> None:
    for opt in OPTIONS:
        value, err = check_value(opt, opt.default)
        assert err is None, f"{opt.name}: default {opt.default!r}: {err}"
        if opt.type in ("choice", "keychord"):
            assert value == opt.default, f"{opt.name}: default is not in canonical form"


def test_config_fields_match_options_one_to_one() -> None:
    fields = [f.name for f in dataclasses.fields(Config) if f.name != "source"]
    assert fields == [o.attr for o in OPTIONS]
    assert len({o.name for o in OPTIONS}) == len(OPTIONS)
    for opt in OPTIONS:
        assert opt.doc.strip(), f"{opt.name} has no doc"


def test_defaults_without_config_file() -> None:
    cfg, problems = load_config(None, {})
    assert problems == []
    assert cfg == default_config()
    assert cfg.office_name == "Bộ phận Một cửa"
    assert (cfg.sync_dir, cfg.playlist, cfg.office_logo) == (None, None, None)
    assert cfg.slides_duration == 10.0 and isinstance(cfg.slides_duration, float)
    assert (cfg.display_screen, cfg.display_windowed) == (0, False)
    assert (cfg.audio_volume, cfg.audio_mute) == (80, False)
    assert cfg.log_level == "INFO"
    assert cfg.admin_exit_key == "Ctrl+Alt+Shift+Q"
    assert cfg.state_dir.is_absolute() and cfg.state_dir.name == "kiosk"
    assert cfg.source is None
    assert cfg.get("audio.volume") == 80


# --- the example file ------------------------------------------------------------------------


REGENERATE = ".venv/bin/python -m kiosk.config.example > config/office.yaml"


def test_example_office_yaml_is_written_from_the_declarations() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") == example_config(), (
        f"config/office.yaml differs from the option declarations; regenerate it: {REGENERATE}"
    )


def test_example_office_yaml_loads_clean() -> None:
    cfg, problems = load_config(EXAMPLE, {})
    assert problems == [], [str(p) for p in problems]
    assert cfg.source == EXAMPLE
    assert "Bến Nghé" in cfg.office_name
    # Machine-specific paths stay at their defaults, so the file checks clean anywhere.
    assert (cfg.sync_dir, cfg.office_logo, cfg.playlist) == (None, None, None)


def test_example_sets_each_option_to_its_example_or_default() -> None:
    """Every option is in the file, and a default written there reads back as the default."""
    text = example_config()
    cfg, problems = parse_config(text.encode(), Path("office.yaml"))
    assert problems == []
    defaults = default_config()
    examples = {o.name for o in OPTIONS if o.example is not None}
    for opt in OPTIONS:
        if opt.name not in examples:
            assert cfg.get(opt.name) == defaults.get(opt.name), opt.name
        indent = "  " if opt.section else ""
        assert re.search(rf"^{indent}{re.escape(opt.key)}:", text, re.M), opt.name
    assert cfg.slides_duration == 12 and cfg.audio_volume == 70
    assert cfg.hours.describe_day(0) == "07:30-11:30, 13:30-17:00"
    assert len(cfg.holidays) == 8 and cfg.header_enabled and cfg.ticker_text


# --- good files ------------------------------------------------------------------------------


def test_values_paths_and_case_insensitive_choice(tmp_path: Path) -> None:
    _, cfg, problems = _load(
        tmp_path,
        "office:\n  logo: img/logo.png\n  name: '17:30 UBND'\n"
        "sync:\n  dir: ../sync\nplaylist: ~/p.yaml\n"
        "slides:\n  duration: 5\nlog:\n  level: debug\n"
        "admin:\n  exit_key: ctrl+alt+x\naudio:\n",
    )
    assert problems == []
    assert cfg.office_logo == tmp_path / "img" / "logo.png"
    assert cfg.sync_dir == tmp_path / ".." / "sync"
    assert cfg.playlist == Path("~/p.yaml").expanduser()
    assert cfg.slides_duration == 5.0 and isinstance(cfg.slides_duration, float)
    assert cfg.log_level == "DEBUG"
    assert cfg.admin_exit_key == "Ctrl+Alt+X"
    assert cfg.office_name == "17:30 UBND"
    assert cfg.audio_volume == 80  # empty section: defaults


def test_leading_zero_time_text_is_accepted(tmp_path: Path) -> None:
    # PyYAML reads 07:30 as text (base 60 needs a first digit 1-9), so it is fine as a name.
    _, cfg, problems = _load(tmp_path, "office:\n  name: 07:30\n")
    assert problems == []
    assert cfg.office_name == "07:30"


def test_null_for_nullable_path(tmp_path: Path) -> None:
    _, cfg, problems = _load(tmp_path, "sync:\n  dir: null\nplaylist:\nstate_dir: ~\n")
    assert problems == []
    assert cfg.sync_dir is None and cfg.playlist is None
    assert cfg.state_dir == default_config().state_dir


def test_empty_file_and_bom_are_fine(tmp_path: Path) -> None:
    _, cfg, problems = _load(tmp_path, "")
    assert problems == []
    assert dataclasses.replace(cfg, source=None) == default_config()
    _, cfg, problems = _load(tmp_path, "# only comments\n")
    assert problems == []
    _, cfg, problems = _load(tmp_path, b"\xef\xbb\xbfaudio:\n  volume: 5\n")
    assert problems == []
    assert cfg.audio_volume == 5


# --- errors: exact positions -----------------------------------------------------------------


def test_syntax_error(tmp_path: Path) -> None:
    p, cfg, problems = _load(tmp_path, "audio:\n  volume: 5\n mute: true\n")
    assert len(problems) == 1
    assert problems[0].startswith(f"{p}:3:2: error: bad indentation; check the spaces")
    assert cfg.audio_volume == 80  # nothing taken from a file that does not parse


def test_duplicate_key(tmp_path: Path) -> None:
    p, cfg, problems = _load(tmp_path, "audio:\n  volume: 5\n  volume: 6\n")
    assert problems == [f"{p}:3:3: error: duplicate key 'volume' (first at line 2); remove one"]
    assert cfg.audio_volume == 5


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    p, _, problems = _load(tmp_path, "audio:\n  volum: 5\nofice:\n  name: x\nzzz: 1\n")
    assert problems == [
        f"{p}:2:3: error: unknown option 'audio.volum'; did you mean 'audio.volume'?",
        f"{p}:3:1: error: unknown option 'ofice'; did you mean 'office'?",
        f"{p}:5:1: error: unknown option 'zzz'; known names here: admin, audio, "
        "closed, display, header, holidays, hours, log, office, playlist, proof_of_play, "
        "screenshot, slides, state_dir, sync, theme, ticker",
    ]


def test_dotted_key_at_top_level_is_explained(tmp_path: Path) -> None:
    p, _, problems = _load(tmp_path, "audio.volume: 5\n")
    assert problems == [
        f"{p}:1:1: error: write 'audio.volume' nested: 'audio:' on one line, "
        "then '  volume: ...' indented below it"
    ]


def test_wrong_type(tmp_path: Path) -> None:
    p, cfg, problems = _load(
        tmp_path,
        "audio:\n  volume: loud\n  mute: 'true'\ndisplay:\n  screen: 1.5\n"
        "slides:\n  duration: [1, 2]\noffice: Một cửa\n",
    )
    assert problems == [
        f"{p}:2:11: error: audio.volume: must be a whole number from 0 to 100, got the text 'loud'",
        f"{p}:3:9: error: audio.mute: must be true or false without quotes, got 'true' in quotes",
        f"{p}:5:11: error: display.screen: must be a whole number, got 1.5",
        f"{p}:7:13: error: slides.duration: must be a number from 1 to 3600, not a list",
        f"{p}:8:9: error: 'office' is a section, not a value; write its options indented "
        "below it (name, logo, timezone, language), e.g. 'office:' then '  name: ...'",
    ]
    assert (cfg.audio_volume, cfg.audio_mute) == (80, False)


def test_sexagesimal_and_yes_refused_for_text_options(tmp_path: Path) -> None:
    p, _, problems = _load(
        tmp_path, "office:\n  name: 17:30\nlog:\n  level: no\nadmin:\n  exit_key: 12\n"
    )
    assert problems == [
        f"{p}:2:9: error: office.name: YAML reads unquoted '17:30' as the number 1050 "
        '(base 60, like a clock), not as text; put it in quotes: "17:30"',
        f"{p}:4:10: error: log.level: YAML reads unquoted 'no' as false, not as text; "
        'put it in quotes: "no"',
        f"{p}:6:13: error: admin.exit_key: YAML reads unquoted '12' as the number 12, "
        'not as text; put it in quotes: "12"',
    ]


def test_yaml11_numbers_refused_for_number_options(tmp_path: Path) -> None:
    p, _, problems = _load(tmp_path, "audio:\n  volume: 1:20\ndisplay:\n  screen: 010\n")
    assert problems == [
        f"{p}:2:11: error: audio.volume: YAML reads '1:20' as the number 80 "
        "(base 60, like a clock); write a plain number",
        f"{p}:4:11: error: display.screen: YAML reads '010' as the octal number 8; "
        "write the number without the leading 0",
    ]


def test_out_of_range_volume(tmp_path: Path) -> None:
    p, cfg, problems = _load(tmp_path, "audio:\n  volume: 150\n")
    assert problems == [
        f"{p}:2:11: error: audio.volume: must be a whole number from 0 to 100, got 150"
    ]
    assert cfg.audio_volume == 80


def test_out_of_range_duration_and_screen(tmp_path: Path) -> None:
    p, _, problems = _load(tmp_path, "slides:\n  duration: 0.5\ndisplay:\n  screen: -1\n")
    assert problems == [
        f"{p}:2:13: error: slides.duration: must be a number from 1 to 3600, got 0.5",
        f"{p}:4:11: error: display.screen: must be a whole number >= 0, got -1",
    ]


def test_bad_choice(tmp_path: Path) -> None:
    p, cfg, problems = _load(tmp_path, "log:\n  level: LOUD\n")
    assert problems == [
        f"{p}:2:10: error: log.level: must be one of DEBUG, INFO, WARNING, ERROR, got 'LOUD'"
    ]
    assert cfg.log_level == "INFO"


def test_bad_exit_key(tmp_path: Path) -> None:
    p, _, problems = _load(tmp_path, "admin:\n  exit_key: Strg+Q\n")
    assert problems == [
        f"{p}:2:13: error: admin.exit_key: unknown modifier 'Strg' in 'Strg+Q'; "
        "use Ctrl, Alt, Shift or Meta joined by '+'"
    ]


def test_null_for_required_value(tmp_path: Path) -> None:
    p, _, problems = _load(tmp_path, "audio:\n  volume:\n")
    assert problems == [
        f"{p}:2:10: error: audio.volume: needs a value (a whole number from 0 to 100); "
        "remove the line to use the default (80)"
    ]


def test_several_errors_all_reported_in_file_order(tmp_path: Path) -> None:
    p, cfg, problems = _load(
        tmp_path,
        "office:\n  name: yes\naudio:\n  volume: 101\n  mut: true\n"
        "log:\n  level: verbose\ndisplay:\n  windowed: true\n",
    )
    assert [s.split(": error: ")[0] for s in problems] == [
        f"{p}:2:9",
        f"{p}:4:11",
        f"{p}:5:3",
        f"{p}:7:10",
    ]
    assert cfg.display_windowed is True  # good values are still taken


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    p, _, problems = _load(tmp_path, "- audio\n- office\n")
    assert problems == [
        f"{p}:1:1: error: the top level must be 'name: value' lines (a mapping), not a list; "
        "see config/office.yaml for an example"
    ]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    cfg, problems = load_config(missing, {})
    assert [str(x) for x in problems] == [
        f"{missing}: error: config file not found; check the path "
        "(given by --config or $KIOSK_CONFIG)"
    ]
    assert dataclasses.replace(cfg, source=None) == default_config()
    _, problems = load_config(tmp_path, {})
    assert [str(x) for x in problems] == [
        f"{tmp_path}: error: this is a folder; give the path of the config file "
        "(e.g. office.yaml) instead"
    ]


def test_unreadable_file(tmp_path: Path) -> None:
    """Read in a child process that the file's mode binds. Root reads any file through its
    capabilities, so as root (as in CI) the child runs without them: still uid 0, no longer
    above the mode bits (util-linux's setpriv drops them)."""
    import subprocess
    import sys

    p = tmp_path / "office.yaml"
    p.write_text("audio:\n  volume: 5\n")
    p.chmod(0)
    code = (
        "import sys\nfrom pathlib import Path\nfrom kiosk.config import load_config\n"
        "print(*load_config(Path(sys.argv[1]), {})[1], sep='\\n')\n"
    )
    cmd = [sys.executable, "-c", code, str(p)]
    if os.geteuid() == 0:
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        f"{p}: error: cannot read the config file: permission denied; make it readable by this user"
    ]


def test_permission_denied_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "office.yaml"

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    _, problems = load_config(p, {})
    assert [str(x) for x in problems] == [
        f"{p}: error: cannot read the config file: permission denied; make it readable by this user"
    ]


def test_invalid_utf8(tmp_path: Path) -> None:
    p, _, problems = _load(tmp_path, "office:\n  name: B\xe1o\n".encode("latin-1"))
    assert problems == [
        f"{p}:2:10: error: invalid UTF-8 (byte 0xE1); save the file with UTF-8 encoding"
    ]


# --- overrides and the environment -----------------------------------------------------------


def test_overrides_win_and_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "office.yaml"
    p.write_text("audio:\n  volume: 5\n  mute: true\n")
    monkeypatch.chdir(tmp_path)
    cfg, problems = load_config(
        p,
        {
            "audio.volume": 150,
            "audio_mute": False,
            "display.windowed": True,
            "sync.dir": "here",
            "playlist": None,
        },
    )
    assert problems == [
        Problem(
            problems[0].where,
            "audio.volume: must be a whole number from 0 to 100, got 150",
        )
    ]
    assert str(problems[0]).startswith(f"{CLI_SOURCE}: error: audio.volume:")
    assert cfg.audio_volume == 5  # bad override ignored, file value kept
    assert cfg.audio_mute is False
    assert cfg.display_windowed is True
    assert cfg.sync_dir == tmp_path / "here"
    assert cfg.playlist is None


def test_unknown_override_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        load_config(None, {"audio.volum": 5})


def test_config_path_from_env() -> None:
    assert config_path_from_env(Path("a.yaml"), {"KIOSK_CONFIG": "b.yaml"}) == Path("a.yaml")
    assert config_path_from_env(None, {"KIOSK_CONFIG": "b.yaml"}) == Path("b.yaml")
    assert config_path_from_env(None, {"KIOSK_CONFIG": ""}) is None
    assert config_path_from_env(None, {}) is None


def test_config_path_from_real_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_CONFIG", "/etc/kiosk/office.yaml")
    assert config_path_from_env(None) == Path("/etc/kiosk/office.yaml")
    monkeypatch.delenv("KIOSK_CONFIG")
    assert config_path_from_env(None) is None


# --- the key chord check ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("Ctrl+Alt+Shift+Q", "Ctrl+Alt+Shift+Q"),
        ("control + alt + del", "Ctrl+Alt+Del"),
        ("Meta+F12", "Meta+F12"),
        ("Ctrl++", "Ctrl++"),
        ("shift+esc", "Shift+Esc"),
    ],
)
def test_key_chord_ok(text: str, canonical: str) -> None:
    assert check_key_chord(text) == (canonical, None)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "is empty"),
        ("Q", "has no modifier"),
        ("Ctrl+", "ends with '+'"),
        ("Ctrl+Alt", "has no key after the modifiers"),
        ("Ctrl+Ctrl+Q", "Ctrl appears twice"),
        ("Ctrl+Banana", "unknown key 'Banana'"),
        ("Hyper+Q", "unknown modifier 'Hyper'"),
    ],
)
def test_key_chord_bad(text: str, fragment: str) -> None:
    _, err = check_key_chord(text)
    assert err is not None and fragment in err


# --- schedule, theme and zones ---------------------------------------------------------------


def test_schedule_theme_and_zone_defaults() -> None:
    cfg = default_config()
    assert cfg.office_timezone == "Asia/Ho_Chi_Minh"
    assert cfg.hours.always_open and cfg.hours.timezone == "Asia/Ho_Chi_Minh"
    assert cfg.holidays == ()
    assert (cfg.closed_mode, cfg.closed_slide) == ("slide", None)
    assert (cfg.theme_background, cfg.theme_accent, cfg.theme_text) == (
        "#0c2a5c",
        "#f2c230",
        "#ffffff",
    )
    assert (cfg.header_enabled, cfg.ticker_enabled, cfg.ticker_text) == (False, False, "")
    assert cfg.ticker_speed == 120.0


def test_example_hours_holidays_and_zones() -> None:
    from datetime import date, datetime

    cfg, problems = load_config(EXAMPLE, {})
    assert problems == []
    assert not cfg.hours.always_open
    assert date(2026, 9, 2) in cfg.holidays and date(2027, 2, 8) in cfg.holidays
    assert cfg.hours.holidays == frozenset(cfg.holidays)
    # 01:00 UTC is 08:00 in Vietnam: open on Tuesday 2026-12-01, closed on the 2 September holiday.
    assert cfg.hours.is_open(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    assert not cfg.hours.is_open(datetime(2026, 9, 2, 1, 0, tzinfo=UTC))
    assert cfg.header_enabled and cfg.ticker_enabled and "dichvucong" in cfg.ticker_text


def test_hours_timezone_and_holidays_errors_have_positions(tmp_path: Path) -> None:
    p, cfg, problems = _load(
        tmp_path,
        "office:\n  timezone: Asia/Hanoi\nhours:\n  mon: '07:30'\nholidays:\n  - soon\n",
    )
    assert problems == [
        f"{p}:2:13: error: office.timezone: unknown time zone 'Asia/Hanoi'; "
        "write one like 'Asia/Ho_Chi_Minh'",
        f"{p}:4:8: error: '07:30' is not a time window; "
        'write a time window as "HH:MM-HH:MM" in quotes, e.g. "07:30-11:30"',
        f"{p}:6:5: error: holidays: expected a date like 2026-12-01 (or 01/12/2026, day first), "
        "got the text 'soon'",
    ]
    assert cfg.hours.always_open  # a broken `hours:` never closes the office
    assert cfg.office_timezone == "Asia/Ho_Chi_Minh"


def test_hours_with_unquoted_times_and_other_timezone(tmp_path: Path) -> None:
    from datetime import datetime

    _, cfg, problems = _load(
        tmp_path,
        "office:\n  timezone: Asia/Bangkok\nhours:\n  t2-t6: [{from: 7:30, to: 17:00}]\n",
    )
    assert problems == []
    assert cfg.hours.timezone == "Asia/Bangkok"
    assert cfg.hours.is_open(datetime(2026, 12, 1, 0, 30, tzinfo=UTC))  # 07:30 there
    assert not cfg.hours.is_open(datetime(2026, 12, 1, 0, 29, tzinfo=UTC))


def test_colours_need_quotes_and_hex(tmp_path: Path) -> None:
    p, cfg, problems = _load(
        tmp_path, "theme:\n  background: #123456\n  accent: 'gold'\n  text: '#ABCDEF'\n"
    )
    assert problems == [
        f'{p}:2:14: error: theme.background: needs a colour in quotes, like "#0c2a5c": '
        "without quotes YAML takes '#' as the start of a comment and sees no value",
        f'{p}:3:11: error: theme.accent: must be a colour like "#0c2a5c" (in quotes): '
        "'#' and 6 hex digits, got 'gold'",
    ]
    assert cfg.theme_text == "#abcdef"


def test_ticker_and_closed_options(tmp_path: Path) -> None:
    p, cfg, problems = _load(
        tmp_path,
        "ticker:\n  text: ''\n  speed: 5\nclosed:\n  mode: DISPLAY_OFF\n  slide: closed.png\n",
    )
    assert problems == [f"{p}:3:10: error: ticker.speed: must be a number from 20 to 1000, got 5"]
    assert cfg.ticker_text == ""
    assert cfg.closed_mode == "display_off"
    assert cfg.closed_slide == tmp_path / "closed.png"
