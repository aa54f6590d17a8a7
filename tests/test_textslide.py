"""Procedure slides on screen: everything inside the frame, every glyph in the bundled font,
too much text reported, QR codes that decode back to their link."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage

from kiosk.core.procedure import parse_procedure
from kiosk.core.procedure_slide import ProcedureSlide
from kiosk.i18n import localize
from kiosk.ui.closedslide import CLOSED_TITLE, HOURS_LABEL, REOPENS_LABEL, render_closed
from kiosk.ui.fonts import BUNDLED_FAMILY, FONT_DIR, FONT_FILES, load_bundled_fonts, missing_glyphs
from kiosk.ui.qr import QUIET_ZONE, qr_image, qr_matrix
from kiosk.ui.textslide import (
    FEE_LABEL,
    TIME_LABEL,
    TOO_MUCH_TEXT,
    layout_procedure,
    render_procedure,
)
from kiosk.ui.theme import Theme

URL = "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"
SLIDE_YAML = f"""\
title: "Đăng ký khai sinh cho trẻ em"
steps:
  - "Người đi đăng ký nộp tờ khai theo mẫu và giấy chứng sinh tại Bộ phận Một cửa"
  - "Cán bộ tư pháp - hộ tịch kiểm tra hồ sơ; nếu đầy đủ thì ghi vào Sổ hộ tịch"
  - "Người đi đăng ký kiểm tra thông tin, ký vào Sổ hộ tịch"
  - "Nhận Giấy khai sinh bản chính (và bản sao nếu có yêu cầu)"
notes:
  - "Mang theo CCCD; chữ có dấu chồng: ệ ưở ậ ỗ Ữ Ễ Ặ Ẩ Ỡ"
  - "Hồ sơ nộp trực tuyến trên Cổng Dịch vụ công được ưu tiên xử lý"
