"""Pictures from libVLC to Qt: the video callbacks on libVLC's video output thread, and the
hand-over of their pictures to the player's Qt thread.

Apart from vlc.py because this is the one part of the player that runs on libVLC's thread
(under its own lock), and the part that decides what memory each picture uses: the player
itself only ever runs on the Qt thread.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Callable
from typing import Any

import vlc
from PySide6.QtGui import QImage

from kiosk.media.shape import VIDEO_MAX, pixel_aspect, set_pixel_aspect
from kiosk.playback.libvlc import CleanupCb, FormatCb, video_tracks
from kiosk.system.priority import VIDEO_THREADS

log = logging.getLogger(__name__)

MAX_FRAME = VIDEO_MAX  # frames larger than this are scaled down by libVLC, keeping aspect
POOL = 4  # pictures each player renders into in turn (see FrameSink)


def fit_size(width: int, height: int, limit: tuple[int, int] = MAX_FRAME) -> tuple[int, int]:
    """Scale (width, height) down to fit `limit`, keeping aspect; even numbers for converters."""
    scale = min(1.0, limit[0] / width, limit[1] / height)
    w = max(2, round(width * scale) // 2 * 2)
    h = max(2, round(height * scale) // 2 * 2)
    return w, h


class FrameSink:
    """The video-callback side, run on libVLC's video output thread.

    libVLC renders each picture straight into one of a few QImages, taken in turn, and the
    Qt side gets a shallow copy of it: no per-frame copy and no per-frame allocation (which
    cost CPU and, over months, fragmented the heap). A picture whose last shallow copy is
    still held on the Qt side (being painted, or held as a primed picture) is not written
    over: QImage.bits() detaches it first, so those copies keep their pixels.
    """

    def __init__(self, on_frame: Callable[[QImage, int], None]) -> None:
        self._on_frame = on_frame
        self.lock = threading.Lock()
        self._pool: list[QImage] = []
        self._carried = [1.0] * POOL  # pixel aspect set on each pool picture
        self._next = 0
        self._locked: QImage | None = None  # the picture libVLC is rendering, lock to display
        # Paused pictures (see hold) and anything before the first format go here.
        self._scratch: ctypes.Array[ctypes.c_char] = ctypes.create_string_buffer(64)
        self.media: vlc.Media | None = None  # current media, for its visible size
        self.gen = 0  # stamped on each frame; the Qt side drops frames of older items
        # Primed and paused: libVLC redisplays the paused picture every ~50 ms; handing a
        # 1080p frame to Qt each time would cost CPU for nothing.
        self.hold = False
        self.frame_ms = 40.0  # of the current media
        # Whether the buffers have the picture's true shape (square pixels, turned by its
        # rotation flag). False when libVLC did not know the track yet (TS, PS): then the Qt
        # side sets `pixel_aspect` once it does, and every picture carries it (media/shape.py).
        self.shaped = True
        self.pixel_aspect = 1.0
        # References kept for the player's life: libVLC holds the raw pointers.
        self.format_cb = FormatCb(self._format)
        self.cleanup_cb = CleanupCb(self._cleanup)
        self.lock_cb = vlc.CallbackDecorators.VideoLockCb(self._lock_buf)
        self.display_cb = vlc.CallbackDecorators.VideoDisplayCb(self._display)

    def _format(
        self,
        _opaque: Any,
        chroma: int,
        width: Any,
        height: Any,
        pitches: Any,
        lines: Any,
    ) -> int:
        try:
            VIDEO_THREADS.raise_current()  # libVLC's video output thread: system/priority.py
            # Offered: the coded size (padded to whole macroblocks), already turned by the
            # rotation flag, in the source's pixels (not always square).
            w, h = int(width[0]), int(height[0])
            with self.lock:
                media = self.media
            tracks = video_tracks(media) if media is not None else []
            shaped = bool(tracks) and tracks[0].known
            if shaped:
                w, h = tracks[0].display_size  # turned, in square pixels: never stretched
            with self.lock:
                self.shaped, self.pixel_aspect = shaped, 1.0
                if shaped:
                    self.frame_ms = tracks[0].frame_ms
            w, h = fit_size(w, h)
            with self.lock:
                pool = self._pool
            if not pool or pool[0].width() != w or pool[0].height() != h:
                # Made (not zeroed) only when the size changes: this runs up to three times
                # per clip, against the first picture's clock.
                pool = [QImage(w, h, QImage.Format.Format_RGB32) for _ in range(POOL)]
                with self.lock:
                    self._carried = [1.0] * POOL  # the pixel aspect each picture carries
            pitch = pool[0].bytesPerLine()
            scratch = self._scratch
            if len(scratch) < pitch * h:
                scratch = ctypes.create_string_buffer(pitch * h)
            with self.lock:
                self._pool, self._scratch = pool, scratch
            ctypes.memmove(chroma, b"RV32", 4)
            width[0], height[0] = w, h
            pitches[0], lines[0] = pitch, h
            return 1
        except Exception:
            log.exception("video format setup failed")
            return 0

    def shape(self, image: QImage, media: vlc.Media | None) -> QImage:
        """Qt thread: `image` with the pixel aspect it must be shown with.

        Buffers made before libVLC knew the track (see `shaped`) get their aspect as soon as
        it does (by the first picture, here): from then on libVLC's pictures carry it, and
        the few rendered before are given it here (a copy, once or twice per such clip).
        """
        if not self.shaped:  # a plain read: cheap on every picture, as most are square
            self.shape_known(media)
        aspect = self.pixel_aspect
        if aspect == 1.0 or abs(pixel_aspect(image) - aspect) < 1e-3:
            return image  # square pixels (nearly every clip), or carried already
        image = QImage(image)
        set_pixel_aspect(image, aspect)
        return image

    def shape_known(self, media: vlc.Media | None) -> bool:
        """Qt thread: whether the pictures' shape is known (learning it if libVLC now can)."""
        if self.shaped:
            return True
        with self.lock:
            shaped = self.shaped
            have = (self._pool[0].width(), self._pool[0].height()) if self._pool else None
        if shaped or media is None or have is None:
            return shaped
        tracks = video_tracks(media)
        if not tracks or not tracks[0].known:
            return False
        w, h = tracks[0].display_size
        aspect = (w / h) / (have[0] / have[1])
        with self.lock:
            self.shaped, self.frame_ms = True, tracks[0].frame_ms
            self.pixel_aspect = 1.0 if abs(aspect - 1.0) < 0.01 else aspect
        return True

    def _cleanup(self, _opaque: Any) -> None:
        pass  # the buffers stay until replaced: a late lock() must still get valid memory

    def _lock_buf(self, _opaque: Any, planes: Any) -> None:
        with self.lock:
            if self.hold or not self._pool:
                self._locked = None
                planes[0] = ctypes.addressof(self._scratch)
                return
            slot = self._next
            image = self._pool[slot]
            self._next = (slot + 1) % len(self._pool)
            self._locked = image
            aspect = self.pixel_aspect
            carried, self._carried[slot] = self._carried[slot], aspect
        # Both detach (copy) the image if the Qt side still holds it: never write under it.
        # The shape first, so the pixels libVLC is given are the image's own from then on;
        # and only when it changes: on this thread every call into Qt counts.
        if aspect != carried:
            set_pixel_aspect(image, aspect)
        planes[0] = ctypes.addressof(ctypes.c_char.from_buffer(image.bits()))

    def _display(self, _opaque: Any, _picture: Any) -> None:
        try:
            with self.lock:
                image, gen = self._locked, self.gen
                self._locked = None
                if image is None or self.hold:
                    return
            self._on_frame(QImage(image), gen)  # shallow: shares the pixels until detached
        except Exception:
            log.exception("video frame hand-over failed")


