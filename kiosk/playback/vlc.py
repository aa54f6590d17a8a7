"""The real player: libVLC decodes, Qt paints. The libVLC instance that makes players
(VlcBackend; the instance itself is in backend.py) and the player.

Video reaches the screen through libVLC *video callbacks*: libVLC converts every picture to
RV32 (BGRA in memory, i.e. ``QImage.Format_RGB32``) into QImages we own, and the display
callback hands Qt a shallow copy (framesink.py). That route was measured best (no black
between clips, no X server needed, so offscreen tests decode real video); see
docs/playback.md. Below this module: libvlc.py (bindings, log), framesink.py (the video
callbacks), mediaopts.py (options one file needs); beside it: vlcprobe.py (what a file
holds, without playing it).

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

import functools
import logging
import os
import time
from typing import Any

import vlc
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from kiosk.core.msg import _
from kiosk.playback.backend import LibVlc
from kiosk.playback.framesink import FrameMailbox, FrameSink, Pending
from kiosk.playback.libvlc import decoder_drops, event_manager, set_format_callbacks
from kiosk.playback.mediaopts import media_options

log = logging.getLogger(__name__)
# How long an item's first picture waits for libVLC to say its shape (TS, PS): the outgoing
# picture stays on screen meanwhile, so waiting is cheap and a stretched picture is not.
SHAPE_WAIT_S = 0.5


class VlcBackend(LibVlc):
    """The process's libVLC instance (backend.py), and the players made on it."""

    def player(self, start_timeout: float = 5.0, parent: QObject | None = None) -> VlcPlayer:
        return VlcPlayer(self, start_timeout=start_timeout, parent=parent)


