"""The controller's state machine with the fake player, in virtual time.

Controller, fake players, slide decodes and playlist reads share one VirtualClock: a case
that took seconds of waiting on the Qt loop runs in milliseconds, the same way every run,
and times can be asserted exactly. Slides are real files decoded by the real renderer. The
tests at the end keep the real Qt loop: timers, the thread pool and queued signals.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.clock.virtual import VirtualClock
from kiosk.controller import ClosedHours, Controller, Shown, State
from kiosk.core.model import Item, Kind, Playlist, Transition
from kiosk.core.schedule import ItemSchedule, TimeWindow
from kiosk.core.schedule_yaml import parse_hours
from kiosk.core.stall import VideoWatch
from kiosk.core.yamlpos import parse_bytes
from kiosk.media.facts import VideoFacts, remember
from kiosk.playback.fake import FakeClip, FakePlayer
from kiosk.ui.slides import SlideRenderer
from tests.mediagen import classify, make_image
from tests.test_pdf import make_pdf

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=VN).timestamp()


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
    """The playlist the controller reads; tests swap `items` to simulate edits."""

    def __init__(self, *items: Item) -> None:
        self.items = list(items)
        self.reads = 0  # reads done (off the Qt thread in the player)
        self.asked: list[str] = []  # what was on screen each time a read was asked for
        self.now: Callable[[], str] = lambda: "-"

    def reader(self) -> Callable[[], Playlist]:
        self.asked.append(self.now())

        def read() -> Playlist:
            self.reads += 1
            return Playlist(tuple(self.items), "test")

        return read


@dataclass
class Rig:
    clock: VirtualClock
    player: FakePlayer
    spare: FakePlayer | None

    def loaded(self) -> list[str]:
        return self.player.loaded + (self.spare.loaded if self.spare is not None else [])

    def run_until(self, condition: Callable[[], bool], within_s: float = 10.0) -> None:
        assert self.clock.run_until(condition, within_s), f"not within {within_s} virtual s"

    def make(
        self, source: Source, idle_retry_ms: int = 200, **kwargs: object
    ) -> tuple[Controller, Recorder]:
        stage = Recorder()
        controller = Controller(
            self.player,
            stage,
            source,
            SlideRenderer(),
            clock=self.clock,
            idle_retry_ms=idle_retry_ms,
            spare=self.spare,
            **kwargs,  # type: ignore[arg-type]
        )
        item = controller.now
        source.now = lambda: item.item.rel if item.item else "-"
        return controller, stage


@pytest.fixture(params=["single", "gapless"])
def rig(request: pytest.FixtureRequest, qapp: object) -> Iterator[Rig]:
    """Every controller test runs with one player and with two (next item held ready)."""
    clock = VirtualClock(wall=at("2026-12-01 09:00"))
    player = FakePlayer(start_timeout=0.3, clock=clock)
    spare = FakePlayer(start_timeout=0.3, clock=clock) if request.param == "gapless" else None
    yield Rig(clock, player, spare)
    for p in (player, spare):
        if p is not None:
            p.close()


@pytest.fixture
def yellow(tmp_path: Path) -> Path:
    return make_image(tmp_path / "yellow.png", "yellow")


def test_plays_in_order_and_loops(rig: Rig, yellow: Path) -> None:
    source = Source(video("red_0.2s.mp4"), slide(yellow), video("blue_0.2s.mp4"))
    controller, stage = rig.make(source)
    controller.start()
    rig.run_until(lambda: len(stage.shown) >= 5)
    controller.stop()
    assert stage.shown[:5] == ["red", "slide-yellow", "blue", "red", "slide-yellow"]
    assert controller.counters.loops >= 1 and source.reads >= 2
    assert controller.state is State.STOPPED


def test_one_item_playlist_loops_on_itself(rig: Rig) -> None:
    controller, _ = rig.make(Source(video("green_0.1s.mp4")))
    controller.start()
    rig.run_until(lambda: controller.counters.played >= 3)
    controller.stop()
    assert rig.loaded()[:3] == ["/sync/green_0.1s.mp4"] * 3


def test_broken_and_hanging_videos_are_skipped_listed_and_set_aside(rig: Rig) -> None:
    source = Source(video("red_0.1s.mp4"), video("broken.mp4"), video("hang.mp4"))
    controller, stage = rig.make(source)
    controller.start()
    rig.run_until(lambda: controller.counters.loops >= 3)
    controller.stop()
    assert set(controller.failures) == {"/sync/broken.mp4", "/sync/hang.mp4"}
    assert "broken" in controller.failures["/sync/broken.mp4"].reason
    assert "no picture" in controller.failures["/sync/hang.mp4"].reason
    # Set aside: tried once, not at every loop, while the file is unchanged.
    assert rig.loaded().count("/sync/broken.mp4") == 1
    assert rig.loaded().count("/sync/hang.mp4") == 1
    assert stage.shown == ["red"]  # the good clip kept playing; no idle in between


def test_a_set_aside_file_is_retried_once_it_changes_or_ten_minutes_passed(rig: Rig) -> None:
    source = Source(video("red_0.1s.mp4"), video("broken.mp4"))
    controller, _ = rig.make(source)
    controller.start()
    rig.run_until(lambda: "/sync/broken.mp4" in controller.failures)
    source.items[1] = Item("/sync/broken.mp4", "broken.mp4", Kind.VIDEO, size=2, mtime=2.0)
    rig.run_until(lambda: controller.failures["/sync/broken.mp4"].stamp == (2, 2.0))
    assert rig.loaded().count("/sync/broken.mp4") == 2
    rig.clock.advance(599)  # unchanged: set aside for ten minutes, then tried again
    assert rig.loaded().count("/sync/broken.mp4") == 2
    rig.run_until(lambda: controller.failures["/sync/broken.mp4"].count == 2, within_s=2)
    controller.stop()
    assert rig.loaded().count("/sync/broken.mp4") == 3  # the same file failed twice


@pytest.mark.parametrize("step_h", [-3, 3])
def test_a_set_aside_file_waits_ten_minutes_whatever_the_wall_clock_does(
    rig: Rig, step_h: int
) -> None:
    """NTP steps the clock 3 h back (or on) just after a file failed: it is tried again ten
    minutes later, as without the step (not after 3 h 10 min, nor at once)."""
    source = Source(video("red_0.1s.mp4"), video("broken.mp4"))
    controller, _ = rig.make(source)
    controller.start()
    rig.run_until(lambda: "/sync/broken.mp4" in controller.failures)
    rig.clock.set_wall(rig.clock.now() + step_h * 3600)
    rig.clock.advance(599)
    assert rig.loaded().count("/sync/broken.mp4") == 1
    rig.run_until(lambda: controller.failures["/sync/broken.mp4"].count == 2, within_s=2)
    controller.stop()


def test_everything_broken_shows_idle_and_retries(rig: Rig, tmp_path: Path) -> None:
    bad_slide = tmp_path / "bad.png"
    bad_slide.write_text("no")
    source = Source(video("broken.mp4"), slide(bad_slide))
    controller, stage = rig.make(source)
    controller.start()
    rig.run_until(lambda: controller.state is State.IDLE)
    assert stage.shown == ["idle"]
    source.items = [video("blue_0.1s.mp4")]  # the admin fixes the folder
    rig.run_until(lambda: "blue" in stage.shown)
    controller.stop()
    assert stage.shown[:2] == ["idle", "blue"]
    assert controller.failures == {}  # files gone from the playlist are no longer reported


def test_empty_playlist_shows_idle_then_content_appears(rig: Rig) -> None:
    source = Source()
    controller, stage = rig.make(source)
    controller.start()
    rig.run_until(lambda: controller.state is State.IDLE, within_s=0)
    assert stage.shown == ["idle"]
    source.items = [video("green_0.1s.mp4")]
    rig.run_until(lambda: stage.shown[-1:] == ["green"])
    controller.stop()


def test_playlist_changes_land_at_the_wrap_never_mid_item(rig: Rig) -> None:
    source = Source(video("red_0.3s.mp4"), video("green_0.3s.mp4"))
    controller, stage = rig.make(source)
    controller.start()
    rig.run_until(lambda: stage.shown == ["red"])
    source.items = [video("blue_0.3s.mp4")]
    rig.run_until(lambda: "blue" in stage.shown)
    controller.stop()
    assert stage.shown[:3] == ["red", "green", "blue"]  # green still played: edits wait


def test_playlist_is_read_while_the_last_item_plays_not_at_the_wrap(rig: Rig) -> None:
    """Reading the playlist touches files: it is asked for while the loop's last item plays
    (a read takes 0.5 s here), so the switch back to the first item waits for nothing."""
    rig.clock.work_s = 0.5
    source = Source(video("red_0.5s.mp4"), video("green_1s.mp4"))
    controller, _ = rig.make(source)
    ends: list[float] = []
    controller.item_ended.connect(lambda shown: ends.append(shown.end - shown.start))
    controller.start()
    rig.run_until(lambda: controller.counters.loops >= 2)
    controller.stop()
    assert source.asked[:3] == ["-", "green_1s.mp4", "green_1s.mp4"]
    assert ends[:4] == [0.5, 1.0, 0.5, 1.0]  # no item waited for a read


def test_a_read_slower_than_the_loop_lands_at_a_later_boundary(rig: Rig) -> None:
    """A slow share: the loop goes on with the playlist it has, never waits for the disk."""
    rig.clock.work_s = 0.1
    source = Source(video("red_0.3s.mp4"), video("green_0.3s.mp4"))
    controller, stage = rig.make(source)
    controller.start()
    rig.run_until(lambda: stage.shown == ["red"])
    rig.clock.work_s = 0.8  # the next read takes longer than the rest of the loop
    source.items = [video("blue_0.3s.mp4")]
    rig.run_until(lambda: "blue" in stage.shown)
    controller.stop()
    # Asked for as green (the last item) began, the read came back as red played again.
    assert stage.shown[:6] == ["red", "green", "red", "green", "red", "blue"]


def test_status_helpers(rig: Rig, yellow: Path) -> None:
    source = Source(video("red_0.3s.mp4"), slide(yellow))
    controller, _ = rig.make(source)
    changes: list[None] = []
    controller.changed.connect(lambda: changes.append(None))
    controller.start()
    rig.run_until(lambda: controller.state is State.VIDEO)
    assert controller.now.item is not None and controller.now.item.rel == "red_0.3s.mp4"
    upcoming = controller.upcoming()
    assert upcoming is not None and upcoming.rel == "yellow.png"
    controller.stop()
    stopped = len(changes)
    rig.clock.advance(60)
    assert len(changes) == stopped  # stopped means stopped: nothing fires afterwards


def test_content_arriving_while_idle_plays_at_once_and_is_not_cut_later(rig: Rig) -> None:
    source = Source()
    controller, stage = rig.make(source, idle_retry_ms=300)
    controller.start()
    rig.run_until(lambda: controller.state is State.IDLE)
    source.items = [video("red_0.5s.mp4"), video("green_0.5s.mp4")]
    controller.invalidate()  # what the sync folder's ingest does when a file is ready
    rig.run_until(lambda: controller.state is State.LOADING, within_s=0)  # at once
    rig.run_until(lambda: controller.counters.played >= 3)
    controller.stop()
    assert stage.shown[:4] == ["idle", "red", "green", "red"]  # the idle retry timer cut nothing


def test_edits_mid_loop_continue_after_the_current_item(rig: Rig) -> None:
    source = Source(video("red_0.3s.mp4"), video("green_0.3s.mp4"))
    controller, stage = rig.make(source)
    controller.start()
    rig.run_until(lambda: stage.shown == ["red"])
    source.items = [video("blue_0.3s.mp4"), video("red_0.3s.mp4"), video("cyan_0.3s.mp4")]
    controller.invalidate()
    rig.run_until(lambda: len(stage.shown) >= 3)
    controller.stop()
    assert stage.shown[:3] == ["red", "cyan", "blue"]  # after red, wherever red now is


def test_file_on_screen_deleted_moves_on_at_once_and_no_other_file_cuts(rig: Rig) -> None:
    source = Source(video("red_5s.mp4"), video("green_0.6s.mp4"))
    controller, stage = rig.make(source)
    ended: list[Shown] = []
    controller.item_ended.connect(ended.append)
    controller.start()
    rig.run_until(lambda: stage.shown == ["red"])
    rig.clock.advance(1)
    source.items = [video("green_0.6s.mp4")]
    controller.file_gone("/sync/red_5s.mp4")
    rig.run_until(lambda: stage.shown[-1:] == ["green"], within_s=0.1)  # not 4 s later
    assert [(e.item.rel, e.outcome) for e in ended] == [("red_5s.mp4", "skipped")]
    green, since = controller.player, controller.now.since
    assert isinstance(green, FakePlayer)
    loads = list(green.loaded)
    rig.clock.advance(0.2)
    position = green.position_ms()
    controller.file_gone("/sync/other.mp4")  # a file not on screen: green plays on
    assert controller.state is State.VIDEO and controller.now.since == since
    assert controller.player is green and green.loaded == loads  # not loaded again
    assert green.position_ms() >= position  # not restarted
    rig.run_until(lambda: len(ended) == 2, within_s=1)
    controller.stop()
    last = ended[1]
    assert (last.item.rel, last.outcome) == ("green_0.6s.mp4", "completed")
    assert last.end - last.start == pytest.approx(0.6)  # played to its end, uncut


def test_a_frozen_video_is_noticed_and_skipped(rig: Rig) -> None:
    source = Source(video("red_freeze.mp4"), video("green_0.2s.mp4"))
    controller, stage = rig.make(source, watch=VideoWatch(stall_after_s=0.6))
    ended: list[Shown] = []
    controller.item_ended.connect(ended.append)
    controller.start()
    rig.run_until(lambda: "green" in stage.shown)
    controller.stop()
    assert stage.shown[:2] == ["red", "green"]
    assert controller.counters.stalls == 1
    assert "stalled" in controller.failures["/sync/red_freeze.mp4"].reason
    first = ended[0]
    assert first.item.rel == "red_freeze.mp4" and first.outcome == "failed"
    assert "stalled" in first.reason
    # Frozen at 0.2 s; the watch (every 0.5 s) saw it move at 0.5 s, and still at 1.5 s.
    assert first.end - first.start == pytest.approx(1.5)


def test_a_wall_clock_step_is_not_a_stall(rig: Rig) -> None:
    """NTP or an admin moves the clock an hour on while a clip plays: it is not "still
    playing 3600 s after starting a 2 s clip" (the watch counts monotonic time)."""
    source = Source(video("red_2s.mp4"), video("green_2s.mp4"))
    controller, stage = rig.make(source)
    ended: list[Shown] = []
    controller.item_ended.connect(ended.append)
    controller.start()
    rig.run_until(lambda: stage.shown == ["red"])
    rig.clock.set_wall(rig.clock.now() + 3600)
    rig.run_until(lambda: stage.shown == ["red", "green"])
    rig.clock.set_wall(rig.clock.now() - 7200)  # and back: nor is a clip "cut short"
    rig.run_until(lambda: controller.counters.played >= 3)
    controller.stop()
    assert controller.counters.stalls == 0 and controller.failures == {}
    assert [e.outcome for e in ended[:2]] == ["completed", "completed"]
    assert controller.not_whole == {}


