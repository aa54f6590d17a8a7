"""Log flood control: a repeated identical warning or error passes once per interval.

A player that hits the same error every two seconds for a week would otherwise fill the
journal and the capped log file with one line, evicting the lines that explain the crash
(Anthias #3268). The first occurrence passes at once; repeats within `interval_s` are only
counted; the next one after that passes with "(repeated 57 times in the last 10 min)".
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

_DECISION = "_kiosk_rate_limited"  # memo on the record: one decision for all handlers


@dataclass
class _Seen:
    passed_at: float  # when this message last went through
    suppressed: int = 0  # repeats swallowed since then


def describe_span(seconds: float) -> str:
    """'45 s', '10 min', '3 h': how long the repeats were counted, for a person."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{round(seconds / 3600)} h"


class RateLimitFilter(logging.Filter):
    """Identical = same logger, level, message template and arguments.

    Only records at `min_level` or above are limited: INFO lines such as "showing a.mp4"
    repeat by design and say what happened when. One instance may sit on several handlers:
    the decision is stored on the record, so the second handler does not count it again.
    `max_keys` bounds memory when the arguments vary (a new file name is a new key).
    """

    def __init__(
        self,
        interval_s: float = 60.0,
        min_level: int = logging.WARNING,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 1000,
    ) -> None:
        super().__init__()
        self.interval_s = interval_s
        self.min_level = min_level
        self._clock = clock
        self._max_keys = max_keys
        self._seen: OrderedDict[tuple[str, int, str, str], _Seen] = OrderedDict()

    def filter(self, record: logging.LogRecord) -> bool:
        decided = getattr(record, _DECISION, None)
        if decided is not None:
            return bool(decided)
        passes = self._decide(record)
        setattr(record, _DECISION, passes)
        return passes

    def _decide(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.min_level:
            return True
        key = (record.name, record.levelno, str(record.msg), _args_key(record.args))
        now = self._clock()
        seen = self._seen.get(key)
        if seen is None:
            self._seen[key] = _Seen(now)
            while len(self._seen) > self._max_keys:
                self._seen.popitem(last=False)
            return True
        self._seen.move_to_end(key)
        if now - seen.passed_at < self.interval_s:
            seen.suppressed += 1
            return False
        if seen.suppressed:
            summary = (
                f" (repeated {seen.suppressed} times in the last "
                f"{describe_span(now - seen.passed_at)})"
            )
            # Bad %-args: leave the record alone, the handler reports that, not the filter.
            with contextlib.suppress(Exception):
                record.msg, record.args = record.getMessage() + summary, None
        seen.passed_at, seen.suppressed = now, 0
        return True


def _args_key(args: object) -> str:
    try:
        return repr(args)
    except Exception:  # a broken __repr__ must not break logging
        return f"<{type(args).__name__}>"
