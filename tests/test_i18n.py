"""kiosk in Vietnamese: the catalog is whole, and `check` and `status` say nothing in English.

The rest of the suite reads kiosk's English (tests/conftest.py sets LANGUAGE=en), so that its
assertions keep their meaning; the tests here ask for Vietnamese themselves.
"""

from __future__ import annotations

import json
import logging
import os
import re
import string
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kiosk import i18n
from kiosk.core.msg import Msg, _, from_json, join, to_json
from kiosk.i18n import localize

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "kiosk" / "locale" / "vi" / "LC_MESSAGES" / "kiosk.po"


def fields(text: str) -> set[tuple[str, str | None]]:
    """The placeholders of a message: (name, conversion); the format spec may differ (a
    translation writes its own date format, `%d/%m/%Y`)."""
    return {
        (name, conv)
        for _lit, name, _spec, conv in string.Formatter().parse(text)
        if name is not None
    }


def catalog() -> list[tuple[str, str]]:
    with PO.open("rb") as f:
        cat = read_po(f)
    return [(str(m.id), str(m.string)) for m in cat if m.id]


def test_every_message_has_a_vietnamese_translation_with_the_same_placeholders() -> None:
    messages = catalog()
    assert len(messages) > 300
    untranslated = [mid for mid, text in messages if not text.strip()]
    assert untranslated == []
    mismatched = [(mid, text) for mid, text in messages if fields(mid) != fields(text)]
    assert mismatched == []


def test_the_catalog_holds_every_message_of_the_code() -> None:
    """A message added to the code but not to the catalog: `scripts/i18n extract`, translate."""
    in_code = {
        msgid
        for _file, _line, msgid, _comments, _context in extract_from_dir(
            str(ROOT / "kiosk"),
            method_map=[("**.py", "python"), ("fleet/page/templates/**.html", "jinja2")],
            keywords={"_": None, "N_": None},
        )
    }
    assert len(in_code) > 300
    assert sorted(in_code - {mid for mid, _t in catalog()}) == []


def test_the_compiled_catalog_is_current() -> None:
    mo = PO.with_suffix(".mo")
    assert mo.is_file(), "run scripts/setup: it compiles kiosk/locale/*/LC_MESSAGES/*.po"
    assert mo.stat().st_mtime >= PO.stat().st_mtime, "run scripts/setup: the .po is newer"


def test_a_message_renders_in_the_readers_language_with_its_numbers_and_dates() -> None:
    msg = _("{n} file(s) cannot be played — see kiosk status", n=3)
    assert msg == "3 file(s) cannot be played — see kiosk status"  # the str is the English
    assert localize(msg, "vi") == "3 tệp không phát được — xem kiosk status"
    assert localize(msg, "en") == str(msg)
    slow = _(
        "{tool} took longer than {seconds:g} s on this file; it may be damaged",
        tool="x",
        seconds=2.5,
    )
    assert "2,5 giây" in localize(slow, "vi")
    assert "2.5 s" in localize(slow, "en")
    when = _(
        "{when:%Y-%m-%d %H:%M:%S} ({ago} ago)",
        when=datetime(2026, 12, 1, 8, 0),
        ago=_("{n} s", n=10),
    )
    assert localize(when, "vi") == "Thứ Ba, 01/12/2026 08:00:00 (10 giây trước)"
    assert localize(when, "en") == "2026-12-01 08:00:00 (10 s ago)"
    nested = _("cannot be played: {reason}", reason=_("file not found"))
    again = from_json(json.loads(json.dumps(to_json(nested))))
    assert isinstance(again, Msg) and localize(again, "vi") == "không phát được: không tìm thấy tệp"
    stamp = from_json(to_json(_("valid until {date:%Y-%m-%d}", date=date(2026, 11, 30))))
    assert localize(stamp, "vi") == "chỉ có hiệu lực đến hết 30/11/2026"
    assert localize(join([_("mon"), _("wed")], " "), "vi") == "T2 T4"


