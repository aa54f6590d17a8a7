"""`kiosk preview`: the contact sheet of the rotation, built from real files in a tmp folder.

Videos are decoded by the real libVLC player, text slides and PDF pages rendered for real; the
checks read colours back from the sheet itself, so what is asserted is what an admin sees.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage

from kiosk.cli import main
from kiosk.config import default_config
from kiosk.core.model import Item, Kind
from kiosk.preview import parse_size
from kiosk.preview.compose import make_preview
from kiosk.preview.sheet import Cell, Sheet, build_sheet
from kiosk.ui.pdf import pdftools_missing
from tests.mediagen import classify, make_image
from tests.test_pdf import make_pdf

pytestmark = pytest.mark.skipif(
    pdftools_missing() is not None, reason="poppler-utils (pdfinfo, pdftoppm) not installed"
)

BAND = (0xC6, 0x28, 0x28)  # kiosk.preview.sheet._RED
AT = datetime(2026, 12, 1, 9, 0)  # a Tuesday morning, office-local
PROCEDURE = """\
---
fee: "Miễn lệ phí"
valid_until: 2026-12-31
---
# Đăng ký khai sinh
1. Nộp tờ khai và giấy chứng sinh
2. Nhận giấy hẹn
"""


@pytest.fixture
def folder(tmp_path: Path, clips: dict[str, Path], qapp: object) -> Path:
    """Six items, seven pictures: a clip, an image, a text slide, a 2-page PDF, a broken
    clip, and an image whose sidecar schedule expired."""
    sync = tmp_path / "sync"
    sync.mkdir()
    (sync / "a-clip.mp4").write_bytes(clips["red"].read_bytes())
    make_image(sync / "b-anh.png", "green", (320, 180))
    (sync / "c-thu-tuc.md").write_text(PROCEDURE, encoding="utf-8")
    make_pdf(sync / "d-bang-phi.pdf", ["blue", "yellow"])
    (sync / "e-hong.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4000)
    make_image(sync / "f-cu.png", "magenta", (320, 180))
    (sync / "f-cu.png.yaml").write_text("valid_until: 2026-11-30\n", encoding="utf-8")
    return sync


def colour_at(image: QImage, x: int, y: int) -> str:
    c = QColor(image.pixel(x, y))
    return classify((c.red(), c.green(), c.blue()))


def centre(image: QImage, rect: QRect | None) -> str:
    assert rect is not None
    return colour_at(image, rect.center().x(), rect.center().y())


def build(folder: Path) -> Sheet:
    cfg = dataclasses.replace(default_config(), sync_dir=folder)
    sheet, problems = make_preview(cfg, folder, AT, (960, 540))
    assert not [p for p in problems if p.severity == "error"], problems
    return sheet


def test_one_cell_per_item_and_per_pdf_page(folder: Path) -> None:
    sheet = build(folder)
    cells = sheet.cells
    assert [(c.item.rel, c.page, c.order) for c in cells] == [
        ("a-clip.mp4", 1, 1),
        ("b-anh.png", 1, 2),
        ("c-thu-tuc.md", 1, 3),
        ("d-bang-phi.pdf", 1, 4),
        ("d-bang-phi.pdf", 2, 4),
        ("e-hong.mp4", 1, None),
        ("f-cu.png", 1, None),
    ]
    # every cell has its own place on the sheet, inside the image
    bounds = sheet.image.rect()
    rects = [c.rect for c in cells]
    assert all(r is not None and bounds.contains(r) for r in rects)
    assert all(not a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :] if a and b)
    # labels: durations and schedules
    assert cells[0].duration == "0:01" and cells[1].duration == "10 s"
    assert cells[6].schedule == "… → 30/11/2026" and cells[0].schedule == "always"


def test_thumbnails_show_the_real_pictures(folder: Path) -> None:
    sheet = build(folder)
    image, cells = sheet.image, sheet.cells
    assert centre(image, cells[0].thumb_rect) == "red"  # the clip's first frame, via libVLC
    assert centre(image, cells[1].thumb_rect) == "green"  # the image
    assert centre(image, cells[3].thumb_rect) == "blue"  # PDF page 1
    assert centre(image, cells[4].thumb_rect) == "yellow"  # PDF page 2
    assert cells[2].picture is not None  # the text slide, laid out at the main zone size
    assert cells[2].picture.size() == QSize(960, 540)


def test_set_aside_items_are_marked_with_their_reason(folder: Path) -> None:
    sheet = build(folder)
    image = sheet.image
    broken, expired = sheet.cells[5], sheet.cells[6]
    assert broken.set_aside and broken.picture is None
    assert broken.reason is not None and broken.reason.startswith("cannot be played: ")
    assert expired.set_aside and expired.reason == "valid until 2026-11-30"
    assert expired.picture is not None  # still pictured, so the admin recognises it
    for cell in sheet.cells:
        r = cell.thumb_rect
        assert r is not None
        # the "NOT SHOWN" band across the bottom of the thumbnail, in the sheet's own red
        band = QColor(image.pixel(r.left() + 3, r.bottom() - 3))
        rgb = (band.red(), band.green(), band.blue())
        marked = max(abs(a - b) for a, b in zip(rgb, BAND, strict=True)) <= 6
        assert marked == cell.set_aside, cell.item.rel


def test_command_writes_a_png_that_decodes(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sheet.png"
    code = main(
        ["preview", "--sync-dir", str(folder), "--out", str(out), "--size", "960x540",
         "--at", "2026-12-01 09:00"]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert f"wrote {out}: 7 picture(s) of 6 item(s), 2 set aside" in printed
    written = QImage(str(out))
    assert not written.isNull() and written.width() >= 1000
    assert not list(tmp_path.glob(".*.tmp*"))  # written through a temporary file, renamed


def test_command_unwritable_target_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], qapp: object
) -> None:
    sync = tmp_path / "sync"
    sync.mkdir()
    make_image(sync / "a.png", "green")
    out = tmp_path / "missing" / "sheet.png"
    assert main(["preview", "--sync-dir", str(sync), "--out", str(out)]) == 1
    assert f"cannot write {out}: the folder does not exist" in capsys.readouterr().err


def test_bad_size_exits_2() -> None:
    assert parse_size("1366x768") == (1366, 768)
    with pytest.raises(SystemExit) as stop:
        main(["preview", "--out", "x.png", "--size", "big"])
    assert stop.value.code == 2


@pytest.mark.parametrize("n", [1, 2, 5, 17, 60])
def test_grid_stays_readable_from_1_to_60_cells(n: int, qapp: object) -> None:
    picture = QImage(1920, 1080, QImage.Format.Format_RGB32)
    picture.fill(QColor("#1414e6"))
    cells = [
        Cell(Item(f"/x/{i}.png", f"{i}.png", Kind.SLIDE, 10.0), i + 1, None, picture=picture)
        for i in range(n)
    ]
    sheet = build_sheet(cells, QSize(1920, 1080), "Bộ phận Một cửa", ["header"])
    rects = [c.thumb_rect for c in cells]
    assert all(r is not None and sheet.image.rect().contains(r) for r in rects)
    # thumbnails keep their size (text does too): the sheet grows instead of shrinking them
    assert {(r.width(), r.height()) for r in rects if r} == {(384, 216)}
    columns = len({r.x() for r in rects if r})
    rows = len({r.y() for r in rects if r})
    assert columns <= 10 and columns >= rows - 1  # landscape-leaning, never one long strip
    assert centre(sheet.image, rects[-1]) == "blue"
