"""What libVLC sees in a file without playing it: the probe behind `kiosk check` and ingest.

Apart from the player (vlc.py) because probing runs on any thread, with a libVLC instance of
its own that never plays or opens the sound card, and needs none of the player's machinery.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

import vlc

from kiosk.playback.libvlc import VideoTrack, event_manager, video_tracks
from kiosk.playback.vlc import VlcBackend


@dataclass(frozen=True)
class MediaInfo:
    status: str  # libVLC parsed status: "done", "failed", "timeout", "skipped", "none"
    duration_ms: int
    video: tuple[VideoTrack, ...]


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
        return MediaInfo(name, max(0, media.get_duration()), tuple(video_tracks(media)))
    finally:
        em.event_detach(vlc.EventType.MediaParsedChanged)
        media.release()
