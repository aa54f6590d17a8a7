"""Pure core: playlist parsing, resolution, natural order, path confinement (no Qt, no disk)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import pytest

from kiosk.core.library import Library, lib_file
from kiosk.core.model import Kind
from kiosk.core.natural import natural_sorted
from kiosk.core.playlist import PlaylistSpec, confine, parse_playlist, resolve, whole_folder
from kiosk.core.problems import Problem

ROOT = "/srv/sync"


def library(*rels: str, escaped: tuple[str, ...] = ()) -> Library:
    files = [f for r in rels if (f := lib_file(r, f"{ROOT}/{r}", 10, 1.0)) is not None]
    return Library.build(ROOT, files, escaped)


def spec(text: str, path: str = "/etc/kiosk/pl.yaml") -> PlaylistSpec:
    return parse_playlist(text.encode(), path)


def messages(problems: Iterable[Problem]) -> list[str]:
    return [str(p) for p in problems]


def test_natural_order_numbers_and_case() -> None:
    names = ["10-x.mp4", "2-x.mp4", "1-b.png", "B.png", "a.png", "sub/1.png", "1-a.png"]
    assert natural_sorted(names) == [
        "1-a.png",
        "1-b.png",
        "2-x.mp4",
        "10-x.mp4",
        "a.png",
        "B.png",
        "sub/1.png",
    ]


def test_natural_order_same_for_nfc_and_nfd() -> None:
    names = ["Hướng dẫn 2.mp4", "Đăng ký 1.mp4", "hồ sơ 10.png", "hồ sơ 9.png"]
    nfd = [unicodedata.normalize("NFD", n) for n in names]
    ordered_nfc = natural_sorted(names)
    ordered_nfd = [unicodedata.normalize("NFC", n) for n in natural_sorted(nfd)]
    assert ordered_nfc == ordered_nfd
    assert ordered_nfc.index("hồ sơ 9.png") < ordered_nfc.index("hồ sơ 10.png")


def test_default_playlist_is_whole_folder_in_natural_order() -> None:
    lib = library("10-c.mp4", "2-b.png", "1-a.mp4", "notes.txt", "sub/3-d.webm")
    pl = resolve(whole_folder(), lib, 7.0)
    assert [i.rel for i in pl.items] == ["1-a.mp4", "2-b.png", "10-c.mp4", "sub/3-d.webm"]
    assert [i.kind for i in pl.items] == [Kind.VIDEO, Kind.SLIDE, Kind.VIDEO, Kind.VIDEO]
    assert pl.items[1].duration == 7.0 and pl.items[0].duration is None
    assert pl.problems == ()


def test_files_folders_shorthand_durations_titles() -> None:
    s = spec(
        "items:\n"
        "  - file: b.png\n"
        "    duration: 4\n"
        "    title: Các bước\n"
        "  - a.mp4\n"
        "  - folder: proc\n"
    )
    assert s.valid, messages(s.problems)
    pl = resolve(s, library("a.mp4", "b.png", "proc/2.png", "proc/10.png", "x.png"), 9)
    assert [(i.rel, i.duration, i.title) for i in pl.items] == [
        ("b.png", 4.0, "Các bước"),
        ("a.mp4", None, None),
        ("proc/2.png", 9, None),
        ("proc/10.png", 9, None),
    ]
    assert pl.items[0].origin is not None and pl.items[0].origin.line == 2


def test_top_level_list_is_accepted() -> None:
    pl = resolve(spec("- a.mp4\n- b.png\n"), library("a.mp4", "b.png"), 5)
    assert [i.rel for i in pl.items] == ["a.mp4", "b.png"]


def test_nfd_name_in_playlist_finds_nfc_file() -> None:
    name = "Hướng dẫn.mp4"
    s = spec(f"- {unicodedata.normalize('NFD', name)}\n")
    pl = resolve(s, library(name), 5)
    assert [i.rel for i in pl.items] == [name]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.mp4", "a.mp4"),
        ("./sub/../a.mp4", "a.mp4"),
        ("../etc/passwd.png", None),
        ("sub/../../x.mp4", None),
        ("/etc/x.png", None),
        ("/srv/sync/sub/a.png", "sub/a.png"),
        ("/srv/syncother/a.png", None),
        ("..", None),
        ("sub\\a.png", "sub/a.png"),
    ],
)
def test_confine(name: str, expected: str | None) -> None:
    assert confine(name, ROOT) == expected


def test_paths_outside_the_sync_folder_are_refused_with_position() -> None:
    s = spec("items:\n  - file: ../secret.mp4\n  - file: /etc/x.png\n  - ok.png\n")
    pl = resolve(s, library("ok.png"), 5)
    assert [i.rel for i in pl.items] == ["ok.png"]
    msgs = messages(pl.problems)
    assert msgs[0].startswith("/etc/kiosk/pl.yaml:2:5: error: '../secret.mp4' is outside")
    assert msgs[1].startswith("/etc/kiosk/pl.yaml:3:5: error: '/etc/x.png' is outside")


def test_symlink_escaping_is_refused_not_missing() -> None:
    s = spec("- evil.mp4\n- linked/a.png\n")
    pl = resolve(s, library(escaped=("evil.mp4", "linked")), 5)
    assert pl.items == ()
    assert all("link pointing outside" in m for m in messages(pl.problems))


def test_missing_file_and_wrong_type_are_listed_not_fatal() -> None:
    s = spec("- gone.mp4\n- notes.docx\n- here.png\n")
    pl = resolve(s, library("here.png"), 5)
    assert [i.rel for i in pl.items] == ["here.png"]
    msgs = messages(pl.problems)
    assert msgs[0].startswith("/etc/kiosk/pl.yaml:1:3: error: 'gone.mp4' is not in the sync")
    assert msgs[1].startswith("/etc/kiosk/pl.yaml:2:3: error: 'notes.docx' is not a file type")


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("items:\n  - file: a.png\n    duraton: 3\n", "3:5", "unknown key 'duraton'"),
        ("items:\n  - file: a.png\n    duration: 0\n", "3:15", "from 1 to 3600"),
        ("items:\n  - file: a.png\n    duration: yes\n", "3:15", "must be a number"),
        ("items:\n  - file: 7:30\n", "2:11", "must be text"),
        ("items:\n  - {}\n", "2:5", "needs `file:` or `folder:`"),
        ("items: a.png\n", "1:8", "expected a list"),
        ("itms:\n  - a.png\n", "1:1", "unknown key 'itms'"),
        ("items:\n  - file: a.png\n  - file: [\n", "4:1", ""),
        ("items:\n  - file: a.png\n    file: b.png\n", "3:5", "duplicate key"),
    ],
)
def test_playlist_errors_carry_exact_positions(text: str, where: str, words: str) -> None:
    s = spec(text)
    assert not s.valid
    msgs = messages(s.problems)
    assert any(m.startswith(f"/etc/kiosk/pl.yaml:{where}: error: ") for m in msgs), msgs
    assert any(words in m for m in msgs), msgs


def test_empty_playlist_file_is_an_error() -> None:
    s = spec("# nothing yet\n")
    assert not s.valid
    assert "empty" in messages(s.problems)[0]


def test_video_duration_is_a_warning_and_ignored() -> None:
    pl = resolve(spec("- file: a.mp4\n  duration: 5\n"), library("a.mp4"), 5)
    assert [i.duration for i in pl.items] == [None]
    assert [p.severity for p in pl.problems] == ["warning"]


def test_transition_fade_and_errors() -> None:
    s = spec("transition: fade\nfade_seconds: 0.8\nitems:\n  - a.png\n")
    assert s.valid and s.transition.fade_s == 0.8
    pl = resolve(s, library("a.png"), 5)
    assert pl.transition.fade_ms == 800
    assert spec("transition: fade\nitems: [a.png]\n").transition.fade_s == 0.5
    assert spec("items: [a.png]\n").transition.fade_s == 0  # a clean cut by default
    bad = spec("transition: dissolve\nfade_seconds: 9\nitems: [a.png]\n")
    msgs = messages(bad.problems)
    assert msgs[0].startswith("/etc/kiosk/pl.yaml:1:13: error: `transition:` is `cut` or `fade`")
    assert msgs[1].startswith("/etc/kiosk/pl.yaml:2:15: error: `fade_seconds:` must be")
