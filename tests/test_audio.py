"""What a listener hears across clip switches: real libVLC playing into a real sound server.

Two VlcPlayers take turns as the controller uses them: while one plays, the other is loaded
(primed: first picture decoded, paused, muted); at the end the primed one is shown. Each clip
carries a stepped tone in its own band (tests/sound.py), so the recording tells whose sound
is heard, when, and from which point of the clip.

The first item warms the sound path up and is not judged: on PulseAudio, libVLC's first
stream of a process, started within ~2 s of the player's creation, is heard up to ~1.5 s
late (PipeWire does not do it; see docs/playback.md, "Sound").

The analysis itself is checked without a sound server in test_sound_analysis.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.playback.vlc import VlcBackend
from tests import sound

pytestmark = pytest.mark.skipif(sound.missing() is not None, reason=str(sound.missing()))

CLIP_S = 2.0
ITEMS = ["a", "b", "a", "b"]  # bands, in playing order; item 0 is the warm-up
COLOURS = {"a": "red", "b": "green"}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[sound.SoundServer]:
    srv = sound.SoundServer().start()
    for key, value in srv.env.items():
        monkeypatch.setenv(key, value)  # libVLC's PulseAudio client reads these
    try:
        yield srv
    finally:
        srv.stop()


def play_in_turns(
    qtbot: QtBot, server: sound.SoundServer, clips: dict[str, str]
) -> tuple[sound.Sound, list[tuple[float, float]]]:
    """Plays ITEMS switching at each end; returns the sound and (load, show) times per item."""
    backend = VlcBackend(extra_args=("--aout=pulse",), dummy_audio=False)
    players = [backend.player(start_timeout=8), backend.player(start_timeout=8)]
    times: list[list[float]] = [[0.0, 0.0] for _ in ITEMS]
    failures: list[str] = []
    state = {"shown": 0, "done": False}

    def load(k: int) -> None:
        if k < len(ITEMS):
            times[k][0] = time.time()
            players[k % 2].load(clips[ITEMS[k]])

    def finished(k_player: int) -> None:
        k = state["shown"]
        if k % 2 != k_player:
            return
        if k + 1 == len(ITEMS):
            state["done"] = True
            return
        state["shown"] = k + 1
        times[k + 1][1] = time.time()
        players[(k + 1) % 2].show()
        load(k + 2)

    for i, p in enumerate(players):
        p.finished.connect(lambda i=i: finished(i))
        p.failed.connect(failures.append)
    recorder = sound.Recorder(server)
    try:
        with qtbot.waitSignals([players[0].ready, players[1].ready], timeout=10_000):
            load(0)
            load(1)
        times[0][1] = time.time()
        players[0].show()
        qtbot.waitUntil(lambda: bool(state["done"] or failures), timeout=30_000)
        tail = time.time() + 0.2  # the last item's sound may still be playing out
        qtbot.waitUntil(lambda: recorder.start_time + recorder.recorded_s() > tail, timeout=5000)
    finally:
        heard = recorder.stop()
        for p in players:
            p.close()
        backend.close()
    assert not failures
    return heard, [(t[0], t[1]) for t in times]


def test_each_clip_is_heard_from_its_own_switch_and_alone(
    qtbot: QtBot, server: sound.SoundServer, tmp_path: Path
) -> None:
    clips = {
        band: str(sound.make_tone_clip(tmp_path / f"{band}.mp4", COLOURS[band], band, CLIP_S))
        for band in ("a", "b")
    }
    heard, times = play_in_turns(qtbot, server, clips)
    runs = heard.runs()
    end_of_sound = heard.at(len(heard.samples))
    report = "\n".join(
        f"{r.start - times[0][1]:8.3f} s  {r.ms:6.1f} ms  {r.band}{r.segment}" for r in runs
    )
    for k in range(1, len(ITEMS)):
        band, (loaded, shown) = ITEMS[k], times[k]
        next_show = times[k + 1][1] if k + 1 < len(ITEMS) else end_of_sound
        outgoing = ITEMS[k - 1]
        mine = [r for r in runs if r.band == band]
        # Primed means silent: nothing of this clip before its switch (the same band's
        # previous item ended at the switch before this load).
        early = [r for r in mine if loaded + 0.05 < r.start < shown - 0.03]
        assert not early, f"item {k} heard while primed:\n{report}"
        # Its sound starts with its picture, from its first segment.
        first = next((r for r in mine if r.start >= shown - 0.05), None)
        assert first is not None, f"item {k} ({band}) never heard:\n{report}"
        assert abs(first.start - shown) < 0.08, f"item {k} starts {first.start - shown:+.3f} s"
        assert first.segment <= 1, f"item {k} starts at segment {first.segment}:\n{report}"
        # The outgoing clip's sound ends with it: none of it after this switch.
        late = [r for r in runs if r.band == outgoing and r.start > shown + 0.04]
        late = [r for r in late if r.start < next_show - 0.05]
        assert not late, f"item {k - 1} still heard after the switch to {k}:\n{report}"
        # Heard for most of its length (libVLC 3 may drop up to ~0.25 s of a clip's end).
        length = sum(r.ms for r in mine if shown - 0.05 <= r.start < next_show) / 1000
        assert length > CLIP_S / 2, f"item {k} heard for {length:.2f} s:\n{report}"
    # Never two clips at once: one tone peaks at AMPLITUDE, two together at up to twice it.
    # Right at a switch the outgoing stream may still sound while the incoming one starts:
    # libVLC corks it at its end, and PulseAudio carries that out a little later (up to
    # ~60 ms on a loaded machine). From 20 ms before to 100 ms after a switch is not judged.
    switches = [t[1] for t in times[1:]]
    loud = [
        (t, peak)
        for t, peak in heard.loud_blocks(times[1][1] - 0.5, end_of_sound, sound.AMPLITUDE * 1.6)
        if all(not -0.02 <= t - s <= 0.1 for s in switches)
    ]
    shows = ", ".join(f"{t[1] - times[0][1]:.3f}" for t in times)
    where = ", ".join(f"{t - times[0][1]:.3f} s: {peak:.2f}" for t, peak in loud)
    assert not loud, f"two clips at once? peaks {where} (switches at {shows} s)\n{report}"
