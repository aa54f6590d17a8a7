"""Every config option, declared once: name, type, default, bounds, doc.

Why one table: the loader, the example file test, `kiosk check` and the docs all read it, so
an option cannot be added in one place and forgotten in another. A dotted name is the nested
YAML path (`audio.volume` is `audio:` then `volume:` indented below it); the `Config`
attribute is the same name with dots turned into underscores (`cfg.audio_volume`).
No Qt here: the exit key chord is checked textually.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from kiosk.core.schedule import DEFAULT_TIMEZONE, OfficeHours
from kiosk.core.schedule_text import check_timezone

__all__ = [
    "CONFIG_FIELDS",
    "OPTIONS",
    "OPTIONS_BY_ATTR",
    "OPTIONS_BY_NAME",
    "SECTIONS",
    "Config",
    "OptType",
    "Option",
    "check_key_chord",
    "check_value",
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
    """One option. `default` is the typed value used when the file does not set it."""

    name: str
    type: OptType
    default: object
    doc: str
    nullable: bool = False  # may be written as `null` (or `~`, or left empty)
    null_means: str = ""  # what null stands for, for messages and docs
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    allow_empty: bool = False  # "str" only: an empty text is a valid value

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

    def expected(self) -> str:
        """What a value should look like, for 'expected X' messages."""
        text = {
            "str": "text",
            "path": "a file or folder path",
            "int": "a whole number",
            "float": "a number",
            "bool": "true or false",
            "choice": "one of " + ", ".join(self.choices),
            "keychord": "a key chord like 'Ctrl+Alt+Shift+Q'",
            "timezone": f"a time zone name like {DEFAULT_TIMEZONE!r}",
            "colour": 'a colour like "#0c2a5c" (in quotes)',
            "hours": "days with opening times",
            "dates": "a list of dates like 2026-09-02",
        }[self.type]
        if self.type in ("int", "float") and self.min is not None and self.max is not None:
            text += f" from {_num(self.min)} to {_num(self.max)}"
        elif self.type in ("int", "float") and self.min is not None:
            text += f" >= {_num(self.min)}"
        if self.nullable:
            text += " (or null)"
        return text


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


OPTIONS: tuple[Option, ...] = (
    Option(
        "office.name",
        "str",
        "Bộ phận Một cửa",
        "Office name shown in the header band.",
    ),
    Option(
        "office.logo",
        "path",
        None,
        "Logo image shown in the header; relative paths are relative to the config file.",
        nullable=True,
        null_means="no logo",
    ),
    Option(
        "office.timezone",
        "timezone",
        DEFAULT_TIMEZONE,
        "Time zone of the office: the clock in the header and the office hours use it.",
    ),
    Option(
        "sync.dir",
        "path",
        None,
        "The sync folder the clips and slides arrive in (Syncthing, rsync, SMB...); "
        "relative paths are relative to the config file.",
        nullable=True,
        null_means="the bundled demo folder",
    ),
    Option(
        "sync.poll",
        "choice",
        "auto",
        "How changes in the sync folder are noticed: auto (inotify, or polling on network "
        "filesystems and when the inotify watch limit is hit), always (polling), never "
        "(inotify only).",
        choices=("auto", "always", "never"),
    ),
    Option(
        "sync.quiet_seconds",
        "float",
        2.0,
        "A new or changed file joins the rotation once its size and time stamp have not "
        "changed for this many seconds (so half-copied files never play).",
        min=0.2,
        max=600,
    ),
    Option(
        "sync.rescan_seconds",
        "float",
        60.0,
        "Seconds between full rescans of the sync folder, a safety net for missed events.",
        min=5,
        max=86400,
    ),
    Option(
        "playlist",
        "path",
        None,
        "Playlist file; relative paths are relative to the config file.",
        nullable=True,
        null_means="play the whole sync folder in name order",
    ),
    Option(
        "slides.duration",
        "float",
        10.0,
        "Seconds each slide (image) stays on screen unless the playlist says otherwise.",
        min=1,
        max=3600,
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
        "Show in a normal window instead of full screen (for trying things out).",
    ),
    Option(
        "audio.volume",
        "int",
        80,
        "Sound volume in percent.",
        min=0,
        max=100,
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
        "Where the player keeps its status file, logs and proof-of-play records; "
        "relative paths are relative to the config file.",
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
        "How often screenshot.jpg in the state folder is refreshed (0 turns it off): "
        "what the TV shows, for an admin who is not in front of it.",
        min=0,
        max=86400,
    ),
    Option(
        "proof_of_play.keep_days",
        "int",
        90,
        "Days of proof-of-play files (one line per item shown) kept in the state folder.",
        min=1,
        max=3660,
    ),
    Option(
        "admin.exit_key",
        "keychord",
        "Ctrl+Alt+Shift+Q",
        "Key chord that quits the player: modifiers (Ctrl, Alt, Shift, Meta) joined with '+', "
        "then one key.",
    ),
    Option(
        "hours",
        "hours",
        OfficeHours.always(),
        'Office hours per weekday, e.g. mon-fri: ["07:30-11:30", "13:30-17:00"]; days not '
        "listed are closed. Outside the hours the `closed` settings apply.",
        null_means="always open",
    ),
    Option(
        "holidays",
        "dates",
        (),
        "Dates the office is closed all day (a list of dates, or {from: DATE, to: DATE} ranges).",
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
        "Image shown outside office hours; relative paths are relative to the config file.",
        nullable=True,
        null_means="a generated slide with the office hours",
    ),
    Option(
        "theme.background",
        "colour",
        "#0c2a5c",
        "Background colour of procedure slides and bands.",
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
        "Show the header band: logo, office name, date and clock.",
    ),
    Option(
        "ticker.enabled",
        "bool",
        False,
        "Show the ticker band with scrolling text at the bottom of the screen.",
    ),
    Option(
        "ticker.text",
        "str",
        "",
        "Text of the ticker; a ticker.txt file in the sync folder replaces it while it exists.",
        allow_empty=True,
    ),
    Option(
        "ticker.speed",
        "float",
        120.0,
        "Ticker speed in pixels per second on a 1080-line screen (scaled for other heights).",
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
    sync_dir: Path | None  # None: the caller uses the bundled demo folder
    sync_poll: str  # auto | always | never
    sync_quiet_seconds: float
    sync_rescan_seconds: float
    playlist: Path | None  # None: the whole sync folder
    slides_duration: float
    display_screen: int
    display_windowed: bool
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


CONFIG_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Config) if f.name != "source")


# ---------------------------------------------------------------------------------------------
# validation of typed values (from YAML after type checks, or from the command line)

_MODIFIERS = {"ctrl": "Ctrl", "control": "Ctrl", "alt": "Alt", "shift": "Shift", "meta": "Meta"}
_NAMED_KEYS = {
    name.lower(): name
    for name in (
        "Esc", "Escape", "Tab", "Backspace", "Return", "Enter", "Ins", "Insert", "Del", "Delete",
        "Pause", "Print", "SysReq", "Home", "End", "Left", "Up", "Right", "Down", "PgUp",
        "PgDown", "PageUp", "PageDown", "Space", "Backtab", "Menu", "Help",
    )
}  # fmt: skip
_FKEY = re.compile(r"[fF]([1-9]|[12][0-9]|3[0-5])")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def check_key_chord(text: str) -> tuple[str, str | None]:
    """Loose textual check of a Qt-style chord; returns (canonical form, error or None).

    At least one modifier is required: a lone key on a public kiosk is pressed by accident.
    """
    s = text.strip()
    if not s:
        return s, "is empty; write a key chord like 'Ctrl+Alt+Shift+Q'"
    # "Ctrl++" means the '+' key itself.
    parts = [*s[:-2].split("+"), "+"] if s.endswith("++") else s.split("+")
    parts = [p.strip() for p in parts]
    *mods, key = parts
    canon_mods: list[str] = []
    for m in mods:
        canon = _MODIFIERS.get(m.lower())
        if canon is None:
            return s, f"unknown modifier {m!r} in {s!r}; use Ctrl, Alt, Shift or Meta joined by '+'"
        if canon in canon_mods:
            return s, f"{canon} appears twice in {s!r}; write each modifier once"
        canon_mods.append(canon)
    if not key:
        return s, f"{s!r} ends with '+'; add the key after the modifiers, e.g. '{s}Q'"
    if key.lower() in _MODIFIERS:
        return s, f"{s!r} has no key after the modifiers; add one, e.g. '{s}+Q'"
    if (len(key) == 1 and key.isprintable() and not key.isspace()) or _FKEY.fullmatch(key):
        canon_key = key.upper()
    elif key.lower() in _NAMED_KEYS:
        canon_key = _NAMED_KEYS[key.lower()]
    else:
        return s, (
            f"unknown key {key!r} in {s!r}; use a letter, a digit, F1-F35 "
            "or a key name like Esc, Home, End, Delete"
        )
    if not canon_mods:
        return s, (
            f"{s!r} has no modifier, so anyone could quit by accident; "
            "add Ctrl, Alt, Shift or Meta, e.g. 'Ctrl+Alt+Shift+Q'"
        )
    return "+".join([*canon_mods, canon_key]), None


def check_value(opt: Option, value: object) -> tuple[object, str | None]:
    """Check an already-typed value against its option; returns (normalised value, error).

    Paths come back as unresolved `Path`s: resolving needs the config file's folder, which
    the loader knows. On error the returned value is meaningless; use the default.
    """
    if value is None:
        if opt.nullable:
            return None, None
        return None, f"needs a value ({opt.expected()})"
    if opt.type == "hours":
        if not isinstance(value, OfficeHours):
            return value, f"must be {opt.expected()}, got {value!r}"
        return value, None
    if opt.type == "dates":
        if not isinstance(value, tuple | list) or not all(
            isinstance(d, date) and not isinstance(d, datetime) for d in value
        ):
            return value, f"must be {opt.expected()}, got {value!r}"
        return tuple(sorted(set(value))), None
    if opt.type in ("timezone", "colour"):
        if not isinstance(value, str):
            return value, f"must be {opt.expected()}, got {value!r}"
        if opt.type == "timezone":
            return value, check_timezone(value)
        if not _COLOUR.fullmatch(value.strip()):
            return value, f"must be {opt.expected()}: '#' and 6 hex digits, got {value!r}"
        return value.strip().lower(), None
    if opt.type in ("str", "choice", "keychord"):
        if not isinstance(value, str):
            return value, f"must be {opt.expected()}, got {value!r}"
        if opt.type == "str":
            if not value.strip() and not opt.allow_empty:
                return value, f"is empty; write {opt.expected()} or remove the line"
            return value, None
        if opt.type == "choice":
            # Case does not matter to the admin; the declared spelling is what code sees.
            by_fold = {c.casefold(): c for c in opt.choices}
            chosen = by_fold.get(value.strip().casefold())
            if chosen is None:
                return value, f"must be one of {', '.join(opt.choices)}, got {value!r}"
            return chosen, None
        return check_key_chord(value)
    if opt.type == "path":
        if isinstance(value, Path):
            return value, None
        if not isinstance(value, str):
            return value, f"must be {opt.expected()}, got {value!r}"
        if not value.strip():
            return value, "is an empty path; write a path, or null"
        if "\0" in value:
            return value, "contains a NUL character; write a plain path"
        return Path(value), None
    if opt.type == "bool":
        if not isinstance(value, bool):
            return value, f"must be true or false, got {value!r}"
        return value, None
    # numbers
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value, f"must be {opt.expected()}, got {value!r}"
    if opt.type == "int":
        if not isinstance(value, int):
            return value, f"must be a whole number, got {value!r}"
    else:
        if not math.isfinite(value):
            return value, f"must be a finite number, got {value!r}"
        value = float(value)
    if (opt.min is not None and value < opt.min) or (opt.max is not None and value > opt.max):
        return value, f"must be {opt.expected()}, got {_num(value)}"
    return value, None
