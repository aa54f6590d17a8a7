"""The province's page in a real browser: headless Chromium reads it from disk and from
`kiosk fleet serve`, and the tests read what it shows (the DOM, the colours it computed,
whether each thumbnail decoded) and take a screenshot.

The hub's folder is the four offices of tests/fleetfixture.py, made of the files offices
send; Syncthing's facts come through the seam of kiosk.fleet.snapshot.take, except in the
last test, which asks a real hub Syncthing.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk import i18n
from kiosk.cli import main as kiosk_main
from kiosk.core.pagemodel import STATE_WORDS
from kiosk.fleet.page.site import PageError, generate
from kiosk.fleet.serve import serve
from kiosk.fleet.snapshot import take
from kiosk.i18n import localize
from tests.chromium import Chromium
from tests.fleetfixture import EVIL_FILE, EVIL_NAME, Hub, four_offices, many_offices, rest_facts

ROOT = Path(__file__).resolve().parent.parent
DOCS_SHOT = ROOT / "docs" / "fleet-page.png"
COLOURS = {  # style.css: --online, --offline, --closed, --problem
    "online": "rgb(46, 125, 50)",
    "offline": "rgb(198, 40, 40)",
    "closed": "rgb(84, 110, 122)",
    "problem": "rgb(230, 81, 0)",
}
EXPECTED = {
    "ubnd-tan-an": "offline",
    "ubnd-an-phu": "online",
    "tt-hcc": "problem",
    "ubnd-phu-my": "closed",
}  # in page order: the group with a dark office first, offline first within it

CARDS_JS = """[...document.querySelectorAll('article.card')].map(c => {
  const badge = c.querySelector('.badge'), img = c.querySelector('img');
  return {office: c.dataset.office, state: c.dataset.state, word: badge.textContent,
          colour: getComputedStyle(badge).backgroundColor,
          border: getComputedStyle(c).borderTopColor,
          name: c.querySelector('h3').textContent,
          img: img ? img.complete && img.naturalWidth : null,
          noshot: (c.querySelector('.noshot') || {}).textContent || null};
})"""
OUTSIDE_JS = """performance.getEntriesByType('resource').map(e => e.name)
  .filter(n => !n.startsWith(location.protocol === 'file:' ? 'file:' : location.origin))"""


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    """The page is the province staff's: in Vietnamese, kiosk's default language."""
    with i18n.language("vi"):
        yield


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    chromium = Chromium(tmp_path_factory.mktemp("chromium")).start()
    yield chromium
    chromium.stop()


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    return four_offices(tmp_path / "fleet", time.time())


def _site(hub: Hub, out: Path) -> Path:
    snap = take(hub.root, hub.root / "no-syncthing", 30.0, hub.now, rest_facts(hub.rest))
    generate(snap, out)
    return out


def _check_overview(browser: Chromium) -> list[dict[str, Any]]:
    assert browser.images_settled()
    cards = browser.eval(CARDS_JS)
    assert [c["office"] for c in cards] == list(EXPECTED)
    for c in cards:
        state = EXPECTED[c["office"]]
        assert (c["state"], c["word"]) == (state, localize(STATE_WORDS[state])), c
        assert c["colour"] == COLOURS[state] == c["border"], c
    shots = {c["office"]: c["img"] for c in cards}
    assert shots == {"ubnd-tan-an": 320, "ubnd-an-phu": 320, "tt-hcc": 320, "ubnd-phu-my": None}
    assert cards[3]["noshot"] == "Chưa có ảnh màn hình"  # its screenshot.jpg is broken
    # The office name with a <script> tag is text, and nothing ran.
    assert cards[2]["name"] == EVIL_NAME
    assert browser.eval("document.scripts.length") == 0
    assert "pwned" not in browser.eval("document.title")
    assert browser.eval(OUTSIDE_JS) == []
    assert browser.eval("document.querySelector('meta[http-equiv=refresh]').content") == "30"
    assert "Cập nhật lúc" in browser.eval("document.querySelector('header').textContent")
    return list(cards)


def _not_blank(png: Path) -> None:
    image = QImage(str(png))
    assert not image.isNull() and image.width() >= 390
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 50, f"{png} looks blank: {len(colours)} colours"


def test_the_page_from_disk_in_chromium(hub: Hub, browser: Chromium, tmp_path: Path) -> None:
    site = _site(hub, tmp_path / "site")
    browser.viewport(1280, 2200)  # tall enough for the lazy thumbnails to load
    browser.open((site / "index.html").as_uri())
    _check_overview(browser)
    # The bundled font, from the site itself, and diacritics as written.
    loaded = browser.eval(
        "document.fonts.ready.then(() => [...document.fonts].filter(f => f.status == 'loaded')"
        ".map(f => f.family + ' ' + f.weight))"
    )
    assert "Noto Sans Kiosk 400" in loaded and "Noto Sans Kiosk 700" in loaded
    assert browser.eval("document.querySelector('.pill.state-offline').textContent") == (
        "1 Mất liên lạc"
    )
    browser.viewport(1280, 800)  # the whole page, as tall as it is
    shot = browser.screenshot(tmp_path / "page.png", full_page=True)
    _not_blank(shot)
    if os.environ.get("KIOSK_DOCS_SCREENSHOT"):  # to refresh what the docs show
        shutil.copy(shot, DOCS_SHOT)
    _not_blank(DOCS_SHOT)

    # The group filter: one group's offices only.
    browser.open((site / "group-chau-thanh.html").as_uri())
    offices = [c["office"] for c in browser.eval(CARDS_JS)]
    assert offices == ["ubnd-tan-an", "ubnd-an-phu"]

    # A phone-sized screen: nothing wider than the screen, cards one under the other.
    browser.viewport(390, 844, mobile=True)
    for page in ("index.html", "office-tt-hcc.html"):
        browser.open((site / page).as_uri())
        assert browser.eval("document.documentElement.scrollWidth") <= 390, page
    browser.screenshot(tmp_path / "phone.png")
    _not_blank(tmp_path / "phone.png")


def test_an_offices_own_page(hub: Hub, browser: Chromium, tmp_path: Path) -> None:
    site = _site(hub, tmp_path / "site")
    browser.viewport(1280, 900)

    def page(office: str) -> dict[str, Any]:
        browser.open((site / f"office-{office}.html").as_uri())
        return dict(
            browser.eval(
                """({state: document.querySelector('article.office').dataset.state,
                 h2: [...document.querySelectorAll('h2')].map(h => h.textContent),
                 shot: (document.querySelector('.shot img') || {}).naturalWidth || null,
                 plays: [...document.querySelectorAll('table.plays tr')].slice(1)
                          .map(r => r.textContent),
                 aside: [...document.querySelectorAll('tr.bad td.file')].map(t => t.textContent),
                 errors: [...document.querySelectorAll('.errors li')].map(l => l.textContent),
                 hours: [...document.querySelectorAll('table.hours tr')]
                          .map(r => [...r.cells].map(c => c.textContent).join(' ')),
                 syncthing: document.querySelector('.syncthing').textContent,
                 scripts: document.scripts.length, imgs: document.images.length,
                 title: document.title})"""
            )
        )

    evil = page("tt-hcc")
    assert evil["state"] == "problem"
    assert evil["h2"] == [
        "Ảnh màn hình",
        "Tình trạng",
        "Giờ làm việc",
        "Tệp bị gác lại (2)",
        "Lỗi gần đây (1)",
        "20 lượt phát gần nhất",
    ]
    assert evil["shot"] == 640  # the full screenshot, re-encoded
    assert evil["aside"] == [EVIL_FILE, "20-x/incomplete.mp4"]  # text: no <img> was made
    assert (evil["imgs"], evil["scripts"]) == (1, 0)
    assert evil["errors"] == ["2026-12-01 09:00:01 ERROR <i>decoder</i> said no"]
    assert evil["title"].startswith(EVIL_NAME)  # as text; nothing set it to 1 or pwned
    assert evil["syncthing"] == "Đang kết nối với hub"

    busy = page("ubnd-an-phu")
    assert busy["h2"][-1] == "50 lượt phát gần nhất" and len(busy["plays"]) == 50
    assert "Bỏ qua: the playlist changed" in " ".join(busy["plays"])
    assert [" ".join(r.split()) for r in busy["hours"]] == ["Mọi ngày Luôn mở"]

    dark = page("ubnd-tan-an")
    assert dark["state"] == "offline"
    assert dark["syncthing"].startswith("Mất kết nối (lần cuối thấy 59 phút trước")

    closed = page("ubnd-phu-my")
    assert closed["state"] == "closed" and closed["shot"] is None
    week = [" ".join(r.split()) for r in closed["hours"]]
    assert (week[0], week[6]) == ("Thứ Hai 07:30–11:30, 13:30–17:00", "Chủ Nhật Nghỉ")


def test_kiosk_fleet_serve_in_chromium(hub: Hub, browser: Chromium, tmp_path: Path) -> None:
    """The command as an admin runs it: no Syncthing here, so the files alone decide."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "kiosk", "fleet", "serve", "--port", "0", "--lang", "vi"),
            *("--fleet", str(hub.root), "--syncthing-home", str(tmp_path / "none")),
            *("--out", str(tmp_path / "served")),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), line
        url = line.split()[1]
        browser.viewport(1280, 2200)
        browser.open(url)  # "/" is index.html
        cards = _check_overview(browser)
        assert "Không hỏi được Syncthing của hub" in browser.eval("document.body.textContent")
        assert cards[1]["office"] == "ubnd-an-phu"

        with urllib.request.urlopen(url + "index.html", timeout=10) as r:
            assert "default-src 'none'" in r.headers["Content-Security-Policy"]
            assert r.headers["X-Content-Type-Options"] == "nosniff"
        for path in (".kiosk-fleet-page", "static/", "../fleet.json", "%2e%2e/fleet.json"):
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(url + path, timeout=10)
            assert e.value.code == 404, path
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(urllib.request.Request(url, b"x", method="POST"), timeout=10)
        assert e.value.code == 501
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    assert out.strip().endswith("stopped")


