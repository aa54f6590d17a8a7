"""A module-wide libVLC backend for tests that play real files (dummy audio, no window).

Import the fixture into a test module (`from tests.vlcbackend import backend_fixture`) and
ask for `backend`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module", name="backend")
def backend_fixture() -> Iterator[Any]:
    from kiosk.playback.vlc import VlcBackend

    be = VlcBackend(dummy_audio=True)
    yield be
    be.close()