def test_proof_of_play_durations_are_true_across_wall_clock_steps(rig: Rig) -> None:
    """NTP steps the clock 3 h on while one clip is shown, then 3 h back while the next is:
    each line says 2 s on screen (not 3 h, not 0 s), stamped with the clock as it read when
    the clip ended, like the lines after it."""
    source = Source(video("red_2s.mp4"), video("green_2s.mp4"))
    controller, stage = rig.make(source)
    ended: list[Shown] = []
    controller.item_ended.connect(ended.append)
    controller.start()
    rig.run_until(lambda: stage.shown == ["red"])
    red_at = rig.clock.now()
    rig.clock.advance(0.5)
    rig.clock.set_wall(rig.clock.now() + 3 * 3600)
    rig.run_until(lambda: stage.shown == ["red", "green"])
    rig.clock.advance(0.5)
    rig.clock.set_wall(rig.clock.now() - 3 * 3600)
    rig.run_until(lambda: len(ended) == 2)
    controller.stop()
    red, green = ended[:2]
    assert (red.item.rel, green.item.rel) == ("red_2s.mp4", "green_2s.mp4")
    assert red.end - red.start == pytest.approx(2.0)
    assert green.end - green.start == pytest.approx(2.0)
    assert red.start == pytest.approx(red_at + 3 * 3600)  # its start on the stepped clock
    assert green.start == pytest.approx(red.end - 3 * 3600)


