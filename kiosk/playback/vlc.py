"""The real player: libVLC decodes, Qt paints (the only module in the project that imports vlc).

Video reaches the screen through libVLC *video callbacks*: libVLC converts every picture to
RV32 (BGRA in memory, i.e. ``QImage.Format_RGB32``) into QImages we own, and the display
callback hands Qt a shallow copy (see _FrameSink). That route was measured best (no black between
clips, no X server needed, so offscreen tests decode real video); see DESIGN.md.

Threads. libVLC calls us from its own threads: the video output thread (format/lock/display
callbacks) and the input thread (media events). Those callbacks never call libVLC (it is not
reentrant, python-vlc #77): they only store a value and emit an internal signal that is
delivered *queued* to the player's Qt thread, where a generation check drops anything that
belongs to an item the controller has already moved past.

Measured behaviour of libVLC 3.0.x that shaped this module:
- ``:start-paused`` pauses right after the demuxer opened: the decoder has not run, no
  picture exists yet, and ``next_frame()`` from that state races through several frames and
  leaves the player so that unpausing ends the media at once. So ``ready`` means "opened and
  held at the start". Decoding the first picture after ``show()`` takes ~20 ms at 160x90 and
  15-70 ms at 1080p here (the vout is rebuilt per media), varying too much to hide by
  starting early. So a prepared item is *primed*: unpaused muted once open, paused again as
  soon as its first picture arrives, and that picture is kept. show() then hands it over at
  once and unpauses: the switch is ours to time, to the millisecond.
- ``get_time()`` is refreshed by the input thread only every ~250 ms: useless for timing a
  hand-over (the stall watch is all it serves).
- The format callback is offered the *coded* size (160x96/98 for a 160x90 H.264 clip) and is
  called several times per media (hardware chromas are tried first); the visible size comes
  from the media's track list, which we read there.
- ``audio_set_mute``/``audio_set_volume`` are ignored until the audio output exists, so the
  volume is (re)applied when playback actually starts.
- python-vlc's ``MediaTrack`` struct declares the audio/video/subtitle union as three fields,
  and ``Media.tracks_get`` never releases the list: we use our own small structs.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import vlc
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from kiosk.system.priority import VIDEO_THREADS

log = logging.getLogger(__name__)
vlc_log = logging.getLogger(__name__ + ".libvlc")

BASE_ARGS: tuple[str, ...] = (
    "--no-video-title-show",
    "--no-osd",
    "--quiet",
    "--no-xlib",
    "--no-snapshot-preview",
    "--no-stats",
    "--no-sub-autodetect-file",
    # Software decoding: the frames come back to the CPU anyway, and VA-API/VDPAU probing
    # prints driver noise and costs time at each clip start.
    "--avcodec-hw=none",
    # One decoding thread. With frame threads (the default, one per core) the primed clip's
    # first picture came out behind its successor and libVLC dropped it: 11 of 150 primes
    # of a 1080p clip started at frame 1; with one thread, 0 of 150. One thread decodes
    # 1080p H.264 well above real time here; files beyond 1080p may not keep up.
    "--avcodec-threads=1",
)

MAX_FRAME = (1920, 1080)  # frames larger than this are scaled down by libVLC, keeping aspect

# ---------------------------------------------------------------------------------------------
# ctypes plumbing python-vlc gets wrong or does not expose conveniently


class _TrackC(ctypes.Structure):
    """libvlc_media_track_t (the union of audio/video/subtitle pointers is one pointer)."""

    _fields_ = (
        ("codec", ctypes.c_uint32),
        ("original_fourcc", ctypes.c_uint32),
        ("id", ctypes.c_int),
        ("type", ctypes.c_int),
        ("profile", ctypes.c_int),
        ("level", ctypes.c_int),
        ("detail", ctypes.c_void_p),
        ("bitrate", ctypes.c_uint),
        ("language", ctypes.c_char_p),
        ("description", ctypes.c_char_p),
    )


class _VideoTrackC(ctypes.Structure):
    """The first fields of libvlc_video_track_t (all we read)."""

    _fields_ = (
        ("height", ctypes.c_uint),
        ("width", ctypes.c_uint),
        ("sar_num", ctypes.c_uint),
        ("sar_den", ctypes.c_uint),
        ("frame_rate_num", ctypes.c_uint),
        ("frame_rate_den", ctypes.c_uint),
    )


_TRACK_VIDEO = 1  # libvlc_track_video

_uint_p = ctypes.POINTER(ctypes.c_uint)
# Our own prototype: python-vlc's VideoFormatCb passes `chroma` as c_char_p, which arrives as
# an immutable bytes copy, so the callback could not write "RV32" back.
_FormatCb = ctypes.CFUNCTYPE(
    ctypes.c_uint,
    ctypes.POINTER(ctypes.c_void_p),
    ctypes.c_void_p,
    _uint_p,
    _uint_p,
    _uint_p,
    _uint_p,
)
_CleanupCb = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_LogCb = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p
)


def _cfunc(name: str, restype: Any, *argtypes: Any) -> Any:
    """A fresh binding of a libVLC symbol with our own types (dll[name] is not cached)."""
    f = vlc.dll[name]
    f.argtypes = list(argtypes)
    f.restype = restype
    return f


_set_format_callbacks = _cfunc(
    "libvlc_video_set_format_callbacks", None, ctypes.c_void_p, _FormatCb, _CleanupCb
)
_tracks_get = _cfunc(
    "libvlc_media_tracks_get",
    ctypes.c_uint,
    ctypes.c_void_p,
    ctypes.POINTER(ctypes.POINTER(ctypes.POINTER(_TrackC))),
)
_tracks_release = _cfunc("libvlc_media_tracks_release", None, ctypes.c_void_p, ctypes.c_uint)
_log_set = _cfunc("libvlc_log_set", None, ctypes.c_void_p, _LogCb, ctypes.c_void_p)
_log_unset = _cfunc("libvlc_log_unset", None, ctypes.c_void_p)


@dataclass(frozen=True)
class VideoTrack:
    width: int
    height: int
    sar_num: int = 1
    sar_den: int = 1
    rate_num: int = 0
    rate_den: int = 0

    @property
    def frame_ms(self) -> float:
        """One frame's time (40 ms when the file does not say)."""
        if self.rate_num > 0 and self.rate_den > 0:
            return max(5.0, min(200.0, 1000.0 * self.rate_den / self.rate_num))
        return 40.0

    @property
    def display_width(self) -> int:
        """Width in square pixels (anamorphic DVD/DV material has a non-1:1 sample ratio)."""
        if self.sar_num > 0 and self.sar_den > 0:
            return max(1, round(self.width * self.sar_num / self.sar_den))
        return self.width


