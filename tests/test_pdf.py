"""PDF pages as slides: page count, order, fitted size, off the Qt thread, reasons not crashes."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from kiosk.ui.pdf import pdf_info, pdf_page_count, pdftools_missing, render_pdf_page
from tests.mediagen import COLOURS, classify

pytestmark = pytest.mark.skipif(
    pdftools_missing() is not None, reason="poppler-utils (pdfinfo, pdftoppm) not installed"
)
ORDER = ["red", "green", "blue", "yellow"]


def make_pdf(path: Path, colours: list[str], landscape_page: int = 0) -> Path:
    """A PDF with one solid-colour A4 page per colour (page `landscape_page` landscape)."""
    writer = QPdfWriter(str(path))
    writer.setResolution(72)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter()
    for i, name in enumerate(colours, start=1):
        orientation = (
            QPageLayout.Orientation.Landscape
            if i == landscape_page
            else QPageLayout.Orientation.Portrait
        )
        writer.setPageOrientation(orientation)
        if i == 1:
            assert painter.begin(writer)
        else:
            writer.newPage()
        w, h = (842, 595) if i == landscape_page else (595, 842)
        painter.fillRect(QRect(0, 0, w, h), QColor(*COLOURS[name]))
        painter.fillRect(QRect(20, 20, 30 * i, 30), QColor(0, 0, 0))  # the page number, as bars
    painter.end()
    return path


@pytest.fixture
def pdf(tmp_path: Path, qapp: object) -> Path:
    return make_pdf(tmp_path / "bang-phi.pdf", ORDER, landscape_page=3)


def centre_colour(image: QImage) -> str:
    c = image.pixelColor(image.width() // 2, image.height() // 2)
    return classify((c.red(), c.green(), c.blue()))


def test_page_count_and_order(pdf: Path) -> None:
    assert pdf_page_count(str(pdf)) == 4
    seen = []
    for page in range(1, 5):
        image = render_pdf_page(str(pdf), page, QSize(640, 360))
        assert isinstance(image, QImage), image
        seen.append(centre_colour(image))
    assert seen == ORDER


def test_page_fits_the_target_with_its_aspect(pdf: Path) -> None:
    portrait = render_pdf_page(str(pdf), 1, QSize(1920, 1080))
    assert isinstance(portrait, QImage)
    assert portrait.height() == 1080
    assert portrait.width() == pytest.approx(1080 * 595 / 842, abs=2)
    landscape = render_pdf_page(str(pdf), 3, QSize(1920, 1080))
    assert isinstance(landscape, QImage)
    assert landscape.width() == pytest.approx(1080 * 842 / 595, abs=2)
    assert landscape.height() == 1080
    info = pdf_info(str(pdf), 1, 4)
    assert not isinstance(info, str)
    assert info.sizes[3][0] > info.sizes[3][1] and info.sizes[1][0] < info.sizes[1][1]


def test_renders_off_the_qt_thread(pdf: Path) -> None:
    results: dict[int, QImage | str] = {}

    def work(page: int) -> None:
        results[page] = render_pdf_page(str(pdf), page, QSize(320, 180))

    threads = [threading.Thread(target=work, args=(p,)) for p in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    colours = []
    for page in (1, 2):
        image = results[page]
        assert isinstance(image, QImage), image  # else the reason it could not render
        colours.append(centre_colour(image))
    assert colours == ["red", "green"]


def test_bad_input_gives_reasons(pdf: Path, tmp_path: Path) -> None:
    assert render_pdf_page(str(pdf), 5, QSize(640, 360)) == "page 5 does not exist (the PDF has 4)"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really\n")
    reason = pdf_page_count(str(broken))
    assert isinstance(reason, str) and reason.startswith("not a readable PDF")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert isinstance(render_pdf_page(str(empty), 1, QSize(640, 360)), str)
    missing = render_pdf_page(str(tmp_path / "nope.pdf"), 1, QSize(640, 360))
    assert isinstance(missing, str) and missing.startswith("not a readable PDF")
    assert render_pdf_page(str(pdf), 1, QSize(0, 0)) == (
        "nothing to render into (empty target size)"
    )


def test_missing_poppler_is_a_reason(pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert "poppler-utils" in (pdftools_missing() or "")
    reason = pdf_page_count(str(pdf))
    assert isinstance(reason, str) and "install poppler-utils" in reason