Pending = tuple[QImage, int]  # a picture and the generation (item) it belongs to


class FrameMailbox:
    """Pictures posted by the video output thread, waiting for the Qt thread to take them.

    Only the newest picture waits, so a busy Qt thread drops frames rather than queueing
    them; but an item's first picture is never replaced by a later one before it was taken:
    a busy moment at the switch must not skip the clip's first frame. `notify` runs (on the
    posting thread) when a picture lands in an empty box; it must only post a queued signal.
    """

    def __init__(self, notify: Callable[[], None]) -> None:
        self._notify = notify
        self._lock = threading.Lock()
        self._latest: Pending | None = None
        self._first: Pending | None = None
        self._first_gen = -1  # generation whose first picture has been posted

    def post(self, image: QImage, gen: int) -> None:
        with self._lock:
            empty = self._latest is None and self._first is None
            if self._first_gen != gen:
                self._first_gen = gen
                self._first = (image, gen)
            else:
                self._latest = (image, gen)
        if empty:
            self._notify()

    def take(self) -> tuple[Pending | None, Pending | None]:
        """(an item's first picture, the newest other one), each None if there is none."""
        with self._lock:
            first, self._first = self._first, None
            latest, self._latest = self._latest, None
        return first, latest

    def put_back(self, latest: Pending) -> None:
        """Keep `latest` for the next take(), unless a newer picture came meanwhile."""
        with self._lock:
            if self._latest is None:
                self._latest = latest

    def clear(self) -> None:
        with self._lock:
            self._latest = self._first = None