def test_repeated_stalls_recreate_the_player(rig: Rig) -> None:
    made: list[FakePlayer] = []

    def factory() -> list[FakePlayer]:
        made.append(FakePlayer(start_timeout=0.3, clock=rig.clock))
        return [made[-1]]

    source = Source(video("red_freeze.mp4"), video("blue_freeze.mp4"), video("green_0.2s.mp4"))
    watch = VideoWatch(stall_after_s=0.6)
    controller, stage = rig.make(source, player_factory=factory, watch=watch)
    controller.start()
    rig.run_until(lambda: "green" in stage.shown)
    controller.stop()
    assert controller.counters.restarts == 1 and len(made) == 1
    assert rig.player.closed and controller.player is made[0]
    assert made[0].loaded == ["/sync/green_0.2s.mp4"]  # the new player took over
    made[0].close()


def test_a_player_that_cannot_be_recreated_is_fatal(rig: Rig) -> None:
    def factory() -> list[FakePlayer]:
        raise RuntimeError("libVLC could not start")

    source = Source(video("red_freeze.mp4"), video("blue_freeze.mp4"))
    watch = VideoWatch(stall_after_s=0.6)
    controller, _ = rig.make(source, player_factory=factory, watch=watch)
    fatal: list[str] = []
    controller.fatal.connect(fatal.append)
    controller.start()
    rig.run_until(lambda: bool(fatal))
    assert "libVLC could not start" in fatal[0]
    assert controller.state is State.STOPPED


