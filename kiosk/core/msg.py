"""Words for people, kept as a catalog id and named arguments until someone reads them.

Why a str: a `Msg` is its English text (what code compares, what logs and scripts see, and
what `--lang en` prints), so every place that already passes messages around as strings
keeps working. It also keeps the id and arguments it was made from, so the one who prints
it (`kiosk check`, `kiosk status`, a slide, the province's page) renders it again in the
reader's language through kiosk.i18n, and the player can store it in status.json as data
rather than as an English sentence. Pure: the translation itself is handed in.

Placeholders are named (`{name}`), so a translator can reorder them; an argument may
itself be a `Msg` (rendered in the same language), a number (decimal sign per language) or
anything `format()` takes.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

__all__ = ["N_", "Msg", "_", "from_json", "join", "os_reason", "render", "to_json"]

Translate = Callable[[str], str]


class Msg(str):
    """A message: its English text as a str, plus `id` and `args` to render it elsewhere."""

    id: str
    args: dict[str, Any]

    def __new__(cls, id: str, args: Mapping[str, Any] | None = None) -> Msg:
        values = dict(args or {})
        self = super().__new__(cls, render(id, values, _english))
        self.id = id
        self.args = values
        return self

    def __repr__(self) -> str:
        return f"Msg({self.id!r}, {self.args!r})"


def _(id: str, **args: Any) -> Msg:
    """A message for the catalog (extracted by Babel: see babel.cfg)."""
    return Msg(id, args)


def N_(id: str) -> str:
    """Marks a text for the catalog without making it a message (a table's entries)."""
    return id


def join(parts: Iterable[str], sep: str = ", ") -> Msg:
    """Parts (each a message or a plain text) joined by `sep`, each in the reader's language.

    Its id holds only placeholders and `sep`, no words: there is nothing in it to translate.
    """
    values = list(parts)
    template = (
        sep.replace("{", "{{").replace("}", "}}").join(f"{{p{i}}}" for i in range(len(values)))
    )
    return Msg(template, {f"p{i}": v for i, v in enumerate(values)})


# `%A` in a date's format (`{when:%A, %d/%m/%Y}`) is the weekday in the reader's language
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


# The operating system's reasons (OSError.strerror), in the catalog like Qt's
OS_REASONS = (
    N_("No such file or directory"),
    N_("Permission denied"),
    N_("No space left on device"),
    N_("Read-only file system"),
    N_("Not a directory"),
    N_("Is a directory"),
    N_("Input/output error"),
    N_("Disk quota exceeded"),
)


def os_reason(e: OSError) -> Msg:
    """Why the system refused (`Permission denied`), translated when the catalog knows it."""
    return Msg(e.strerror) if e.strerror else Msg("{error}", {"error": str(e)})


def _english(id: str) -> str:
    return id


class _Formatter(string.Formatter):
    def __init__(self, translate: Translate, comma: bool) -> None:
        self.translate = translate
        self.comma = comma

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Msg):
            value = render(value.id, value.args, self.translate, self.comma)
        if isinstance(value, date) and "%A" in format_spec:
            day = self.translate(WEEKDAYS[value.weekday()]).replace("%", "%%")
            format_spec = format_spec.replace("%A", day)
        text = format(value, format_spec)
        if self.comma and isinstance(value, float | int) and not isinstance(value, bool):
            # 1,234.5 as 1.234,5: the decimal comma people read in Vietnam
            text = text.translate(str.maketrans(".,", ",."))
        return text

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion is None and isinstance(value, Msg):
            return value  # rendered in format_field, in the reader's language
        if isinstance(value, Msg):
            value = render(value.id, value.args, self.translate, self.comma)
        return super().convert_field(value, conversion)


def render(id: str, args: Mapping[str, Any], translate: Translate, comma: bool = False) -> str:
    """The message in the language `translate` gives; English if its translation is broken.

    `comma`: numbers take the decimal comma (and the dot between thousands).
    """
    template = translate(id)
    try:
        return _Formatter(translate, comma).vformat(template, (), dict(args))
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        if template == id:
            raise
        return _Formatter(_english, False).vformat(id, (), dict(args))


def to_json(value: object) -> Any:
    """A message as data for status.json (`{"id", "args"}`), other values as they are."""
    if isinstance(value, Msg):
        return {"id": value.id, "args": {k: to_json(v) for k, v in value.args.items()}}
    if isinstance(value, datetime):
        return {"time": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if type(value) in (str, int, float, bool) or value is None:
        return value
    return str(value)


def from_json(data: Any) -> Any:
    """What to_json wrote, back as a `Msg` (or the plain value). Bad data: its text."""
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        args = data.get("args")
        if not isinstance(args, dict):
            args = {}
        try:
            return Msg(data["id"], {str(k): from_json(v) for k, v in args.items()})
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            return data["id"]
    if isinstance(data, dict) and isinstance(data.get("time"), str):
        try:
            return datetime.fromisoformat(data["time"])
        except ValueError:
            return data["time"]
    if isinstance(data, dict) and isinstance(data.get("date"), str):
        try:
            return date.fromisoformat(data["date"])
        except ValueError:
            return data["date"]
    if isinstance(data, str | int | float | bool) or data is None:
        return data
    return str(data)
