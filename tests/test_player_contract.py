"""The Player contract, run against the fake and the real libVLC player alike.

The real player decodes real (tiny) clips through libVLC's video callbacks, so no X server is
needed: Qt runs offscreen and libVLC plays to a dummy audio output (the volume test: to
ALSA's null device, which keeps a volume to read back). The same test bodies run on the
fake, which is what lets controller tests trust it.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_AOUT", "dummy")

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.playback.base import Player
from kiosk.playback.fake import FakeClip, FakePlayer
from tests.mediagen import COLOURS, classify, make_clip

START_TIMEOUT = 3.0  # seconds; the player's own bound on "no picture"
WAIT_MS = 8000  # our bound on any single expected signal


class Recorder:
    """Every signal a player emits, in order, with the centre colour of each frame."""

    def __init__(self, player: Player) -> None:
        self.events: list[tuple[str, Any]] = []
        player.ready.connect(lambda: self.events.append(("ready", None)))
        player.started.connect(lambda: self.events.append(("started", None)))
        player.finished.connect(lambda: self.events.append(("finished", None)))
        player.failed.connect(lambda reason: self.events.append(("failed", reason)))
        player.frame.connect(lambda image: self.events.append(("frame", centre_colour(image))))

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def count(self, name: str) -> int:
        return self.names().count(name)

    def mark(self) -> int:
        return len(self.events)

    def since(self, mark: int) -> list[tuple[str, Any]]:
        return self.events[mark:]

    def frame_colours(self, mark: int = 0) -> set[str]:
        return {value for name, value in self.since(mark) if name == "frame"}


def centre_colour(image: QImage) -> str:
    assert not image.isNull()
    c = image.pixelColor(image.width() // 2, image.height() // 2)
    return classify((c.red(), c.green(), c.blue()))


@dataclass
class Env:
    """One backend under test: a player plus ways to make files it will treat as described."""

    name: str
    player: Player
    make: Callable[[str, float], str]  # (colour, seconds) -> path of a playable clip
    make_broken: Callable[[str], str]  # kind -> path of a file that cannot play
    missing: Callable[[], str]


BROKEN_KINDS = ("text", "empty", "truncated")


def _write_broken(tmp: Path, kind: str) -> Path:
    path = tmp / f"broken-{kind}.mp4"
    if kind == "text":
        path.write_text("this is not a video\n" * 50)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        good = make_clip(tmp / "whole.mp4", "cyan", 1.0)
        data = good.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        raise ValueError(kind)
    return path


@pytest.fixture(scope="module")
def vlc_backend() -> Iterator[Any]:
    from kiosk.playback.vlc import VlcBackend

    backend = VlcBackend(dummy_audio=True)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def clip_cache(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, float], str]:
    """Clips are made once per (colour, seconds): ffmpeg is the slow part of these tests."""
    folder = tmp_path_factory.mktemp("clips")
    made: dict[tuple[str, float], str] = {}

    def get(colour: str, seconds: float) -> str:
        key = (colour, seconds)
        if key not in made:
            made[key] = str(make_clip(folder / f"{colour}-{seconds}s.mp4", colour, seconds))
        return made[key]

    return get


def _native_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def _env(
    name: str, backend: Any, qtbot: QtBot, tmp_path: Path, make: Callable[[str, float], str]
) -> Iterator[Env]:
    """One backend's Env for a test; the player is closed (and checked closed) after it."""
    if name == "fake":
        fake = FakePlayer(start_timeout=START_TIMEOUT)

        def make_fake(colour: str, seconds: float) -> str:
            path = str(tmp_path / f"{colour}-{seconds}s.mp4")
            fake.script[path] = FakeClip(seconds=seconds, colour=COLOURS[colour])
            return path

        def broken_fake(kind: str) -> str:
            path = str(tmp_path / f"broken-{kind}.mp4")
            # The truncated kind exercises the other way a real file fails: no picture, ever.
            fake.script[path] = (
                FakeClip(never_starts=True)
                if kind == "truncated"
                else FakeClip(fail=f"cannot open ({kind}, fake)")
            )
            return path

        def missing_fake() -> str:
            path = str(tmp_path / "missing.mp4")
            fake.script[path] = FakeClip(fail="file not found")
            return path

        yield Env("fake", fake, make_fake, broken_fake, missing_fake)
        fake.close()
        return

    threads_before = _native_threads()
    player = backend.player(start_timeout=START_TIMEOUT)
    yield Env(
        "vlc",
        player,
        make,
        lambda kind: str(_write_broken(tmp_path, kind)),
        lambda: str(tmp_path / "missing.mp4"),
    )
    player.close()
    player.close()  # twice is harmless
    # libVLC's input and video threads must be gone once the player is closed.
    qtbot.waitUntil(lambda: _native_threads() <= threads_before, timeout=3000)


@pytest.fixture(params=["fake", "vlc"])
def env(
    request: pytest.FixtureRequest,
    qtbot: QtBot,
    tmp_path: Path,
    clip_cache: Callable[[str, float], str],
) -> Iterator[Env]:
    backend = request.getfixturevalue("vlc_backend") if request.param == "vlc" else None
    yield from _env(request.param, backend, qtbot, tmp_path, clip_cache)


