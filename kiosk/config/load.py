"""Read the config file, check every value, and report all problems at once with positions.

Why all at once: an admin fixing a kiosk over SSH should see every mistake in one `kiosk check`
run, each as `file:line:col`, not one per restart. Bad input never raises: the result is a
usable `Config` (defaults where a value was wrong) plus the list of problems, and the caller
decides whether to run, keep the last good config, or refuse.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import platformdirs

from kiosk.config.schema import (
    OPTIONS,
    OPTIONS_BY_ATTR,
    OPTIONS_BY_NAME,
    SECTIONS,
    Config,
    Option,
)
from kiosk.config.values import check_value
from kiosk.core.msg import Msg, _, os_reason
from kiosk.core.problems import Position, Problem
from kiosk.core.schedule import OfficeHours
from kiosk.core.schedule_yaml import parse_dates, parse_hours
from kiosk.core.yamlpos import (
    TAG_BOOL,
    TAG_FLOAT,
    TAG_INT,
    TAG_NULL,
    TAG_STR,
    YMap,
    YNode,
    YScalar,
    describe,
    parse_bytes,
)

__all__ = [
    "CLI_SOURCE",
    "ENV_VAR",
    "config_path_from_env",
    "default_config",
    "load_config",
    "parse_config",
]

log = logging.getLogger(__name__)

ENV_VAR = "KIOSK_CONFIG"
CLI_SOURCE = "command line"  # the Position path of problems in overrides

_OCTAL = re.compile(r"[-+]?0[0-7_]+")
_TEXT_TYPES = ("str", "path", "choice", "keychord", "timezone", "colour")


def config_path_from_env(
    cli_value: Path | None, environ: Mapping[str, str] | None = None
) -> Path | None:
    """The config file to use: the CLI flag first, then $KIOSK_CONFIG, else None (defaults).

    An empty KIOSK_CONFIG counts as unset, so `KIOSK_CONFIG= kiosk run` means "no config".
    """
    if cli_value is not None:
        return cli_value
    env = os.environ if environ is None else environ
    value = env.get(ENV_VAR, "")
    return Path(value) if value.strip() else None


def default_config() -> Config:
    """All defaults (the demo setup): what runs when there is no config file."""
    config, _ = _build({}, [], None, {})
    return config


def load_config(
    path: Path | None, overrides: Mapping[str, object] | None = None
) -> tuple[Config, list[Problem]]:
    """Read and check `path` (None: no file, defaults only), then apply CLI `overrides`.

    `overrides` maps dotted option names (`"audio.volume"`) or Config attribute names
    (`"audio_volume"`) to already-typed values; None values are skipped (flag not given).
    An unknown override name is a programming error and raises KeyError.
    A file that cannot be read gives one problem at `Position(str(path))` and defaults.
    """
    if path is None:
        return _build({}, [], None, overrides or {})
    try:
        data = path.read_bytes()
    except OSError as e:
        return _build({}, [_read_problem(path, e)], None, overrides or {})
    return parse_config(data, path, overrides)


def parse_config(
    data: bytes, path: Path, overrides: Mapping[str, object] | None = None
) -> tuple[Config, list[Problem]]:
    """Check config file contents already read from `path` (used for display and as the base
    of relative paths). Separate from `load_config` so callers holding bytes need no I/O.
    """
    shown = str(path)
    base = Path(os.path.abspath(path)).parent
    root, problems = parse_bytes(data, shown)
    values: dict[str, tuple[object, Path]] = {}
    if root is not None and not (isinstance(root, YScalar) and root.is_null):
        if isinstance(root, YMap):
            _walk(root, base, values, problems)
        else:
            problems.append(
                Problem(
                    root.pos,
                    _(
                        "the top level must be 'name: value' lines (a mapping), "
                        "not {what}; see config/office.yaml for an example",
                        what=describe(root),
                    ),
                )
            )
    return _build(values, problems, path, overrides or {})


# ---------------------------------------------------------------------------------------------


def _read_problem(path: Path, e: OSError) -> Problem:
    if isinstance(e, FileNotFoundError):
        msg = _("config file not found; check the path (given by --config or ${env})", env=ENV_VAR)
    elif isinstance(e, IsADirectoryError):
        msg = _("this is a folder; give the path of the config file (e.g. office.yaml) instead")
    elif isinstance(e, PermissionError):
        msg = _("cannot read the config file: permission denied; make it readable by this user")
    else:
        msg = _("cannot read the config file: {why}", why=os_reason(e))
    return Problem(Position(str(path)), msg)


def _suggest(name: str, listing: list[str], extra: list[str] | None = None) -> Msg:
    """'did you mean' the closest name (from `listing` + `extra`), else list `listing`."""
    close = difflib.get_close_matches(name, listing + (extra or []), n=1, cutoff=0.6)
    if close:
        return _("; did you mean {name!r}?", name=close[0])
    return _("; known names here: {names}", names=", ".join(sorted(listing)))


def _walk(
    root: YMap, base: Path, values: dict[str, tuple[object, Path]], problems: list[Problem]
) -> None:
    top_names = sorted(SECTIONS | {o.name for o in OPTIONS if o.section is None})
    for knode, vnode in root:
        name = knode.raw
        if name in SECTIONS:
            if isinstance(vnode, YScalar) and vnode.is_null:
                continue  # an empty section: all defaults
            if not isinstance(vnode, YMap):
                keys = [o.key for o in OPTIONS if o.section == name]
                problems.append(
                    Problem(
                        vnode.pos,
                        _(
                            "'{name}' is a section, not a value; write its options indented "
                            "below it ({keys}), e.g. '{name}:' then '  {key}: ...'",
                            name=name,
                            keys=", ".join(keys),
                            key=keys[0],
                        ),
                    )
                )
                continue
            for sk, sv in vnode:
                full = f"{name}.{sk.raw}"
                opt = OPTIONS_BY_NAME.get(full)
                if opt is None:
                    in_section = [o.name for o in OPTIONS if o.section == name]
                    problems.append(
                        Problem(
                            sk.pos,
                            _(
                                "unknown option {name!r}{suggestion}",
                                name=full,
                                suggestion=_suggest(full, in_section),
                            ),
                        )
                    )
                    continue
                _take(opt, sv, base, values, problems)
        elif name in OPTIONS_BY_NAME and OPTIONS_BY_NAME[name].section is None:
            _take(OPTIONS_BY_NAME[name], vnode, base, values, problems)
        elif name in OPTIONS_BY_NAME:
            opt = OPTIONS_BY_NAME[name]
            problems.append(
                Problem(
                    knode.pos,
                    _(
                        "write {name!r} nested: '{section}:' on one line, "
                        "then '  {key}: ...' indented below it",
                        name=name,
                        section=opt.section,
                        key=opt.key,
                    ),
                )
            )
        else:
            problems.append(
                Problem(
                    knode.pos,
                    _(
                        "unknown option {name!r}{suggestion}",
                        name=name,
                        suggestion=_suggest(name, top_names, list(OPTIONS_BY_NAME)),
                    ),
                )
            )


def _take(
    opt: Option,
    node: YNode,
    base: Path,
    values: dict[str, tuple[object, Path]],
    problems: list[Problem],
) -> None:
    """Turn one YAML node into the option's typed value, or add a problem at the value."""
    if opt.type in ("hours", "dates"):
        # Structured values: their parsers check every part and report its own position.
        parsed: object
        if opt.type == "hours":
            parsed, found = parse_hours(node, node.pos.path)
        else:
            parsed, found = parse_dates(node, node.pos.path)
        problems.extend(found)
        if not any(p.severity == "error" for p in found):
            values[opt.name] = (parsed, base)
        return
    raw, err = _from_yaml(opt, node)
    if err is None:
        value, err = check_value(opt, raw)
        if err is None:
            values[opt.name] = (value, base)
            return
    problems.append(Problem(node.pos, _("{option}: {error}", option=opt.name, error=err)))