def test_every_item_shown_is_reported_once_for_proof_of_play(rig: Rig, yellow: Path) -> None:
    source = Source(video("red_0.2s.mp4"), video("broken.mp4"), slide(yellow))
    controller, _ = rig.make(source)
    ended: list[Shown] = []
    controller.item_ended.connect(ended.append)
    controller.start()
    rig.run_until(lambda: len(ended) >= 3)
    rig.run_until(lambda: controller.state in (State.VIDEO, State.SLIDE))
    controller.stop()
    got = [(e.item.rel, e.outcome) for e in ended]
    assert got[:3] == [
        ("red_0.2s.mp4", "completed"),
        ("yellow.png", "completed"),
        ("red_0.2s.mp4", "completed"),
    ]  # the broken file was never shown
    assert got[-1][1] == "skipped"  # on screen when the player stopped
    assert [round(e.end - e.start, 3) for e in ended[:3]] == [0.2, 0.2, 0.2]


def test_a_clip_that_ends_early_is_recorded_so_and_listed_until_shown_whole(rig: Rig) -> None:
    """A copy cut short whose container states no size (FLV, TS) passes every check and
    plays its first part: EndReached comes 1.5 s into a clip whose file states 4 s."""
    cut = video("red_4s.mp4")
    for p in (rig.player, rig.spare):
        if p is not None:
            p.script[cut.path] = FakeClip(4.0, (230, 20, 20), cut_at=1.5)
    source = Source(cut, video("green_0.5s.mp4"))
    controller, _ = rig.make(source)
    ended: list[Shown] = []
    controller.item_ended.connect(ended.append)
    controller.start()
    rig.run_until(lambda: len(ended) >= 4)
    got = [(e.item.rel, e.outcome, e.reason) for e in ended[:2]]
    assert got == [
        (
            "red_4s.mp4",
            "ended_early",
            "ended after 1.5 s of the 4.0 s its file states: damaged or cut short; copy it again",
        ),
        ("green_0.5s.mp4", "completed", ""),
    ]
    assert ended[0].end - ended[0].start == pytest.approx(1.5)
    early = controller.not_whole[cut.path]
    assert (early.rel, early.reason, early.count) == ("red_4s.mp4", ended[0].reason, 2)
    assert controller.failures == {}  # it still plays: what there is of it is shown
    # Copied again, whole: it leaves the list once it has been shown whole.
    whole = Item(cut.path, cut.rel, Kind.VIDEO, size=2, mtime=2.0)
    for p in (rig.player, rig.spare):
        if p is not None:
            p.script[cut.path] = FakeClip(4.0, (230, 20, 20))
    source.items[0] = whole
    rig.run_until(lambda: any(e.item == whole and e.outcome == "completed" for e in ended))
    controller.stop()
    assert controller.not_whole == {}