def test_the_language_is_the_flag_then_the_config_then_lang_then_vietnamese() -> None:
    assert i18n.choose("en", "vi", {"LANG": "vi_VN.UTF-8"}) == "en"
    assert i18n.choose(None, "en", {"LANG": "vi_VN.UTF-8"}) == "en"
    assert i18n.choose(None, None, {"LANG": "en_US.UTF-8"}) == "en"
    assert i18n.choose(None, None, {"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}) == "vi"
    assert i18n.choose(None, None, {"LANG": "C.UTF-8"}) == "vi"  # says nothing: Vietnamese
    assert i18n.choose(None, None, {"LANG": "fr_FR.UTF-8"}) == "vi"
    assert i18n.choose(None, None, {}) == "vi"


# --- no English sentence in Vietnamese output ---------------------------------------------
# English words that no Vietnamese sentence of kiosk's holds. A line of `check` or `status`
# with one of them, once the allowed spans are taken out, is English that skipped the catalog.
ENGLISH = set(
    [
        "the",
        "is",
        "are",
        "not",
        "cannot",
        "must",
        "be",
        "of",
        "and",
        "or",
        "with",
        "to",
        "in",
        "at",
        "for",
        "this",
        "it",
        "was",
        "has",
        "have",
        "no",
        "yet",
        "ago",
        "since",
        "from",
        "until",
        "will",
        "would",
        "should",
        "file",
        "files",
        "folder",
        "error",
        "errors",
        "warning",
        "warnings",
        "playlist",
        "item",
        "items",
        "got",
        "expected",
        "write",
        "add",
        "remove",
        "check",
        "found",
        "shown",
        "played",
        "skipped",
        "set",
        "aside",
        "screen",
        "running",
        "open",
        "closed",
        "office",
        "hours",
        "sync",
        "problem",
        "problems",
        "recent",
        "next",
        "written",
        "loops",
        "stalls",
        "restarts",
        "player",
        "picture",
        "unknown",
        "option",
        "did",
        "you",
        "mean",
        "empty",
        "line",
        "missing",
        "readable",
        "could",
        "broken",
        "still",
        "copying",
        "while",
        "only",
        "before",
        "after",
        "day",
        "days",
    ]
)
# What stays English in Vietnamese output, and is taken out before the words are looked at:
# - quoted text ('...', "...", `...`): file names, option keys, YAML values as written;
# - paths and file names (a '/' or an extension), option keys (`slides.duration`);
# - kiosk's commands and its words of the trade, which have no Vietnamese (the YAML keys of
#   a playlist or slide are quoted; these are the bare ones);
# - what other programs say, shown in brackets after kiosk's own sentence (Qt, libVLC).
ALLOWED_TERMS = {
    "kiosk", "check", "status", "YAML", "UTF-8", "PDF", "QR", "libVLC", "Syncthing", "pid",
    "inotify", "null", "true", "false", "hub", "join", "video", "stderr", "x11", "wayland",
}  # fmt: skip
# - the names a config, playlist, slide or schedule file is written with, and an option's
#   choices (`log.level` is one of DEBUG, INFO, WARNING, ERROR), as the code declares them;
# - other programs' own words, shown in brackets after kiosk's sentence (poppler's here).
FOREIGN = ("Syntax Error: Couldn't read xref table",)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_PATHLIKE = re.compile(r"\S*[/.]\S*|<[^>]*>|\w+_\w+")


def file_words() -> set[str]:
    from kiosk.config.schema import OPTIONS, SECTIONS
    from kiosk.core.playlist import ITEM_KEYS, PLAYLIST_KEYS
    from kiosk.core.procedure_slide import SLIDE_KEYS
    from kiosk.core.schedule_yaml import SCHEDULE_KEYS

    words = {*ITEM_KEYS, *PLAYLIST_KEYS, *SLIDE_KEYS, *SCHEDULE_KEYS, *SECTIONS}
    words |= {o.key for o in OPTIONS} | {c for o in OPTIONS for c in o.choices}
    return words


def english_words(line: str) -> set[str]:
    for phrase in FOREIGN:
        line = line.replace(phrase, " ")
    text = _PATHLIKE.sub(" ", _QUOTED.sub(" ", line))
    words = set(re.findall(r"[A-Za-zÀ-ỹ]+", text)) - ALLOWED_TERMS - file_words()
    return {w for w in words if w.lower() in ENGLISH}


def assert_no_english(output: str) -> None:
    leaks = [(line, english_words(line)) for line in output.splitlines() if english_words(line)]
    assert leaks == [], "\n".join(f"{words}: {line}" for line, words in leaks)


def test_the_english_detector_finds_english() -> None:
    assert english_words("/x/office.yaml:9:3: error: unknown option 'slides.duraton'")
    assert english_words("  set aside (2):")
    assert not english_words(
        "/x/office.yaml:9:3: lỗi: không có tùy chọn 'slides.duraton'; "
        "có phải ý bạn là 'slides.duration'?"
    )


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def broken_office(tmp_path: Path) -> Path:
    """A config and a playlist full of mistakes, a sync folder of broken files."""
    sync = tmp_path / "sync"
    sync.mkdir()
    (sync / "1-huong-dan.mp4").write_bytes(b"not a video at all")
    (sync / "2-hong.png").write_text("not an image")
    (sync / "3-rong.mp4").write_bytes(b"")
    (sync / "4-thu-tuc.md").write_text("## Phụ đề\nVăn bản lạc\n1. Nộp hồ sơ\n", encoding="utf-8")
    (sync / "5-lich.yaml").write_text("title: Lịch\nsteps: [a]\nqr: not-a-link\nkind: x\n")
    (sync / "6-sai.pdf").write_text("%PDF-1.4 broken")
    (sync / "7-het-han.png.yaml").write_text("valid_until: 2020-01-01\nweekdays: [2]\n")
    (sync / "7-het-han.png").write_text("not an image either")
    # Media as offices have it: a phone's HEIC photo, a presentation, a Theora clip and a
    # file of no known kind (never shown, listed); an MP4 whose index runs past its end,
    # copied a day ago (set aside as incomplete: "copy it again", not "still copying?").
    (sync / "8-anh-iphone.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic")
    (sync / "8-bai-giang.pptx").write_bytes(b"PK\x03\x04")
    (sync / "8-clip.ogv").write_bytes(b"OggS")
    (sync / "8-khong-ro.abc").write_bytes(b"?")
    cut = sync / "9-cat-do.mp4"
    cut.write_bytes(
        b"\x00\x00\x00\x10ftypisom\x00\x00\x02\x00" + b"\x00\x00\x40\x00moov" + b"\0" * 64
    )
    day_ago = time.time() - 86400
    os.utime(cut, (day_ago, day_ago))
    (tmp_path / "pl.yaml").write_text(
        "items:\n"
        "  - file: 1-huong-dan.mp4\n"
        "    duraton: 5\n"
        "  - file: khong-ton-tai.mp4\n"
        "  - file: 2-hong.png\n"
        "    valid_until: 2026-11-30\n"
        "    valid_from: 2026-12-05\n"
        "  - file: 3-rong.mp4\n"
        "    duration: 1.5\n"
        "  - file: 4-thu-tuc.md\n"
        "    times: '25:00-26:00'\n"
        "  - folder: ../ngoai\n"
        "  - file: ghi-chu.txt\n"
        "  - 5-lich.yaml\n"
        "  - 6-sai.pdf\n"
        "  - 7-het-han.png\n"
        "  - 9-cat-do.mp4\n"
        "transition: slow\n"
        "fade_seconds: 9\n",
        encoding="utf-8",
    )
    config = tmp_path / "office.yaml"
    config.write_text(
        "office:\n"
        "  name: UBND xã An Phú\n"
        "  logo: khong-co.png\n"
        "  timezone: Asia/Saigon_x\n"
        "sync:\n"
        "  dir: ./sync\n"
        "  quiet_seconds: 0.1\n"
        "slides:\n"
        "  duraton: 12\n"
        "audio:\n"
        "  volume: '80'\n"
        "  mute: 'no'\n"
        "hours:\n"
        "  mon-fri: ['07:30-11:30', '11:00-17:00']\n"
        "  thu 9: '07:30-11:30'\n"
        "holidays:\n"
        "  - {from: 2026-02-20, to: 2026-02-10}\n"
        "theme:\n"
        "  accent: #f2c230\n"
        "admin:\n"
        "  exit_key: Q\n"
        "playlist: pl.yaml\n"
        "state_dir: 07\n"
        "log:\n"
        "  level: LOUD\n",
        encoding="utf-8",
    )
    return config


def test_kiosk_check_in_vietnamese_prints_no_english_sentence(tmp_path: Path) -> None:
    config = broken_office(tmp_path)
    done = kiosk("check", "--lang", "vi", "--config", str(config))
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "lỗi: không có tùy chọn 'slides.duraton'; có phải ý bạn là 'slides.duration'?" in out
    assert out.count(": lỗi: ") >= 20
    assert "kiosk check: " in out and "mục phát được" in out
    assert "8-anh-iphone.HEIC: cảnh báo: không bao giờ được chiếu: ảnh HEIC/HEIF" in out
    assert "8-khong-ro.abc: cảnh báo: không bao giờ được chiếu: tệp '.abc'" in out
    assert "tệp chưa đầy đủ: tệp khai báo 16400 byte nhưng chỉ có 88; hãy sao chép lại" in out
    assert_no_english(out)
    assert "Traceback" not in done.stderr


def test_kiosk_check_at_in_vietnamese_prints_no_english_sentence(tmp_path: Path) -> None:
    sync = tmp_path / "sync"
    sync.mkdir()
    (sync / "a.png").write_bytes((ROOT / "assets/demo/5-giay-to-can-chuan-bi.png").read_bytes())
    (sync / "b.png").write_bytes((ROOT / "assets/demo/5-giay-to-can-chuan-bi.png").read_bytes())
    (sync / "b.png.yaml").write_text("weekdays: mon-fri\ntimes: '07:30-11:30'\n")
    (sync / "c.png").write_text("broken")
    config = tmp_path / "office.yaml"
    config.write_text(
        "sync:\n  dir: sync\nhours:\n  mon-fri: '07:30-17:00'\nholidays: [2026-12-02]\n"
    )
    for at in ("2026-12-01 08:00", "2026-12-05 14:00", "2026-12-02 09:00"):
        done = kiosk("check", "--lang", "vi", "--config", str(config), "--at", at)
        assert "vòng phát" in done.stdout or "những gì được chiếu" in done.stdout
        assert_no_english(done.stdout)


def test_kiosk_status_in_vietnamese_prints_no_english_sentence(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "status.json").write_text(json.dumps(troubled_status(tmp_path), ensure_ascii=False))
    done = kiosk("status", "--lang", "vi", "--state-dir", str(state))
    assert done.returncode == 1  # its heartbeat is old: not running
    out = done.stdout
    assert "KHÔNG CHẠY: không có tín hiệu hoạt động trong" in out
    assert "bị gác lại (5):" in out and "lỗi gần đây" in out
    assert "  chưa được chiếu trọn vẹn (2):" in out
    assert "10-cat-ngan.flv: dừng sau 1,5 giây trong tổng số 6,0 giây mà tệp ghi" in out
    assert "11-4k.mp4: chỉ hiện được 30 trong 100 khung hình (mất 70%)" in out and "(2 lần)" in out
    assert "  không bao giờ được chiếu (4):" in out and "8-clip.ogv: video Ogg Theora" in out
    assert "  video: video được vẽ tối đa ở 1920x1080" in out
    assert re.search(r"Thứ \w+, \d\d/\d\d/\d{4} \d\d:\d\d:\d\d \(\d+ (giây|phút) trước\)", out)
    assert_no_english(out)
    english = kiosk("status", "--lang", "en", "--state-dir", str(state)).stdout
    assert "NOT RUNNING: no heartbeat for" in english and "set aside (5):" in english
    assert "not shown whole (2):" in english and "never shown (4):" in english


def test_lang_en_gives_the_english_output(tmp_path: Path) -> None:
    """--lang en and the English locale give today's words: the suite's other tests read them."""
    config = broken_office(tmp_path)
    plain = kiosk("check", "--config", str(config))  # LANGUAGE=en (conftest)
    english = kiosk("check", "--lang", "en", "--config", str(config))
    assert english.stdout == plain.stdout
    assert "error: unknown option 'slides.duraton'; did you mean 'slides.duration'?" in plain.stdout
    (tmp_path / "vi.yaml").write_text(config.read_text() + "office_language_is_vi: 1\n")
    configured = tmp_path / "office-vi.yaml"
    configured.write_text(
        config.read_text().replace("office:\n", "office:\n  language: vi\n", 1), encoding="utf-8"
    )
    said = kiosk("check", "--config", str(configured)).stdout
    assert "lỗi: không có tùy chọn 'slides.duraton'" in said  # the config's choice beats LANG
    assert (
        "error: unknown option"
        in kiosk("check", "--lang", "en", "--config", str(configured)).stdout
    )


def troubled_status(tmp_path: Path) -> dict[str, object]:
    """A status.json as the player writes it when much is wrong: its messages made by the real
    code (probes of broken files, a broken playlist, a full disk, a log of errors)."""
    from PySide6.QtCore import QSize

    from kiosk.core.ending import ended_early, pictures_lost
    from kiosk.core.playlist import parse_playlist
    from kiosk.media.probe import probe
    from kiosk.media.shape import video_scaled_up
    from kiosk.state.heartbeat import RecentErrors, _texts
    from kiosk.state.status import StatusWriter
    from kiosk.sync.scan import walk
    from kiosk.system.idle import IdleGuard, what_to_set
    from kiosk.system.power import choose_power
    from kiosk.system.screenstate import screen_status
    from kiosk.system.session import Session

    broken_office(tmp_path)
    sync = tmp_path / "sync"
    now = time.time()
    note = video_scaled_up(QSize(3840, 2160))  # a 4K TV: video is scaled up
    failed = []
    for name in ("1-huong-dan.mp4", "2-hong.png", "3-rong.mp4", "6-sai.pdf", "9-cat-do.mp4"):
        reason = probe(str(sync / name))
        assert reason is not None
        failed.append(
            {
                "file": name,
                "reason": reason,
                "reason_msg": to_json(reason),
                "when": now - 75,
                "count": 2,
            }
        )
    spec = parse_playlist((tmp_path / "pl.yaml").read_bytes(), str(tmp_path / "pl.yaml"))
    errors = RecentErrors()
    log = logging.getLogger("kiosk.test_i18n")
    log.addHandler(errors)
    try:
        full = tmp_path / "not-a-folder"
        full.write_text("a file where the state folder should be")
        writer = StatusWriter(full / "sub")
        assert not writer.write({})  # logs the error, as the player does
        log.warning(_("skipped {file}: {reason}", file="3-rong.mp4", reason=failed[2]["reason"]))
        log.error(_("sync folder {folder} has disappeared", folder=str(sync)))
    finally:
        log.removeHandler(errors)
    not_whole = [
        (name, reason, 1 + n)
        for n, (name, reason) in enumerate(
            [("10-cat-ngan.flv", ended_early(1.5, 6000)), ("11-4k.mp4", pictures_lost(30, 100))]
        )
    ]
    unplayable = walk(sync).unplayable
    warning = _(
        "nothing keeps the screen from blanking on this {session} session: {what}",
        session="x11",
        what=what_to_set(Session("x11", "gnome", "xcb")),
    )
    # The screen block as a labwc session without D-Bus nor logind makes it: what was tried,
    # why it did not hold, and display power found nowhere (the real code's words).
    labwc = Session("wayland", "labwc:wlroots", "wayland")
    idle = IdleGuard(labwc, bus=lambda: None, system=lambda: None).start()
    power = choose_power("auto", labwc, None, bus=lambda: None)  # CI has no /dev/cec*
    display = screen_status(labwc, idle, power, "display_off")
    assert idle.notes and idle.warning and power.notes and display["problems"]
    return {
        "version": "0.9",
        "pid": 4242,
        "office": "UBND xã An Phú",
        "state": "running",
        "started_at": now - 3 * 3600,
        "updated_at": now - 120,
        "heartbeat_s": 2.0,
        "sync_dir": str(sync),
        "now": {"state": "idle", "file": None, "title": None, "kind": None, "since": now - 60},
        "next": None,
        "playlist": {"source": str(tmp_path / "pl.yaml"), "count": 0, "items": []},
        "failed": failed,
        "sync": {
            "watching": "inotify",
            "readable": False,
            "last_scan": now - 50,
            "playable": 0,
            "arriving": ["8-dang-chep.mp4"],
            "unplayable": [
                {"file": rel, "reason": why, "reason_msg": to_json(why)}
                for rel, why in sorted(unplayable.items())
            ],
        },
        "not_whole": [
            {
                "file": name,
                "reason": reason,
                "reason_msg": to_json(reason),
                "when": now - 600,
                "count": count,
            }
            for name, reason, count in not_whole
        ],
        "video_note": str(note),
        "video_note_msg": to_json(note),
        **_texts("problems", [p.as_msg() for p in spec.problems] + [warning, *display["problems"]]),
        "counters": {"played": 12, "failed": 5, "loops": 3, "stalls": 1, "restarts": 1},
        "display": display,
        "screenshot_at": now - 30,
        **_texts("recent_errors", list(errors.lines)),
        **_texts("cannot_write", [writer.problem]),
    }


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_status_renders_an_older_players_plain_texts_as_they_are(lang: str) -> None:
    from kiosk.state.status import StatusReport
    from kiosk.state.statusview import render

    data = {"problems": ["x: error: something"], "recent_errors": ["2026-12-01 WARNING y"]}
    with i18n.language(lang):
        text = render(StatusReport({"version": "0.1", **data}, 1.0, True), now=time.time())
    assert "x: error: something" in text and "2026-12-01 WARNING y" in text
