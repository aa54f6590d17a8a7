"""Fuzzed inputs: everything an admin or a sync tool writes, through the player's own readers.

Each test takes one kind of input (office config, playlist, the sync folder's playlist.yaml,
sidecar schedule, procedure slide in YAML or Markdown, ticker.txt, file names) as Hypothesis
makes it (tests/fuzzkit.py: plausible documents, damaged the way files get damaged) and
checks that reading it never raises and that every problem is `file:line:col: severity:
message` with a position inside the file and a remedy. CI runs a fixed-seed share (the "ci"
profile); bench/fuzz.py runs 10,000 cases per kind.
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication

from kiosk.config import default_config, parse_config
from kiosk.core.model import Item, Kind, kind_of
from kiosk.core.playlist import parse_playlist, resolve
from kiosk.core.procedure import parse_procedure
from kiosk.core.schedule_yaml import parse_sidecar
from kiosk.state.proofofplay import ProofOfPlay, Record
from kiosk.state.status import StatusWriter, read_status
from kiosk.sync.playlist_source import read_spec
from kiosk.sync.scan import scan
from kiosk.ui.slides import SlideRenderer
from kiosk.ui.theme import Theme
from kiosk.ui.ticker import TICKER_FILE, read_ticker
from kiosk.ui.zones import TickerBand
from tests import fuzzkit
from tests.fuzzkit import (
    any_input,
    check_problems,
    config_doc,
    playlist_doc,
    sidecar_doc,
    slide_markdown_doc,
    slide_yaml_doc,
    ticker_doc,
)

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

# Hypothesis runs many cases in one test call: per-test fixtures (the thread check) run once.
NO_FIXTURE_CHECK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
TZ = "Asia/Ho_Chi_Minh"
NOW = time.time()  # proof-of-play lines older than its retention would be pruned
MOMENTS = [datetime(2026, 12, 1, 8, 0, tzinfo=UTC) + timedelta(hours=h) for h in (0, 7, 30, 200)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sync folder with a few files for playlists to name."""
    root = tmp_path_factory.mktemp("fuzz-sync")
    for name in ("1-a.mp4", "2-b.png", "x/3-c.md", "Thủ tục/4-d.webm"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")
    return root


def _schedule_works(schedule: object) -> None:
    """A parsed schedule answers every question the player asks it, at any moment."""
    if schedule is None:
        return
    for at in MOMENTS:
        schedule.active(at)  # type: ignore[attr-defined]
        schedule.next_change(at)  # type: ignore[attr-defined]
        schedule.expires_within(at, 7)  # type: ignore[attr-defined]
    schedule.describe()  # type: ignore[attr-defined]


@NO_FIXTURE_CHECK
@given(data=any_input(config_doc()))
def test_office_config(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    fuzzkit.CASES["office config"] += 1
    path = Path("/srv/kiosk/office.yaml")
    cfg, problems = parse_config(data, path)
    check_problems("office config", problems, str(path), data)
    # Whatever was wrong, the config is usable: every value within its bounds.
    assert 1 <= cfg.slides_duration <= 3600
    assert 0 <= cfg.audio_volume <= 100
    now = MOMENTS[0]
    cfg.hours.is_open(now)
    cfg.hours.next_change(now)
    cfg.hours.summary()


@NO_FIXTURE_CHECK
@given(data=any_input(playlist_doc()))
def test_playlist_file(data: bytes, folder: Path) -> None:
    fuzzkit.CASES["playlist"] += 1
    path = "/etc/kiosk/playlist.yaml"
    spec = parse_playlist(data, path, TZ)
    check_problems("playlist", spec.problems, path, data)
    playlist = resolve(spec, scan(folder), 10.0)
    for item in playlist.items:
        assert item.path.startswith(str(folder)), item  # never outside the sync folder
        _schedule_works(item.schedule)
    # Problems about the files it names (missing, outside) carry the playlist's positions.
    check_problems("playlist", [p for p in playlist.problems if p.where.line], path, data)


@NO_FIXTURE_CHECK
@given(data=any_input(playlist_doc()))
def test_sync_folder_playlist_yaml(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The sync folder's own playlist.yaml, as a sync tool drops it in (maybe half-copied)."""
    fuzzkit.CASES["sync playlist.yaml"] += 1
    sync = _scratch_sync(tmp_path_factory)
    (sync / "playlist.yaml").write_bytes(data)
    spec = read_spec(None, sync, TZ)
    path = str(sync / "playlist.yaml")
    check_problems("sync playlist.yaml", spec.problems, path, data)
    # Files it does not list still play: the folder entry closing the spec is always there.
    assert spec.entries and spec.entries[-1].folder == "." and spec.entries[-1].rest


_SCRATCH: list[Path] = []


def _scratch_sync(factory: pytest.TempPathFactory) -> Path:
    if not _SCRATCH:
        root = factory.mktemp("fuzz-scratch")
        (root / "1-a.mp4").write_bytes(b"x")
        _SCRATCH.append(root)
    return _SCRATCH[0]


@NO_FIXTURE_CHECK
@given(data=any_input(sidecar_doc()))
def test_sidecar_schedule(data: bytes) -> None:
    fuzzkit.CASES["sidecar schedule"] += 1
    path = "/srv/sync/1-a.mp4.yaml"
    schedule, problems = parse_sidecar(data, path, TZ)
    check_problems("sidecar schedule", problems, path, data)
    _schedule_works(schedule)


def _slide(kind: str, data: bytes, name: str, qapp: QApplication, tmp: Path) -> None:
    fuzzkit.CASES[kind] += 1
    path = str(tmp / name)
    slide, problems = parse_procedure(data, path)
    check_problems(kind, problems, path, data)
    if slide is None:
        return
    _schedule_works(slide.schedule)
    # What the player does with it: lay it out and paint it (never raises, never too big).
    Path(path).write_bytes(data)
    item = Item(path, name, Kind.TEXT)
    result = SlideRenderer(size=lambda: QSize(640, 360))(item)
    if not isinstance(result, str):
        image, pages = result
        assert (image.width(), image.height()) == (640, 360) and pages == 1


@pytest.fixture(scope="module")
def slide_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-slides")


@NO_FIXTURE_CHECK
@given(data=any_input(slide_yaml_doc()))
def test_procedure_slide_yaml(data: bytes, qapp: QApplication, slide_dir: Path) -> None:
    _slide("procedure slide (YAML)", data, "thu-tuc.yaml", qapp, slide_dir)


@NO_FIXTURE_CHECK
@given(data=any_input(slide_markdown_doc()))
def test_procedure_slide_markdown(data: bytes, qapp: QApplication, slide_dir: Path) -> None:
    _slide("procedure slide (Markdown)", data, "thu-tuc.md", qapp, slide_dir)


@pytest.fixture(scope="module")
def ticker_band(qapp: QApplication) -> Iterator[TickerBand]:
    band = TickerBand("", Theme())
    band.resize(1920, 65)  # a 1080-line screen's band
    band.show()
    yield band
    band.set_text("")
    band.close()


@NO_FIXTURE_CHECK
@given(data=any_input(ticker_doc()))
@example(data=("Giờ làm việc: 7:30 - 17:00\n" * 800).encode())  # as much as the player reads
def test_ticker_txt(data: bytes, ticker_band: TickerBand, slide_dir: Path) -> None:
    """ticker.txt as the player reads it, then drawn into the band (a 1080p screen's)."""
    fuzzkit.CASES["ticker.txt"] += 1
    sync = slide_dir
    (sync / "ticker.txt").write_bytes(data)
    text = read_ticker(sync / TICKER_FILE, default_config().ticker_text)
    assert "\n" not in text
    ticker_band.set_text(text)
    ticker_band.grab()  # paints: the strip is rendered for real
    strip = ticker_band._strip  # one cycle of the text, pre-rendered: its memory is bounded
    assert strip is None or strip.width() * strip.height() * 4 < 16_000_000, strip.width()


# Names as they arrive from other machines: any Unicode, NFD from macOS, long, odd.
NAME_CHAR = st.characters(codec="utf-8", exclude_characters="/\x00")
name_stem = st.one_of(
    st.text(alphabet=NAME_CHAR, min_size=1, max_size=60),
    st.text(alphabet=NAME_CHAR, min_size=1, max_size=60).map(
        lambda s: unicodedata.normalize("NFD", s)
    ),
    st.text(alphabet=NAME_CHAR, min_size=200, max_size=240),
    st.sampled_from(["Hướng dẫn nộp hồ sơ", "~$draft", ".hidden", " lead", "trail ", "a" * 240]),
)
extension = st.sampled_from(
    [".mp4", ".MP4", ".png", ".jpg", ".md", ".yaml", ".pdf", ".part", ".mp4.yaml", "", ".txt"]
)


@NO_FIXTURE_CHECK
@given(stems=st.lists(st.tuples(name_stem, extension), min_size=1, max_size=6))
def test_file_names(stems: list[tuple[str, str]], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Any name the file system takes goes through the scan, the playlist, natural order, the
    proof-of-play log and the status file without a traceback, and reads back the same."""
    fuzzkit.CASES["file names"] += 1
    root = tmp_path_factory.mktemp("names")
    sync = root / "sync"
    sync.mkdir()
    made = []
    for stem, ext in stems:
        name = stem + ext
        if name in (".", "..") or len(os.fsencode(name)) > 255:
            continue
        try:
            (sync / name).write_bytes(b"x")
        except OSError:
            continue
        made.append(name)
    assume(made)
    library = scan(sync)
    spec = read_spec(None, sync, TZ)
    playlist = resolve(spec, library, 10.0)
    shown = {i.rel for i in playlist.items}
    for name in made:
        if kind_of(name) is not None and unicodedata.normalize("NFC", name) in shown:
            assert os.path.exists(sync / name)
    proof = ProofOfPlay(root / "pop", 90, UTC)
    status = StatusWriter(root / "state")
    for item in playlist.items:
        assert proof.record(Record(NOW, NOW + 1, item.rel, item.kind.value, "completed"))
    assert status.write({"updated_at": 0.0, "state": "running", "playlist": sorted(shown)})
    lines = [line for f in (root / "pop").glob("*.jsonl") for line in f.read_bytes().splitlines()]
    assert len(lines) == len(playlist.items)
    assert read_status(root / "state").data["playlist"] == sorted(shown)


@NO_FIXTURE_CHECK
@given(raw=st.lists(st.binary(min_size=1, max_size=20), min_size=1, max_size=4))
def test_file_names_in_any_bytes(
    raw: list[bytes], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Names that are not UTF-8 at all (an old Windows zip, a share with the wrong charset)."""
    fuzzkit.CASES["file names (bytes)"] += 1
    root = tmp_path_factory.mktemp("bnames")
    sync = root / "sync"
    sync.mkdir()
    for stem in raw:
        name = stem.replace(b"/", b"_").replace(b"\x00", b"_") + b".png"
        try:
            with open(os.path.join(os.fsencode(sync), name), "wb") as f:
                f.write(b"x")
        except OSError:
            continue
    playlist = resolve(read_spec(None, sync, TZ), scan(sync), 10.0)
    proof = ProofOfPlay(root / "pop", 90, UTC)
    for item in playlist.items:
        assert proof.record(Record(NOW, NOW + 1, item.rel, item.kind.value, "completed"))
    assert StatusWriter(root / "state").write(
        {"state": "running", "items": [i.rel for i in playlist.items]}
    )