def test_a_clip_that_loses_many_pictures_is_completed_but_listed(rig: Rig) -> None:
    """Too heavy for the machine: it plays to its end, but 17 of its 25 pictures never
    reached the screen. Proof of play says completed, with why; the status lists it."""
    heavy = video("blue_1s.mp4")
    for p in (rig.player, rig.spare):
        if p is not None:
            p.script[heavy.path] = FakeClip(1.0, (20, 20, 230), shown_share=0.3)
    controller, _ = rig.make(Source(heavy, video("green_0.5s.mp4")))
    ended: list[Shown] = []
    controller.item_ended.connect(ended.append)
    controller.start()
    rig.run_until(lambda: len(ended) >= 2)
    controller.stop()
    first = ended[0]
    assert (first.outcome, first.end - first.start) == ("completed", pytest.approx(1.0))
    assert first.reason == (
        "showed 8 of its 25 pictures (68 percent lost): too heavy for this machine; "
        "re-encode it at 1920x1080 (H.264) or less"
    )
    assert controller.not_whole[heavy.path].reason == first.reason
    assert ended[1].reason == "" and "/sync/green_0.5s.mp4" not in controller.not_whole


class Stops(FakePlayer):
    """A fake that notes when it was stopped (virtual monotonic seconds)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.stopped_at: list[float] = []

    def stop(self) -> None:
        self.stopped_at.append(self._clock.monotonic())
        super().stop()


def heavy_clip(tmp_path: Path, name: str, seconds: float, players: list[FakePlayer]) -> Item:
    """A clip the probe found 3840x2160 (what the player reads before it opens it)."""
    path = tmp_path / name
    path.write_bytes(b"4K HEVC, as the probe saw it")
    remember(str(path), VideoFacts(3840, 2160, "hevc", int(seconds * 1000)))
    for p in players:
        p.script[str(path)] = FakeClip(seconds, (20, 200, 20))
    return Item(str(path), name, Kind.VIDEO, size=1, mtime=1.0)


def test_a_heavy_clip_has_the_machine_to_itself_before_the_next_is_prepared(
    qapp: object, tmp_path: Path
) -> None:
    """Opening the next clip 250 ms into a 4K clip cost it frames (bench/heavy): it is
    prepared 4 s in (at most half-way); the outgoing player is let go of at 250 ms."""
    clock = VirtualClock()
    one, two = Stops(start_timeout=0.5, clock=clock), Stops(start_timeout=0.5, clock=clock)
    rig = Rig(clock, one, two)
    heavy = heavy_clip(tmp_path, "4k.mp4", 10.0, [one, two])
    controller, stage = rig.make(Source(video("red_1s.mp4"), heavy))
    controller.start()
    rig.run_until(lambda: stage.shown == ["red", "green"])
    shown_at = clock.monotonic()
    red_player = two if controller.player is one else one
    assert red_player.loaded == ["/sync/red_1s.mp4"]
    rig.run_until(lambda: len(red_player.loaded) == 2, within_s=5)
    assert clock.monotonic() - shown_at == pytest.approx(4.0)  # red prepared again, 4 s in
    stops = [t - shown_at for t in red_player.stopped_at if t >= shown_at]
    assert stops[0] == pytest.approx(0.25)  # the outgoing player stopped as usual
    controller.stop()
    one.close()
    two.close()


def test_after_a_heavy_clip_a_pdf_turns_its_pages_as_usual(qapp: object, tmp_path: Path) -> None:
    """A 2 s heavy clip waits 1 s (half-way) before the next item is prepared; the PDF
    after it has its next page decoded 250 ms after each page, not 1 s."""
    clock = VirtualClock()
    one, two = (
        FakePlayer(start_timeout=0.5, clock=clock),
        FakePlayer(start_timeout=0.5, clock=clock),
    )
    heavy = heavy_clip(tmp_path, "4k.mp4", 2.0, [one, two])
    pdf = make_pdf(tmp_path / "phi.pdf", ["red", "blue", "yellow"])
    document = Item(str(pdf), "phi.pdf", Kind.PDF, 1.0, size=1, mtime=1.0)
    decoded: list[tuple[int, float]] = []
    renderer = SlideRenderer()

    def load(item: Item, page: int) -> tuple[QImage, int] | str:
        if item.kind is Kind.PDF:
            decoded.append((page, clock.monotonic()))
        return renderer(item, page)

    ended: list[Shown] = []
    controller = Controller(one, Recorder(), Source(heavy, document), load, clock=clock, spare=two)
    controller.item_ended.connect(ended.append)
    controller.start()
    assert clock.run_until(lambda: len(ended) >= 2, 10)
    controller.stop()
    one.close()
    two.close()
    clip, pages = ended[0], ended[1]
    assert (clip.item, pages.item) == (heavy, document)
    first_page = clip.end - clock.now() + clock.monotonic()  # on the monotonic clock
    when = dict(decoded)
    assert when[1] == pytest.approx(first_page - 1.0)  # prepared half-way through the clip
    assert when[2] == pytest.approx(first_page + 0.25)
    assert when[3] == pytest.approx(first_page + 1.25)


def test_next_item_is_held_ready_while_the_current_one_plays(qapp: object) -> None:
    clock = VirtualClock()
    one = FakePlayer(start_timeout=0.5, clock=clock)
    two = FakePlayer(start_timeout=0.5, clock=clock)
    rig = Rig(clock, one, two)
    controller, stage = rig.make(Source(video("red_0.6s.mp4"), video("green_0.6s.mp4")))
    controller.start()
    rig.run_until(lambda: stage.shown == ["red"])
    # While red plays, green is already opened (held on its first picture) on the other one.
    red_player = one if controller.player is one else two
    green_player = two if red_player is one else one
    rig.run_until(lambda: green_player.loaded == ["/sync/green_0.6s.mp4"], within_s=0.3)
    assert stage.shown == ["red"]
    # At red's end green's player takes over; red's player then prepares red (the loop).
    rig.run_until(lambda: stage.shown == ["red", "green"])
    assert controller.player is green_player
    rig.run_until(lambda: red_player.loaded == ["/sync/red_0.6s.mp4"] * 2, within_s=1)
    controller.stop()
    one.close()
    two.close()


def test_video_to_video_switches_inside_the_end_of_the_outgoing_clip(qapp: object) -> None:
    """The spare holds the next clip's first picture: it is on the stage before the outgoing
    clip's EndReached has been handled, with no start latency in between."""
    clock = VirtualClock()
    # As with libVLC, an unprimed show() would take 100 ms to bring a picture.
    one = FakePlayer(start_timeout=0.5, start_latency=0.1, clock=clock)
    two = FakePlayer(start_timeout=0.5, start_latency=0.1, clock=clock)
    rig = Rig(clock, one, two)
    controller, stage = rig.make(Source(video("red_0.8s.mp4"), video("green_0.8s.mp4")))
    on_stage_at_end: list[str] = []
    for p in (one, two):  # connected after the controller's slot: runs after it
        p.finished.connect(lambda: on_stage_at_end.append(stage.shown[-1]))
    controller.start()
    rig.run_until(lambda: len(on_stage_at_end) >= 3)
    controller.stop()
    assert on_stage_at_end[:3] == ["green", "red", "green"]
    one.close()
    two.close()


