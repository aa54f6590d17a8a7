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
                    "the top level must be 'name: value' lines (a mapping), "
                    f"not {describe(root)}; see config/office.yaml for an example",
                )
            )
    return _build(values, problems, path, overrides or {})


# ---------------------------------------------------------------------------------------------


def _read_problem(path: Path, e: OSError) -> Problem:
    if isinstance(e, FileNotFoundError):
        msg = f"config file not found; check the path (given by --config or ${ENV_VAR})"
    elif isinstance(e, IsADirectoryError):
        msg = "this is a folder; give the path of the config file (e.g. office.yaml) instead"
    elif isinstance(e, PermissionError):
        msg = "cannot read the config file: permission denied; make it readable by this user"
    else:
        msg = f"cannot read the config file: {e.strerror or e}"
    return Problem(Position(str(path)), msg)


def _suggest(name: str, listing: list[str], extra: list[str] | None = None) -> str:
    """'did you mean' the closest name (from `listing` + `extra`), else list `listing`."""
    close = difflib.get_close_matches(name, listing + (extra or []), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; known names here: {', '.join(sorted(listing))}"


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
                        f"'{name}' is a section, not a value; write its options indented "
                        f"below it ({', '.join(keys)}), e.g. '{name}:' then '  {keys[0]}: ...'",
                    )
                )
                continue
            for sk, sv in vnode:
                full = f"{name}.{sk.raw}"
                opt = OPTIONS_BY_NAME.get(full)
                if opt is None:
                    in_section = [o.name for o in OPTIONS if o.section == name]
                    problems.append(
                        Problem(sk.pos, f"unknown option {full!r}" + _suggest(full, in_section))
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
                    f"write {name!r} nested: '{opt.section}:' on one line, "
                    f"then '  {opt.key}: ...' indented below it",
                )
            )
        else:
            problems.append(
                Problem(
                    knode.pos,
                    f"unknown option {name!r}" + _suggest(name, top_names, list(OPTIONS_BY_NAME)),
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
    problems.append(Problem(node.pos, f"{opt.name}: {err}"))


def _quote_hint(n: YScalar) -> str:
    if n.tag == TAG_BOOL:
        reading = f"as {str(n.value).lower()}"
    elif n.tag in (TAG_INT, TAG_FLOAT) and ":" in n.raw:
        reading = f"as the number {n.value} (base 60, like a clock)"
    elif n.tag in (TAG_INT, TAG_FLOAT):
        reading = f"as the number {n.value}"
    else:
        reading = f"as a {n.kind} ({n.value!r})"
    return f'YAML reads unquoted {n.raw!r} {reading}, not as text; put it in quotes: "{n.raw}"'


def _from_yaml(opt: Option, node: YNode) -> tuple[object, str | None]:
    """YAML-level type check: refuses YAML 1.1 surprises with a message that says the fix."""
    if not isinstance(node, YScalar):
        return None, f"must be {opt.expected()}, not {describe(node)}"
    if node.tag == TAG_NULL:
        if opt.nullable:
            return None, None
        if opt.type == "colour":
            return None, (
                'needs a colour in quotes, like "#0c2a5c": without quotes YAML takes '
                "'#' as the start of a comment and sees no value"
            )
        return None, (
            f"needs a value ({opt.expected()}); remove the line to use the default "
            f"({opt.default!r})"
        )
    if opt.type in _TEXT_TYPES:
        if node.tag != TAG_STR:
            return None, _quote_hint(node)
        return node.raw, None
    if opt.type == "bool":
        if node.tag == TAG_BOOL:
            return node.value, None
        if node.tag == TAG_STR and node.raw.strip().lower() in ("true", "false", "yes", "no"):
            return None, f"must be true or false without quotes, got {node.raw!r} in quotes"
        return None, f"must be true or false, got {node.raw!r}"
    # int / float
    if node.tag in (TAG_INT, TAG_FLOAT) and ":" in node.raw:
        return None, (
            f"YAML reads {node.raw!r} as the number {node.value} (base 60, like a clock); "
            "write a plain number"
        )
    if node.tag == TAG_INT and _OCTAL.fullmatch(node.raw):
        return None, (
            f"YAML reads {node.raw!r} as the octal number {node.value}; "
            "write the number without the leading 0"
        )
    if node.tag == TAG_INT or (node.tag == TAG_FLOAT and opt.type == "float"):
        return node.value, None
    if node.tag == TAG_FLOAT:
        return None, f"must be a whole number, got {node.raw}"
    if node.tag == TAG_STR and node.style in ("'", '"'):
        return None, f"must be {opt.expected()} without quotes, got {node.raw!r} in quotes"
    return None, f"must be {opt.expected()}, got {describe(node)}"


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
            problems.append(Problem(Position(CLI_SOURCE), f"{opt.name}: {err}"))
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
