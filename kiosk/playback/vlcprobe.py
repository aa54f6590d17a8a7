"""What libVLC sees in a file without showing it: the probe behind `kiosk check` and ingest.

Apart from the player (vlc.py) because probing runs on any thread, with a libVLC instance of
its own that never shows a picture or opens the sound card, and needs none of the player's
machinery.

Two looks, the cheap one first:
- `parse_media`: libVLC's preparser opens and demuxes the file (no decoding). Enough for
  MP4, MKV, AVI...: the container says the picture size and the length.
- `first_picture`: decodes the file up to its first picture, into a tiny buffer. For the
  containers that cannot say the size before a picture is decoded (MPEG transport and
  program streams: TV recordings, camcorder .mts, DVD .vob, .mpg) and whatever the
  preparser could not read: a valid file is never refused for what its container omits.
"""

from __future__ import annotations

import ctypes
import functools
import threading
import time
from dataclasses import dataclass
from typing import Any

import vlc

from kiosk.playback.libvlc import VideoTrack, event_manager, tracks
from kiosk.playback.vlc import VlcBackend


@dataclass(frozen=True)
class MediaInfo:
    status: str  # libVLC parsed status: "done", "failed", "timeout", "skipped", "none"
    duration_ms: int
    video: tuple[VideoTrack, ...]
    audio: int = 0  # audio tracks
    picture: bool = False  # a picture was decoded (first_picture only)


@functools.cache
def shared_backend() -> VlcBackend:
    """A backend for code that has none at hand (probes from `kiosk check`), made on first use.

    Dummy audio: probing never plays, and it must not open the sound card. Its log is not
    routed to Python: every libVLC message would take the GIL, and a broken file makes
    hundreds; the probe's verdict says what matters.
    """
    return VlcBackend(dummy_audio=True, route_log=False)


def parse_media(path: str, timeout: float = 5.0, backend: VlcBackend | None = None) -> MediaInfo:
    """Let libVLC open and demux `path` (without decoding or playing it) and report what it saw.

    Thread-agnostic (libVLC's preparser does the work); waits at most `timeout` + 1 s.
    """
    be = backend or shared_backend()
    media = be.media(path)
    done = threading.Event()
    em = event_manager(media)

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
        video, audio = tracks(media)
        return MediaInfo(name, max(0, media.get_duration()), tuple(video), audio)
    finally:
        em.event_detach(vlc.EventType.MediaParsedChanged)
        media.release()


_PROBE_SIZE = 32  # the probe's pictures: 32x32 RV32, scaled by libVLC; nobody looks at them
_TRACKS_WAIT_S = 1.0  # after the first picture, libVLC fills in the track's size soon


class _PictureProbe:
    """One muted, invisible libVLC player, reused for every first-picture probe (a player
    per probe would leak over months: python-vlc #250). Serialised by a lock."""

    def __init__(self, backend: VlcBackend) -> None:
        self.backend = backend
        self.lock = threading.Lock()
        self._picture = threading.Event()
        self._over = threading.Event()  # the media ended or failed: no picture will come
        self._buffer = ctypes.create_string_buffer(_PROBE_SIZE * _PROBE_SIZE * 4)
        mp = backend.instance.media_player_new()
        if mp is None:
            raise RuntimeError("libVLC could not create a probe player")
        self.mp: vlc.MediaPlayer = mp
        # References kept for the player's life: libVLC holds the raw pointers.
        self._lock_cb = vlc.CallbackDecorators.VideoLockCb(self._lock_buf)
        self._display_cb = vlc.CallbackDecorators.VideoDisplayCb(self._display)
        mp.video_set_callbacks(self._lock_cb, None, self._display_cb, None)
        mp.video_set_format("RV32", _PROBE_SIZE, _PROBE_SIZE, _PROBE_SIZE * 4)
        em = mp.event_manager()
        em.event_attach(vlc.EventType.MediaPlayerEndReached, self._ended)
        em.event_attach(vlc.EventType.MediaPlayerEncounteredError, self._ended)

    # libVLC threads: only flip events.
    def _lock_buf(self, _opaque: Any, planes: Any) -> None:
        planes[0] = ctypes.addressof(self._buffer)

    def _display(self, _opaque: Any, _picture: Any) -> None:
        self._picture.set()

    def _ended(self, _event: Any) -> None:
        self._over.set()

    def look(self, path: str, timeout: float) -> MediaInfo:
        media = self.backend.media(path, ":no-audio", ":no-spu")
        self._picture.clear()
        self._over.clear()
        try:
            self.mp.set_media(media)
            if self.mp.play() != 0:
                return MediaInfo("failed", 0, ())
            deadline = time.monotonic() + timeout
            while not (self._picture.is_set() or self._over.is_set()):
                if self._picture.wait(min(0.05, max(0.0, deadline - time.monotonic()))):
                    break
                if time.monotonic() >= deadline:
                    return MediaInfo("timeout", 0, ())
            video, audio = tracks(media)
            if not self._picture.is_set():
                return MediaInfo("done", max(0, media.get_duration()), tuple(video), audio)
            settle = time.monotonic() + _TRACKS_WAIT_S
            while not any(t.known for t in video) and time.monotonic() < settle:
                time.sleep(0.01)
                video, audio = tracks(media)
            length = max(0, media.get_duration(), self.mp.get_length())
            return MediaInfo("done", length, tuple(video), audio, picture=True)
        finally:
            self.mp.stop()
            self.mp.set_media(None)
            media.release()


@functools.cache
def _picture_probe() -> _PictureProbe:
    return _PictureProbe(shared_backend())


def first_picture(path: str, timeout: float = 5.0) -> MediaInfo:
    """Decode `path` up to its first picture (none is shown, no sound is played) and report
    the tracks as libVLC knows them then; `picture` says whether one was decoded.

    Thread-agnostic; one probe at a time per process. Waits at most `timeout` for the
    picture, then ~1 s for libVLC to report its size.
    """
    probe = _picture_probe()
    with probe.lock:
        return probe.look(path, timeout)
