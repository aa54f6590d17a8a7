"""Procedure slides as text: YAML and Markdown, which files are slides, problems at exact
positions."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from kiosk.core.model import Kind, kind_of
from kiosk.core.procedure import parse_procedure
from kiosk.core.procedure_slide import ProcedureSlide

GOOD_YAML = """\
title: "Đăng ký khai sinh"
steps:
  - "Nộp tờ khai và giấy chứng sinh tại Bộ phận Một cửa"
  - Bước 2: nhận giấy hẹn
  - 2026
notes: ["Mang theo CCCD của cha hoặc mẹ"]
fee: Miễn lệ phí
time_limit: "Trong ngày"
qr: "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"
qr_label: "Nộp trực tuyến"
image: hinh/./so-do.png
duration: 20
valid_until: 2026-12-31
"""


def parse(text: str, path: str = "s/khai-sinh.yaml") -> tuple[ProcedureSlide | None, list[str]]:
    slide, problems = parse_procedure(text.encode("utf-8"), path)
    return slide, [str(p) for p in problems]


def test_yaml_slide_all_fields() -> None:
    slide, problems = parse(GOOD_YAML)
    assert problems == []
    assert slide is not None
    assert slide.title == "Đăng ký khai sinh"
    # An unquoted ': ' inside a step is what the admin wrote, not a mapping; numbers are text.
    assert slide.steps == (
        "Nộp tờ khai và giấy chứng sinh tại Bộ phận Một cửa",
        "Bước 2: nhận giấy hẹn",
        "2026",
    )
    assert slide.notes == ("Mang theo CCCD của cha hoặc mẹ",)
    assert slide.fee == ("Miễn lệ phí",)
    assert slide.time_limit == "Trong ngày"
    assert slide.qr == "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"
    assert slide.qr_label == "Nộp trực tuyến"
    assert slide.image == "hinh/so-do.png"
    assert slide.duration == 20.0
    assert slide.schedule is not None and slide.schedule.valid_until == date(2026, 12, 31)
    assert str(slide.pos) == "s/khai-sinh.yaml:1:8"
    assert "Miễn lệ phí" in slide.fee


def test_yaml_problems_at_their_positions() -> None:
    slide, problems = parse(
        "title: Thủ tục\nsteps:\n  - ok\n  -\n  - [a, b]\nnote: x\nqr: ftp://x.vn/a\n"
        "image: ../secret.png\nduration: 0\nfee: {a: 1, b: 2}\n"
    )
    assert slide is not None and slide.steps == ("ok",)
    assert problems == [
        "s/khai-sinh.yaml:6:1: error: unknown key 'note'; a slide takes kind, title, steps, "
        "notes, fee, time_limit, qr, qr_label, image, duration, valid_from, valid_until, "
        "weekdays, times",
        "s/khai-sinh.yaml:4:4: error: each of `steps:` must be one text, got an empty line; "
        "put the text in quotes",
        "s/khai-sinh.yaml:5:5: error: each of `steps:` must be one text, got a list; "
        "put the text in quotes",
        "s/khai-sinh.yaml:10:6: error: `fee:` must be a list of texts (lines starting with "
        "'- '), got a mapping (key: value lines)",
        "s/khai-sinh.yaml:7:5: error: `qr:` must be a web link starting with https:// "
        "(or http://), got 'ftp://x.vn/a'",
        "s/khai-sinh.yaml:8:8: error: `image:` '../secret.png' must be inside the sync "
        "folder, relative to this slide (e.g. 'hinh/so-do.png')",
        "s/khai-sinh.yaml:9:11: error: `duration:` must be a number of seconds from 1 to "
        "3600, got '0' (read by YAML as int 0)",
    ]
    assert slide.qr is None and slide.image is None and slide.duration is None


def test_missing_title_and_empty_steps_give_no_slide() -> None:
    slide, problems = parse("kind: procedure\nsteps: []\n")
    assert slide is None
    assert problems == [
        "s/khai-sinh.yaml:1:1: error: the slide has no title; add `title: ...`",
        "s/khai-sinh.yaml:2:8: error: `steps:` is empty; add at least one step",
    ]
    slide, problems = parse("title: X\n")
    assert slide is None
    assert problems == [
        "s/khai-sinh.yaml:1:1: error: the slide has no `steps:`; add a list of steps "
        "(lines starting with '- ')"
    ]
    slide, problems = parse("title: [a]\nsteps: [x]\n")
    assert slide is None and problems == [
        "s/khai-sinh.yaml:1:8: error: `title:` must be text, got a list"
    ]


def test_bad_urls() -> None:
    for url, fragment in [
        ("dichvucong.gov.vn", "must be a web link starting with https://"),
        ("https://", "must be a web link"),
        ("https://a b.vn", "must be a web link"),
        ("https://intranet/x", "has no proper host name"),
    ]:
        slide, problems = parse(f"title: T\nsteps: [a]\nqr: '{url}'\n")
        assert slide is not None and slide.qr is None
        assert len(problems) == 1 and fragment in problems[0], problems
    long_url = "https://dichvucong.gov.vn/" + "a" * 120
    slide, problems = parse(f"title: T\nsteps: [a]\nqr: {long_url}\n")
    assert slide is not None and slide.qr == long_url
    assert problems[0].startswith("s/khai-sinh.yaml:3:5: warning: the link is long (146 char")


def test_yaml_syntax_error_and_empty_file() -> None:
    slide, problems = parse("title: Lệ phí: 50.000 đồng\nsteps: [a]\n")
    assert slide is None
    assert problems[0].startswith("s/khai-sinh.yaml:1:14: error: unexpected ':' here")
    slide, problems = parse("")
    assert slide is None and problems == [
        "s/khai-sinh.yaml:1:1: error: the slide is empty; write `title:` and `steps:`"
    ]


# --- Markdown --------------------------------------------------------------------------------

GOOD_MD = """\
---
fee: "Miễn lệ phí"
qr: https://dichvucong.gov.vn
duration: 15
---
# Đăng ký **khai sinh**