# ---------------------------------------------------------------- slides on a slow disk


def test_a_slide_decoded_late_keeps_the_previous_picture_on_screen(rig: Rig, yellow: Path) -> None:
    """A decode that takes longer than the clip before it: the clip's last frame stays, then
    the slide; never the idle picture (or nothing) in between."""
    rig.clock.work_s = 0.5  # decodes and reads take half a second
    source = Source(video("red_0.3s.mp4"), slide(yellow, 1.0))
    controller, stage = rig.make(source)
    states: list[State] = []
    controller.changed.connect(lambda: states.append(controller.state))
    controller.start()
    rig.run_until(lambda: "slide-yellow" in stage.shown)
    controller.stop()
    assert stage.shown[:2] == ["red", "slide-yellow"]
    loading = [s for s in states if s is not State.STOPPED]
    assert loading[-2:] == [State.LOADING, State.SLIDE]


def test_pdf_pages_and_text_slides_play_in_the_rotation(rig: Rig, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "phi.pdf", ["red", "blue"])
    md = tmp_path / "thu-tuc.md"
    md.write_text("# Cấp bản sao trích lục\n\n1. Nộp tờ khai\n2. Nhận kết quả\n", encoding="utf-8")
    source = Source(
        Item(str(pdf), "phi.pdf", Kind.PDF, 0.3, size=1, mtime=1.0),
        Item(str(md), "thu-tuc.md", Kind.TEXT, 0.3, size=1, mtime=1.0),
        video("green_0.2s.mp4"),
    )
    ended: list[Shown] = []
    controller, stage = rig.make(source)
    controller.item_ended.connect(ended.append)
    controller.start()
    rig.run_until(lambda: "green" in stage.shown)
    controller.stop()
    # Each PDF page a slide, then the text slide (painted in the office theme), then the clip.
    assert stage.shown[:2] == ["slide-red", "slide-blue"]
    assert stage.shown[2].startswith("slide-") and stage.shown[3] == "green"
    assert [e.item.rel for e in ended[:2]] == ["phi.pdf", "thu-tuc.md"]
    assert ended[0].end - ended[0].start == pytest.approx(0.6)  # two pages of 0.3 s