def video_tracks(media: vlc.Media) -> list[VideoTrack]:
    """Video tracks libVLC knows for `media` (empty until it was parsed or opened).

    Only takes the media's own lock, so it is safe from libVLC's video output thread.
    """
    pp = ctypes.POINTER(ctypes.POINTER(_TrackC))()
    n = _tracks_get(media, ctypes.byref(pp))
    out: list[VideoTrack] = []
    try:
        for i in range(n):
            t = pp[i].contents
            if t.type == _TRACK_VIDEO and t.detail:
                v = ctypes.cast(t.detail, ctypes.POINTER(_VideoTrackC)).contents
                out.append(
                    VideoTrack(
                        v.width, v.height, v.sar_num, v.sar_den, v.frame_rate_num, v.frame_rate_den
                    )
                )
    finally:
        if n:
            _tracks_release(pp, n)
    return out


def fit_size(width: int, height: int, limit: tuple[int, int] = MAX_FRAME) -> tuple[int, int]:
    """Scale (width, height) down to fit `limit`, keeping aspect; even numbers for converters."""
    scale = min(1.0, limit[0] / width, limit[1] / height)
    w = max(2, round(width * scale) // 2 * 2)
    h = max(2, round(height * scale) // 2 * 2)
    return w, h


# ---------------------------------------------------------------------------------------------
# libVLC log -> Python logging

_libc = ctypes.CDLL(None)
_vsnprintf = _libc.vsnprintf
_vsnprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p]
_vsnprintf.restype = ctypes.c_int

# libVLC levels: 0 debug, 2 notice, 3 warning, 4 error. Its "errors" are chatty and mostly
# routine (each clip start logs "Failed to create video converter" twice while the decoder
# offers GPU surfaces before software ones), and a broken file is a normal event here that the
# player reports itself, so they are INFO for us.
_LEVELS = {4: logging.INFO, 3: logging.DEBUG, 2: logging.DEBUG, 0: logging.DEBUG}


def _on_vlc_log(_data: int | None, level: int, _ctx: int | None, fmt: bytes, args: int) -> None:
    """Runs on any libVLC thread; must not call libVLC (beyond formatting) nor raise."""
    try:
        pylevel = _LEVELS.get(level, logging.DEBUG)
        if not vlc_log.isEnabledFor(pylevel):
            return
        buf = ctypes.create_string_buffer(1024)
        _vsnprintf(buf, len(buf), fmt, args)
        vlc_log.log(pylevel, "%s", buf.value.decode("utf-8", "replace"))
    except Exception:  # a log line must never take libVLC down
        pass


_LOG_CALLBACK = _LogCb(_on_vlc_log)  # module lifetime: libVLC may call it until log_unset


# ---------------------------------------------------------------------------------------------


def dummy_audio_requested() -> bool:
    """`KIOSK_AOUT=dummy` selects libVLC's dummy audio output (machines without a sound card)."""
    return os.environ.get("KIOSK_AOUT", "").strip().lower() == "dummy"


class VlcBackend:
    """One libVLC instance, shared by every player and probe of the process.

    Create it once in the composition root and pass it to the players; close() it last.
    `dummy_audio=None` follows the KIOSK_AOUT environment variable.
    """

    def __init__(
        self,
        extra_args: Sequence[str] = (),
        dummy_audio: bool | None = None,
        route_log: bool = True,
    ) -> None:
        args = list(BASE_ARGS)
        if dummy_audio if dummy_audio is not None else dummy_audio_requested():
            args.append("--aout=dummy")
        args.extend(extra_args)
        self.args: tuple[str, ...] = tuple(args)
        instance = vlc.Instance(args)
        if instance is None:
            raise RuntimeError(f"libVLC could not start with {args}")
        self.instance: vlc.Instance = instance
        self._log_routed = False
        if route_log:
            _log_set(instance, _LOG_CALLBACK, None)
            self._log_routed = True
        # If the owner forgets close(), still unhook the log before the interpreter goes away.
        self._finalizer = weakref.finalize(self, _release_instance, instance, self._log_routed)
        log.debug("libVLC %s started with %s", vlc.libvlc_get_version().decode(), args)

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def media(self, path: str, *options: str) -> vlc.Media:
        """A new Media for a local path (the caller releases it)."""
        m = self.instance.media_new_path(path)
        for opt in options:
            m.add_option(opt)
        return m

    def player(self, start_timeout: float = 5.0, parent: QObject | None = None) -> VlcPlayer:
        return VlcPlayer(self, start_timeout=start_timeout, parent=parent)

    def close(self) -> None:
        """Release the instance; every player must be closed first. Safe to call twice."""
        self._finalizer()


def _release_instance(instance: vlc.Instance, log_routed: bool) -> None:
    if log_routed:
        _log_unset(instance)
    instance.release()


@functools.cache
def shared_backend() -> VlcBackend:
    """A backend for code that has none at hand (probes from `kiosk check`), made on first use.

    Dummy audio: probing never plays, and it must not open the sound card. Its log is not
    routed to Python: every libVLC message would take the GIL, and a broken file makes
    hundreds; the probe's verdict says what matters.
    """
    return VlcBackend(dummy_audio=True, route_log=False)


# ---------------------------------------------------------------------------------------------
# Probing (no playback)


@dataclass(frozen=True)
class MediaInfo:
    status: str  # libVLC parsed status: "done", "failed", "timeout", "skipped", "none"
    duration_ms: int
    video: tuple[VideoTrack, ...]


def _event_manager(media: vlc.Media) -> vlc.EventManager:
    """The media's event manager, bypassing python-vlc's memoized `Media.event_manager()`.

    That method caches its result in a class-level dict keyed by the Media, forever: every
    clip ever opened would keep its wrapper, event manager and callbacks (~1.5 kB an item).
    """
    return vlc.libvlc_media_event_manager(media)


def parse_media(path: str, timeout: float = 5.0, backend: VlcBackend | None = None) -> MediaInfo:
    """Let libVLC open and demux `path` (without decoding or playing it) and report what it saw.

    Thread-agnostic (libVLC's preparser does the work); waits at most `timeout` + 1 s.
    """
    be = backend or shared_backend()
    media = be.media(path)
    done = threading.Event()
    em = _event_manager(media)

    def on_parsed(_event: Any) -> None:
        done.set()  # libVLC thread: only flip the event

    em.event_attach(vlc.EventType.MediaParsedChanged, on_parsed)
    try:
        timeout_ms = max(1, int(timeout * 1000))
        if media.parse_with_options(vlc.MediaParseFlag.local, timeout_ms) != 0:
            return MediaInfo("failed", 0, ())
        done.wait(timeout + 1.0)
        status = media.get_parsed_status()
        name = {
            vlc.MediaParsedStatus.done: "done",
            vlc.MediaParsedStatus.failed: "failed",
            vlc.MediaParsedStatus.timeout: "timeout",
            vlc.MediaParsedStatus.skipped: "skipped",
        }.get(status, "none")
        if name == "none":
            media.parse_stop()
        return MediaInfo(name, max(0, media.get_duration()), tuple(video_tracks(media)))
    finally:
        em.event_detach(vlc.EventType.MediaParsedChanged)
        media.release()


# ---------------------------------------------------------------------------------------------
# The player

_OPENED, _ENDED, _ERROR = "opened", "ended", "error"
_STATE_EVENTS = {
    vlc.State.Paused: _OPENED,  # held by :start-paused once the demuxer is open
    vlc.State.Ended: _ENDED,
    vlc.State.Error: _ERROR,
}


POOL = 4  # pictures each player renders into in turn (see _FrameSink)


class _FrameSink:
    """The video-callback side, run on libVLC's video output thread.

    libVLC renders each picture straight into one of a few QImages, taken in turn, and the
    Qt side gets a shallow copy of it: no per-frame copy and no per-frame allocation (which
    cost CPU and, over months, fragmented the heap). A picture whose last shallow copy is
    still held on the Qt side (being painted, or held as a primed picture) is not written
    over: QImage.bits() detaches it first, so those copies keep their pixels.
    """

    def __init__(self, on_frame: Callable[[QImage, int], None]) -> None:
        self._on_frame = on_frame
        self._lock = threading.Lock()
        self._pool: list[QImage] = []
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
        # References kept for the player's life: libVLC holds the raw pointers.
        self.format_cb = _FormatCb(self._format)
        self.cleanup_cb = _CleanupCb(self._cleanup)
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
            VIDEO_THREADS.raise_current()  # this is libVLC's video output thread (priority.py)
            w, h = int(width[0]), int(height[0])
            with self._lock:
                media = self.media
            if media is not None:
                tracks = video_tracks(media)
                if tracks and tracks[0].width and tracks[0].height:
                    w, h = tracks[0].display_width, tracks[0].height
                    frame_ms = tracks[0].frame_ms
                    with self._lock:
                        self.frame_ms = frame_ms
            w, h = fit_size(w, h)
            with self._lock:
                pool = self._pool
            if not pool or pool[0].width() != w or pool[0].height() != h:
                # Made (not zeroed) only when the size changes: this runs up to three times
                # per clip, against the first picture's clock.
                pool = [QImage(w, h, QImage.Format.Format_RGB32) for _ in range(POOL)]
            pitch = pool[0].bytesPerLine()
            scratch = self._scratch
            if len(scratch) < pitch * h:
                scratch = ctypes.create_string_buffer(pitch * h)
            with self._lock:
                self._pool, self._scratch = pool, scratch
            ctypes.memmove(chroma, b"RV32", 4)
            width[0], height[0] = w, h
            pitches[0], lines[0] = pitch, h
            return 1
        except Exception:
            log.exception("video format setup failed")
            return 0

    def _cleanup(self, _opaque: Any) -> None:
        pass  # the buffers stay until replaced: a late lock() must still get valid memory

    def _lock_buf(self, _opaque: Any, planes: Any) -> None:
        with self._lock:
            if self.hold or not self._pool:
                self._locked = None
                planes[0] = ctypes.addressof(self._scratch)
                return
            image = self._pool[self._next]
            self._next = (self._next + 1) % len(self._pool)
            self._locked = image
        # Detaches (copies) the image if the Qt side still holds it: never write under it.
        planes[0] = ctypes.addressof(ctypes.c_char.from_buffer(image.bits()))

    def _display(self, _opaque: Any, _picture: Any) -> None:
        try:
            with self._lock:
                image, gen = self._locked, self.gen
                self._locked = None
                if image is None or self.hold:
                    return
            self._on_frame(QImage(image), gen)  # shallow: shares the pixels until detached
        except Exception:
            log.exception("video frame hand-over failed")


class VlcPlayer(QObject):
    """One reusable libVLC media player implementing kiosk.playback.base.Player.

    Guarantees (all signals on the Qt thread of this object):
    - load(path): the media is opened and primed: its first picture decoded and held, paused
      and muted. `ready` once that picture is held; `failed` if libVLC cannot open or decode
      it, or if that takes longer than `start_timeout`.
    - show(): after `ready`, emits `started` and the held first `frame` before it returns,
      then plays on with sound. Before `ready` it starts as soon as the first picture is
      there. `failed("no picture after N s ...")` if none within `start_timeout`.
    - `frame(QImage)`: RV32 pictures (QImage.Format_RGB32, at most 1920x1080). Only the
      newest undelivered picture is kept, so a busy Qt thread drops frames, never queues them.
    - Each item ends with exactly one of `finished` (EndReached after `started`) or `failed`
      (the media ending before any picture counts as failed). Nothing follows for that item.
    - stop(), or load() of another item, silences every event still in flight for the old one.
    """

    ready = Signal()
    started = Signal()
    finished = Signal()
    failed = Signal(str)
    frame = Signal(QImage)

    _frame_posted = Signal()  # libVLC vout thread -> Qt thread (queued)
    _event_posted = Signal(int, str)  # libVLC input thread -> Qt thread (queued): (gen, what)

    def __init__(
        self, backend: VlcBackend, start_timeout: float = 5.0, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self.start_timeout = start_timeout
        mp = backend.instance.media_player_new()
        if mp is None:
            raise RuntimeError("libVLC could not create a media player")
        self._mp: vlc.MediaPlayer | None = mp
        self._media: vlc.Media | None = None
        self._media_events: list[Any] = []
        self._gen = 0
        self._path = ""
        self._opened = self._shown = self._started = self._done = True
        self._resumed = True
        self._volume, self._mute = 100, False
        self._ready_sent = True
        self._held: QImage | None = None  # the primed first picture, until show()
        # libVLC shows the second picture too before the pause lands (and not again after
        # it): kept as well, and painted one frame time after the first.
        self._second: QImage | None = None
        self._second_timer = QTimer(self)
        self._second_timer.setSingleShot(True)
        self._second_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._second_timer.timeout.connect(self._show_second)
        self._ended_early = False  # the media ended while primed (a clip of one frame)

        self._pending_lock = threading.Lock()
        self._pending: tuple[QImage, int] | None = None
        # An item's first picture is never replaced by a later one before it was painted:
        # a busy moment at the switch must not skip the clip's first frame.
        self._pending_first: tuple[QImage, int] | None = None
        self._first_gen = -1  # generation whose first picture has been queued
        self._sink = _FrameSink(self._post_frame)
        self._frame_posted.connect(self._take_frame, Qt.ConnectionType.QueuedConnection)
        self._event_posted.connect(self._on_event, Qt.ConnectionType.QueuedConnection)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)

        _set_format_callbacks(mp, self._sink.format_cb, self._sink.cleanup_cb)
        # No unlock callback: one Python call (and GIL wait) less in libVLC's render path.
        mp.video_set_callbacks(self._sink.lock_cb, None, self._sink.display_cb, None)
        mp.video_set_mouse_input(False)
        mp.video_set_key_input(False)

    # -- Player API (Qt thread) ----------------------------------------------------------------

    def load(self, path: str) -> None:
        mp = self._require()
        self._halt()
        self._path = path
        self._opened = self._shown = self._started = self._done = False
        self._resumed = False
        gen = self._gen
        if not os.path.isfile(path):
            self._fail_soon(gen, "file not found" if not os.path.exists(path) else "not a file")
            return
        media = self._backend.media(path, ":start-paused")
        em = _event_manager(media)
        em.event_attach(vlc.EventType.MediaStateChanged, functools.partial(self._media_event, gen))
        self._media, self._media_events = media, [em]
        with self._sink._lock:
            self._sink.media = media
        mp.set_media(media)
        self._timer.start(self._timeout_ms())
        if mp.play() != 0:
            self._fail_soon(gen, "libVLC could not play this file")

    def show(self) -> None:
        if self._done or self._shown or self._mp is None:
            return
        self._shown = True
        held, self._held = self._held, None
        if held is None:  # not primed yet: it starts with sound as soon as it can
            if self._opened:
                self._resume()
            return
        gen = self._gen
        self._started = True
        self._apply_volume()
        self.started.emit()
        if gen != self._gen or self._done:  # a slot stopped us
            return
        self.frame.emit(held)
        if gen != self._gen or self._done:
            return
        with self._sink._lock:
            self._sink.hold = False
            frame_ms = round(self._sink.frame_ms)
        if self._ended_early:
            self._finish()
            QTimer.singleShot(frame_ms, self, lambda: self._finished_late(gen))
            return
        with self._pending_lock:  # redisplays of the paused picture
            self._pending = self._pending_first = None
        self._require().set_pause(0)
        if self._second is not None and self._second == held:
            self._second = None  # a redisplay of the first, not the second picture
        if self._second is not None:
            self._second_timer.start(frame_ms)

    def stop(self) -> None:
        if self._mp is None:
            return
        self._halt()
        self._done = True

    def set_volume(self, volume: int, mute: bool) -> None:
        self._volume = max(0, min(100, int(volume)))
        self._mute = bool(mute)
        if self._started:
            self._apply_volume()

    def volume(self) -> tuple[int, bool] | None:
        """What libVLC's audio output holds (its dummy output holds nothing and says 0).

        libVLC applies a change when its output is not busy: a set_volume() may take a few
        ms to show here.
        """
        if self._mp is None or not self._started or self._done:
            return None
        level = self._mp.audio_get_volume()
        return None if level < 0 else (level, bool(self._mp.audio_get_mute()))

    def position_ms(self) -> int:
        """libVLC's playback time in ms (-1 when unknown); advances even on a still picture."""
        if self._mp is None or not self._started or self._done:
            return -1
        return int(self._mp.get_time())

    def length_ms(self) -> int:
        return int(self._mp.get_length()) if self._mp is not None else -1

    def close(self) -> None:
        if self._mp is None:
            return
        self._halt()
        self._done = True
        mp, self._mp = self._mp, None
        mp.release()
        log.debug("player closed")

    # -- internals -----------------------------------------------------------------------------

    def _require(self) -> vlc.MediaPlayer:
        if self._mp is None:
            raise RuntimeError("player is closed")
        return self._mp

    def _timeout_ms(self) -> int:
        return max(1, int(self.start_timeout * 1000))

    def _halt(self) -> None:
        """Stop libVLC and the current item; afterwards nothing of it may reach a signal."""
        self._timer.stop()
        mp = self._mp
        if mp is not None and self._media is not None:
            mp.stop()  # synchronous: the input thread is gone and the vout flushed on return
            mp.set_media(None)
        # Anything stamped before this point is stale.
        self._gen += 1
        with self._sink._lock:
            self._sink.gen = self._gen
            self._sink.media = None
            self._sink.hold = False
        with self._pending_lock:
            self._pending = self._pending_first = None
        self._held = self._second = None
        self._second_timer.stop()
        self._ended_early = self._ready_sent = False
        for em in self._media_events:
            em.event_detach(vlc.EventType.MediaStateChanged)
        if self._media is not None:
            self._media.release()  # the player let go of it: this frees it, no more events
            self._media = None
        self._media_events = []  # only now may the ctypes handler in the manager be freed

    def _fail_soon(self, gen: int, reason: str) -> None:
        """Report a failure found inside load() after load() returns, like libVLC's would be."""
        self._event_posted.emit(gen, "fail:" + reason)

    def _resume(self) -> None:
        """Unpause from :start-paused: to play if shown, else to prime (first picture only)."""
        if self._resumed:
            return
        self._resumed = True
        mp = self._require()
        if not self._shown:
            # Silent while priming. (Ignored until the player's first audio output exists:
            # at worst the very first prime of a fresh player leaks a few ms of sound.)
            mp.audio_set_mute(True)
        self._timer.start(self._timeout_ms())
        mp.set_pause(0)

    def _apply_volume(self) -> None:
        mp = self._mp
        if mp is None:
            return
        mp.audio_set_volume(self._volume)
        mp.audio_set_mute(self._mute)

    def _finish(self) -> None:
        self._done = True
        self._timer.stop()

    def _finished_late(self, gen: int) -> None:
        if gen == self._gen:
            self.finished.emit()

    # libVLC threads: only stamp and post.
    def _media_event(self, gen: int, event: Any) -> None:
        what = _STATE_EVENTS.get(vlc.State(event.u.new_state))
        if what is not None:
            self._event_posted.emit(gen, what)

    def _post_frame(self, image: QImage, gen: int) -> None:
        with self._pending_lock:
            first = self._pending is None and self._pending_first is None
            if self._first_gen != gen:
                self._first_gen = gen
                self._pending_first = (image, gen)
            else:
                self._pending = (image, gen)
        if first:
            self._frame_posted.emit()

    # Qt thread.
    @Slot(int, str)
    def _on_event(self, gen: int, what: str) -> None:
        if gen != self._gen or self._done:
            return
        if what == _OPENED:
            if self._opened:
                return  # a later pause (none of ours) must not re-announce the item
            self._opened = True
            self._resume()  # shown: play; else prime (`ready` once the first picture is held)
        elif what == _ENDED:
            if not self._shown and self._held is not None:
                self._ended_early = True  # shown, and finished, on show()
                return
            self._finish()
            if self._started:
                self.finished.emit()
            else:
                self.failed.emit("the file ended before showing a picture")
        elif what == _ERROR:
            self._finish()
            self.failed.emit("libVLC could not play this file")
        elif what.startswith("fail:"):
            self._finish()
            self.failed.emit(what[5:])

    @Slot()
    def _take_frame(self) -> None:
        with self._pending_lock:
            head, self._pending_first = self._pending_first, None
            pending, self._pending = self._pending, None
        if head is not None:
            self._deliver(head)
            if pending is not None:
                self._frame_posted.emit()  # the next one in its own event: painted too
                with self._pending_lock:
                    if self._pending is None:
                        self._pending = pending
            return
        if pending is not None:
            self._deliver(pending)

    def _deliver(self, pending: tuple[QImage, int]) -> None:
        image, gen = pending
        if gen != self._gen or self._done:
            return
        if not self._shown:  # primed: hold the first picture, pause there, say ready
            if self._held is None:
                self._held = image
                self._timer.stop()
                self._require().set_pause(1)
                self._ready_sent = True
                self.ready.emit()
            elif self._second is None:
                self._second = image
                with self._sink._lock:
                    self._sink.hold = True
            return
        if not self._started:
            if not self._ready_sent:  # shown before it was ready: every item says ready once
                self._ready_sent = True
                self.ready.emit()
                if gen != self._gen or self._done:
                    return
            self._started = True
            self._timer.stop()
            self._apply_volume()
            self.started.emit()
            if gen != self._gen or self._done:  # a slot stopped us
                return
        if self._second is not None:
            if image == self._second:
                return  # unpausing, libVLC may show its paused picture again: ours is due
            self._second = None  # libVLC's own next picture came first: it wins
            self._second_timer.stop()
        self.frame.emit(image)

    @Slot()
    def _show_second(self) -> None:
        second, self._second = self._second, None
        if second is not None and not self._done:
            self.frame.emit(second)

    @Slot()
    def _on_timeout(self) -> None:
        if self._done:
            return
        stage = "" if self._opened else " (libVLC could not open it)"
        reason = (
            f"no picture after {self.start_timeout:g} s{stage}: "
            "the file may be broken or still copying"
        )
        log.info("%s: %s", self._path, reason)
        self._halt()
        self._done = True
        self.failed.emit(reason)
