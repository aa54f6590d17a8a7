"""Runs a command and draws what it printed as a terminal screenshot (PNG), for the docs.

    .venv/bin/python scripts/terminal_png.py OUT.png -- kiosk check --config office.yaml

The picture is the real output: stdout and stderr as the command wrote them, under the
command line (`$ kiosk check ...`). Drawn by Qt offscreen, in DejaVu Sans Mono when the
machine has it (a terminal's look), else the bundled Noto Sans; both have every Vietnamese
letter. Long lines are wrapped at --columns.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--columns", type=int, default=110)
    parser.add_argument("--shown", help="the command line to show (default: the one run)")
    argv = sys.argv[1:]
    if "--" not in argv:
        parser.error("give the command after --")
    split = argv.index("--")
    args = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    shown = args.shown or " ".join(shlex.quote(c) for c in command)
    lines = [f"$ {shown}"]
    for line in (done.stdout + done.stderr).rstrip("\n").split("\n"):
        lines += textwrap.wrap(line, args.columns, subsequent_indent="      ") or [""]
    draw(lines, args.out)
    return 0


def draw(lines: list[str], out: Path) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import (
        QColor,
        QFont,
        QFontDatabase,
        QFontMetrics,
        QGuiApplication,
        QImage,
        QPainter,
    )

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kiosk.ui.fonts import load_bundled_fonts

    _app = QGuiApplication.instance() or QGuiApplication(["terminal_png"])
    bundled = load_bundled_fonts()
    family = "DejaVu Sans Mono" if "DejaVu Sans Mono" in QFontDatabase.families() else bundled
    font = QFont(family)
    font.setPixelSize(15)
    fm = QFontMetrics(font)
    pad = 16
    width = max(fm.horizontalAdvance(line) for line in lines) + 2 * pad
    height = fm.lineSpacing() * len(lines) + 2 * pad
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#1e2227"))
    painter = QPainter(image)
    try:
        painter.setFont(font)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        y = pad + fm.ascent()
        for i, line in enumerate(lines):
            painter.setPen(QColor("#9cdcfe" if i == 0 else "#e6e6e6"))
            painter.drawText(QPoint(pad, y), line)
            y += fm.lineSpacing()
    finally:
        painter.end()
    if not image.save(str(out)):
        raise SystemExit(f"cannot write {out}")


if __name__ == "__main__":
    sys.exit(main())
