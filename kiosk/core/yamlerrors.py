"""PyYAML's syntax errors as problems an office admin can act on: where, what, what to do.

PyYAML says "mapping values are not allowed here" or "expected <block end>"; the admin who
indented one line wrongly needs "check this line's indentation" at that line. Pure: the
text and PyYAML's exception in, a Problem out.
"""

from __future__ import annotations

import re

import yaml

from kiosk.core.msg import N_, Msg, _
from kiosk.core.problems import Position, Problem

_INDENT = N_("bad indentation; check the spaces at the start of this line (use spaces, not tabs)")

_MESSAGES: list[tuple[re.Pattern[str], str, bool]] = [
    # (pattern on PyYAML's problem text, our message, report at the context mark?)
    (
        re.compile(r"found character '\\t' that cannot start any token"),
        N_("a tab character; YAML indentation must use spaces, not tabs"),
        False,
    ),
    (
        re.compile(r"mapping values are not allowed here"),
        N_(
            "unexpected ':' here; check this line's indentation, "
            "or put the value in quotes if it contains ': '"
        ),
        False,
    ),
    (
        re.compile(r"could not find expected ':'"),
        N_(
            "a line without ':' where 'name: value' was expected; "
            "add the ':' or fix the indentation"
        ),
        True,
    ),
    (re.compile(r"expected <block end>"), _INDENT, False),
    (re.compile(r"did not find expected key"), _INDENT, False),
    (
        re.compile(r"did not find expected '-' indicator"),
        N_("bad indentation in a list; every '-' of one list must start in the same column"),
        False,
    ),
    (
        re.compile(r"found undefined alias '(?P<a>[^']*)'"),
        N_("unknown alias '*{a}'; define '&{a}' before using it, or quote the value"),
        False,
    ),
    (
        re.compile(r"but found another document"),
        N_("a second document ('---'); keep only one document in this file"),
        False,
    ),
    (
        re.compile(r"found unknown escape character"),
        N_(
            "unknown escape after '\\' in a double-quoted value; "
            "use single quotes, or write '\\\\' for a backslash"
        ),
        False,
    ),
    (
        re.compile(r"found character '(?P<c>.)' that cannot start any token"),
        N_("a value cannot start with '{c}'; put the value in quotes"),
        False,
    ),
    (
        re.compile(r"expected ',' or '(?P<c>[\]}])'"),
        N_("a '[' or '{{' is not closed; add the missing '{c}' (or quote the value)"),
        True,
    ),
    (
        re.compile(r"found unexpected end of stream"),
        N_("a quote is not closed; add the closing quote"),
        True,
    ),
]


def syntax_problem(e: yaml.MarkedYAMLError, path: str) -> Problem:
    problem = e.problem or e.context or "invalid YAML"
    mark = e.problem_mark or e.context_mark
    for pattern, template, at_context in _MESSAGES:
        m = pattern.search(problem)
        if m is None:
            continue
        message = Msg(template, m.groupdict())
        if at_context and e.context_mark is not None:
            mark = e.context_mark
        break
    else:
        if e.context:
            message = _(
                "invalid YAML: {problem} ({context}); check the syntax near here",
                problem=problem,
                context=e.context,
            )
        else:
            message = _("invalid YAML: {problem}; check the syntax near here", problem=problem)
    if mark is None:  # pragma: no cover - PyYAML always sets one of the marks
        return Problem(Position(path), message)
    return Problem(Position(path, mark.line + 1, mark.column + 1), message)


_BIG_ESCAPE = re.compile(r"\\U([0-9A-Fa-f]{8})")


def escape_problem(text: str, path: str) -> Problem:
    """An escape past the last Unicode character (U+10FFFF), at its place in the file."""
    index = 0
    for m in _BIG_ESCAPE.finditer(text):
        if int(m[1], 16) > 0x10FFFF:
            index = m.start()
            break
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return Problem(
        Position(path, line, col),
        _(
            "an escape like \\UXXXXXXXX here is past the last Unicode character (10FFFF); "
            "write the character itself, or remove the escape"
        ),
    )


def reader_problem(e: yaml.reader.ReaderError, text: str, path: str) -> Problem:
    index = e.position
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    char = e.character
    code = char if isinstance(char, int) else ord(char)
    return Problem(
        Position(path, line, col),
        _(
            "control character U+{code:04X} is not allowed; delete it (it is often invisible)",
            code=code,
        ),
    )
