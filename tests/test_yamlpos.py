"""yamlpos: positions, friendly syntax errors, duplicate keys, YAML 1.1 surprises exposed."""

from __future__ import annotations

import datetime

import pytest

from kiosk.core.problems import Position
from kiosk.core.yamlpos import (
    TAG_BOOL,
    TAG_INT,
    TAG_NULL,
    TAG_STR,
    YMap,
    YNode,
    YScalar,
    YSeq,
    decode,
    parse,
    parse_bytes,
)

P = "f.yaml"


def to_python(node: YNode | None) -> object:
    """Plain Python values (dict/list/scalars), positions dropped."""
    if node is None:
        return None
    if isinstance(node, YMap):
        return {k.raw: to_python(v) for k, v in node.items}
    if isinstance(node, YSeq):
        return [to_python(v) for v in node.items]
    return node.value


def _ok(text: str) -> YMap | YSeq | YScalar:
    node, problems = parse(text, P)
    assert problems == []
    assert node is not None
    return node


def _one_problem(text: str) -> str:
    _, problems = parse(text, P)
    assert len(problems) == 1, problems
    return str(problems[0])


def test_positions_are_one_based_for_keys_values_and_items() -> None:
    root = _ok("office:\n  name: Một cửa\nitems:\n  - a.mp4\n  - {file: b.png}\n")
    assert isinstance(root, YMap)
    assert root.pos == Position(P, 1, 1)
    office = root.get("office")
    assert isinstance(office, YMap)
    assert office.key("name") is not None
    assert office.key("name").pos == Position(P, 2, 3)  # type: ignore[union-attr]
    name = office.get("name")
    assert isinstance(name, YScalar)
    assert (name.value, name.pos) == ("Một cửa", Position(P, 2, 9))
    items = root.get("items")
    assert isinstance(items, YSeq)
    assert [i.pos for i in items] == [Position(P, 4, 5), Position(P, 5, 5)]
    flow = items.items[1]
    assert isinstance(flow, YMap)
    assert flow.get("file").pos == Position(P, 5, 12)  # type: ignore[union-attr]
    assert [k.raw for k, _ in root] == ["office", "items"]
    assert len(root) == 2


def test_scalars_resolved_like_safeloader_with_raw_and_tag() -> None:
    root = _ok("a: 17:30\nb: no\nc: '17:30'\nd: ~\ne: 1.5\nf: 2024-01-02\ng: !!str 17:30\n")
    assert isinstance(root, YMap)
    a = root.get("a")
    assert isinstance(a, YScalar)
    # YAML 1.1 sexagesimal: the value is 1050, but raw and tag tell the caller.
    assert (a.value, a.raw, a.tag, a.kind, a.style) == (1050, "17:30", TAG_INT, "int", None)
    assert a.text() is None and not a.is_str
    b = root.get("b")
    assert isinstance(b, YScalar)
    assert (b.value, b.raw, b.tag) == (False, "no", TAG_BOOL)
    c = root.get("c")
    assert isinstance(c, YScalar)
    assert (c.value, c.tag, c.style, c.text()) == ("17:30", TAG_STR, "'", "17:30")
    d = root.get("d")
    assert isinstance(d, YScalar) and d.is_null and d.tag == TAG_NULL
    assert to_python(root) == {
        "a": 1050,
        "b": False,
        "c": "17:30",
        "d": None,
        "e": 1.5,
        "f": datetime.date(2024, 1, 2),
        "g": "17:30",
    }


def test_leading_zero_time_is_already_a_string_in_pyyaml() -> None:
    # YAML 1.1's base-60 form needs a first digit 1-9: 07:30 stays text, 7:30 does not.
    root = _ok("a: 07:30\nb: 7:30\n")
    assert isinstance(root, YMap)
    assert to_python(root) == {"a": "07:30", "b": 450}


def test_empty_and_comment_only_files_are_none_without_problem() -> None:
    assert parse("", P) == (None, [])
    assert parse("# nothing yet\n\n", P) == (None, [])
    assert parse("---\n", P) == (None, [])


