"""The sync index alone: quiet period, probes, replacements, removals (pure, injected clock)."""

from __future__ import annotations

import unicodedata

from kiosk.core.syncindex import Stat, State, SyncIndex

QUIET = 2.0


def st(name: str, size: int = 100, mtime: float = 1000.0) -> Stat:
    return Stat(f"/s/{name}", size, mtime)


def test_a_growing_file_is_not_due_until_still_for_the_quiet_period() -> None:
    idx = SyncIndex("/s", QUIET)
    idx.observe("a.mp4", st("a.mp4", 10, 1000.0), now=1000.0)
    assert idx.due(1001.0) == []
    idx.observe("a.mp4", st("a.mp4", 20, 1001.5), now=1001.5)  # still growing
    assert idx.due(1003.0) == []  # 1.5 s since the last change
    assert idx.next_due(1003.0) == 0.5
    due = idx.due(1003.6)
    assert [t.rel for t in due] == ["a.mp4"] and due[0].state is State.PROBING
    assert idx.library().files == ()  # not playable until the probe says so
    assert idx.library().pending == frozenset({"a.mp4"})


def test_probe_result_admits_or_lists_the_file() -> None:
    idx = SyncIndex("/s", QUIET)
    for name in ("ok.mp4", "bad.mp4"):
        idx.observe(name, st(name, mtime=0.0), now=1000.0)  # old mtime: due at once
    assert {t.rel for t in idx.due(1000.0)} == {"ok.mp4", "bad.mp4"}
    assert idx.probed("ok.mp4", st("ok.mp4", mtime=0.0), None, 1000.1).added == ("ok.mp4",)
    assert idx.probed("bad.mp4", st("bad.mp4", mtime=0.0), "no video", 1000.1).failed
    lib = idx.library()
    assert [f.rel for f in lib.files] == ["ok.mp4"]
    assert lib.rejected == (("bad.mp4", "no video"),)


def test_a_stale_probe_answer_is_dropped() -> None:
    idx = SyncIndex("/s", QUIET)
    idx.observe("a.mp4", st("a.mp4", 10, 0.0), now=1000.0)
    idx.due(1000.0)
    idx.observe("a.mp4", st("a.mp4", 20, 1000.5), now=1000.5)  # changed while probed
    assert not idx.probed("a.mp4", st("a.mp4", 10, 0.0), None, 1000.6).any
    tracked = idx.get("a.mp4")
    assert tracked is not None and tracked.state is State.SETTLING


def test_failed_file_is_probed_again_only_when_it_changes() -> None:
    idx = SyncIndex("/s", QUIET)
    idx.observe("a.mp4", st("a.mp4", 10, 0.0), now=1000.0)
    idx.due(1000.0)
    idx.probed("a.mp4", st("a.mp4", 10, 0.0), "broken", 1000.0)
    idx.observe("a.mp4", st("a.mp4", 10, 0.0), now=1100.0)  # seen again, unchanged
    assert idx.due(1200.0) == []
    idx.observe("a.mp4", st("a.mp4", 99, 1200.0), now=1200.0)  # fixed by the admin
    assert [t.rel for t in idx.due(1202.0)] == ["a.mp4"]


def test_replacing_or_deleting_a_ready_file_reports_it_gone() -> None:
    idx = SyncIndex("/s", QUIET)
    idx.observe("a.mp4", st("a.mp4", 10, 0.0), now=1000.0)
    idx.due(1000.0)
    idx.probed("a.mp4", st("a.mp4", 10, 0.0), None, 1000.0)
    change = idx.observe("a.mp4", st("a.mp4", 11, 1001.0), now=1001.0)
    assert change.gone == ("/s/a.mp4",)
    assert idx.library().files == ()  # off the screen until checked again
    idx.due(1004.0)
    idx.probed("a.mp4", st("a.mp4", 11, 1001.0), None, 1004.0)
    assert idx.vanish("a.mp4").gone == ("/s/a.mp4",)
    assert len(idx) == 0


def test_folder_removal_and_reconcile() -> None:
    idx = SyncIndex("/s", QUIET)
    seen = {n: st(n, mtime=0.0) for n in ("sub/a.mp4", "sub/b.png", "c.png", "notes.txt")}
    idx.reconcile(seen, escaped=["evil.mp4"], now=1000.0)
    assert len(idx) == 3  # notes.txt is not media
    for t in idx.due(1000.0):
        idx.probed(t.rel, t.stat, None, 1000.0)
    assert idx.library().escaped == frozenset({"evil.mp4"})
    assert set(idx.vanish("sub").gone) == {"/s/sub/a.mp4", "/s/sub/b.png"}
    change = idx.reconcile({}, [], 1001.0)
    assert change.gone == ("/s/c.png",)


def test_nfd_names_are_one_file_and_sort_like_nfc() -> None:
    idx = SyncIndex("/s", QUIET)
    name = "Hướng dẫn 10.mp4"
    nfd = unicodedata.normalize("NFD", name)
    idx.observe(nfd, Stat(f"/s/{nfd}", 1, 0.0), now=1000.0)
    idx.observe("Hướng dẫn 9.mp4", st("Hướng dẫn 9.mp4", mtime=0.0), now=1000.0)
    for t in idx.due(1000.0):
        idx.probed(t.rel, t.stat, None, 1000.0)
    lib = idx.library()
    assert [f.rel for f in lib.files] == ["Hướng dẫn 9.mp4", name]
    found = lib.get(nfd)
    assert found is not None and found.path == f"/s/{nfd}"


def test_due_files_come_in_natural_order() -> None:
    idx = SyncIndex("/s", QUIET)
    for n in ("10-c.mp4", "2-b.mp4", "1-a.mp4"):
        idx.observe(n, st(n, mtime=0.0), now=1000.0)
    assert [t.rel for t in idx.due(1000.0)] == ["1-a.mp4", "2-b.mp4", "10-c.mp4"]


def test_an_undecided_probe_is_retried_then_given_up() -> None:
    idx = SyncIndex("/s", QUIET)
    idx.observe("a.mp4", st("a.mp4", mtime=0.0), now=1000.0)
    for attempt in range(2):
        (t,) = idx.due(1000.0 + attempt * 10)
        assert not idx.undecided("a.mp4", t.stat, "busy", 1000.0 + attempt * 10).any
        assert idx.due(1000.0 + attempt * 10) == []  # waits a quiet period first
    (t,) = idx.due(1030.0)
    assert idx.undecided("a.mp4", t.stat, "busy", 1030.0).failed == ("a.mp4",)
    assert idx.library().rejected == (("a.mp4", "busy"),)


def test_quiet_period_counts_from_the_last_write_not_from_when_we_looked() -> None:
    idx = SyncIndex("/s", QUIET)
    idx.observe("a.mp4", st("a.mp4", mtime=1000.8), now=1001.0)  # seen 0.2 s after its write
    assert idx.due(1002.7) == []
    assert [t.rel for t in idx.due(1002.85)] == ["a.mp4"]  # 2 s after the write, not the look
    idx.observe("b.mp4", st("b.mp4", mtime=999.5), now=1001.0)  # coarse mtime (SMB: 2 s)
    assert idx.due(1001.4) == []  # still watched half a period after we saw it change
    assert [t.rel for t in idx.due(1002.05)] == ["b.mp4"]
