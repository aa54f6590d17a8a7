"""Which files of the sync folder may reach the screen: complete, not temporary, playable.

Pure bookkeeping with an injected clock. The I/O layer tells it what it saw on disk
(`observe`, `vanish`, `reconcile`) and what the probes said (`probed`); it answers which
files are due for a probe and what the playable Library is. A file enters the rotation only
after its size and mtime have been still for the quiet period and a probe accepted it; a
file that failed is listed with its reason and probed again only once it changes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kiosk.core.library import LibFile, Library
from kiosk.core.model import Kind, kind_of
from kiosk.core.natural import natural_key, nfc


class State(enum.Enum):
    SETTLING = "settling"  # seen changing recently; wait for the quiet period
    PROBING = "probing"  # handed to a probe, answer pending
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class Stat:
    path: str  # absolute path as on disk (may be NFD)
    size: int
    mtime: float

    @property
    def stamp(self) -> tuple[int, float]:
        return (self.size, self.mtime)


@dataclass
class Tracked:
    rel: str
    kind: Kind
    stat: Stat
    state: State
    still_since: float  # last time its size or mtime was seen to change
    reason: str = ""
    failed_at: float = 0.0
    inconclusive: int = 0  # probes that could not decide (busy or slow), in a row


@dataclass(frozen=True)
class Change:
    """What an update did to the playable set; `gone` files must leave the screen at once."""

    added: tuple[str, ...] = ()
    gone: tuple[str, ...] = ()  # abs paths of READY files deleted or replaced
    failed: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.added or self.gone or self.failed)

    def __add__(self, other: Change) -> Change:
        return Change(self.added + other.added, self.gone + other.gone, self.failed + other.failed)


class SyncIndex:
    def __init__(self, root: str, quiet_s: float) -> None:
        self.root = root
        self.quiet_s = quiet_s
        self._files: dict[str, Tracked] = {}
        self.escaped: frozenset[str] = frozenset()
        self.readable = True

    def __len__(self) -> int:
        return len(self._files)

    def get(self, rel: str) -> Tracked | None:
        return self._files.get(nfc(rel))

    # ----------------------------------------------------------------- inputs
    def observe(self, rel: str, stat: Stat, now: float) -> Change:
        """A media file seen on disk with these stats (a new file, or one seen again)."""
        rel = nfc(rel)
        kind = kind_of(rel)
        if kind is None:
            return Change()
        known = self._files.get(rel)
        if known is not None and known.stat.stamp == stat.stamp and known.stat.path == stat.path:
            return Change()  # nothing new about it
        # New or changed. The quiet period counts from the last write the file's mtime
        # records (so a settled folder found at start-up plays at once), but after a change
        # we saw ourselves we always watch it for at least half the period (coarse mtimes).
        still_since = min(max(stat.mtime, now - self.quiet_s / 2), now)
        if known is None and stat.mtime <= now - self.quiet_s:
            still_since = now - self.quiet_s
        self._files[rel] = Tracked(rel, kind, stat, State.SETTLING, still_since)
        if known is not None and known.state is State.READY:
            return Change(gone=(known.stat.path,))  # replaced: off the screen until re-checked
        return Change()

    def vanish(self, rel: str) -> Change:
        """A path that no longer exists: a file, or a folder with everything below it."""
        rel = nfc(rel).strip("/")
        prefix = rel + "/"
        gone = [r for r in self._files if r == rel or r.startswith(prefix) or rel in ("", ".")]
        paths = tuple(self._files[r].stat.path for r in gone if self._files[r].state is State.READY)
        for r in gone:
            del self._files[r]
        return Change(gone=paths)

    def reconcile(self, seen: Mapping[str, Stat], escaped: Iterable[str], now: float) -> Change:
        """A full scan's listing: observe everything in it, forget everything not in it."""
        change = Change()
        seen_nfc = {nfc(r): s for r, s in seen.items()}
        for rel in [r for r in self._files if r not in seen_nfc]:
            change += self.vanish(rel)
        for rel, stat in seen_nfc.items():
            change += self.observe(rel, stat, now)
        self.escaped = frozenset(nfc(e) for e in escaped)
        self.readable = True
        return change

    def _restart_if_clock_stepped_back(self, now: float) -> None:
        """A quiet period that started after `now` began before the wall clock stepped back
        (NTP correcting a box that booted with a wrong clock): it starts again from now,
        or the file would wait for as long as the step."""
        for t in self._files.values():
            if t.state is State.SETTLING and t.still_since > now:
                t.still_since = now

    def due(self, now: float) -> list[Tracked]:
        """Files still for the quiet period: marked PROBING; the caller probes them."""
        self._restart_if_clock_stepped_back(now)
        ready = sorted(
            (
                t
                for t in self._files.values()
                if t.state is State.SETTLING and now - t.still_since >= self.quiet_s
            ),
            key=lambda t: natural_key(t.rel),  # the first items of the loop are checked first
        )
        for t in ready:
            t.state = State.PROBING
        return ready

    def settling(self) -> list[Tracked]:
        """Files the caller should stat again (their quiet period is running)."""
        return [t for t in self._files.values() if t.state is State.SETTLING]

    def next_due(self, now: float) -> float | None:
        """Seconds until the next settling file may be due, or None if none is settling."""
        self._restart_if_clock_stepped_back(now)
        waits = [
            max(0.0, self.quiet_s - (now - t.still_since))
            for t in self._files.values()
            if t.state is State.SETTLING
        ]
        return min(waits) if waits else None

    def probed(self, rel: str, stat: Stat, reason: str | None, now: float) -> Change:
        """A probe's answer for the file as it was when probed; stale answers are dropped."""
        t = self._files.get(nfc(rel))
        if t is None or t.state is not State.PROBING or t.stat.stamp != stat.stamp:
            return Change()
        if reason is None:
            t.state, t.reason = State.READY, ""
            return Change(added=(t.rel,))
        t.state, t.reason, t.failed_at = State.FAILED, reason, now
        return Change(failed=(t.rel,))

    def undecided(self, rel: str, stat: Stat, reason: str, now: float, limit: int = 3) -> Change:
        """The probe could not decide: check again after a quiet period, `limit` times."""
        t = self._files.get(nfc(rel))
        if t is None or t.state is not State.PROBING or t.stat.stamp != stat.stamp:
            return Change()
        t.inconclusive += 1
        if t.inconclusive >= limit:
            t.state, t.reason, t.failed_at = State.FAILED, reason, now
            return Change(failed=(t.rel,))
        t.state, t.still_since = State.SETTLING, now
        return Change()

    # ---------------------------------------------------------------- outputs
    def library(self) -> Library:
        files = [
            LibFile(t.rel, t.stat.path, t.kind, t.stat.size, t.stat.mtime)
            for t in self._files.values()
            if t.state is State.READY
        ]
        rejected = [(t.rel, t.reason) for t in self._files.values() if t.state is State.FAILED]
        pending = [
            t.rel for t in self._files.values() if t.state in (State.SETTLING, State.PROBING)
        ]
        return Library.build(self.root, files, self.escaped, self.readable, rejected, pending)

    def failures(self) -> list[Tracked]:
        return [t for t in self._files.values() if t.state is State.FAILED]
