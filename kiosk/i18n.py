"""The reader's language: which one (`--lang`, `office.language`, LANG), and rendering in it.

gettext catalogs, managed with Babel: the messages are extracted from the code (babel.cfg),
translated in kiosk/locale/LANG/LC_MESSAGES/kiosk.po and compiled into .mo files by
scripts/setup (`pybabel compile`). English is the language of the code, so it needs no
catalog, and it is the fallback of a message that has no translation (or no compiled
catalog). Messages are `kiosk.core.msg.Msg` values, rendered here at the moment they are
printed or drawn, in the language chosen for this process.
"""

from __future__ import annotations

import gettext
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.core.msg import Msg, from_json, render

__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "choose",
    "current",
    "language",
    "localize",
    "texts",
    "use",
]

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
DEFAULT = "vi"  # the people who read kiosk's words work in Vietnamese offices
DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_DECIMAL_COMMA = {"vi"}
_ENV = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's own order

_lang: str | None = None  # chosen by use(); until then, from the environment
_catalogs: dict[str, gettext.NullTranslations] = {}


def from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """vi or en from the locale variables, or None when they name neither (C, POSIX, fr_FR)."""
    env = os.environ if environ is None else environ
    for name in _ENV:
        value = env.get(name, "").strip()
        if not value:
            continue
        code = value.split(":")[0].split("_")[0].split(".")[0].split("@")[0].lower()
        return code if code in LANGUAGES else None
    return None


def choose(
    cli: str | None, config: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """`--lang`, else the config's `office.language`, else LANG and LC_*, else Vietnamese."""
    return cli or config or from_env(environ) or DEFAULT


def _load(lang: str) -> gettext.NullTranslations:
    if lang not in _catalogs:
        if lang == "en":
            _catalogs[lang] = gettext.NullTranslations()
        else:
            try:
                _catalogs[lang] = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
            except OSError:
                # Not compiled (scripts/setup does it): English rather than nothing.
                log.warning("no compiled %s catalog in %s: run scripts/setup", lang, LOCALE_DIR)
                _catalogs[lang] = gettext.NullTranslations()
    return _catalogs[lang]


def use(lang: str | None) -> None:
    """Sets the language this process renders messages in (None: from the environment)."""
    global _lang
    _lang = lang if lang in LANGUAGES else None


def current() -> str:
    """The language chosen by use(), else the one LANG and LC_* name, else Vietnamese."""
    return _lang or choose(None)


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Renders in `lang` for a while (a test, a page written in another language)."""
    before = _lang
    use(lang)
    try:
        yield
    finally:
        use(before)


def localize(value: object, lang: str | None = None) -> str:
    """A message (or anything) as text for a person, in `lang` or this process's language."""
    if isinstance(value, Msg):
        lang = lang or current()
        return render(value.id, value.args, _load(lang).gettext, lang in _DECIMAL_COMMA)
    return str(value)


def texts(data: Mapping[str, Any], key: str) -> list[Any]:
    """A status.json list of texts, as messages where the writer stored them as data.

    The writer keeps `key` as English text (for scripts and older readers) and the same list
    as messages in `key_msg`; a file from an older player has only the text.
    """
    plain = data.get(key)
    if not isinstance(plain, list):
        plain = []  # missing, or a damaged file's other value
    stored = data.get(f"{key}_msg")
    if isinstance(stored, list) and len(stored) == len(plain):
        return [from_json(x) for x in stored]
    return list(plain)


def text(data: Mapping[str, Any], key: str) -> Any:
    """One text of a status.json object: its message (`key_msg`) if stored, else the text."""
    stored = data.get(f"{key}_msg")
    return from_json(stored) if stored is not None else data.get(key)
