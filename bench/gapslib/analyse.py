"""From a sequence of captured frames to transitions and their gaps.

Each captured frame was read as an item colour (+ frame number for clips) or as 'black',
'idle' (the kiosk's own empty screen) or 'other' (desktop, a mix of colours). Consecutive
frames of one item form an *appearance*; a clip that starts over (its frame number goes
down) starts a new appearance of the same item, which is how a one-item playlist looping on
itself is seen. Non-item frames between two appearances are the transition's gap. A gap
inside one appearance (the same item before and after, its frames still going up) is a
glitch, not a transition.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from gapslib.capture import CAPTURE_FPS, Sample
from gapslib.media import CLIP_FPS, Item

FRAME_CAPTURES = round(CAPTURE_FPS / CLIP_FPS)  # captures one clip frame normally spans
CAPTURE_MS = 1000 / CAPTURE_FPS

KINDS = (
    "video->video",
    "video->slide",
    "slide->video",
    "slide->slide",
    "wrap-around",
    "1-item loop",
)


@dataclass
class Appearance:
    item: int  # index in the playlist
    first: int  # index of its first capture
    frames: list[int | None] = field(default_factory=list)  # per capture: frame number or None
    gap: list[str] = field(default_factory=list)  # classes of the non-item captures before it
    glitches: int = 0  # non-item captures inside it

    def last_number(self) -> int | None:
        return next((f for f in reversed(self.frames) if f is not None), None)

    def first_number(self) -> int | None:
        return next((f for f in self.frames if f is not None), None)


@dataclass(frozen=True, slots=True)
class Transition:
    kind: str
    gap: int  # black/desktop/idle captures between the two items
    held_ms: float | None  # outgoing clip's last frame on screen beyond one frame time
    cut: int | None  # frames at the end of the outgoing clip never seen
    skipped: int | None  # first frames of the incoming clip never seen
    first_held_ms: float | None  # incoming clip's first frame on screen beyond one frame time

    @property
    def stall_ms(self) -> float:
        """What the issue calls a stall: black/desktop plus the last frame held too long."""
        return self.gap * CAPTURE_MS + (self.held_ms or 0.0)


@dataclass
class Analysis:
    appearances: list[Appearance]
    transitions: list[Transition]
    out_of_order: int  # transitions to another item than the playlist's next one
    startup_capture: int | None  # index of the first capture that showed an item
    lost_mid_clip: int  # frame numbers missing inside appearances (not at their ends)
    mid_frames: int  # clip frames seen strictly inside an appearance (not its first or last)
    mid_long: int  # ... of which on screen for more than FRAME_CAPTURES captures (jitter floor)
    glitches: int
    slide_captures: list[int]  # how many captures each complete slide appearance lasted

    def count(self, kind: str) -> int:
        return sum(1 for t in self.transitions if t.kind == kind)


def _held(frames: Sequence[int | None], number: int, from_end: bool) -> float:
    """Captures showing `number` at the end (or start) of an appearance, beyond one frame."""
    seq = list(reversed(frames)) if from_end else list(frames)
    n = 0
    seen = False
    for f in seq:
        if f is None:
            if seen:
                break  # an unreadable capture: stop counting rather than guess
            continue
        if f != number:
            break
        seen = True
        n += 1
    return max(0, n - FRAME_CAPTURES) * CAPTURE_MS


def segment(
    samples: Sequence[Sample], items: Sequence[Item]
) -> tuple[list[Appearance], int | None]:
    """Appearances in order, and the index of the first capture that showed an item."""
    by_colour = {it.colour: n for n, it in enumerate(items)}
    apps: list[Appearance] = []
    gap: list[str] = []
    first_item: int | None = None
    for i, s in enumerate(samples):
        idx = by_colour.get(s.reading.cls)
        if idx is None:
            gap.append(s.reading.cls)
            continue
        if first_item is None:
            first_item = i
        frame = s.reading.frame
        cur = apps[-1] if apps else None
        if cur is not None and cur.item == idx:
            last = cur.last_number()
            restarted = frame is not None and last is not None and frame < last
            if not restarted:
                cur.glitches += len(gap)
                cur.frames.append(frame)
                gap = []
                continue
        apps.append(Appearance(idx, i, [frame], gap))
        gap = []
    return apps, first_item


def analyse(samples: Sequence[Sample], items: Sequence[Item]) -> Analysis:
    apps, first = segment(samples, items)
    transitions: list[Transition] = []
    out_of_order = 0
    lost = mid_frames = mid_long = 0
    slides: list[int] = []
    n = len(items)
    # The last appearance may be cut short by the end of the capture: not judged.
    for a, b in itertools.pairwise(apps[:-1]):
        if b.item != (a.item + 1) % n:
            out_of_order += 1
            continue
        out, inc = items[a.item], items[b.item]
        if n == 1:
            kind = "1-item loop"
        elif a.item == n - 1 and b.item == 0:
            kind = "wrap-around"
        else:
            kind = f"{out.kind}->{inc.kind}"
        held = cut = skipped = first_held = None
        if out.kind == "video":
            last = a.last_number()
            if last is not None:
                held = _held(a.frames, last, from_end=True)
                cut = max(0, out.frames - 1 - last)
        if inc.kind == "video":
            start = b.first_number()
            if start is not None:
                skipped = start
                first_held = _held(b.frames, start, from_end=False)
        transitions.append(Transition(kind, len(b.gap), held, cut, skipped, first_held))
    for k, app in enumerate(apps):
        item = items[app.item]
        complete = 0 < k < len(apps) - 1
        if item.kind == "slide" and complete:
            slides.append(len(app.frames) + app.glitches)
        if item.kind == "video":
            numbers = sorted({f for f in app.frames if f is not None})
            if numbers:
                lost += numbers[-1] - numbers[0] + 1 - len(numbers)
            runs = [len(list(g)) for f, g in itertools.groupby(app.frames) if f is not None]
            inner = runs[1:-1]
            mid_frames += len(inner)
            mid_long += sum(1 for r in inner if r > FRAME_CAPTURES)
    return Analysis(
        appearances=apps,
        transitions=transitions,
        out_of_order=out_of_order,
        startup_capture=first,
        lost_mid_clip=lost,
        mid_frames=mid_frames,
        mid_long=mid_long,
        glitches=sum(a.glitches for a in apps),
        slide_captures=slides,
    )


def median_max(values: Sequence[float | int | None]) -> tuple[float, float] | None:
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return statistics.median(vals), max(vals)