def test_duplicate_key_reported_at_second_with_first_line() -> None:
    node, problems = parse("a: 1\nb:\n  x: 1\n  x: 2\na: 3\n", P)
    assert [str(p) for p in problems] == [
        f"{P}:4:3: error: duplicate key 'x' (first at line 3); remove one",
        f"{P}:5:1: error: duplicate key 'a' (first at line 1); remove one",
    ]
    assert to_python(node) == {"a": 1, "b": {"x": 1}}  # the first one is kept


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\n b: 2\n", f"{P}:2:3: error: unexpected ':' here; check this line's indentation"),
        ("a:\n\tb: 1\n", f"{P}:2:1: error: a tab character; YAML indentation must use spaces"),
        ("a: 'x\nb: 2\n", f"{P}:1:4: error: a quote is not closed; add the closing quote"),
        ("a: [1, 2\n", f"{P}:1:4: error: a '[' or '{{' is not closed; add the missing ']'"),
        ("a: 1\nb\n", f"{P}:2:1: error: a line without ':' where 'name: value' was expected"),
        ("a:\n  - 1\n  b: 2\n", f"{P}:3:3: error: bad indentation; check the spaces at the start"),
        ("a: *nope\n", f"{P}:1:4: error: unknown alias '*nope'; define '&nope' before using it"),
        ("a: 1\n---\nb: 2\n", f"{P}:2:1: error: a second document ('---')"),
        ("a: @x\n", f"{P}:1:4: error: a value cannot start with '@'; put the value in quotes"),
        ("x: \x01\n", f"{P}:1:4: error: control character U+0001 is not allowed"),
        ('a: "\\q"\n', f"{P}:1:6: error: unknown escape after '\\' in a double-quoted value"),
    ],
)
def test_syntax_errors_are_problems_at_the_right_place(text: str, expected: str) -> None:
    node, problems = parse(text, P)
    assert node is None
    assert len(problems) == 1
    assert str(problems[0]).startswith(expected), str(problems[0])


def test_anchors_aliases_and_merge_keys() -> None:
    root = _ok("base: &b {dur: 5, title: x}\none: *b\ntwo:\n  <<: *b\n  dur: 9\n")
    assert to_python(root) == {
        "base": {"dur": 5, "title": "x"},
        "one": {"dur": 5, "title": "x"},
        "two": {"dur": 9, "title": "x"},
    }


def test_recursive_alias_and_bad_tags_are_problems_not_crashes() -> None:
    msg = _one_problem("a: &x [*x]\n")
    assert msg.startswith(f"{P}:1:4: error: an alias refers to its own anchor")
    _, problems = parse("a: !foo x\nb: !!int zz\n? [k]\n: 1\n", P)
    assert [str(p) for p in problems] == [
        f"{P}:1:4: error: unknown tag '!foo'; remove it (only plain YAML values are used)",
        f"{P}:2:4: error: 'zz' cannot be read as !!int; fix the value",
        f"{P}:3:3: error: a key must be a plain name, not a list or mapping",
    ]


def test_decode_reports_invalid_utf8_with_line_and_col() -> None:
    text, problems = decode("a: 1\nb: ê\xff\n".encode().replace(b"\xc3\xbf", b"\xff"), P)
    assert text is None
    assert [str(p) for p in problems] == [
        f"{P}:2:5: error: invalid UTF-8 (byte 0xFF); save the file with UTF-8 encoding"
    ]


def test_decode_strips_utf8_bom_and_refuses_utf16() -> None:
    assert decode(b"\xef\xbb\xbfa: 1\n", P) == ("a: 1\n", [])
    text, problems = decode("a: 1\n".encode("utf-16"), P)
    assert text is None
    assert (
        str(problems[0]) == f"{P}:1:1: error: the file is saved as UTF-16; save it as UTF-8 instead"
    )


def test_parse_bytes_with_bom_keeps_columns() -> None:
    node, problems = parse_bytes(b"\xef\xbb\xbfa: 1\nb: 2\n", P)
    assert problems == []
    assert isinstance(node, YMap)
    assert node.key("a").pos == Position(P, 1, 1)  # type: ignore[union-attr]
    # A BOM left in the text (caller decoded it itself) is dropped too.
    node2, _ = parse("\ufeffa: 1\n", P)
    assert isinstance(node2, YMap)
    assert node2.key("a").pos == Position(P, 1, 1)  # type: ignore[union-attr]


def test_top_level_scalar_and_crlf() -> None:
    node = _ok("just text\n")
    assert isinstance(node, YScalar) and node.value == "just text"
    root = _ok("a: 1\r\nb: x\r\n")
    assert isinstance(root, YMap)
    assert root.get("b").pos == Position(P, 2, 4)  # type: ignore[union-attr]
