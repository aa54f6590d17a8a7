#!/usr/bin/env python3
"""Generates the bundled demo content: assets/demo/* and assets/idle/*.

Clips are drawn by ffmpeg from its lavfi sources (gradients, colour fields, a sine tone) with
`drawtext` titles; slides are painted with Qt (QPainter on a QImage, offscreen platform). Both use
Noto Sans from Debian's fonts-noto-core (SIL OFL 1.1), so the Vietnamese diacritics come out right.
Nothing is downloaded. Re-run with `make assets` (or `.venv/bin/python
scripts/make_demo_assets.py`); the output is the same from run to run, give or take encoder
versions. Fails if the total is over 2 MB, as the demo ships inside the repository.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Qt reads QT_QPA_PLATFORM only when the application object is made (Painter sets it first).
from PySide6.QtCore import QByteArray, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QImageWriter,
    QPainter,
    QPen,
)

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
FONT_DIR = Path("/usr/share/fonts/truetype/noto")
FONT_REGULAR = FONT_DIR / "NotoSans-Regular.ttf"
FONT_BOLD = FONT_DIR / "NotoSans-Bold.ttf"
LIMIT_BYTES = 2 * 1024 * 1024

# The civic palette: dark blue, white, a red accent.
NAVY = "#0B2E6B"
RED = "#C8102E"
INK = "#1A1F2B"
PALE = "#E9EFF8"

CLIP_W, CLIP_H, CLIP_FPS = 640, 360, 25


@dataclass(frozen=True)
class Clip:
    name: str
    title: tuple[str, ...]  # one entry per line, centred
    subtitle: str
    ticker: str  # the bottom line; short enough to fit the width
    colours: tuple[str, str]  # the gradient's two ends: the clip's dominant colour
    seconds: float = 6.0
    audio: bool = False


CLIPS: tuple[Clip, ...] = (
    Clip(
        name="1-huong-dan-nop-ho-so-truc-tuyen.mp4",
        title=("Hướng dẫn nộp hồ sơ", "trực tuyến"),
        subtitle="trên Cổng Dịch vụ công quốc gia",
        ticker="Đăng nhập bằng tài khoản định danh điện tử VNeID",
        colours=("0x0A2A66", "0x1F6FD6"),  # blue
    ),
    Clip(
        name="2-thanh-toan-phi-le-phi.mp4",
        title=("Thanh toán phí, lệ phí", "trực tuyến"),
        subtitle="qua ngân hàng, ví điện tử hoặc cổng thanh toán",
        ticker="Nộp ngay khi nộp hồ sơ, không cần đến quầy thu",
        colours=("0x07563C", "0x23A55E"),  # green
        seconds=7.0,
        audio=True,
    ),
    Clip(
        name="3-nhan-ket-qua-qua-buu-dien.webm",
        title=("Nhận kết quả", "qua bưu điện"),
        subtitle="dịch vụ bưu chính công ích",
        ticker="Đăng ký nhận tại nhà ngay khi nộp hồ sơ",
        colours=("0x8A2B00", "0xE8780F"),  # orange
    ),
)


def filter_value(value: str) -> str:
    """Escapes a value for an ffmpeg filter option inside a filtergraph."""
    return value.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'").replace(",", "\\,")


def drawtext(textfile: Path, font: Path, size: int, x: str, y: str, **extra: str) -> str:
    opts = {
        "fontfile": filter_value(str(font)),
        "textfile": filter_value(str(textfile)),
        "expansion": "none",
        "fontsize": str(size),
        "fontcolor": "white",
        "x": f"'{x}'",
        "y": f"'{y}'",
        **extra,
    }
    return "drawtext=" + ":".join(f"{k}={v}" for k, v in opts.items())


def make_clip(clip: Clip, index: int, total: int, out: Path, tmp: Path) -> None:
    texts: dict[str, str] = {
        "label": "BỘ PHẬN MỘT CỬA",
        "count": f"{index}/{total}",
        "subtitle": clip.subtitle,
        "ticker": clip.ticker,
    }
    for i, line in enumerate(clip.title):
        texts[f"title{i}"] = line
    files: dict[str, Path] = {}
    for key, text in texts.items():
        path = tmp / f"clip{index}-{key}.txt"
        path.write_text(text, encoding="utf-8")
        files[key] = path

    d = clip.seconds
    fade = "min(1,max(0,(t-0.2)/0.8))"
    glide = "min(1,max(0,(t-0.8)/1.2))"
    title_size, title_gap = 40, 54
    title_top = 128 - (len(clip.title) - 1) * title_gap // 2
    chain = [
        "drawbox=x=0:y=0:w=iw:h=44:color=black@0.30:t=fill",
        f"drawbox=x=0:y=44:w=iw:h=3:color={RED.replace('#', '0x')}:t=fill",
        drawtext(files["label"], FONT_BOLD, 17, "20", "13"),
        drawtext(files["count"], FONT_BOLD, 17, "w-tw-20", "13"),
    ]
    for i in range(len(clip.title)):
        chain.append(
            drawtext(
                files[f"title{i}"],
                FONT_BOLD,
                title_size,
                "(w-tw)/2",
                str(title_top + i * title_gap),
                alpha=f"'{fade}'",
                shadowx="2",
                shadowy="2",
                shadowcolor="black@0.45",
            )
        )
    sub_y = title_top + len(clip.title) * title_gap + 14
    chain += [
        drawtext(files["subtitle"], FONT_REGULAR, 21, "(w-tw)/2", str(sub_y), alpha=f"'{fade}'"),
        "drawbox=x=0:y=ih-52:w=iw:h=46:color=black@0.30:t=fill",
        # The bottom line glides in from the right and settles in the middle.
        drawtext(files["ticker"], FONT_REGULAR, 20, f"w-(w-(w-tw)/2)*(1-pow(1-{glide},2))", "h-42"),
    ]
    graph = (
        f"[0:v]{','.join(chain)}[bg];"
        # A progress bar along the bottom edge, filling up over the clip.
        f"[bg][1:v]overlay=x='-w+W*t/{d}':y=H-6:eval=frame,format=yuv420p[v]"
    )
    cmd: list[str] = [
        "ffmpeg",
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"gradients=s={CLIP_W}x{CLIP_H}:r={CLIP_FPS}:d={d}:c0={clip.colours[0]}"
        f":c1={clip.colours[1]}:seed={index}:speed=0.015",
        "-f",
        "lavfi",
        "-i",
        f"color=c=white:s={CLIP_W}x6:r={CLIP_FPS}:d={d}",
    ]
    if clip.audio:
        # A quiet 440 Hz tone with soft edges, so the audio path has something to play.
        cmd += [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:sample_rate=48000:duration={d},volume=0.25,"
            f"afade=t=in:d=0.5,afade=t=out:st={d - 0.5}:d=0.5",
        ]
    cmd += ["-filter_complex", graph, "-map", "[v]"]
    if clip.audio:
        cmd += ["-map", "2:a", "-ac", "1"]
    if out.suffix == ".webm":
        cmd += [
            "-c:v",
            "libvpx-vp9",
            "-b:v",
            "180k",
            "-deadline",
            "good",
            "-cpu-used",
            "4",
            "-row-mt",
            "0",
            "-threads",
            "1",
            "-g",
            str(CLIP_FPS * 2),
        ]
        if clip.audio:
            cmd += ["-c:a", "libopus", "-b:a", "32k"]
    else:
        cmd += [
            "-c:v",
            "libx264",
            "-preset",
            "medium",
            "-profile:v",
            "main",
            "-crf",
            "30",
            "-maxrate",
            "300k",
            "-bufsize",
            "600k",
            "-pix_fmt",
            "yuv420p",
            "-g",
            str(CLIP_FPS * 2),
            "-threads",
            "1",
            "-movflags",
            "+faststart",
        ]
        if clip.audio:
            cmd += ["-c:a", "aac", "-b:a", "40k"]
    cmd += [
        "-map_metadata",
        "-1",
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-shortest",
        str(out),
    ]
    subprocess.run(cmd, check=True, timeout=300)


# --- slides ---------------------------------------------------------------------------------

STEPS: tuple[str, ...] = (
    "Truy cập dichvucong.gov.vn và đăng nhập bằng tài khoản định danh điện tử VNeID",
    "Chọn thủ tục cần thực hiện",
    "Điền tờ khai và đính kèm giấy tờ (bản chụp hoặc bản điện tử)",
    "Nộp phí, lệ phí trực tuyến (nếu có)",
    "Theo dõi tiến độ và nhận kết quả",
)

PAPERS: tuple[str, ...] = (
    "Tờ khai theo mẫu (nhận tại quầy hoặc tải trên Cổng Dịch vụ công)",
    "Thẻ Căn cước hoặc Căn cước công dân (xuất trình bản chính)",
    "Giấy tờ theo thủ tục: bản chính, hoặc bản sao có chứng thực",
    "Văn bản ủy quyền, nếu nộp hồ sơ thay người khác",
    "Giấy tờ chứng minh được miễn, giảm lệ phí hoặc hưởng chính sách (nếu có)",
)

# (procedure, fee, time limit): common ones, as posted at the desks.
FEES: tuple[tuple[str, str, str], ...] = (
    (
        "Cấp bản sao trích lục hộ tịch",
        "Lệ phí: 8.000 đồng/bản",
        "Thời hạn: ngay trong ngày làm việc",
    ),
    (
        "Chứng thực bản sao từ bản chính",
        "Lệ phí: 2.000 đồng/trang",
        "Thời hạn: trong ngày làm việc",
    ),
)


class Painter:
    """The few QPainter moves the slides need, with the fonts loaded once."""

    W, H = 1920, 1080
    MARGIN = 110

    def __init__(self) -> None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

        self.app = QGuiApplication.instance() or QGuiApplication([])
        families: set[str] = set()
        for font in (FONT_REGULAR, FONT_BOLD):
            font_id = QFontDatabase.addApplicationFont(str(font))
            if font_id < 0:
                raise SystemExit(f"cannot load {font} (apt-get install fonts-noto-core)")
            families.update(QFontDatabase.applicationFontFamilies(font_id))
        if "Noto Sans" not in families:
            raise SystemExit(f"expected the family 'Noto Sans', got {sorted(families)}")
        self.family = "Noto Sans"

    def font(self, px: int, bold: bool = False) -> QFont:

        f = QFont(self.family)
        f.setPixelSize(px)
        f.setBold(bold)
        f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        return f

    def new(self) -> tuple[QImage, QPainter]:

        image = QImage(self.W, self.H, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        return image, p

    def header(self, p: QPainter, kicker: str, title: str) -> int:
        """Dark-blue band with a small kicker and the title; returns the y below it."""

        width = self.W - 2 * self.MARGIN
        size = 66
        while size > 48 and QFontMetrics(self.font(size, True)).horizontalAdvance(title) > width:
            size -= 2
        flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        title_rect = QFontMetrics(self.font(size, True)).boundingRect(
            QRect(0, 0, width, 1000), flags, title
        )
        band = 130 + title_rect.height() + 50
        p.fillRect(0, 0, self.W, band, QColor(NAVY))
        p.fillRect(0, band, self.W, 12, QColor(RED))
        p.setPen(QColor("#9FC0F0"))
        p.setFont(self.font(30, True))
        p.drawText(QRect(self.MARGIN, 52, width, 50), int(Qt.AlignmentFlag.AlignLeft), kicker)
        p.setPen(QColor("white"))
        p.setFont(self.font(size, True))
        p.drawText(QRect(self.MARGIN, 120, width, title_rect.height() + 20), flags, title)
        return band + 12

    def footer(self, p: QPainter, left: str, right: str) -> int:
        """Pale band along the bottom; returns its top y."""

        top = self.H - 110
        p.fillRect(0, top, self.W, 110, QColor(PALE))
        p.fillRect(0, top, self.W, 4, QColor(NAVY))
        inner = QRect(self.MARGIN, top + 4, self.W - 2 * self.MARGIN, 106)
        p.setPen(QColor(INK))
        p.setFont(self.font(32))
        p.drawText(inner, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), left)
        p.setPen(QColor(NAVY))
        p.setFont(self.font(34, True))
        p.drawText(inner, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), right)
        return top

    def numbered(
        self, p: QPainter, x: int, y: int, width: int, items: Sequence[str], size: int
    ) -> int:
        """Red numbered discs with wrapped text beside them; returns the y below the list."""

        disc = int(size * 1.75)
        text_x = x + disc + 36
        flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        metrics = QFontMetrics(self.font(size))
        for n, item in enumerate(items, start=1):
            rect = metrics.boundingRect(QRect(0, 0, x + width - text_x, 1000), flags, item)
            line_h = metrics.height()
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(RED))
            disc_y = y + (line_h - disc) // 2
            p.drawEllipse(QRectF(x, disc_y, disc, disc))
            p.setPen(QColor("white"))
            p.setFont(self.font(int(size * 0.95), True))
            p.drawText(QRect(x, disc_y, disc, disc), int(Qt.AlignmentFlag.AlignCenter), str(n))
            p.setPen(QColor(INK))
            p.setFont(self.font(size))
            p.drawText(QRect(text_x, y, x + width - text_x, rect.height() + 10), flags, item)
            y += max(rect.height(), line_h) + int(size * 0.9)
        return y

    def save(self, image: QImage, p: QPainter, out: Path) -> None:
        p.end()
        # 256 colours are plenty for flat colours and antialiased text, and halve the file.

        indexed = image.convertToFormat(
            QImage.Format.Format_Indexed8, Qt.ImageConversionFlag.ThresholdDither
        )
        writer = QImageWriter(str(out), QByteArray(b"png"))
        writer.setQuality(0)  # for PNG: the strongest zlib compression
        if not writer.write(indexed):
            raise SystemExit(f"could not write {out}: {writer.errorString()}")


def slide_steps(pt: Painter, out: Path) -> None:
    image, p = pt.new()
    top = pt.header(
        p,
        "BỘ PHẬN MỘT CỬA  ·  DỊCH VỤ CÔNG TRỰC TUYẾN",
        "Các bước nộp hồ sơ trên Cổng Dịch vụ công quốc gia",
    )
    pt.footer(p, "Cần hỗ trợ? Xin liên hệ cán bộ tại quầy tiếp nhận hồ sơ.", "dichvucong.gov.vn")
    pt.numbered(p, pt.MARGIN, top + 70, pt.W - 2 * pt.MARGIN, STEPS, 48)
    pt.save(image, p, out)


def slide_papers(pt: Painter, out: Path) -> None:

    image, p = pt.new()
    top = pt.header(p, "BỘ PHẬN MỘT CỬA  ·  HƯỚNG DẪN", "Giấy tờ cần chuẩn bị")
    footer_top = pt.footer(
        p, "Mức thu và thời hạn theo bảng niêm yết tại quầy.", "Xin cảm ơn quý khách!"
    )
    left_w = 1000
    pt.numbered(p, pt.MARGIN, top + 50, left_w, PAPERS, 37)

    # Right: a card with the fees and time limits of two common procedures.
    card = QRect(
        pt.MARGIN + left_w + 60,
        top + 50,
        pt.W - 2 * pt.MARGIN - left_w - 60,
        footer_top - top - 100,
    )
    p.setPen(QPen(QColor(NAVY), 3))
    p.setBrush(QColor(PALE))
    p.drawRoundedRect(QRectF(card), 18, 18)
    p.fillRect(card.x(), card.y() + 18, 10, card.height() - 36, QColor(RED))
    x, width = card.x() + 50, card.width() - 90
    y = card.y() + 40
    flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
    p.setPen(QColor(NAVY))
    p.setFont(pt.font(36, True))
    p.drawText(QRect(x, y, width, 60), flags, "Thủ tục thường gặp")
    y += 90
    for name, fee, limit in FEES:
        for text, size, bold, colour in (
            (name, 36, True, INK),
            (fee, 33, False, RED),
            (limit, 33, False, INK),
        ):
            font = pt.font(size, bold)
            rect = QFontMetrics(font).boundingRect(QRect(0, 0, width, 1000), flags, text)
            p.setFont(font)
            p.setPen(QColor(colour))
            p.drawText(QRect(x, y, width, rect.height() + 10), flags, text)
            y += rect.height() + 8
        y += 40
    pt.save(image, p, out)


def slide_welcome(pt: Painter, out: Path) -> None:

    image, p = pt.new()
    p.fillRect(0, 0, pt.W, pt.H, QColor(NAVY))
    p.fillRect(0, pt.H // 2 + 40, pt.W, 10, QColor(RED))
    centre = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter)
    p.setPen(QColor("#9FC0F0"))
    p.setFont(pt.font(44, True))
    p.drawText(QRect(0, 250, pt.W, 80), centre, "BỘ PHẬN MỘT CỬA")
    p.setPen(QColor("white"))
    p.setFont(pt.font(104, True))
    p.drawText(QRect(0, 350, pt.W, 200), centre, "Xin kính chào quý khách")
    p.setFont(pt.font(44))
    p.drawText(QRect(0, 640, pt.W, 80), centre, "Nội dung trình chiếu đang được cập nhật")
    pt.save(image, p, out)


# --- main -----------------------------------------------------------------------------------


def human(n: int) -> str:
    return f"{n / 1024:.0f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MiB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out", type=Path, default=ASSETS, help="assets folder (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    demo: Path = args.out / "demo"
    idle: Path = args.out / "idle"
    demo.mkdir(parents=True, exist_ok=True)
    idle.mkdir(parents=True, exist_ok=True)

    for need in (FONT_REGULAR, FONT_BOLD):
        if not need.is_file():
            print(f"missing {need}: run scripts/setup (fonts-noto-core)", file=sys.stderr)
            return 1
    if shutil.which("ffmpeg") is None:
        print("missing ffmpeg: run scripts/setup", file=sys.stderr)
        return 1

    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-assets-") as tmpdir:
        for i, clip in enumerate(CLIPS, start=1):
            out = demo / clip.name
            make_clip(clip, i, len(CLIPS), out, Path(tmpdir))
            written.append(out)
            print(
                f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}"
                f"  ({human(out.stat().st_size)})"
            )

    pt = Painter()
    for out, paint in (
        (demo / "4-cac-buoc-nop-ho-so-tren-cong-dich-vu-cong.png", slide_steps),
        (demo / "5-giay-to-can-chuan-bi.png", slide_papers),
        (idle / "welcome.png", slide_welcome),
    ):
        paint(pt, out)
        written.append(out)
        print(
            f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}"
            f"  ({human(out.stat().st_size)})"
        )

    everything = [f for d in (demo, idle) for f in sorted(d.iterdir()) if f.is_file()]
    for extra in set(everything) - set(written):
        print(f"note: {extra} is not made by this script (kept, and counted)")
    total = sum(f.stat().st_size for f in everything)
    if total > LIMIT_BYTES:
        print(
            f"FAIL: demo assets total {human(total)}, over the {human(LIMIT_BYTES)} limit",
            file=sys.stderr,
        )
        return 1
    print(f"total {human(total)} in {len(everything)} files (limit {human(LIMIT_BYTES)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
