"""The bundled font: slides look the same on every machine, and Vietnamese always renders.

Why bundle: a kiosk image may lack Noto, or have a font whose stacked diacritics ("ệ", "ưở")
collide or fall back to another face mid-word. Noto Sans (SIL OFL 1.1, see
assets/fonts/OFL.txt) covers Vietnamese fully, so the player registers it with Qt at start and
uses it by family name. Needs a QGuiApplication (QFontDatabase requires one).
"""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QRawFont

__all__ = ["BUNDLED_FAMILY", "FONT_DIR", "FONT_FILES", "load_bundled_fonts", "missing_glyphs"]

log = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "fonts"
FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
BUNDLED_FAMILY = "Noto Sans"

_registered: dict[str, int] = {}  # file path -> QFontDatabase id (registration is per process)


def load_bundled_fonts(font_dir: Path = FONT_DIR) -> str:
    """Register the bundled Noto Sans faces once per process; return the family to use.

    Idempotent: a second call registers nothing. If a file is missing or unreadable the
    problem is logged and the family name is still returned: Qt then falls back to a system
    font of that name (Debian's fonts-noto-core has the same one), and `missing_glyphs`
    tells whether it is good enough.
    """
    family = BUNDLED_FAMILY
    for name in FONT_FILES:
        path = str(font_dir / name)
        if path in _registered:
            continue
        font_id = QFontDatabase.addApplicationFont(path)
        if font_id < 0:
            log.error("cannot load the bundled font %s; text may use a system font", path)
            continue
        _registered[path] = font_id
        families = QFontDatabase.applicationFontFamilies(font_id)
        if families:
            family = families[0]
        log.debug("registered font %s as %s", path, families)
    return family


def missing_glyphs(text: str, family: str) -> set[str]:
    """Characters of `text` (whitespace ignored) the font `family` itself has no glyph for.

    Looks at the one font Qt picks for the family, not at fallbacks: a fallback glyph is the
    'mixed fonts in one word' look this check exists to catch. Both the text as written and
    its NFC form are checked, so decomposed input (macOS file names, some editors) is covered.
    """
    raw = QRawFont.fromFont(QFont(family))
    chars = set(text) | set(unicodedata.normalize("NFC", text))
    return {
        c
        for c in chars
        if not c.isspace() and unicodedata.category(c) != "Cf" and not raw.supportsCharacter(ord(c))
    }