def test_fade_transition_is_asked_of_the_stage_at_each_switch(rig: Rig, yellow: Path) -> None:
    class Faded(Source):
        def reader(self) -> Callable[[], Playlist]:
            read = super().reader()
            return lambda: dataclasses.replace(read(), transition=Transition(0.3))

    controller, stage = rig.make(Faded(video("red_0.2s.mp4"), slide(yellow)))
    controller.start()
    rig.run_until(lambda: len(stage.shown) >= 3)
    controller.stop()
    assert stage.fades[:3] == [300, 300, 300]


# ---------------------------------------------------------------- schedules and hours


def test_items_outside_their_schedule_are_skipped(rig: Rig) -> None:
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
    rig.clock.set_wall(at("2026-12-01 08:00"))
    controller, stage = rig.make(source)
    controller.start()
    rig.run_until(lambda: len(stage.shown) >= 3)
    assert stage.shown[:3] == ["green", "cyan", "green"]  # red expired, blue not yet valid
    rig.clock.set_wall(at("2026-12-01 14:00"))  # the afternoon: the morning-only clip goes
    mark, played = len(stage.shown), controller.counters.played
    rig.run_until(lambda: controller.counters.played >= played + 3)
    controller.stop()
    assert "green" not in stage.shown[mark + 1 :], stage.shown