@pytest.fixture(scope="module")
def sounding_backend() -> Iterator[Any]:
    """libVLC with an output that keeps a volume (ALSA's null device: no sound card needed).
    The dummy output of the other tests keeps none: its volume always reads 0."""
    from kiosk.playback.vlc import VlcBackend

    backend = VlcBackend(extra_args=("--aout=alsa", "--alsa-audio-device=null"), dummy_audio=False)
    yield backend
    backend.close()


@pytest.fixture(params=["fake", "vlc"])
def sounding_env(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> Iterator[Env]:
    """Like `env`, with clips that have sound, played through an output that has a volume."""

    def make(colour: str, seconds: float) -> str:
        return str(make_clip(tmp_path / f"{colour}-{seconds}s.mp4", colour, seconds, audio=True))

    backend = request.getfixturevalue("sounding_backend") if request.param == "vlc" else None
    yield from _env(request.param, backend, qtbot, tmp_path, make)


def _play_to_end(qtbot: QtBot, env: Env, rec: Recorder, path: str) -> int:
    mark = rec.mark()
    finished_before = rec.count("finished")
    env.player.load(path)
    qtbot.waitUntil(lambda: "ready" in rec.names()[mark:], timeout=WAIT_MS)
    env.player.show()
    qtbot.waitUntil(lambda: rec.count("finished") > finished_before, timeout=WAIT_MS)
    return mark


def test_load_show_frames_finish(qtbot: QtBot, env: Env) -> None:
    rec = Recorder(env.player)
    path = env.make("red", 1.0)
    with qtbot.waitSignal(env.player.ready, timeout=WAIT_MS):
        env.player.load(path)
    assert rec.names() == ["ready"], "nothing but ready before show()"
    with qtbot.waitSignal(env.player.started, timeout=WAIT_MS):
        env.player.show()
    qtbot.waitUntil(lambda: rec.count("frame") >= 3, timeout=WAIT_MS)
    assert rec.frame_colours() == {"red"}
    qtbot.waitUntil(lambda: rec.count("finished") == 1, timeout=WAIT_MS)
    qtbot.wait(300)  # anything late would show up now
    names = rec.names()
    assert names[:2] == ["ready", "started"]
    assert names[2] == "frame", "started comes right before the first frame"
    assert names[-1] == "finished" and names.count("finished") == 1
    assert "failed" not in names


def test_held_until_shown(qtbot: QtBot, env: Env) -> None:
    """A prepared item shows nothing and does not run out while it waits for show()."""
    rec = Recorder(env.player)
    with qtbot.waitSignal(env.player.ready, timeout=WAIT_MS):
        env.player.load(env.make("green", 0.5))
    qtbot.wait(int(START_TIMEOUT * 1000) + 300)  # longer than the clip and the start timeout
    assert rec.names() == ["ready"]
    with qtbot.waitSignal(env.player.finished, timeout=WAIT_MS):
        env.player.show()
    assert rec.frame_colours() == {"green"}
    assert rec.count("started") == 1


def test_ready_item_shows_its_first_picture_inside_show(qtbot: QtBot, env: Env) -> None:
    """Primed: the switch costs no decoding, so the controller times it to the millisecond."""
    rec = Recorder(env.player)
    with qtbot.waitSignal(env.player.ready, timeout=WAIT_MS):
        env.player.load(env.make("blue", 0.5))
    qtbot.wait(200)  # a prepared item waits a while for its turn
    env.player.show()
    assert rec.names()[:3] == ["ready", "started", "frame"], "before show() returned"
    assert rec.frame_colours() == {"blue"}
    qtbot.waitUntil(lambda: rec.count("finished") == 1, timeout=WAIT_MS)
    assert rec.count("frame") >= 5, "it plays on from the held picture"


def test_show_before_ready(qtbot: QtBot, env: Env) -> None:
    rec = Recorder(env.player)
    env.player.load(env.make("yellow", 0.5))
    env.player.show()
    qtbot.waitUntil(lambda: rec.count("finished") == 1, timeout=WAIT_MS)
    assert rec.names()[:3] == ["ready", "started", "frame"]
    assert rec.frame_colours() == {"yellow"}


def test_two_clips_in_a_row_on_one_player(qtbot: QtBot, env: Env) -> None:
    rec = Recorder(env.player)
    _play_to_end(qtbot, env, rec, env.make("red", 0.5))
    mark = _play_to_end(qtbot, env, rec, env.make("blue", 0.5))
    qtbot.wait(300)
    second = [name for name, _ in rec.since(mark)]
    assert second.count("finished") == 1 and second[-1] == "finished"
    assert rec.frame_colours(mark) == {"blue"}
    assert rec.count("finished") == 2
    assert "failed" not in rec.names()


def test_load_while_playing_replaces_without_stale_signals(qtbot: QtBot, env: Env) -> None:
    rec = Recorder(env.player)
    env.player.load(env.make("red", 1.0))
    env.player.show()
    qtbot.waitUntil(lambda: rec.count("frame") >= 2, timeout=WAIT_MS)
    mark = rec.mark()
    env.player.load(env.make("magenta", 0.5))
    env.player.show()
    qtbot.waitUntil(lambda: rec.count("finished") >= 1, timeout=WAIT_MS)
    qtbot.wait(1000)  # past the end of the first clip: its EndReached must not surface
    after = [name for name, _ in rec.since(mark)]
    assert after.count("finished") == 1
    assert after.count("started") == 1
    assert "failed" not in after
    assert rec.frame_colours(mark) == {"magenta"}


def test_stop_silences_the_item(qtbot: QtBot, env: Env) -> None:
    rec = Recorder(env.player)
    env.player.load(env.make("cyan", 0.5))
    env.player.show()
    qtbot.waitUntil(lambda: rec.count("frame") >= 2, timeout=WAIT_MS)
    env.player.stop()
    mark = rec.mark()
    qtbot.wait(1200)  # past the clip's end
    assert rec.since(mark) == []
    # ...and the player is still usable afterwards.
    _play_to_end(qtbot, env, rec, env.make("green", 0.5))


@pytest.mark.parametrize("kind", BROKEN_KINDS)
def test_broken_file_fails_once(qtbot: QtBot, env: Env, kind: str) -> None:
    rec = Recorder(env.player)
    env.player.load(env.make_broken(kind))
    env.player.show()
    qtbot.waitUntil(lambda: rec.count("failed") == 1, timeout=WAIT_MS)
    qtbot.wait(500)
    names = rec.names()
    assert names.count("failed") == 1 and names[-1] == "failed"
    assert "finished" not in names and "started" not in names and "frame" not in names
    reason = next(value for name, value in rec.events if name == "failed")
    assert isinstance(reason, str) and reason


def test_missing_file_fails(qtbot: QtBot, env: Env) -> None:
    rec = Recorder(env.player)
    with qtbot.waitSignal(env.player.failed, timeout=WAIT_MS) as blocker:
        env.player.load(env.missing())
    assert blocker.args and "not found" in blocker.args[0]
    env.player.show()  # harmless on a failed item
    qtbot.wait(200)
    assert rec.names() == ["failed"]


def test_player_recovers_after_a_failure(qtbot: QtBot, env: Env) -> None:
    rec = Recorder(env.player)
    env.player.load(env.make_broken("text"))
    env.player.show()
    qtbot.waitUntil(lambda: rec.count("failed") == 1, timeout=WAIT_MS)
    mark = _play_to_end(qtbot, env, rec, env.make("blue", 0.5))
    assert rec.frame_colours(mark) == {"blue"}


def test_set_volume_is_clamped_and_reaches_the_output(qtbot: QtBot, sounding_env: Env) -> None:
    """Out-of-range volumes are clamped, not errors; what is set before show() is what the
    item starts with (priming is muted), and a change while playing reaches the output.
    (libVLC applies a change once its output is free: within a few ms, not always at once.)"""
    env = sounding_env
    rec = Recorder(env.player)

    def output_holds(wanted: tuple[int, bool]) -> None:
        def check() -> None:
            assert env.player.volume() == wanted

        qtbot.waitUntil(check, timeout=1000)  # on timeout, the last assertion's diff

    env.player.set_volume(30, True)
    env.player.load(env.make("red", 1.0))
    env.player.set_volume(150, False)  # the last word before show() wins
    qtbot.waitUntil(lambda: rec.count("ready") == 1, timeout=WAIT_MS)
    assert env.player.volume() is None, "nothing plays yet"
    env.player.show()
    qtbot.waitUntil(lambda: rec.count("started") == 1, timeout=WAIT_MS)
    output_holds((100, False))
    env.player.set_volume(-5, True)
    output_holds((0, True))
    env.player.set_volume(55, False)
    output_holds((55, False))
    qtbot.waitUntil(lambda: rec.count("finished") == 1, timeout=WAIT_MS)
    assert env.player.volume() is None, "nothing plays any more"


def _live_media() -> int:
    import gc

    import vlc

    gc.collect()
    return sum(isinstance(o, vlc.Media) for o in gc.get_objects())


def test_no_media_wrapper_outlives_its_item(
    qtbot: QtBot, vlc_backend: Any, clip_cache: Callable[[str, float], str]
) -> None:
    """Months of clips must not pile up python-vlc wrappers (its memoized event_manager() did)."""
    from kiosk.playback.vlcprobe import parse_media

    player = vlc_backend.player(start_timeout=START_TIMEOUT)
    rec = Recorder(player)
    env = Env("vlc", player, clip_cache, lambda kind: "", lambda: "")
    before = _live_media()
    for colour in ("red", "green", "blue"):
        _play_to_end(qtbot, env, rec, clip_cache(colour, 0.5))
        assert parse_media(clip_cache(colour, 0.5), backend=vlc_backend).status == "done"
    player.stop()
    assert _live_media() == before
    player.close()