def _quote_hint(n: YScalar) -> Msg:
    if n.tag == TAG_BOOL:
        reading = _("as {value}", value=str(n.value).lower())
    elif n.tag in (TAG_INT, TAG_FLOAT) and ":" in n.raw:
        reading = _("as the number {value} (base 60, like a clock)", value=n.value)
    elif n.tag in (TAG_INT, TAG_FLOAT):
        reading = _("as the number {value}", value=n.value)
    else:
        reading = _("as a {kind} ({value!r})", kind=n.kind, value=n.value)
    return _(
        'YAML reads unquoted {raw!r} {reading}, not as text; put it in quotes: "{raw}"',
        raw=n.raw,
        reading=reading,
    )


def _from_yaml(opt: Option, node: YNode) -> tuple[object, str | None]:
    """YAML-level type check: refuses YAML 1.1 surprises with a message that says the fix."""
    if not isinstance(node, YScalar):
        return None, _(
            "must be {expected}, not {what}", expected=opt.expected(), what=describe(node)
        )
    if node.tag == TAG_NULL:
        if opt.nullable:
            return None, None
        if opt.type == "colour":
            return None, _(
                'needs a colour in quotes, like "#0c2a5c": without quotes YAML takes '
                "'#' as the start of a comment and sees no value"
            )
        return None, _(
            "needs a value ({expected}); remove the line to use the default ({default!r})",
            expected=opt.expected(),
            default=opt.default,
        )
    if opt.type in _TEXT_TYPES:
        if node.tag != TAG_STR:
            return None, _quote_hint(node)
        return node.raw, None
    if opt.type == "bool":
        if node.tag == TAG_BOOL:
            return node.value, None
        if node.tag == TAG_STR and node.raw.strip().lower() in ("true", "false", "yes", "no"):
            return None, _(
                "must be true or false without quotes, got {raw!r} in quotes", raw=node.raw
            )
        return None, _("must be true or false, got {raw!r}", raw=node.raw)
    # int / float
    if node.tag in (TAG_INT, TAG_FLOAT) and ":" in node.raw:
        return None, _(
            "YAML reads {raw!r} as the number {value} (base 60, like a clock); "
            "write a plain number",
            raw=node.raw,
            value=node.value,
        )
    if node.tag == TAG_INT and _OCTAL.fullmatch(node.raw):
        return None, _(
            "YAML reads {raw!r} as the octal number {value}; "
            "write the number without the leading 0",
            raw=node.raw,
            value=node.value,
        )
    if node.tag == TAG_INT or (node.tag == TAG_FLOAT and opt.type == "float"):
        return node.value, None
    if node.tag == TAG_FLOAT:
        return None, _("must be a whole number, got {raw}", raw=node.raw)
    if node.tag == TAG_STR and node.style in ("'", '"'):
        return None, _(
            "must be {expected} without quotes, got {raw!r} in quotes",
            expected=opt.expected(),
            raw=node.raw,
        )
    return None, _("must be {expected}, got {what}", expected=opt.expected(), what=describe(node))


