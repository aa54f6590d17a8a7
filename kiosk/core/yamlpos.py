"""YAML text → small typed nodes that remember where each value was written.

Why not `yaml.safe_load`: it forgets positions, silently keeps the last of duplicate keys, and
resolves YAML 1.1 surprises (`07:30` → 450, `no` → False) without telling anyone. Here every
node carries a `Position` (1-based line and column), scalars keep their raw text and tag so
callers can refuse a surprise with a useful message, and every bad input becomes a `Problem`
instead of an exception. Pure: no filesystem, no Qt; the caller reads the bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kiosk.core.msg import Msg, _
from kiosk.core.problems import Position, Problem
from kiosk.core.yamlerrors import escape_problem, reader_problem, syntax_problem

__all__ = [
    "TAG_BOOL",
    "TAG_FLOAT",
    "TAG_INT",
    "TAG_NULL",
    "TAG_STR",
    "TAG_TIMESTAMP",
    "YMap",
    "YNode",
    "YScalar",
    "YSeq",
    "decode",
    "describe",
    "number_in",
    "parse",
    "parse_bytes",
]

_STD = "tag:yaml.org,2002:"
TAG_STR = _STD + "str"
TAG_INT = _STD + "int"
TAG_FLOAT = _STD + "float"
TAG_BOOL = _STD + "bool"
TAG_NULL = _STD + "null"
TAG_TIMESTAMP = _STD + "timestamp"
_TAG_MERGE = _STD + "merge"


@dataclass(frozen=True, eq=False)
class YScalar:
    """A scalar: `value` resolved like SafeLoader, `raw` the text as written (quotes removed).

    `tag` is the resolved tag (e.g. TAG_INT for an unquoted `07:30`); `style` is None for a
    plain (unquoted) scalar, or one of `'` `"` `|` `>`. For an option that wants text, accept
    only `tag == TAG_STR` and read `raw`, or use `text()`.
    """

    value: object
    raw: str
    tag: str
    pos: Position
    style: str | None = None

    @property
    def kind(self) -> str:
        """Short tag name: 'str', 'int', 'float', 'bool', 'null', 'timestamp', ... ."""
        return self.tag[len(_STD) :] if self.tag.startswith(_STD) else self.tag

    @property
    def is_str(self) -> bool:
        """True when YAML itself reads this as a string (quoted, or plain text like `abc`)."""
        return self.tag == TAG_STR

    @property
    def is_null(self) -> bool:
        return self.tag == TAG_NULL

    def text(self) -> str | None:
        """The string as written if YAML reads it as a string, else None (a surprise)."""
        return self.raw if self.tag == TAG_STR else None


@dataclass(frozen=True, eq=False)
class YMap:
    """A mapping. Keys are scalars; they are matched by their text as written (`raw`)."""

    items: list[tuple[YScalar, YNode]]
    pos: Position

    def get(self, key: str) -> YNode | None:
        for k, v in self.items:
            if k.raw == key:
                return v
        return None

    def key(self, key: str) -> YScalar | None:
        """The key node itself (for the position of an unknown or misplaced key)."""
        for k, _v in self.items:
            if k.raw == key:
                return k
        return None

    def __iter__(self) -> Iterator[tuple[YScalar, YNode]]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True, eq=False)
class YSeq:
    """A sequence; each item keeps its own position."""

    items: list[YNode]
    pos: Position

    def __iter__(self) -> Iterator[YNode]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


YNode = YScalar | YMap | YSeq


def describe(node: YNode) -> Msg:
    """A short human name for what a node is, for 'expected X, got Y' messages."""
    if isinstance(node, YMap):
        return _("a mapping (key: value lines)")
    if isinstance(node, YSeq):
        return _("a list")
    if node.tag == TAG_STR:
        return _("the text {text!r}", text=node.raw)
    if node.tag == TAG_NULL:
        return _("nothing (null)")
    return _(
        "{raw!r} (read by YAML as {kind} {value!r})", raw=node.raw, kind=node.kind, value=node.value
    )


def number_in(node: YNode, low: float, high: float) -> float | None:
    """A plain number from `low` to `high`, or None: booleans and base-60 `1:30` are refused."""
    if not isinstance(node, YScalar) or isinstance(node.value, bool) or ":" in node.raw:
        return None
    if not isinstance(node.value, int | float) or not low <= float(node.value) <= high:
        return None
    return float(node.value)


# ---------------------------------------------------------------------------------------------
# bytes → text

_BOMS_OTHER = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 bytes → text, dropping a UTF-8 BOM (Windows Notepad adds one).

    Invalid UTF-8 is reported at the line and column of the first bad byte, because the admin
    must find it in an editor; the text is then None.
    """
    for bom, name in _BOMS_OTHER:
        if data.startswith(bom):
            return None, [
                Problem(
                    Position(path, 1, 1),
                    _("the file is saved as {encoding}; save it as UTF-8 instead", encoding=name),
                )
            ]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as e:
        start = e.start
        line_start = data.rfind(b"\n", 0, start) + 1
        line = data.count(b"\n", 0, start) + 1
        col = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
        byte = data[start]
        return None, [
            Problem(
                Position(path, line, col),
                _(
                    "invalid UTF-8 (byte 0x{byte:02X}); save the file with UTF-8 encoding",
                    byte=byte,
                ),
            )
        ]


