"""config/office.yaml, written from the option declarations (schema.OPTIONS).

Why generated: the example is where an admin learns every option, so it must say exactly
what the schema says (doc, type, bounds, default) and never drift from it. A test compares
the committed file with `example_config()`. Regenerate it after changing an option:

    .venv/bin/python -m kiosk.config.example > config/office.yaml

The example must pass `kiosk check` as shipped, on any machine: paths that exist only on an
office's machine (sync folder, logo, state folder) are left at their defaults, with an
example path in the comment.
"""

from __future__ import annotations

import json
import sys
import textwrap

from kiosk.config.schema import OPTIONS, Option, format_number

__all__ = ["example_config"]

WIDTH = 92  # comment lines wrap here (the repo's line limit is 100)

HEADER = """\
# Example kiosk config for one office.
#
# Written from the option declarations in kiosk/config/schema.py; do not edit it by hand:
# change the declarations and run  .venv/bin/python -m kiosk.config.example > config/office.yaml
#
# Use it with:  kiosk run --config /etc/kiosk/office.yaml   (or set KIOSK_CONFIG=/path/to/it)
# Check it with: kiosk check --config /etc/kiosk/office.yaml
#
# Every option is optional: remove a line to get its default. Any mistake is reported as
# file:line:col with what to do; the player never guesses.
#
# YAML tips:
#   - Indent with spaces, never tabs.
#   - Put text in quotes when it could look like something else: YAML 1.1 reads an unquoted
#     17:30 as the number 1050 and yes/no/on/off as true/false. Quoting text is always safe.
#   - Colours like "#0c2a5c" always need quotes: without them YAML reads '#' as a comment.
#   - "~" alone means null.
"""


def _yaml_scalar(opt: Option, value: object) -> str:
    """A default as the admin would write it in the file."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, str) and opt.type != "choice":
        return json.dumps(value, ensure_ascii=False)  # a double-quoted YAML scalar
    return str(value)


def _default_text(opt: Option) -> str:
    """The default, for the comment: `null_means` stands for a null or empty default."""
    if opt.type in ("hours", "dates"):
        return opt.null_means
    return _yaml_scalar(opt, opt.default)


def _type_line(opt: Option) -> str:
    what = str(opt.what())
    if opt.nullable:
        what += f", or null for {opt.null_means}"
    return f"{what[0].upper()}{what[1:]}. Default: {_default_text(opt)}."


def _comment(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH - len(indent),
        initial_indent=indent + "# ",
        subsequent_indent=indent + "# ",
        break_on_hyphens=False,
        break_long_words=False,
    )


def _option(opt: Option, indent: str) -> list[str]:
    lines = _comment(opt.doc, indent) + _comment(_type_line(opt), indent)
    value = opt.example if opt.example is not None else _yaml_scalar(opt, opt.default)
    if "\n" in value:  # a block (a mapping or a list) below its key
        lines.append(f"{indent}{opt.key}:")
        lines += [f"{indent}  {line}" for line in value.splitlines()]
    else:
        lines.append(f"{indent}{opt.key}: {value}")
    return lines


def example_config() -> str:
    """The whole example file: the header, then every option in declaration order."""
    out = HEADER.splitlines()
    section: str | None = None
    for opt in OPTIONS:
        out.append("")
        if opt.section != section and opt.section is not None:
            out.append(f"{opt.section}:")
        section = opt.section
        out += _option(opt, "  " if opt.section is not None else "")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(example_config())