def _resolve(value: object, base: Path) -> object:
    if isinstance(value, Path):
        p = value.expanduser()
        return p if p.is_absolute() else base / p
    return value


def _build(
    values: dict[str, tuple[object, Path]],
    problems: list[Problem],
    source: Path | None,
    overrides: Mapping[str, object],
) -> tuple[Config, list[Problem]]:
    """Defaults, then file values, then overrides (which win); paths made absolute."""
    cwd = Path(os.path.abspath(os.curdir))
    for key, raw in overrides.items():
        if raw is None:
            continue
        opt = OPTIONS_BY_NAME.get(key) or OPTIONS_BY_ATTR.get(key)
        if opt is None:
            raise KeyError(f"unknown config override {key!r}")
        value, err = check_value(opt, raw)
        if err is not None:
            problems.append(
                Problem(Position(CLI_SOURCE), _("{option}: {error}", option=opt.name, error=err))
            )
            continue
        values[opt.name] = (value, cwd)
    final: dict[str, object] = {}
    for opt in OPTIONS:
        if opt.name in values:
            value, base = values[opt.name]
            final[opt.attr] = _resolve(value, base)
        else:
            final[opt.attr] = opt.default
    if final["state_dir"] is None:
        final["state_dir"] = Path(platformdirs.user_state_dir("kiosk"))
    # The week from `hours:` evaluated in the office's time zone, closed on its holidays.
    hours = cast(OfficeHours, final["hours"])
    final["hours"] = hours.with_place(
        cast(str, final["office_timezone"]), cast(tuple, final["holidays"])
    )
    config = Config(**cast(dict[str, Any], final), source=source)
    if problems:
        log.debug("config %s: %d problem(s)", source or "<defaults>", len(problems))
    return config, problems