def hours_controller(
    rig: Rig, on_closed: Callable[[bool], None] | None = None
) -> tuple[Controller, Recorder]:
    """A controller over one red clip, for an office open 08:00-17:00 every day."""
    node, problems = parse_bytes(b'hours:\n  mon-sun: "08:00-17:00"\n', "office.yaml")
    assert node is not None and not problems
    hours, problems = parse_hours(node.get("hours"), "office.yaml")  # type: ignore[union-attr]
    assert not problems
    return rig.make(Source(video("red_0.2s.mp4")), closed=ClosedHours(hours, on_closed=on_closed))


def test_outside_office_hours_the_screen_closes_and_reopens_on_time(rig: Rig) -> None:
    opening = at("2026-12-01 08:00")
    rig.clock.set_wall(opening - 45)
    calls: list[tuple[bool, State, float]] = []
    controller, stage = hours_controller(
        rig, lambda closed: calls.append((closed, controller.state, rig.clock.now()))
    )
    started: list[float] = []
    controller.item_ended.connect(lambda shown: started.append(shown.start))
    controller.start()
    rig.run_until(lambda: controller.state is State.CLOSED, within_s=0)
    assert stage.shown == ["idle"]  # no closed picture configured: the idle one
    rig.run_until(lambda: "red" in stage.shown, within_s=60)
    rig.run_until(lambda: bool(started))
    controller.stop()
    # The display came back on 30 s before opening, then red played at 08:00 sharp.
    assert calls == [
        (True, State.CLOSED, opening - 45),
        (False, State.CLOSED, opening - 30),
    ]
    assert started[0] == pytest.approx(opening, abs=0.01)


def test_the_closed_picture_is_shown_by_the_controller(rig: Rig) -> None:
    node, _ = parse_bytes(b'hours:\n  mon-fri: "08:00-17:00"\n', "office.yaml")
    hours, _ = parse_hours(node.get("hours"), "office.yaml")  # type: ignore[union-attr]
    closed_at: list[datetime] = []

    def picture(moment: datetime) -> Callable[[], QImage]:
        closed_at.append(moment)
        image = QImage(64, 36, QImage.Format.Format_RGB32)
        image.fill(0x1414E6)
        return lambda: image

    rig.clock.set_wall(at("2026-12-05 10:00"))  # a Saturday
    controller, stage = rig.make(Source(video("red_0.2s.mp4")), closed=ClosedHours(hours, picture))
    controller.start()
    rig.run_until(lambda: stage.shown == ["slide-blue"], within_s=0)
    controller.stop()
    assert closed_at == [datetime.fromtimestamp(at("2026-12-05 10:00"), VN)]


def test_opening_between_two_clock_reads_does_not_sleep_a_minute(rig: Rig) -> None:
    """Judged "closed" a millisecond before opening: it looks again at once, not in 60 s.

    It used to read the clock twice: "closed" by the first read, then, past the opening by
    the second, it slept until the next change (the closing) capped at a minute.
    """
    rig.clock.set_wall(at("2026-12-01 08:00") - 0.001)
    controller, stage = hours_controller(rig)
    controller.start()
    rig.run_until(lambda: controller.state is State.CLOSED, within_s=0)
    rig.run_until(lambda: "red" in stage.shown, within_s=0.5)
    controller.stop()


# ---------------------------------------------------------------- on the real Qt loop


def test_on_the_qt_loop_reads_and_decodes_come_back_by_signal(qtbot: QtBot, yellow: Path) -> None:
    """The real clock: QTimers, and the reads and decodes on a thread pool whose results
    cross back to the Qt thread as queued signals."""
    player, spare = FakePlayer(start_timeout=0.5), FakePlayer(start_timeout=0.5)
    source = Source(video("red_0.2s.mp4"), slide(yellow), video("blue_0.2s.mp4"))
    stage = Recorder()
    controller = Controller(player, stage, source, SlideRenderer(), spare=spare)
    controller.start()
    qtbot.waitUntil(lambda: len(stage.shown) >= 4, timeout=5000)
    controller.stop()
    assert stage.shown[:4] == ["red", "slide-yellow", "blue", "red"]
    with qtbot.assertNotEmitted(controller.changed, wait=400):
        pass  # stopped means stopped: no Qt timer fires, no late result arrives
    player.close()
    spare.close()
