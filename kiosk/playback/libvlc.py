"""libVLC itself, below the player: instance arguments, the ctypes bindings python-vlc gets
wrong or hides, video track facts, and libVLC's log routed into Python logging.

Apart from vlc.py so the player module holds only the player and its instance, and so the
frame sink (framesink.py) and the probe (vlcprobe.py) use the same bindings without importing
the player. Only the modules of kiosk/playback/ import vlc.
"""

from __future__ import annotations

import ctypes
import logging
import os
from dataclasses import dataclass
from typing import Any

import vlc

# libVLC's own messages, a logger of their own so logsetup can quiet them.
vlc_log = logging.getLogger(__name__)

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
    # Interlaced material (TV recordings, camcorders) is deinterlaced when flagged so, with
    # yadif: no combing on movement, full vertical detail where the picture is still, and on
    # 1080i here less CPU than libVLC's default choice (1.16 against 1.5 s per 4 s of video).
    "--deinterlace=-1",
    "--deinterlace-mode=yadif",
)


def dummy_audio_requested() -> bool:
    """`KIOSK_AOUT=dummy` selects libVLC's dummy audio output (machines without a sound card)."""
    return os.environ.get("KIOSK_AOUT", "").strip().lower() == "dummy"


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
    """The first fields of libvlc_video_track_t (all we read; libVLC >= 3.0)."""

    _fields_ = (
        ("height", ctypes.c_uint),
        ("width", ctypes.c_uint),
        ("sar_num", ctypes.c_uint),
        ("sar_den", ctypes.c_uint),
        ("frame_rate_num", ctypes.c_uint),
        ("frame_rate_den", ctypes.c_uint),
        ("orientation", ctypes.c_int),  # libvlc_video_orient_t: a phone's rotation flag
    )


_TRACK_AUDIO, _TRACK_VIDEO = 0, 1  # libvlc_track_audio, libvlc_track_video
# libvlc_video_orient_t values whose picture is turned a quarter: width and height swap.
_TRANSPOSED = frozenset({4, 5, 6, 7})

_uint_p = ctypes.POINTER(ctypes.c_uint)
# Our own prototype: python-vlc's VideoFormatCb passes `chroma` as c_char_p, which arrives as
# an immutable bytes copy, so the callback could not write "RV32" back.
FormatCb = ctypes.CFUNCTYPE(
    ctypes.c_uint,
    ctypes.POINTER(ctypes.c_void_p),
    ctypes.c_void_p,
    _uint_p,
    _uint_p,
    _uint_p,
    _uint_p,
)
CleanupCb = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_LogCb = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p
)


def _cfunc(name: str, restype: Any, *argtypes: Any) -> Any:
    """A fresh binding of a libVLC symbol with our own types (dll[name] is not cached)."""
    f = vlc.dll[name]
    f.argtypes = list(argtypes)
    f.restype = restype
    return f


set_format_callbacks = _cfunc(
    "libvlc_video_set_format_callbacks", None, ctypes.c_void_p, FormatCb, CleanupCb
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
    orientation: int = 0  # libvlc_video_orient_t; 0: upright
    codec: str = ""  # fourcc, e.g. "h264", "mpgv"

    @property
    def known(self) -> bool:
        """Whether the container said the picture size (TS and PS files say it only once
        the first picture is decoded)."""
        return self.width > 0 and self.height > 0

    @property
    def size_codec(self) -> tuple[int, int, str]:
        return self.width, self.height, self.codec

    @property
    def display_size(self) -> tuple[int, int]:
        """The picture as it must appear: square pixels, and turned by its rotation flag."""
        w = self.display_width
        return (self.height, w) if self.orientation in _TRANSPOSED else (w, self.height)

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
    return tracks(media)[0]


def _fourcc(code: int) -> str:
    return code.to_bytes(4, "little").decode("latin-1").strip("\0 ")


def tracks(media: vlc.Media) -> tuple[list[VideoTrack], int]:
    """(video tracks, number of audio tracks) libVLC knows for `media`."""
    pp = ctypes.POINTER(ctypes.POINTER(_TrackC))()
    n = _tracks_get(media, ctypes.byref(pp))
    out: list[VideoTrack] = []
    audio = 0
    try:
        for i in range(n):
            t = pp[i].contents
            audio += t.type == _TRACK_AUDIO
            if t.type == _TRACK_VIDEO and t.detail:
                v = ctypes.cast(t.detail, ctypes.POINTER(_VideoTrackC)).contents
                out.append(
                    VideoTrack(
                        v.width,
                        v.height,
                        v.sar_num,
                        v.sar_den,
                        v.frame_rate_num,
                        v.frame_rate_den,
                        v.orientation,
                        _fourcc(t.codec),
                    )
                )
    finally:
        if n:
            _tracks_release(pp, n)
    return out, audio


def event_manager(media: vlc.Media) -> vlc.EventManager:
    """The media's event manager, bypassing python-vlc's memoized `Media.event_manager()`.

    That method caches its result in a class-level dict keyed by the Media, forever: every
    clip ever opened would keep its wrapper, event manager and callbacks (~1.5 kB an item).
    """
    return vlc.libvlc_media_event_manager(media)


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


# What libVLC's decoder logs when it throws coded pictures away because it is late (a clip
# too heavy for the machine): the pictures after one are broken until the next keyframe,
# though they still reach the screen. Counted, so that such a stutter is known.
_DROPS = (b"More than ", b"more than 5 seconds of late video")
_dropped = [0]  # decoder drops since the process started, in every routed instance


def decoder_drops() -> int:
    """Coded pictures libVLC's decoders threw away as too late, so far (routed instances)."""
    return _dropped[0]


def _on_vlc_log(_data: int | None, level: int, _ctx: int | None, fmt: bytes, args: int) -> None:
    """Runs on any libVLC thread; must not call libVLC (beyond formatting) nor raise."""
    try:
        if level >= 3 and fmt.startswith(_DROPS):
            _dropped[0] += 1  # one thread at a time holds the GIL here: no update is lost
        pylevel = _LEVELS.get(level, logging.DEBUG)
        if not vlc_log.isEnabledFor(pylevel):
            return
        buf = ctypes.create_string_buffer(1024)
        _vsnprintf(buf, len(buf), fmt, args)
        vlc_log.log(pylevel, "%s", buf.value.decode("utf-8", "replace"))
    except Exception:  # a log line must never take libVLC down
        pass


_LOG_CALLBACK = _LogCb(_on_vlc_log)  # module lifetime: libVLC may call it until log_unset


def hook_log(instance: vlc.Instance) -> None:
    """Send `instance`'s log to the `kiosk.playback.libvlc` logger (undo with unhook_log)."""
    _log_set(instance, _LOG_CALLBACK, None)


def unhook_log(instance: vlc.Instance) -> None:
    _log_unset(instance)