_OPENED, _ENDED, _ERROR = "opened", "ended", "error"
_STATE_EVENTS = {
    vlc.State.Paused: _OPENED,  # held by :start-paused once the demuxer is open
    vlc.State.Ended: _ENDED,
    vlc.State.Error: _ERROR,
}


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
    failed = Signal(object)  # the reason (a kiosk.core.msg.Msg: str, with its words kept)
    frame = Signal(QImage)

    _frame_posted = Signal()  # libVLC vout thread -> Qt thread (queued)
    # libVLC input thread -> Qt thread (queued): (gen, what), what an event or ("fail", reason)
    _event_posted = Signal(int, object)

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
        # Pictures of the current item handed to the screen: how many, first and last when.
        self._shown_pictures, self._first_at, self._last_at = 0, 0.0, 0.0
        self._drops_at = 0  # libvlc.decoder_drops() when the item was loaded
        self._shape_since: float | None = None  # when the first picture began to wait for its shape

        self._mailbox = FrameMailbox(self._frame_posted.emit)
        self._sink = FrameSink(self._mailbox.post)
        self._frame_posted.connect(self._take_frame, Qt.ConnectionType.QueuedConnection)
        self._event_posted.connect(self._on_event, Qt.ConnectionType.QueuedConnection)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)

        set_format_callbacks(mp, self._sink.format_cb, self._sink.cleanup_cb)
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
            self._fail_soon(
                gen, _("file not found") if not os.path.exists(path) else _("not a file")
            )
            return
        media = self._backend.media(path, ":start-paused", *media_options(path))
        em = event_manager(media)
        em.event_attach(vlc.EventType.MediaStateChanged, functools.partial(self._media_event, gen))
        self._media, self._media_events = media, [em]
        with self._sink.lock:
            self._sink.media = media
        mp.set_media(media)
        self._timer.start(self._timeout_ms())
        if mp.play() != 0:
            self._fail_soon(gen, _("libVLC could not play this file"))

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
        self._emit_picture(self._sink.shape(held, self._media))  # libVLC knows the track now
        if gen != self._gen or self._done:
            return
        with self._sink.lock:
            self._sink.hold = False
            frame_ms = round(self._sink.frame_ms)
        if self._ended_early:
            self._finish()
            QTimer.singleShot(frame_ms, self, lambda: self._finished_late(gen))
            return
        self._mailbox.clear()  # redisplays of the paused picture
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

    def pictures(self) -> tuple[int, int]:
        """Pictures handed to the screen, less those libVLC's decoder threw away meanwhile
        (the pictures after one are broken: libvlc.decoder_drops), of the pictures due
        between its second and its last one (not its stated length: a TS's sound often runs
        on after its last picture; and MPEG streams hold their first a while, which is no
        sign of a machine too slow)."""
        with self._sink.lock:
            frame_ms = self._sink.frame_ms
        shown = max(0, self._shown_pictures - (decoder_drops() - self._drops_at))
        if self._shown_pictures < 3:
            return shown, self._shown_pictures
        return shown, round((self._last_at - self._first_at) * 1000 / frame_ms) + 2

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
        with self._sink.lock:
            self._sink.gen = self._gen
            self._sink.media = None
            self._sink.hold = False
        self._mailbox.clear()
        self._held = self._second = None
        self._second_timer.stop()
        self._ended_early = self._ready_sent = False
        self._shown_pictures = 0
        self._shape_since = None
        self._drops_at = decoder_drops()
        for em in self._media_events:
            em.event_detach(vlc.EventType.MediaStateChanged)
        if self._media is not None:
            self._media.release()  # the player let go of it: this frees it, no more events
            self._media = None
        self._media_events = []  # only now may the ctypes handler in the manager be freed

    def _fail_soon(self, gen: int, reason: str) -> None:
        """Report a failure found inside load() after load() returns, like libVLC's would be."""
        self._event_posted.emit(gen, ("fail", reason))

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

    # Qt thread.
    @Slot(int, object)
    def _on_event(self, gen: int, what: str | tuple[str, str]) -> None:
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
                self.failed.emit(_("the file ended before showing a picture"))
        elif what == _ERROR:
            self._finish()
            self.failed.emit(_("libVLC could not play this file"))
        elif isinstance(what, tuple):
            self._finish()
            self.failed.emit(what[1])

    @Slot()
    def _take_frame(self) -> None:
        head, pending = self._mailbox.take()
        if head is not None:
            self._deliver(head)
            if pending is not None:
                self._frame_posted.emit()  # the next one in its own event: painted too
                self._mailbox.put_back(pending)
            return
        if pending is not None:
            self._deliver(pending)

    def _deliver(self, pending: Pending) -> None:
        image, gen = pending
        if gen != self._gen or self._done:
            return
        if not self._started and self._shape_unknown(pending):
            return  # delivered again in a moment: no first picture goes out stretched
        image = self._sink.shape(image, self._media)  # its pixel aspect, once libVLC knows it
        if not self._shown:  # primed: hold the first picture, pause there, say ready
            if self._held is None:
                self._held = image
                self._timer.stop()
                self._require().set_pause(1)
                self._ready_sent = True
                self.ready.emit()
            elif self._second is None:
                self._second = image
                with self._sink.lock:
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
        self._emit_picture(image)

    def _shape_unknown(self, pending: Pending) -> bool:
        """TS/PS tell their picture shape ~10-50 ms after the first picture: wait for it, on
        the clock (a busy CI machine once took libVLC over 200 ms)."""
        if self._sink.shape_known(self._media):
            return False
        now = time.monotonic()
        if self._shape_since is None:
            self._shape_since = now
        elif now - self._shape_since >= SHAPE_WAIT_S:
            log.info("%s: shown before libVLC said its picture shape", self._path)
            return False
        QTimer.singleShot(5, self, lambda: self._deliver(pending))
        return True

    def _emit_picture(self, image: QImage) -> None:
        now = time.monotonic()
        if self._shown_pictures == 1:  # from the second on: MPEG streams hold their first
            self._first_at = now
        self._shown_pictures, self._last_at = self._shown_pictures + 1, now
        self.frame.emit(image)

    @Slot()
    def _show_second(self) -> None:
        second, self._second = self._second, None
        if second is not None and not self._done:
            self._emit_picture(self._sink.shape(second, self._media))

    @Slot()
    def _on_timeout(self) -> None:
        if self._done:
            return
        if self._opened:
            reason = _(
                "no picture after {seconds:g} s: the file may be broken or still copying",
                seconds=self.start_timeout,
            )
        else:
            reason = _(
                "no picture after {seconds:g} s (libVLC could not open it): "
                "the file may be broken or still copying",
                seconds=self.start_timeout,
            )
        log.info("%s: %s", self._path, reason)
        self._halt()
        self._done = True
        self.failed.emit(reason)