fee: "Miễn lệ phí (đăng ký đúng hạn)"
time_limit: "Trong ngày làm việc"
qr: "{URL}"
qr_label: "Quét mã để nộp hồ sơ trực tuyến"
"""
SIZES = [(1920, 1080), (1366, 768), (1280, 720), (3840, 2160), (1080, 1920)]


@pytest.fixture(scope="module")
def family(qapp: object) -> str:
    return load_bundled_fonts()


@pytest.fixture
def theme(family: str) -> Theme:
    return Theme(font_family=family)


def slide_from(text: str) -> ProcedureSlide:
    slide, problems = parse_procedure(text.encode(), "thu-tuc.yaml")
    assert slide is not None, problems
    return slide


def colours_in_margin(image: QImage, band: int) -> set[tuple[int, int, int]]:
    """Distinct colours in the outer `band` pixels of the image (sampled every 2 pixels)."""
    w, h = image.width(), image.height()
    seen: set[tuple[int, int, int]] = set()
    for y in range(0, h, 2):
        xs = range(0, w, 2) if y < band or y >= h - band else [*range(band), *range(w - band, w)]
        for x in xs:
            c = image.pixelColor(x, y)
            seen.add((c.red(), c.green(), c.blue()))
    return seen


def rgb(c: QColor) -> tuple[int, int, int]:
    return (c.red(), c.green(), c.blue())


# --- the font --------------------------------------------------------------------------------


def test_bundled_font_registers_once_and_covers_vietnamese(family: str) -> None:
    assert family == BUNDLED_FAMILY
    assert load_bundled_fonts() == family  # idempotent
    assert all((FONT_DIR / f).is_file() for f in FONT_FILES)
    assert (FONT_DIR / "OFL.txt").read_text().count("SIL Open Font License") >= 1
    vietnamese = "ĂÂĐÊÔƠƯăâđêôơư ệ ưở ậ ỗ Ữ Ễ Ặ Ẩ Ỡ ằ ẳ ẵ ặ ừ ử ữ ự ₫"
    assert missing_glyphs(vietnamese, family) == set()
    # Decomposed input (macOS, some editors) is covered too.
    import unicodedata

    assert missing_glyphs(unicodedata.normalize("NFD", vietnamese), family) == set()
    assert missing_glyphs("中文 ☃", family) == {"中", "文", "☃"}


# --- layout and rendering --------------------------------------------------------------------


@pytest.mark.parametrize(("w", "h"), SIZES)
def test_all_text_inside_the_frame(theme: Theme, w: int, h: int) -> None:
    slide = slide_from(SLIDE_YAML)
    image, problems = render_procedure(slide, QSize(w, h), theme)
    assert problems == []
    assert image.size() == QSize(w, h)
    layout = layout_procedure(slide, QSize(w, h), theme, None, image.height() // 4)
    assert layout.fits
    short = min(w, h)
    assert layout.font_px >= short * 0.022  # readable
    frame = layout.content
    texts = [b.text for b in layout.texts]
    for step in slide.steps:
        assert step in texts
    for box in layout.texts:
        assert frame.contains(box.ink), (box.text, box.ink, frame)
        assert box.ink.width() <= frame.width()
    # No two step texts overlap.
    step_boxes = [b for b in layout.texts if b.text in slide.steps]
    for a, b in itertools.pairwise(step_boxes):
        assert a.ink.bottom() <= b.ink.top()
    # The painted image: the outer margin band holds only the flat theme colours, no text.
    allowed = {rgb(theme.background), rgb(theme.band), rgb(theme.accent)}
    assert colours_in_margin(image, max(4, short // 50)) <= allowed


def test_every_character_has_a_glyph_in_the_bundled_font(family: str) -> None:
    slide = slide_from(SLIDE_YAML)
    shown = [slide.title, *slide.steps, *slide.notes, *slide.fee]
    shown += [slide.time_limit or "", slide.qr_label or ""]
    text = "".join([*shown, FEE_LABEL.upper(), TIME_LABEL.upper(), "0123456789•"])
    assert missing_glyphs(text, family) == set()


def test_too_much_text_is_an_error_and_still_an_image(theme: Theme) -> None:
    long_step = (
        "Người yêu cầu nộp hồ sơ trực tiếp tại Bộ phận tiếp nhận và trả kết quả hoặc nộp "
        "trực tuyến trên Cổng Dịch vụ công quốc gia, kèm theo giấy tờ tùy thân còn giá trị"
    )
    text = "title: Quá nhiều chữ\nsteps:\n" + "".join(f'  - "{long_step}"\n' for _ in range(14))
    image, problems = render_procedure(slide_from(text), QSize(1920, 1080), theme)
    assert [(p.severity, p.message) for p in problems] == [("error", TOO_MUCH_TEXT)]
    assert str(problems[0]).startswith("thu-tuc.yaml:1:8: error: too much text")
    assert image.size() == QSize(1920, 1080) and not image.isNull()


def test_long_word_wraps_instead_of_overflowing(theme: Theme) -> None:
    word = "A" * 150
    slide = slide_from(f"title: {word}\nsteps: [{word}]\n")
    layout = layout_procedure(slide, QSize(1366, 768), theme)
    for box in layout.texts:
        assert layout.content.contains(box.ink), box.text[:20]


def test_missing_image_is_reported(theme: Theme, tmp_path: Path) -> None:
    slide = slide_from("title: T\nsteps: [a]\nimage: nope.png\n")
    _, problems = render_procedure(slide, QSize(1280, 720), theme, tmp_path)
    assert len(problems) == 1
    assert "image 'nope.png' cannot be shown: not a readable image" in problems[0].message


def test_image_gets_room_and_logo_keeps_its_aspect(family: str, tmp_path: Path) -> None:
    pic = QImage(400, 200, QImage.Format.Format_RGB32)
    pic.fill(QColor(200, 30, 30))
    pic.save(str(tmp_path / "so-do.png"))
    logo = QImage(300, 100, QImage.Format.Format_RGB32)
    logo.fill(QColor(30, 200, 30))
    theme = Theme(font_family=family, logo=logo)
    slide = slide_from("title: T\nsteps: [a, b]\nimage: so-do.png\nfee: '10.000 đồng'\n")
    for w, h in ((1920, 1080), (1080, 1920)):
        image, problems = render_procedure(slide, QSize(w, h), theme, tmp_path)
        assert problems == []
        layout = layout_procedure(slide, QSize(w, h), theme, pic)
        assert layout.picture is not None and layout.logo is not None
        assert layout.picture.width() / layout.picture.height() == pytest.approx(2.0, rel=0.01)
        assert layout.logo.width() / layout.logo.height() == pytest.approx(3.0, rel=0.01)
        c = image.pixelColor(layout.picture.center().toPoint())
        assert rgb(c) == (200, 30, 30)


# --- QR codes --------------------------------------------------------------------------------


def test_qr_matrix_round_trip_and_size(qapp: object) -> None:
    screen = QSize(1920, 1080)
    image = qr_image(URL, 100, screen)  # asks for less than the floor
    matrix = qr_matrix(URL)
    modules = len(matrix) + 2 * QUIET_ZONE
    assert image.width() == image.height()
    assert image.height() >= 0.12 * screen.height()
    assert image.width() % modules == 0
    px = image.width() // modules
    # Re-sample each module's centre and compare with segno's matrix; the quiet zone is light.
    for my in range(modules):
        for mx in range(modules):
            c = image.pixelColor(mx * px + px // 2, my * px + px // 2)
            dark = c.lightness() < 128
            inside = (
                QUIET_ZONE <= mx < modules - QUIET_ZONE and QUIET_ZONE <= my < modules - QUIET_ZONE
            )
            expected = matrix[my - QUIET_ZONE][mx - QUIET_ZONE] if inside else False
            assert dark == expected, (mx, my)


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (apt zbar-tools) missing")
def test_qr_on_the_rendered_slide_decodes_to_its_url(theme: Theme, tmp_path: Path) -> None:
    for w, h in ((1920, 1080), (1366, 768)):
        image, _ = render_procedure(slide_from(SLIDE_YAML), QSize(w, h), theme)
        path = tmp_path / f"slide-{w}.png"
        assert image.save(str(path))
        out = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(path)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == URL


# --- the generated closed slide --------------------------------------------------------------


def test_closed_slide_shows_hours_and_reopening(theme: Theme, tmp_path: Path) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kiosk.core.schedule import OfficeHours, TimeWindow

    week = ((TimeWindow(450, 690), TimeWindow(810, 1020)),) * 5 + ((TimeWindow(450, 690),), ())
    hours = OfficeHours(week)
    saturday_noon = datetime(2026, 12, 5, 12, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    for w, h in ((1920, 1080), (1080, 1920)):
        image = render_closed(QSize(w, h), theme, "UBND phường Bến Nghé", hours, saturday_noon)
        assert image.size() == QSize(w, h)
        short = min(w, h)
        assert colours_in_margin(image, short // 30) == {rgb(theme.background)}
    assert (
        missing_glyphs(
            " ".join(localize(m, "vi") for m in (CLOSED_TITLE, HOURS_LABEL, REOPENS_LABEL)).upper()
            + " Thứ Hai - Thứ Sáu Thứ Bảy",
            theme.font_family,
        )
        == set()
    )
