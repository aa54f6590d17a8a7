"""kiosk.core decides and the rest does: each core module, imported alone in a fresh
interpreter, loads no Qt, no libVLC, no watchdog and none of kiosk's impure packages.

The modules are found by walking the package, so a new core module is checked by itself.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kiosk.core

CORE = sorted(m.name for m in pkgutil.walk_packages(kiosk.core.__path__, "kiosk.core."))
FORBIDDEN = ("PySide6", "shiboken6", "vlc", "watchdog")

CHECK = """\
import sys
import {module}
forbidden = {forbidden!r}
bad = {{
    ".".join(m.split(".")[:2]) if m.startswith("kiosk.") else m.split(".")[0]
    for m in sys.modules
    if m.split(".")[0] in forbidden or (m.startswith("kiosk.") and not m.startswith("kiosk.core"))
}}
print(" ".join(sorted(bad)))
"""


def test_the_walk_finds_every_core_file() -> None:
    """Guards the walk itself: a walk that found nothing would check nothing."""
    folder = Path(kiosk.core.__file__).parent
    files = {
        "kiosk.core." + ".".join(p.relative_to(folder).with_suffix("").parts)
        for p in folder.rglob("*.py")
        if p.name != "__init__.py"
    }
    assert files and set(CORE) >= files


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_nothing_impure(module: str) -> None:
    code = CHECK.format(module=module, forbidden=FORBIDDEN)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert not out.stdout.split(), f"importing {module} loads {out.stdout.strip()}"
