"""The libVLC instance every player and probe of the process shares: its arguments, and
libVLC's log routed into Python logging. kiosk.playback.vlc.VlcBackend adds the players."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence

import vlc

from kiosk.playback.libvlc import BASE_ARGS, dummy_audio_requested, hook_log, unhook_log

log = logging.getLogger(__name__)


class LibVlc:
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
            hook_log(instance)
            self._log_routed = True
        # If the owner forgets close(), still unhook the log before the interpreter goes away.
        self._finalizer = weakref.finalize(self, _release_instance, instance, self._log_routed)
        log.debug("libVLC %s started with %s", vlc.libvlc_get_version().decode(), args)

    def media(self, path: str, *options: str) -> vlc.Media:
        """A new Media for a local path (the caller releases it)."""
        m = self.instance.media_new_path(path)
        for opt in options:
            m.add_option(opt)
        return m

    def close(self) -> None:
        """Release the instance; every player must be closed first. Safe to call twice."""
        self._finalizer()


def _release_instance(instance: vlc.Instance, log_routed: bool) -> None:
    if log_routed:
        unhook_log(instance)
    instance.release()