def test_serve_regenerates_the_page(hub: Hub, tmp_path: Path, qtbot: QtBot) -> None:
    """In-process with a short period: a status that changes shows on the next page."""
    stop = threading.Event()
    lines: list[str] = []
    out = tmp_path / "site"
    server = threading.Thread(
        target=serve,
        args=(hub.root, tmp_path / "none", 30.0, "127.0.0.1", 0, out, lines.append, 0.3, stop),
    )
    server.start()
    try:
        qtbot.waitUntil(lambda: bool(lines), timeout=10_000)
        url = lines[0].split()[1]

        def state_of(office: str) -> str:
            with urllib.request.urlopen(url + "index.html", timeout=10) as r:
                html = r.read().decode()
            return (
                html.split(f'data-office="{office}"')[0].rsplit('data-state="', 1)[1].split('"')[0]
            )

        assert state_of("ubnd-tan-an") == "offline"
        status = hub.fleet.state_dir("ubnd-tan-an") / "status.json"
        status.write_text(
            status.read_text().replace('"updated_at": ', f'"updated_at": {time.time()}, "x": ')
        )
        qtbot.waitUntil(lambda: state_of("ubnd-tan-an") == "online", timeout=10_000)
    finally:
        stop.set()
        server.join(timeout=20)
    assert lines[-1] == "stopped"
    assert out.is_dir()  # --out given: kept


