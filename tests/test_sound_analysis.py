"""The sound analysis of tests/sound.py on synthetic recordings: pure, so it runs everywhere,
sound server or not. Without it, a broken analysis could let test_audio pass on anything."""

from __future__ import annotations

import array
import math

from tests import sound


def silence(seconds: float) -> array.array[int]:
    return array.array("h", bytes(2 * round(seconds * sound.RATE)))


def tone(bands: tuple[str, ...], seconds: float) -> array.array[int]:
    """The stepped tone of each band from its segment 0, mixed, as a clip's sound is made."""
    out = array.array("h")
    for n in range(round(seconds * sound.RATE)):
        t = n / sound.RATE
        segment = int(t * 1000 // sound.SEGMENT_MS)
        level = sum(
            math.sin(2 * math.pi * (sound.BANDS[b] + sound.STEP_HZ * segment) * t) for b in bands
        )
        out.append(int(sound.AMPLITUDE * 32767 * level))
    return out


def test_the_analysis_reads_band_segment_and_time_from_samples() -> None:
    """Silence, then band "b" from its segment 0 at a known time, then silence."""
    heard = sound.Sound(1000.0, silence(0.5) + tone(("b",), 0.35) + silence(0.1))
    runs = heard.runs()
    assert [(r.band, r.segment) for r in runs] == [("b", 0), ("b", 1), ("b", 2), ("b", 3)]
    assert abs(runs[0].start - 1000.5) < 0.002
    assert [round(r.ms / 10) for r in runs] == [10, 10, 10, 5]
    assert heard.loud_blocks(1000.0, 1001.0, sound.AMPLITUDE * 1.1) == []
    assert heard.loudest(1000.0, 1000.5) == 0.0
    assert heard.loudest(1000.5, 1000.85) > sound.AMPLITUDE * 0.95


def test_two_clips_at_once_are_loud_and_pass_for_neither() -> None:
    """What test_audio's "never two clips at once" relies on: a mix peaks above one tone,
    and is not read as either clip's sound."""
    heard = sound.Sound(2000.0, silence(0.2) + tone(("a", "b"), 0.2) + silence(0.1))
    loud = heard.loud_blocks(2000.0, 2000.5, sound.AMPLITUDE * 1.6)
    assert len(loud) >= 15, loud  # most of the 20 blocks of 10 ms
    assert all(2000.19 < t < 2000.4 for t, _ in loud), loud
    assert [r for r in heard.runs() if r.band is not None] == []
