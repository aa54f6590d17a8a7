"""Every config option, declared once: name, type, default, bounds, doc, example value.

Why one table: the loader (load.py), the value checks (values.py), the example file
config/office.yaml (written from this table by example.py) and `kiosk check` all read it,
so an option cannot be added in one place and forgotten in another. A dotted name is the
nested YAML path (`audio.volume` is `audio:` then `volume:` indented below it); the `Config`
attribute is the same name with dots turned into underscores (`cfg.audio_volume`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from kiosk.core.msg import N_, Msg, _
from kiosk.core.schedule import DEFAULT_TIMEZONE, OfficeHours

__all__ = [
    "OPTIONS",
    "OPTIONS_BY_ATTR",
    "OPTIONS_BY_NAME",
    "SECTIONS",
    "Config",
    "OptType",
    "Option",
    "format_number",
]

OptType = Literal[
    "str",
    "path",
    "int",
    "float",
    "bool",
    "choice",
    "keychord",
    "timezone",
    "colour",
    "hours",
    "dates",
]


@dataclass(frozen=True)
class Option:
    """One option. `default` is the typed value used when the file does not set it.

    `doc` is the admin's explanation (the example file's comment); `example` is the YAML
    text the example file sets it to, when that differs from the default (several lines
    for a block, such as `hours:`).
    """

    name: str
    type: OptType
    default: object
    doc: str
    nullable: bool = False  # may be written as `null` (or `~`, or left empty)
    null_means: str = ""  # what null (or the empty default) stands for, for the docs
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    allow_empty: bool = False  # "str" only: an empty text is a valid value
    example: str | None = None

    @property
    def attr(self) -> str:
        """The `Config` attribute name: dots become underscores."""
        return self.name.replace(".", "_")

    @property
    def section(self) -> str | None:
        head, dot, _ = self.name.partition(".")
        return head if dot else None

    @property
    def key(self) -> str:
        """The name inside its section (`volume` for `audio.volume`)."""
        return self.name.rpartition(".")[2]

    def expected(self) -> Msg:
        """What a value should look like, for 'expected X' messages."""
        if self.nullable:
            return _("{what} (or null)", what=self.what())
        return self.what()

    def what(self) -> Msg:
        """What a value looks like, bounds included, null aside."""
        if self.type == "choice":
            text = _("one of {choices}", choices=", ".join(self.choices))
        elif self.type == "timezone":
            text = _("a time zone name like {zone!r}", zone=DEFAULT_TIMEZONE)
        else:
            text = Msg(_WHAT[self.type])
        if self.type in ("int", "float") and self.min is not None and self.max is not None:
            return _(
                "{what} from {low} to {high}",
                what=text,
                low=format_number(self.min),  # as written in the file: a dot, in any language
                high=format_number(self.max),
            )
        if self.type in ("int", "float") and self.min is not None:
            return _("{what} >= {low}", what=text, low=format_number(self.min))
        return text


def format_number(x: float) -> str:
    """2.0 as '2', 0.2 as '0.2': numbers as an admin writes them."""
    return str(int(x)) if float(x).is_integer() else str(x)


_WHAT = {
    "str": N_("text"),
    "path": N_("a file or folder path"),
    "int": N_("a whole number"),
    "float": N_("a number"),
    "bool": N_("true or false"),
    "keychord": N_("a key chord like 'Ctrl+Alt+Shift+Q'"),
    "colour": N_('a colour like "#0c2a5c" (in quotes)'),
    "hours": N_("days with opening times"),
    "dates": N_("a list of dates like 2026-09-02"),
}


OPTIONS: tuple[Option, ...] = (
    Option(
        "office.name",
        "str",
        "Bộ phận Một cửa",
        "Office name shown in the header band and on the idle and closed slides.",
        example='"UBND phường Bến Nghé — Bộ phận Một cửa"',
    ),
    Option(
        "office.logo",
        "path",
        None,
        "Logo image shown in the header (PNG, JPEG or WebP), for example "
        "/etc/kiosk/logo.png. A relative path is relative to the folder of this file.",
        nullable=True,
        null_means="no logo",
    ),
    Option(
        "office.timezone",
        "timezone",
        DEFAULT_TIMEZONE,
        "Time zone of the office, used by the clock in the header and by the office hours.",
    ),
    Option(
        "office.language",
        "choice",
        None,
        "Language of what kiosk says to people: `kiosk check`, `kiosk status`, the preview "
        "sheet, the idle and closed slides. vi (Vietnamese) or en (English). `--lang` on any "
        "command overrides it for that command. Config keys, commands and flags stay English.",
        nullable=True,
        null_means="LANG (or LC_ALL, LC_MESSAGES) when it names vi or en, else vi",
        choices=("vi", "en"),
        example="vi",
    ),
    Option(
        "sync.dir",
        "path",
        None,
        "The sync folder where clips and slides arrive (Syncthing, rsync, a network "
        "share...), for example /srv/kiosk/sync. The player only reads it; it never changes "
        "or deletes files there. A relative path is relative to the folder of this file.",
        nullable=True,
        null_means="the bundled demo folder",
    ),
    Option(
        "sync.poll",
        "choice",
        "auto",
        "How changes are noticed: auto (inotify; polling by itself on network shares such "
        "as SMB/NFS or when the inotify watch limit is hit), always (polling), never "
        "(inotify only).",
        choices=("auto", "always", "never"),
    ),
    Option(
        "sync.quiet_seconds",
        "float",
        2.0,
        "A new or changed file joins the rotation once its size and time stamp have been "
        "still for this many seconds, so a half-copied clip never reaches the screen.",
        min=0.2,
        max=600,
    ),
    Option(
        "sync.rescan_seconds",
        "float",
        60.0,
        "Seconds between full rescans of the folder: a safety net for changes nobody announced.",
        min=5,
        max=86400,
    ),
    Option(
        "playlist",
        "path",
        None,
        "Playlist file (see playlists/ for the format). A relative path is relative to the "
        "folder of this file. Without one, a playlist.yaml inside the sync folder, if there "
        "is one, sets the order and durations.",
        nullable=True,
        null_means="every clip and slide of the sync folder in name order",
    ),
    Option(
        "slides.duration",
        "float",
        10.0,
        "Seconds each slide (image) stays on screen, unless the playlist gives its own duration.",
        min=1,
        max=3600,
        example="12",
    ),
    Option(
        "display.screen",
        "int",
        0,
        "Which screen to fill, counted from 0 (the primary screen).",
        min=0,
    ),
    Option(
        "display.windowed",
        "bool",
        False,
        "Show in a normal window instead of full screen, for trying things out on a desktop.",
    ),
    Option(
        "display.power",
        "choice",
        "auto",
        "How the display is switched off outside office hours and back on before opening "
        "(with closed.mode: display_off): cec (the TV itself, over HDMI-CEC with cec-ctl "
        "from v4l-utils), dpms (X11), wayland (wlopm on labwc, wayfire or sway; GNOME's "
        "own switch on GNOME), none; auto takes the first of these that works here. "
        "`kiosk status` shows which one was taken.",
        choices=("auto", "cec", "dpms", "wayland", "none"),
    ),
    Option(
        "display.cec_device",
        "path",
        None,
        "The HDMI-CEC adapter for display.power cec, for example /dev/cec1 (a Raspberry Pi "
        "4 or 5 has one per HDMI port: /dev/cec0 and /dev/cec1).",
        nullable=True,
        null_means="the first /dev/cec* found",
    ),
    Option(
        "audio.volume",
        "int",
        80,
        "Sound volume in percent.",
        min=0,
        max=100,
        example="70",
    ),
    Option(
        "audio.mute",
        "bool",
        False,
        "Silence all sound (the volume is kept for when mute is turned off).",
    ),
    Option(
        "state_dir",
        "path",
        None,
        "Where the player keeps its status file, logs and proof-of-play records, for "
        "example /var/lib/kiosk. A relative path is relative to the folder of this file.",
        nullable=True,
        null_means="the user state folder (~/.local/state/kiosk on Linux)",
    ),
    Option(
        "log.level",
        "choice",
        "INFO",
        "How much to log (case does not matter).",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
    ),
    Option(
        "screenshot.every_seconds",
        "float",
        60.0,
        "How often screenshot.jpg in the state folder is refreshed, in seconds (0: never), "
        "so an admin can see what the TV shows without being in front of it.",
        min=0,
        max=86400,
    ),
    Option(
        "proof_of_play.keep_days",
        "int",
        90,
        "Days of proof-of-play files (one JSON line per item shown) kept in the state folder.",
        min=1,
        max=3660,
    ),
    Option(
        "admin.exit_key",
        "keychord",
        "Ctrl+Alt+Shift+Q",
        "Key chord that quits the player: modifiers (Ctrl, Alt, Shift, Meta) joined with "
        "'+', then one key (a letter, a digit, F1-F35, or a name like Esc, Home, End). At "
        "least one modifier is required.",
    ),
    Option(
        "hours",
        "hours",
        OfficeHours.always(),
        "Office hours per weekday. Outside them the screen shows the closed slide or turns "
        "off (see `closed:` below). Days: mon tue wed thu fri sat sun, or thứ 2 ... thứ 7, "
        'chủ nhật (also t2 ... t7, cn); ranges like mon-fri. Times are "HH:MM-HH:MM" in '
        'quotes, start included, end excluded; a window like "22:00-06:00" runs past '
        "midnight. Days not listed are closed (or write `sun: closed`). Remove `hours:` (or "
        "write `hours: null`) to be always open.",
        null_means="always open",
        example='mon-fri: ["07:30-11:30", "13:30-17:00"]\nsat: "07:30-11:30"',
    ),
    Option(
        "holidays",
        "dates",
        (),
        'Days the office is closed all day: dates (2026-09-02 or "02/09/2026"), or ranges '
        "written as {from: DATE, to: DATE}.",
        null_means="none",
        example="- 2026-09-02\n- {from: 2027-02-05, to: 2027-02-11}  # Tết",
    ),
    Option(
        "closed.mode",
        "choice",
        "slide",
        "What the screen does outside office hours: slide (show the closed slide) or "
        "display_off (turn the display off, and back on before opening).",
        choices=("slide", "display_off"),
    ),
    Option(
        "closed.slide",
        "path",
        None,
        "Image shown outside office hours. A relative path is relative to the folder of this file.",
        nullable=True,
        null_means="a generated slide showing the office hours",
    ),
    Option(
        "theme.background",
        "colour",
        "#0c2a5c",
        "Background colour of procedure slides and of the header and ticker bands.",
    ),
    Option(
        "theme.accent",
        "colour",
        "#f2c230",
        "Accent colour: step numbers, labels, the line under the title.",
    ),
    Option(
        "theme.text",
        "colour",
        "#ffffff",
        "Text colour on the background colour.",
    ),
    Option(
        "header.enabled",
        "bool",
        False,
        "Show the header band at the top: logo, office name, date and clock.",
        example="true",
    ),
    Option(
        "ticker.enabled",
        "bool",
        False,
        "Show the ticker band at the bottom with scrolling text.",
        example="true",
    ),
    Option(
        "ticker.text",
        "str",
        "",
        "The scrolling text. A file ticker.txt in the sync folder replaces it while it "
        "exists, so it can be changed without touching this file.",
        allow_empty=True,
        example='"Người dân có thể nộp hồ sơ trực tuyến tại dichvucong.gov.vn — '
        'Đường dây nóng: 1900 1234"',
    ),
    Option(
        "ticker.speed",
        "float",
        120.0,
        "Speed in pixels per second on a 1080-line screen (scaled for other screens).",
        min=20,
        max=1000,
    ),
)

OPTIONS_BY_NAME: dict[str, Option] = {o.name: o for o in OPTIONS}
OPTIONS_BY_ATTR: dict[str, Option] = {o.attr: o for o in OPTIONS}
SECTIONS: frozenset[str] = frozenset(o.section for o in OPTIONS if o.section is not None)


@dataclass(frozen=True)
class Config:
    """The final, typed configuration. Paths are absolute (resolved against the config file's
    folder, or the working directory for command-line overrides).

    One attribute per option (dots → underscores), plus `source`, the file it came from.
    """

    office_name: str
    office_logo: Path | None
    office_timezone: str  # a zoneinfo name, e.g. "Asia/Ho_Chi_Minh"
    office_language: str | None  # vi | en; None: from LANG, else vi (kiosk.i18n.choose)
    sync_dir: Path | None  # None: the caller uses the bundled demo folder
    sync_poll: str  # auto | always | never
    sync_quiet_seconds: float
    sync_rescan_seconds: float
    playlist: Path | None  # None: the whole sync folder
    slides_duration: float
    display_screen: int
    display_windowed: bool
    display_power: str  # auto | cec | dpms | wayland | none
    display_cec_device: Path | None  # None: the first /dev/cec*
    audio_volume: int
    audio_mute: bool
    state_dir: Path  # null in the file is already replaced by the platform's state folder
    log_level: str  # upper case: DEBUG | INFO | WARNING | ERROR
    screenshot_every_seconds: float  # 0: no screenshot.jpg
    proof_of_play_keep_days: int
    admin_exit_key: str  # canonical form, e.g. "Ctrl+Alt+Shift+Q"
    hours: OfficeHours  # with office_timezone and holidays folded in: ready for is_open()
    holidays: tuple[date, ...]  # sorted, no duplicates
    closed_mode: str  # slide | display_off
    closed_slide: Path | None  # None: the player generates a slide with the hours
    theme_background: str  # "#rrggbb", lower case
    theme_accent: str
    theme_text: str
    header_enabled: bool
    ticker_enabled: bool
    ticker_text: str  # may be empty (a ticker.txt in the sync folder overrides it)
    ticker_speed: float  # pixels per second at 1080 lines
    source: Path | None = None  # the config file read, None when running on defaults

    def get(self, name: str) -> object:
        """Value by dotted option name (`cfg.get("audio.volume")`), for generic code."""
        return getattr(self, OPTIONS_BY_NAME[name].attr)
