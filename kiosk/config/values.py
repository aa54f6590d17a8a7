"""Checks of typed option values (from YAML after its type checks, or from the command line).

Apart from the declarations (schema.py) so that the table of options reads as a table; the
loader (load.py) calls these once it has a typed value. No Qt here: the exit key chord is
checked textually.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from pathlib import Path

from kiosk.config.schema import Option, format_number
from kiosk.core.msg import _
from kiosk.core.schedule import OfficeHours
from kiosk.core.schedule_text import check_timezone

__all__ = ["check_key_chord", "check_value"]

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
        return s, _("is empty; write a key chord like 'Ctrl+Alt+Shift+Q'")
    # "Ctrl++" means the '+' key itself.
    parts = [*s[:-2].split("+"), "+"] if s.endswith("++") else s.split("+")
    parts = [p.strip() for p in parts]
    *mods, key = parts
    canon_mods: list[str] = []
    for m in mods:
        canon = _MODIFIERS.get(m.lower())
        if canon is None:
            return s, _(
                "unknown modifier {modifier!r} in {chord!r}; use Ctrl, Alt, Shift or Meta "
                "joined by '+'",
                modifier=m,
                chord=s,
            )
        if canon in canon_mods:
            return s, _(
                "{modifier} appears twice in {chord!r}; write each modifier once",
                modifier=canon,
                chord=s,
            )
        canon_mods.append(canon)
    if not key:
        return s, _(
            "{chord!r} ends with '+'; add the key after the modifiers, e.g. '{chord}Q'", chord=s
        )
    if key.lower() in _MODIFIERS:
        return s, _("{chord!r} has no key after the modifiers; add one, e.g. '{chord}+Q'", chord=s)
    if (len(key) == 1 and key.isprintable() and not key.isspace()) or _FKEY.fullmatch(key):
        canon_key = key.upper()
    elif key.lower() in _NAMED_KEYS:
        canon_key = _NAMED_KEYS[key.lower()]
    else:
        return s, _(
            "unknown key {key!r} in {chord!r}; use a letter, a digit, F1-F35 "
            "or a key name like Esc, Home, End, Delete",
            key=key,
            chord=s,
        )
    if not canon_mods:
        return s, _(
            "{chord!r} has no modifier, so anyone could quit by accident; "
            "add Ctrl, Alt, Shift or Meta, e.g. 'Ctrl+Alt+Shift+Q'",
            chord=s,
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
        return None, _("needs a value ({expected})", expected=opt.expected())
    if opt.type == "hours":
        if not isinstance(value, OfficeHours):
            return value, _(
                "must be {expected}, got {value!r}", expected=opt.expected(), value=value
            )
        return value, None
    if opt.type == "dates":
        if not isinstance(value, tuple | list) or not all(
            isinstance(d, date) and not isinstance(d, datetime) for d in value
        ):
            return value, _(
                "must be {expected}, got {value!r}", expected=opt.expected(), value=value
            )
        return tuple(sorted(set(value))), None
    if opt.type in ("timezone", "colour"):
        if not isinstance(value, str):
            return value, _(
                "must be {expected}, got {value!r}", expected=opt.expected(), value=value
            )
        if opt.type == "timezone":
            return value, check_timezone(value)
        if not _COLOUR.fullmatch(value.strip()):
            return value, _(
                "must be {expected}: '#' and 6 hex digits, got {value!r}",
                expected=opt.expected(),
                value=value,
            )
        return value.strip().lower(), None
    if opt.type in ("str", "choice", "keychord"):
        if not isinstance(value, str):
            return value, _(
                "must be {expected}, got {value!r}", expected=opt.expected(), value=value
            )
        if opt.type == "str":
            if not value.strip() and not opt.allow_empty:
                return value, _(
                    "is empty; write {expected} or remove the line", expected=opt.expected()
                )
            return value, None
        if opt.type == "choice":
            # Case does not matter to the admin; the declared spelling is what code sees.
            by_fold = {c.casefold(): c for c in opt.choices}
            chosen = by_fold.get(value.strip().casefold())
            if chosen is None:
                return value, _(
                    "must be one of {choices}, got {value!r}",
                    choices=", ".join(opt.choices),
                    value=value,
                )
            return chosen, None
        return check_key_chord(value)
    if opt.type == "path":
        if isinstance(value, Path):
            return value, None
        if not isinstance(value, str):
            return value, _(
                "must be {expected}, got {value!r}", expected=opt.expected(), value=value
            )
        if not value.strip():
            return value, _("is an empty path; write a path, or null")
        if "\0" in value:
            return value, _("contains a NUL character; write a plain path")
        return Path(value), None
    if opt.type == "bool":
        if not isinstance(value, bool):
            return value, _("must be true or false, got {value!r}", value=value)
        return value, None
    # numbers
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value, _("must be {expected}, got {value!r}", expected=opt.expected(), value=value)
    if opt.type == "int":
        if not isinstance(value, int):
            return value, _("must be a whole number, got {value!r}", value=value)
    else:
        if not math.isfinite(value):
            return value, _("must be a finite number, got {value!r}", value=value)
        value = float(value)
    if (opt.min is not None and value < opt.min) or (opt.max is not None and value > opt.max):
        return value, _(
            "must be {expected}, got {value}", expected=opt.expected(), value=format_number(value)
        )
    return value, None
