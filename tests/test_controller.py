"""The controller's state machine with the fake player (offscreen), real slides from disk."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.controller import Controller, State
from kiosk.core.model import Item, Kind, Playlist, Transition
from kiosk.core.schedule import ItemSchedule, TimeWindow
from kiosk.core.schedule_yaml import parse_hours
from kiosk.core.yamlpos import parse_bytes
from kiosk.playback.fake import FakePlayer
from kiosk.ui.slides import SlideRenderer
from tests.mediagen import classify, make_image
from tests.test_pdf import make_pdf


class Recorder:
    """A stage that remembers what it was asked to show, as colour names."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.fades: list[int] = []

    def _add(self, what: str) -> None:
        if not self.shown or self.shown[-1] != what:
            self.shown.append(what)

    def show_frame(self, frame: QImage) -> None:
        c = frame.pixelColor(frame.width() // 2, frame.height() // 2)
        self._add(classify((c.red(), c.green(), c.blue())))

    def show_slide(self, image: QImage) -> None:
        c = image.pixelColor(image.width() // 2, image.height() // 2)
        self._add("slide-" + classify((c.red(), c.green(), c.blue())))

    def show_idle(self, detail: str = "") -> None:
        self._add("idle")

    def begin_fade(self, ms: int) -> None:
        self.fades.append(ms)


def video(name: str) -> Item:
    return Item(f"/sync/{name}", name, Kind.VIDEO, size=1, mtime=1.0)


def slide(path: Path, seconds: float = 0.2) -> Item:
    return Item(str(path), path.name, Kind.SLIDE, seconds, size=1, mtime=1.0)


class Source:
    """The playlist the controller reads at each wrap; tests swap `items` to simulate edits."""

    def __init__(self, *items: Item) -> None:
        self.items = list(items)
        self.reads = 0

    def __call__(self) -> Playlist:
        self.reads += 1
        return Playlist(tuple(self.items), "test")


SPARES: dict[int, FakePlayer] = {}  # player id -> its spare, in the gapless runs


@pytest.fixture(params=["single", "gapless"])
def player(request: pytest.FixtureRequest, qtbot: QtBot) -> Iterator[FakePlayer]:
    """Every controller test runs with one player and with two (next item held ready)."""
    p = FakePlayer(start_timeout=0.3)
    if request.param == "gapless":
        SPARES[id(p)] = FakePlayer(start_timeout=0.3)
    yield p
    p.close()
    spare = SPARES.pop(id(p), None)
    if spare is not None:
        spare.close()


def loaded(player: FakePlayer) -> list[str]:
    spare = SPARES.get(id(player))
    return player.loaded + (spare.loaded if spare is not None else [])


@pytest.fixture
def yellow(tmp_path: Path) -> Path:
    return make_image(tmp_path / "yellow.png", "yellow")


def make(
    player: FakePlayer, source: Source, idle_retry_ms: int = 200
) -> tuple[Controller, Recorder]:
    stage = Recorder()
    controller = Controller(
        player,
        stage,
        source,
        SlideRenderer(),
        idle_retry_ms=idle_retry_ms,
        spare=SPARES.get(id(player)),
    )
    return controller, stage


def test_plays_in_order_and_loops(qtbot: QtBot, player: FakePlayer, yellow: Path) -> None:
    source = Source(video("red_0.2s.mp4"), slide(yellow), video("blue_0.2s.mp4"))
    controller, stage = make(player, source)
    controller.start()
    qtbot.waitUntil(lambda: len(stage.shown) >= 5, timeout=5000)
    controller.stop()
    assert stage.shown[:5] == ["red", "slide-yellow", "blue", "red", "slide-yellow"]
    assert controller.counters.loops >= 1 and source.reads >= 2
    assert controller.state is State.STOPPED


def test_one_item_playlist_loops_on_itself(qtbot: QtBot, player: FakePlayer) -> None:
    controller, _ = make(player, Source(video("green_0.1s.mp4")))
    controller.start()
    qtbot.waitUntil(lambda: controller.counters.played >= 3, timeout=5000)
    controller.stop()
    assert loaded(player)[:3] == ["/sync/green_0.1s.mp4"] * 3


def test_broken_and_hanging_videos_are_skipped_listed_and_set_aside(
    qtbot: QtBot, player: FakePlayer
) -> None:
    source = Source(video("red_0.1s.mp4"), video("broken.mp4"), video("hang.mp4"))
    controller, stage = make(player, source)
    controller.start()
    qtbot.waitUntil(lambda: controller.counters.loops >= 3, timeout=8000)
    controller.stop()
    assert set(controller.failures) == {"/sync/broken.mp4", "/sync/hang.mp4"}
    assert "broken" in controller.failures["/sync/broken.mp4"].reason
    assert "no picture" in controller.failures["/sync/hang.mp4"].reason
    # Set aside: tried once, not at every loop, while the file is unchanged.
    assert loaded(player).count("/sync/broken.mp4") == 1
    assert loaded(player).count("/sync/hang.mp4") == 1
    assert stage.shown == ["red"]  # the good clip kept playing; no idle in between


def test_a_set_aside_file_is_retried_once_it_changes(qtbot: QtBot, player: FakePlayer) -> None:
    source = Source(video("red_0.1s.mp4"), video("broken.mp4"))
    controller, _ = make(player, source)
    controller.start()
    qtbot.waitUntil(lambda: "/sync/broken.mp4" in controller.failures, timeout=3000)
    source.items[1] = Item("/sync/broken.mp4", "broken.mp4", Kind.VIDEO, size=2, mtime=2.0)
    qtbot.waitUntil(lambda: controller.failures["/sync/broken.mp4"].stamp == (2, 2.0), timeout=3000)
    controller.stop()
    assert loaded(player).count("/sync/broken.mp4") == 2


def test_everything_broken_shows_idle_and_retries(
    qtbot: QtBot, player: FakePlayer, tmp_path: Path
) -> None:
    bad_slide = tmp_path / "bad.png"
    bad_slide.write_text("no")
    source = Source(video("broken.mp4"), slide(bad_slide))
    controller, stage = make(player, source)
    controller.start()
    qtbot.waitUntil(lambda: controller.state is State.IDLE, timeout=3000)
    assert stage.shown == ["idle"]
    source.items = [video("blue_0.1s.mp4")]  # the admin fixes the folder
    qtbot.waitUntil(lambda: "blue" in stage.shown, timeout=3000)
    controller.stop()
    assert stage.shown[:2] == ["idle", "blue"]
    assert controller.failures == {}  # files gone from the playlist are no longer reported


def test_empty_playlist_shows_idle_then_content_appears(qtbot: QtBot, player: FakePlayer) -> None:
    source = Source()
    controller, stage = make(player, source)
    controller.start()
    assert controller.state is State.IDLE and stage.shown == ["idle"]
    source.items = [video("green_0.1s.mp4")]
    qtbot.waitUntil(lambda: stage.shown[-1:] == ["green"], timeout=3000)
    controller.stop()


def test_playlist_changes_land_at_the_wrap_never_mid_item(qtbot: QtBot, player: FakePlayer) -> None:
    source = Source(video("red_0.3s.mp4"), video("green_0.3s.mp4"))
    controller, stage = make(player, source)
    controller.start()
    qtbot.waitUntil(lambda: stage.shown == ["red"], timeout=2000)
    source.items = [video("blue_0.3s.mp4")]
    qtbot.waitUntil(lambda: "blue" in stage.shown, timeout=5000)
    controller.stop()
    assert stage.shown[:3] == ["red", "green", "blue"]  # green still played: edits wait


def test_playlist_is_read_while_the_last_item_plays_not_during_the_wrap(
    qtbot: QtBot, player: FakePlayer
) -> None:
    """Reading the playlist touches files: it happens while the loop's last item plays, so
    the switch back to the first one waits for nothing."""
    source = Source(video("red_0.5s.mp4"), video("green_1s.mp4"))
    controller, _ = make(player, source)
    seen: list[tuple[str, int]] = []
    plain = source.__call__

    class Watched(Source):
        def __call__(self) -> Playlist:
            item = controller.now.item
            # At the wrap the outgoing clip has ended (its position reads -1) or nearly.
            seen.append((item.rel if item else "-", controller.player.position_ms()))
            return plain()

    controller._source = Watched()  # type: ignore[assignment]
    controller.start()
    qtbot.waitUntil(lambda: controller.counters.loops >= 2, timeout=6000)
    controller.stop()
    assert seen[0] == ("-", -1)  # the first read, at start
    assert len(seen) >= 3
    # Early in green's second, not at (or just before) its end.
    assert all(rel == "green_1s.mp4" and 0 <= pos <= 700 for rel, pos in seen[1:]), seen


def test_status_helpers(qtbot: QtBot, player: FakePlayer, yellow: Path) -> None:
    source = Source(video("red_0.3s.mp4"), slide(yellow))
    controller, _ = make(player, source)
    controller.start()
    qtbot.waitUntil(lambda: controller.state is State.VIDEO, timeout=2000)
    assert controller.now.item is not None and controller.now.item.rel == "red_0.3s.mp4"
    upcoming = controller.upcoming()
    assert upcoming is not None and upcoming.rel == "yellow.png"
    controller.stop()
    with qtbot.assertNotEmitted(controller.changed, wait=400):
        pass  # stopped means stopped: no timer fires afterwards


def test_content_arriving_while_idle_plays_at_once_and_is_not_cut_later(
    qtbot: QtBot, player: FakePlayer
) -> None:
    source = Source()
    controller, stage = make(player, source, idle_retry_ms=300)
    controller.start()
    source.items = [video("red_0.5s.mp4"), video("green_0.5s.mp4")]
    controller.invalidate()  # what the sync folder's ingest does when a file is ready
    assert controller.state is State.LOADING
    qtbot.waitUntil(lambda: stage.shown[-1:] == ["green"], timeout=3000)
    qtbot.waitUntil(lambda: controller.counters.played >= 3, timeout=3000)
    controller.stop()
    assert stage.shown[:4] == ["idle", "red", "green", "red"]  # the idle retry timer cut nothing


def test_edits_mid_loop_continue_after_the_current_item(qtbot: QtBot, player: FakePlayer) -> None:
    source = Source(video("red_0.3s.mp4"), video("green_0.3s.mp4"))
    controller, stage = make(player, source)
    controller.start()
    qtbot.waitUntil(lambda: stage.shown == ["red"], timeout=2000)
    source.items = [video("blue_0.3s.mp4"), video("red_0.3s.mp4"), video("cyan_0.3s.mp4")]
    controller.invalidate()
    qtbot.waitUntil(lambda: len(stage.shown) >= 3, timeout=5000)
    controller.stop()
    assert stage.shown[:3] == ["red", "cyan", "blue"]  # after red, wherever red now is


def test_file_on_screen_deleted_moves_on_at_once(qtbot: QtBot, player: FakePlayer) -> None:
    source = Source(video("red_5s.mp4"), video("green_0.3s.mp4"))
    controller, stage = make(player, source)
    controller.start()
    qtbot.waitUntil(lambda: stage.shown == ["red"], timeout=2000)
    source.items = [video("green_0.3s.mp4")]
    controller.file_gone("/sync/red_5s.mp4")
    qtbot.waitUntil(lambda: stage.shown[-1:] == ["green"], timeout=1000)  # not 5 s later
    controller.file_gone("/sync/other.mp4")  # a file not on screen cuts nothing
    assert controller.state in (State.LOADING, State.VIDEO)
    controller.stop()


def make_watched(
    player: FakePlayer, source: Source, factory: object = None
) -> tuple[Controller, Recorder]:
    stage = Recorder()
    controller = Controller(
        player,
        stage,
        source,
        SlideRenderer(),
        idle_retry_ms=200,
        player_factory=factory,  # type: ignore[arg-type]
        stall_after_s=0.6,
        spare=SPARES.get(id(player)),
    )
    return controller, stage


def test_a_frozen_video_is_noticed_and_skipped(qtbot: QtBot, player: FakePlayer) -> None:
    source = Source(video("red_freeze.mp4"), video("green_0.2s.mp4"))
    controller, stage = make_watched(player, source)
    ended: list[object] = []
    controller.item_ended.connect(ended.append)
    controller.start()
    qtbot.waitUntil(lambda: "green" in stage.shown, timeout=4000)
    controller.stop()
    assert stage.shown[:2] == ["red", "green"]
    assert controller.counters.stalls == 1
    assert "stalled" in controller.failures["/sync/red_freeze.mp4"].reason
    first = ended[0]
    assert first.item.rel == "red_freeze.mp4" and first.outcome == "failed"  # type: ignore[attr-defined]
    assert "stalled" in first.reason  # type: ignore[attr-defined]


def test_repeated_stalls_recreate_the_player(qtbot: QtBot, player: FakePlayer) -> None:
    made: list[FakePlayer] = []

    def factory() -> list[FakePlayer]:
        made.append(FakePlayer(start_timeout=0.3))
        return [made[-1]]

    source = Source(video("red_freeze.mp4"), video("blue_freeze.mp4"), video("green_0.2s.mp4"))
    controller, stage = make_watched(player, source, factory)
    controller.start()
    qtbot.waitUntil(lambda: "green" in stage.shown, timeout=6000)
    controller.stop()
    assert controller.counters.restarts == 1 and len(made) == 1
    assert player.closed and controller.player is made[0]
    assert made[0].loaded == ["/sync/green_0.2s.mp4"]  # the new player took over
    made[0].close()


def test_a_player_that_cannot_be_recreated_is_fatal(qtbot: QtBot, player: FakePlayer) -> None:
    def factory() -> list[FakePlayer]:
        raise RuntimeError("libVLC could not start")

    source = Source(video("red_freeze.mp4"), video("blue_freeze.mp4"))
    controller, _ = make_watched(player, source, factory)
    with qtbot.waitSignal(controller.fatal, timeout=6000) as fatal:
        controller.start()
    assert "libVLC could not start" in fatal.args[0]


def test_every_item_shown_is_reported_once_for_proof_of_play(
    qtbot: QtBot, player: FakePlayer, yellow: Path
) -> None:
    source = Source(video("red_0.2s.mp4"), video("broken.mp4"), slide(yellow))
    controller, _ = make(player, source)
    ended: list[object] = []
    controller.item_ended.connect(ended.append)
    controller.start()
    qtbot.waitUntil(lambda: len(ended) >= 3, timeout=4000)
    controller.stop()
    got = [(e.item.rel, e.outcome) for e in ended]  # type: ignore[attr-defined]
    assert got[:3] == [
        ("red_0.2s.mp4", "completed"),
        ("yellow.png", "completed"),
        ("red_0.2s.mp4", "completed"),
    ]  # the broken file was never shown
    assert got[-1][1] == "skipped"  # on screen when the player stopped
    assert all(e.end >= e.start for e in ended)  # type: ignore[attr-defined]


def test_next_item_is_held_ready_while_the_current_one_plays(qtbot: QtBot) -> None:
    one, two = FakePlayer(start_timeout=0.5), FakePlayer(start_timeout=0.5)
    source = Source(video("red_0.6s.mp4"), video("green_0.6s.mp4"))
    stage = Recorder()
    controller = Controller(one, stage, source, SlideRenderer(), spare=two)
    controller.start()
    qtbot.waitUntil(lambda: stage.shown == ["red"], timeout=2000)
    # While red plays, green is already opened (held on its first picture) on the other one.
    red_player = controller.player
    green_player = two if red_player is one else one
    qtbot.waitUntil(lambda: green_player.loaded == ["/sync/green_0.6s.mp4"], timeout=300)
    assert stage.shown == ["red"]
    # At red's end green's player takes over; red's player then prepares red (the loop).
    qtbot.waitUntil(lambda: stage.shown == ["red", "green"], timeout=2000)
    assert controller.player is green_player
    qtbot.waitUntil(lambda: red_player.loaded == ["/sync/red_0.6s.mp4"] * 2, timeout=1000)
    controller.stop()
    one.close()
    two.close()


# ---------------------------------------------------------------- schedules, hours, PDFs

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=VN).timestamp()


def test_items_outside_their_schedule_are_skipped(qtbot: QtBot, player: FakePlayer) -> None:
    today = date(2026, 12, 1)
    expired = ItemSchedule(valid_until=today - timedelta(days=1))
    future = ItemSchedule(valid_from=today + timedelta(days=1))
    mornings = ItemSchedule(times=(TimeWindow(7 * 60, 12 * 60),))
    source = Source(
        dataclasses.replace(video("red_0.2s.mp4"), schedule=expired),
        dataclasses.replace(video("green_0.2s.mp4"), schedule=mornings),
        dataclasses.replace(video("blue_0.2s.mp4"), schedule=future),
        video("cyan_0.2s.mp4"),
    )
    clock = [at("2026-12-01 08:00")]
    stage = Recorder()
    controller = Controller(
        player,
        stage,
        source,
        SlideRenderer(),
        clock=lambda: clock[0],
        spare=SPARES.get(id(player)),
    )
    controller.start()
    qtbot.waitUntil(lambda: len(stage.shown) >= 3, timeout=4000)
    assert stage.shown[:3] == ["green", "cyan", "green"]  # red expired, blue not yet valid
    clock[0] = at("2026-12-01 14:00")  # the afternoon: the morning-only clip goes away
    mark, played = len(stage.shown), controller.counters.played
    qtbot.waitUntil(lambda: controller.counters.played >= played + 3, timeout=4000)
    controller.stop()
    assert "green" not in stage.shown[mark + 1 :], stage.shown


def hours_controller(
    player: FakePlayer,
    clock: Callable[[], float],
    on_closed: Callable[[bool], None] | None = None,
) -> tuple[Controller, Recorder]:
    """A controller over one red clip, for an office open 08:00-17:00 every day."""
    node, problems = parse_bytes(b'hours:\n  mon-sun: "08:00-17:00"\n', "office.yaml")
    assert node is not None and not problems
    hours, problems = parse_hours(node.get("hours"), "office.yaml")  # type: ignore[union-attr]
    assert not problems
    stage = Recorder()
    controller = Controller(
        player,
        stage,
        Source(video("red_0.2s.mp4")),
        SlideRenderer(),
        clock=clock,
        spare=SPARES.get(id(player)),
        hours=hours,
        on_closed=on_closed,
    )
    return controller, stage


def test_outside_office_hours_the_screen_closes_and_reopens_on_time(
    qtbot: QtBot, player: FakePlayer
) -> None:
    opening = at("2026-12-01 08:00")
    started = time.monotonic()
    # A clock that starts 0.6 s before opening time and runs at the real pace.
    clock = lambda: opening - 0.6 + (time.monotonic() - started)  # noqa: E731
    calls: list[tuple[bool, State]] = []
    controller, stage = hours_controller(
        player, clock, lambda closed: calls.append((closed, controller.state))
    )
    try:
        controller.start()
        assert controller.state is State.CLOSED and calls == [(True, State.CLOSED)]
        qtbot.waitUntil(lambda: "red" in stage.shown, timeout=3000)  # opened at 08:00 sharp
    finally:
        # Never leave the hours timer armed: it would fire inside a later test.
        controller.stop()
    # The display came back on while still closed (before opening), then red played.
    assert calls == [(True, State.CLOSED), (False, State.CLOSED)]


def test_opening_between_two_clock_reads_does_not_sleep_a_minute(
    qtbot: QtBot, player: FakePlayer
) -> None:
    """The hours check judged "closed" a moment before opening: it looks again at once.

    It used to read the clock twice: "closed" by the first read, then, past the opening by
    the second, it slept until the next change (the closing) capped at a minute. That made
    the office open up to 60 s late, and the test above fail about 1 run in 10 under load.
    """
    opening = at("2026-12-01 08:00")
    reads: list[float] = []  # clock reads once the race is set up

    def clock() -> float:
        if not armed:
            return opening - 10
        reads.append(opening - 0.001 if not reads else opening + 0.001)
        return reads[-1]

    armed = False
    controller, stage = hours_controller(player, clock)
    try:
        controller.start()
        assert controller.state is State.CLOSED
        armed = True  # the next read is the last before opening; every later one is open
        controller._check_hours()
        qtbot.waitUntil(lambda: "red" in stage.shown, timeout=2000)
    finally:
        controller.stop()


def test_pdf_pages_and_text_slides_play_in_the_rotation(
    qtbot: QtBot, player: FakePlayer, tmp_path: Path
) -> None:
    pdf = make_pdf(tmp_path / "phi.pdf", ["red", "blue"])
    md = tmp_path / "thu-tuc.md"
    md.write_text("# Cấp bản sao trích lục\n\n1. Nộp tờ khai\n2. Nhận kết quả\n", encoding="utf-8")
    source = Source(
        Item(str(pdf), "phi.pdf", Kind.PDF, 0.3, size=1, mtime=1.0),
        Item(str(md), "thu-tuc.md", Kind.TEXT, 0.3, size=1, mtime=1.0),
        video("green_0.2s.mp4"),
    )
    ended: list[object] = []
    controller, stage = make(player, source)
    controller.item_ended.connect(ended.append)
    controller.start()
    qtbot.waitUntil(lambda: "green" in stage.shown, timeout=8000)
    controller.stop()
    # Each PDF page a slide, then the text slide (painted in the office theme), then the clip.
    assert stage.shown[:2] == ["slide-red", "slide-blue"]
    assert stage.shown[2].startswith("slide-") and stage.shown[3] == "green"
    assert [e.item.rel for e in ended[:2]] == ["phi.pdf", "thu-tuc.md"]  # type: ignore[attr-defined]


def test_fade_transition_is_asked_of_the_stage_at_each_switch(
    qtbot: QtBot, player: FakePlayer, yellow: Path
) -> None:
    class Faded(Source):
        def __call__(self) -> Playlist:
            return dataclasses.replace(super().__call__(), transition=Transition(0.3))

    controller, stage = make(player, Faded(video("red_0.2s.mp4"), slide(yellow)))
    controller.start()
    qtbot.waitUntil(lambda: len(stage.shown) >= 3, timeout=4000)
    controller.stop()
    assert stage.fades[:3] == [300, 300, 300]


def test_video_to_video_switches_inside_the_end_of_the_outgoing_clip(qtbot: QtBot) -> None:
    """The spare holds the next clip's first picture: it is on the stage before the outgoing
    clip's EndReached has been handled, with no start latency in between."""
    # As with libVLC, an unprimed show() would take 100 ms to bring a picture.
    one = FakePlayer(start_timeout=0.5, start_latency=0.1)
    two = FakePlayer(start_timeout=0.5, start_latency=0.1)
    source = Source(video("red_0.8s.mp4"), video("green_0.8s.mp4"))
    stage = Recorder()
    controller = Controller(one, stage, source, SlideRenderer(), spare=two)
    on_stage_at_end: list[str] = []
    for p in (one, two):  # connected after the controller's slot: runs after it
        p.finished.connect(lambda: on_stage_at_end.append(stage.shown[-1]))
    controller.start()
    qtbot.waitUntil(lambda: len(on_stage_at_end) >= 3, timeout=5000)
    controller.stop()
    assert on_stage_at_end[:3] == ["green", "red", "green"]
    one.close()
    two.close()
