"""What the screen would show at a given moment: `kiosk check --at` and `kiosk preview`.

Why: admins schedule procedures with dates, weekdays and time windows in YAML, and the only
way to know what the office's screen shows next Monday at 08:00 used to be waiting for it.
Both commands answer with the player's own rules: the playlist and sidecar schedules resolved
exactly as the player resolves them (kiosk.sync.playlist_source), which item plays decided by
the rotation rules the controller uses (kiosk.core.rotation), every file probed with the
player's probes, videos decoded by the player's libVLC path (VlcPlayer), slides drawn by the
player's SlideRenderer at the size of the main zone. So the sheet shows what really appears,
not an approximation that could disagree with the screen.

Time: `--at` is office-local wall-clock time (the config's `office.timezone`), whatever the
time zone of the machine running the command.

report: the `check --at` lines and expiry warnings (pure); args: command-line values;
grabber: a video's first picture through libVLC; sheet: the Qt painting; compose: the whole.
Qt and libVLC load only when a sheet is made.
"""

from kiosk.core.rotation import Slot, inactive_reason
from kiosk.preview.args import parse_at, parse_size
from kiosk.preview.report import (
    EXPIRY_WARNING_DAYS,
    expiry_problems,
    hours_lines,
    kind_label,
    office_time,
    rotation,
    rotation_lines,
    schedule_note,
)

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "Slot",
    "expiry_problems",
    "hours_lines",
    "inactive_reason",
    "kind_label",
    "office_time",
    "parse_at",
    "parse_size",
    "rotation",
    "rotation_lines",
    "schedule_note",
]
