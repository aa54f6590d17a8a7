"""Natural filename order (`2-x` before `10-x`), identical for NFC and NFD names."""

from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"(\d+)")


def nfc(text: str) -> str:
    """macOS sends names in NFD; everything is compared and sorted on NFC."""
    return unicodedata.normalize("NFC", text)


def natural_key(name: str) -> tuple[tuple[int, int | str, str], ...]:
    """Sort key splitting digit runs into numbers; case-insensitive, ties broken by case.

    Each part is (0, number) or (1, text) so numbers and text never compare directly.
    Path separators sort before any other character, so a folder's files stay together.
    """
    key: list[tuple[int, int | str, str]] = []
    for segment in nfc(name).split("/"):
        for i, part in enumerate(_DIGITS.split(segment)):
            if not part:
                continue
            if i % 2:
                key.append((0, int(part), part))
            else:
                key.append((1, part.casefold(), part))
        key.append((-1, 0, ""))
    return tuple(key)


def natural_sorted(names: list[str]) -> list[str]:
    return sorted(names, key=natural_key)