1. Nộp tờ khai tại Bộ phận Một cửa
   hoặc trên Cổng Dịch vụ công
2) Nhận giấy hẹn

- Mang theo `CCCD`
* Hồ sơ nộp trực tuyến được ưu tiên
"""


def test_markdown_slide() -> None:
    slide, problems = parse(GOOD_MD, "s/khai-sinh.md")
    assert problems == []
    assert slide is not None
    assert slide.title == "Đăng ký khai sinh"
    assert slide.steps == (
        "Nộp tờ khai tại Bộ phận Một cửa hoặc trên Cổng Dịch vụ công",
        "Nhận giấy hẹn",
    )
    assert slide.notes == ("Mang theo CCCD", "Hồ sơ nộp trực tuyến được ưu tiên")
    assert slide.fee == ("Miễn lệ phí",)
    assert slide.qr == "https://dichvucong.gov.vn"
    assert slide.duration == 15.0
    assert str(slide.pos) == "s/khai-sinh.md:6:1"


def test_markdown_positions_count_the_front_matter() -> None:
    text = (
        "---\ntitle: Khai sinh\nqr: 'mailto:x@y.vn'\nfoo: 1\n---\n"
        "# Another title\nSome paragraph\n## Sub\n1. Step\n"
    )
    slide, problems = parse(text, "k.md")
    assert slide is not None and slide.title == "Khai sinh" and slide.steps == ("Step",)
    assert problems == [
        "k.md:7:1: warning: this text is not shown: start it with `1. ` for a step or `- ` "
        "for a note (or `# ` for the title)",
        "k.md:8:1: warning: sub-headings (##) are not shown; use `1. ` lines for steps and "
        "`- ` lines for notes",
        "k.md:4:1: error: unknown key 'foo'; a slide takes kind, title, steps, notes, fee, "
        "time_limit, qr, qr_label, image, duration, valid_from, valid_until, weekdays, times",
        "k.md:6:1: warning: the title is also given in the front matter, which wins; "
        "remove one of them",
        "k.md:3:5: error: `qr:` must be a web link starting with https:// (or http://), "
        "got 'mailto:x@y.vn'",
    ]


def test_markdown_front_matter_syntax_error_position() -> None:
    slide, problems = parse("---\nfee: a\n  b: c\n---\n# T\n1. x\n", "k.md")
    assert slide is None
    assert problems[0].startswith("k.md:3:4: error:"), problems


def test_markdown_without_front_matter_or_steps() -> None:
    slide, problems = parse("# Chỉ có tiêu đề\n", "k.md")
    assert slide is None
    assert problems == [
        "k.md:1:1: error: the slide has no steps; add numbered lines like `1. Nộp hồ sơ`"
    ]
    slide, problems = parse("1. a\n", "k.md")
    assert slide is None
    assert problems == ["k.md:1:1: error: the slide has no title; add a `# Title` line"]
    slide, problems = parse("---\ntitle: T\n# T\n1. a\n", "k.md")
    assert slide is None
    assert problems == [
        "k.md:1:1: error: the front matter that starts here has no closing '---' line; "
        "add one after the last `key: value` line"
    ]


# --- which files are slides ------------------------------------------------------------------


def test_which_files_are_slides() -> None:
    """By name alone: playlists, sidecars, README and ticker files are never slides."""
    for name in ("khai-sinh.yaml", "sub/khai-sinh.YML", "khai-sinh.md", "settings.yaml"):
        assert kind_of(name) is Kind.TEXT, name
    for name in (
        "playlist.yaml",
        "sub/Playlist.YML",
        "clip.mp4.yaml",
        "bang-gia.pdf.yml",
        "huong-dan.md.yaml",
        "README.md",
        "ticker.md",
        "notes.txt",
    ):
        assert kind_of(name) is None, name


def test_a_yaml_file_that_is_no_slide_says_why() -> None:
    """A stray YAML file is a slide by name, so `kiosk check` must say what it lacks."""
    slide, problems = parse_procedure(b"foo: 1\n", "settings.yaml")
    assert slide is None
    assert [str(p) for p in problems] == [
        "settings.yaml:1:1: error: unknown key 'foo'; a slide takes kind, title, steps, "
        "notes, fee, time_limit, qr, qr_label, image, duration, valid_from, valid_until, "
        "weekdays, times",
        "settings.yaml:1:1: error: the slide has no title; add `title: ...`",
        "settings.yaml:1:1: error: the slide has no `steps:`; add a list of steps "
        "(lines starting with '- ')",
    ]


def test_core_procedure_stays_pure() -> None:
    code = (
        "import sys, kiosk.core.procedure, kiosk.core.schedule\n"
        "bad = [m for m in ('PySide6', 'vlc', 'watchdog') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