def parse_bytes(data: bytes, path: str) -> tuple[YNode | None, list[Problem]]:
    """`decode` then `parse`: the usual entry point after reading a file."""
    text, problems = decode(data, path)
    if text is None:
        return None, problems
    node, more = parse(text, path)
    return node, problems + more


# ---------------------------------------------------------------------------------------------
# text → nodes


def parse(text: str, path: str) -> tuple[YNode | None, list[Problem]]:
    """Parse one YAML document. Never raises for bad input: problems come back as values.

    Returns (None, []) for an empty file (only comments, or a bare '---'). On a syntax error
    the node is None and there is exactly one problem, at the place the parser stopped.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        return None, [syntax_problem(e, path)]
    except yaml.reader.ReaderError as e:
        return None, [reader_problem(e, text, path)]
    except yaml.YAMLError as e:  # pragma: no cover - every PyYAML error is one of the above
        return None, [Problem(Position(path), _("cannot read YAML: {error}", error=str(e)))]
    except (ValueError, OverflowError):
        # PyYAML's scanner calls chr() on a "\U" escape unchecked (found by fuzzing).
        return None, [escape_problem(text, path)]
    if root is None or (isinstance(root, ScalarNode) and root.value == "" and not root.style):
        return None, []  # nothing, or only '---': an empty document
    builder = _Builder(path)
    return builder.build(root), builder.problems


def _pos(path: str, node: Node) -> Position:
    return Position(path, node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass
class _Builder:
    path: str
    problems: list[Problem] = field(default_factory=list)
    _done: dict[int, YNode] = field(default_factory=dict)
    _active: set[int] = field(default_factory=set)
    _constructor: SafeConstructor = field(default_factory=SafeConstructor)

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(_pos(self.path, node), message))

    def build(self, node: Node) -> YNode:
        # Aliases give the very same node object again: build it once, share the result.
        key = id(node)
        if key in self._done:
            return self._done[key]
        if key in self._active:
            self.problem(node, _("an alias refers to its own anchor (a loop); remove the '*'"))
            return YScalar(None, "", TAG_NULL, _pos(self.path, node))
        self._active.add(key)
        try:
            if isinstance(node, MappingNode):
                result: YNode = self._map(node)
            elif isinstance(node, SequenceNode):
                result = YSeq([self.build(n) for n in node.value], _pos(self.path, node))
            else:
                assert isinstance(node, ScalarNode)
                result = self._scalar(node)
        finally:
            self._active.discard(key)
        self._done[key] = result
        return result

    def _scalar(self, node: ScalarNode) -> YScalar:
        pos = _pos(self.path, node)
        try:
            value = self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            self.problem(
                node,
                _("unknown tag {tag!r}; remove it (only plain YAML values are used)", tag=node.tag),
            )
            return YScalar(node.value, node.value, TAG_STR, pos, node.style)
        except (ValueError, TypeError, ArithmeticError, LookupError):
            # LookupError: PyYAML indexes an empty `!!int ""` or looks up `!!bool ""`.
            tag = node.tag.replace(_STD, "!!")
            self.problem(
                node,
                _("{value!r} cannot be read as {tag}; fix the value", value=node.value, tag=tag),
            )
            return YScalar(node.value, node.value, TAG_STR, pos, node.style)
        return YScalar(value, node.value, node.tag, pos, node.style)

    def _map(self, node: MappingNode) -> YMap:
        items: list[tuple[YScalar, YNode]] = []
        first: dict[str, YScalar] = {}
        merged: list[tuple[YScalar, YNode]] = []
        for knode, vnode in node.value:
            if knode.tag == _TAG_MERGE:
                merged.extend(self._merge_items(vnode))
                continue
            if not isinstance(knode, ScalarNode):
                self.problem(knode, _("a key must be a plain name, not a list or mapping"))
                continue
            k = self._scalar(knode)
            v = self.build(vnode)
            if k.raw in first:
                self.problem(
                    knode,
                    _(
                        "duplicate key {key!r} (first at line {line}); remove one",
                        key=k.raw,
                        line=first[k.raw].pos.line,
                    ),
                )
                continue
            first[k.raw] = k
            items.append((k, v))
        # Merge keys (`<<: *base`): explicit keys win, as in SafeLoader.
        for k, v in merged:
            if k.raw not in first:
                first[k.raw] = k
                items.append((k, v))
        return YMap(items, _pos(self.path, node))

    def _merge_items(self, vnode: Node) -> list[tuple[YScalar, YNode]]:
        sources = vnode.value if isinstance(vnode, SequenceNode) else [vnode]
        out: list[tuple[YScalar, YNode]] = []
        for src in sources:
            built = self.build(src)
            if isinstance(built, YMap):
                out.extend(built.items)
            else:
                self.problem(src, "'<<' (merge) needs a mapping or a list of mappings")
        return out