def test_page_refuses_a_folder_that_is_not_its_own(hub: Hub, tmp_path: Path) -> None:
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "office-x.html").write_text("someone's file")
    snap = take(hub.root, None, 30.0, hub.now, rest_facts(hub.rest))
    with pytest.raises(PageError, match="not empty and was not made by"):
        generate(snap, mine)
    assert (mine / "office-x.html").read_text() == "someone's file"
    # Its own folder: an office that left the fleet leaves no page behind.
    site = tmp_path / "site"
    generate(snap, site)
    assert (site / "office-tt-hcc.html").is_file()
    del hub.fleet.offices["tt-hcc"]
    hub.fleet.save()
    generate(take(hub.root, None, 30.0, hub.now, rest_facts(hub.rest)), site)
    assert not (site / "office-tt-hcc.html").exists()
    assert not (site / "thumbs" / "tt-hcc.jpg").exists()
    assert {p.stat().st_mode & 0o777 for p in site.rglob("*") if p.is_file()} == {0o644}


def test_300_offices_stay_under_2_mb_before_thumbnails(tmp_path: Path) -> None:
    hub = many_offices(tmp_path / "fleet", time.time())
    result = generate(take(hub.root, None, 30.0, hub.now, rest_facts(hub.rest)), tmp_path / "site")
    assert result.offices == 300
    index = (tmp_path / "site" / "index.html").read_text()
    assert index.count('<article class="card') == 300
    assert result.page_bytes < 2_000_000, result.page_bytes


@pytest.mark.syncthing
def test_the_page_with_a_real_hub_syncthing(tmp_path: Path) -> None:
    """The REST facts for real: an office added at the hub that never connected."""
    from tests.syncthing import Instance

    hub = Instance("hub", tmp_path / "hub").generate().start()
    try:
        fleet = tmp_path / "fleet"

        def kiosk(*args: str) -> tuple[int, str]:
            out = io.StringIO()
            argv = ["fleet", *args, "--fleet", str(fleet), "--syncthing-home", str(hub.home)]
            argv += ["--lang", "vi"]
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                code = kiosk_main(argv)
            return code, out.getvalue()

        assert kiosk("init")[0] == 0
        device = "TLYQXAO-Y7GYE5A-DDCD7L6-DFXM2ZI-X66BHVS-ITOJ7G3-LLNL7BR-WYLRVAT"
        code, text = kiosk("add-office", "ubnd-xa-moi", "--device", device, "--name", "UBND xã Mới")
        assert code == 0, text
        code, text = kiosk("page", "--out", str(tmp_path / "site"))
        assert code == 0, text
        html = (tmp_path / "site" / "office-ubnd-xa-moi.html").read_text()
        assert "Chưa từng kết nối" in html and "Không hỏi được" not in html
        code, text = kiosk("metrics", "--textfile", "-")
        assert code == 0, text
        assert "kiosk_fleet_hub_syncthing_up 1" in text
        assert 'kiosk_office_syncthing_connected{office="ubnd-xa-moi",group=""} 0' in text
    finally:
        hub.stop()
