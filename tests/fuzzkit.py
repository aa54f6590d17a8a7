"""Hypothesis strategies for what an admin or a sync tool writes, and the checks on the result.

The documents are made the way mistakes are made: a plausible file (the real key names, the
values people type: times without quotes, Vietnamese day names, dates in two formats, YAML
1.1 traps like `no` and `07:30`), then damaged as editors and copies damage files (cut off
mid-way by a copy that did not finish, a character typed in the wrong place, a tab, a line
doubled, a UTF-16 save, random bytes). Pure text in, pure checks out: the tests decide what
runs the text (a parser, `kiosk check`, the running player).

Profiles (KIOSK_FUZZ_PROFILE): "ci" (default) is derandomized, the same cases on every run;
"bench" is random and large (bench/fuzz.py sets the number of cases per input kind).
"""

from __future__ import annotations

import os
import re
import string
from collections import Counter
from collections.abc import Iterable

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from kiosk.config import OPTIONS
from kiosk.core.problems import Problem
from kiosk.core.procedure_slide import SLIDE_KEYS
from kiosk.core.schedule_yaml import SCHEDULE_KEYS

CI_EXAMPLES = int(os.environ.get("KIOSK_FUZZ_CI_EXAMPLES", "150"))
BENCH_EXAMPLES = int(os.environ.get("KIOSK_FUZZ_EXAMPLES", "10000"))

settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES,
    derandomize=True,  # the same cases every run: a CI failure reproduces at once
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "bench",
    max_examples=BENCH_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
settings.load_profile(os.environ.get("KIOSK_FUZZ_PROFILE", "ci"))

# Cases run per input kind in this process (bench/fuzz.py prints them).
CASES: Counter[str] = Counter()
# Distinct problem messages seen, with numbers and quoted values masked (bench/fuzz.py).
TEMPLATES: dict[str, Counter[str]] = {}
# KIOSK_FUZZ_COLLECT=1: list messages without a remedy here instead of failing on the first.
COLLECT = os.environ.get("KIOSK_FUZZ_COLLECT") == "1"
NO_REMEDY: dict[str, dict[str, str]] = {}  # kind -> template -> an example

# --------------------------------------------------------------------------------- scalars

# What people type where a value goes, the YAML 1.1 traps among them.
TYPED = [
    "07:30",
    "7:30",
    '"07:30-11:30"',
    "07:30-11:30",
    '["07:30-11:30", "13:30-17:00"]',
    '"22:00-06:00"',
    '"24:00-25:00"',
    '"11:30-07:30"',
    '"07:30 - 11:30"',
    '"7h30-11h30"',
    "yes",
    "no",
    "on",
    "off",
    "true",
    "~",
    "null",
    "''",
    '""',
    "0",
    "-1",
    "1e309",
    "-1e309",
    ".inf",
    ".nan",
    "0x1F",
    "012",
    "1_000",
    "3.5",
    "99999999999999999999999",
    "2026-12-31",
    "2026-02-30",
    "2026-13-01",
    '"31/12/2026"',
    '"30/02/2026"',
    "{from: 2027-02-05, to: 2027-02-11}",
    "{from: 2027-02-11, to: 2027-02-05}",
    "mon-fri",
    "sat",
    "t2-t6",
    "thứ 2",
    "Thứ Hai",
    "chủ nhật",
    "cn",
    "[t2, t4, t6]",
    "sun-mon",
    "closed",
    '"#0c2a5c"',
    "#0c2a5c",
    '"#12345"',
    '"red"',
    "Ctrl+Alt+Shift+Q",
    '"Ctrl+"',
    "Asia/Ho_Chi_Minh",
    "Mars/Olympus",
    '"../../etc/passwd"',
    "/etc/passwd",
    "https://dichvucong.gov.vn",
    "http://",
    "javascript:alert(1)",
    "procedure",
    "cut",
    "fade",
    "[]",
    "{}",
    "&anchor x",
    "*anchor",
    "*nowhere",
    "!!binary aGVsbG8=",
    "!!python/object/apply:os.system [echo]",
    "!!str 1",
    "!!int x",
    "<<: *a",
    "|",
    ">",
    "'unterminated",
    '"unterminated',
    "[1, 2",
    "{a: 1",
    "Hướng dẫn nộp hồ sơ",
    "Cấp bản sao trích lục hộ tịch",
    "a\tb",
    "\u200b",
    "\u202eevil",
    "x" * 300,
]

# Any Unicode character Python can hold, surrogates and controls included.
ANY_CHAR = st.characters(codec=None)
WORDS = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + "-_.:/ ăâđêôơưáàảãạớờởỡợ"),
    max_size=20,
)
RAW_TEXT = st.text(alphabet=ANY_CHAR, max_size=40)


def plain_scalar(text: str) -> str:
    """`text` as a YAML scalar that yaml.safe_dump would write (quoted when needed)."""
    dumped = yaml.safe_dump(text, allow_unicode=True, default_flow_style=True, width=10**6)
    return dumped.removesuffix("\n...\n").removesuffix("\n")


scalar = st.one_of(
    st.sampled_from(TYPED),
    WORDS,
    RAW_TEXT.map(plain_scalar),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)

# ------------------------------------------------------------------------------ documents


def render(value: object, indent: int = 0) -> list[str]:
    """A block-style YAML rendering of nested dicts/lists whose leaves are raw scalar text,
    written by hand (not yaml.dump) so that unquoted times and bad scalars go in as typed."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, dict | list) and v:
                lines.append(f"{pad}{k}:")
                lines += render(v, indent + 1)
            else:
                lines.append(f"{pad}{k}: {leaf(v)}")
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict) and v:
                inner = render(v, indent + 1)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines += inner[1:]
            elif isinstance(v, list) and v:
                lines.append(f"{pad}-")
                lines += render(v, indent + 1)
            else:
                lines.append(f"{pad}- {leaf(v)}")
    else:
        lines.append(f"{pad}{leaf(value)}")
    return lines


def leaf(v: object) -> str:
    if isinstance(v, dict | list):
        return "{}" if isinstance(v, dict) else "[]"
    return str(v)


def mapping(keys: st.SearchStrategy[str], values: st.SearchStrategy[object], size: int = 8):  # type: ignore[no-untyped-def]
    return st.dictionaries(keys, values, max_size=size)


def key_of(known: Iterable[str]) -> st.SearchStrategy[str]:
    """Mostly the real key names, sometimes a typo, a case change or anything at all."""
    names = sorted(set(known))
    return st.one_of(
        st.sampled_from(names),
        st.sampled_from(names).map(lambda k: k[:-1] or k),
        st.sampled_from(names).map(str.upper),
        WORDS.filter(lambda w: w.strip() != "" and ":" not in w and not w.startswith(("-", " "))),
        RAW_TEXT.map(plain_scalar),
    )


SCHEDULE = SCHEDULE_KEYS


def schedule_value(key: str) -> st.SearchStrategy[object]:
    return st.one_of(
        scalar,
        st.lists(scalar, max_size=4),
        st.just({"from": "2027-02-05", "to": "2027-02-11"}),
    )


leaf_or_list = st.one_of(scalar, st.lists(scalar, max_size=5))
value_tree = st.recursive(
    leaf_or_list, lambda inner: st.one_of(st.lists(inner, max_size=4), mapping(WORDS, inner, 4))
)


def config_doc() -> st.SearchStrategy[str]:
    sections: dict[str, list[str]] = {}
    top: list[str] = []
    for o in OPTIONS:
        if "." in o.name:
            sec, key = o.name.split(".", 1)
            sections.setdefault(sec, []).append(key)
        else:
            top.append(o.name)
    hours_keys = ["mon-fri", "sat", "sun", "t2-t6", "thứ 7", "chủ nhật", "mon", "fri-mon", "xyz"]
    section_st = {
        sec: mapping(key_of(keys), st.one_of(scalar, value_tree, st.just({})))
        for sec, keys in sections.items()
    }
    hours = mapping(key_of(hours_keys), st.one_of(scalar, st.lists(scalar, max_size=3)), size=7)
    holidays = st.lists(
        st.one_of(scalar, st.just({"from": "2027-02-05", "to": "2027-02-11"})), max_size=4
    )
    top_value = {
        "hours": st.one_of(hours, scalar),
        "holidays": st.one_of(holidays, scalar),
    }

    @st.composite
    def build(draw: st.DrawFn) -> str:
        doc: dict[str, object] = {}
        for name in draw(st.lists(st.sampled_from(sorted(sections) + top), max_size=10)):
            if name in section_st:
                doc[name] = draw(st.one_of(section_st[name], scalar))
            elif name in top_value:
                doc[name] = draw(top_value[name])
            else:
                doc[name] = draw(scalar)
        if draw(st.booleans()):
            doc[draw(key_of(["office", "display", "unknown", "slide.duration"]))] = draw(scalar)
        return "\n".join(render(doc)) + "\n"

    return build()


ITEM_KEYS = ("file", "folder", "duration", "title", *SCHEDULE)


def playlist_doc() -> st.SearchStrategy[str]:
    item_value = st.one_of(scalar, st.lists(scalar, max_size=3))
    item = st.one_of(
        scalar,
        mapping(key_of(ITEM_KEYS), item_value, 6),
        st.fixed_dictionaries(
            {"file": st.one_of(st.sampled_from(["1-a.mp4", "2-b.png", "x/3-c.md"]), scalar)},
            optional={k: item_value for k in ("duration", "title", *SCHEDULE)},
        ),
    )
    top = st.one_of(
        st.fixed_dictionaries(
            {"items": st.one_of(st.lists(item, max_size=6), scalar)},
            optional={"transition": scalar, "fade_seconds": scalar},
        ),
        mapping(key_of(("items", "transition", "fade_seconds")), st.lists(item, max_size=3), 3),
        st.lists(item, max_size=6),
        scalar,
    )
    return top.map(lambda d: "\n".join(render(d)) + "\n")


def sidecar_doc() -> st.SearchStrategy[str]:
    value = st.one_of(scalar, st.lists(scalar, max_size=3))
    return st.one_of(
        mapping(key_of(SCHEDULE), value, 5),
        st.lists(scalar, max_size=3),
        scalar,
    ).map(lambda d: "\n".join(render(d)) + "\n")


SLIDE_FIELDS = SLIDE_KEYS


def slide_yaml_doc() -> st.SearchStrategy[str]:
    texts = st.lists(st.one_of(scalar, value_tree), max_size=6)
    value = st.one_of(scalar, texts)
    return st.one_of(
        st.fixed_dictionaries(
            {"title": scalar, "steps": st.one_of(texts, scalar)},
            optional={k: value for k in SLIDE_FIELDS if k not in ("title", "steps")},
        ),
        mapping(key_of(SLIDE_FIELDS), value, 8),
        scalar,
    ).map(lambda d: "\n".join(render(d)) + "\n")


def slide_markdown_doc() -> st.SearchStrategy[str]:
    front_value = st.one_of(scalar, st.lists(scalar, max_size=3))
    front = mapping(key_of(SLIDE_FIELDS), front_value, 6).map(lambda d: "\n".join(render(d)))
    body_line = st.one_of(
        RAW_TEXT.map(lambda t: "# " + t),
        RAW_TEXT.map(lambda t: "## " + t),
        st.tuples(st.integers(0, 1200), RAW_TEXT).map(lambda p: f"{p[0]}. {p[1]}"),
        RAW_TEXT.map(lambda t: "- " + t),
        RAW_TEXT.map(lambda t: "  " + t),
        st.just(""),
        st.just("<!-- note -->"),
        st.just("---"),
        RAW_TEXT,
        st.sampled_from(["**Lệ phí:** 8.000 đồng", "`code`", "1) bước", "* ghi chú"]),
    )

    @st.composite
    def build(draw: st.DrawFn) -> str:
        parts = []
        shape = draw(st.sampled_from(["front", "front-open", "none", "dots"]))
        if shape == "front":
            parts += ["---", draw(front), "---"]
        elif shape == "front-open":
            parts += ["---", draw(front)]
        elif shape == "dots":
            parts += ["---", draw(front), "..."]
        parts += draw(st.lists(body_line, max_size=15))
        return "\n".join(parts) + draw(st.sampled_from(["\n", "", "\r\n"]))

    return build()


def ticker_doc() -> st.SearchStrategy[str]:
    line = st.one_of(
        RAW_TEXT,
        st.text(alphabet=ANY_CHAR, max_size=400),
        st.sampled_from(
            [
                "Giờ làm việc: 7:30 - 17:00",
                "\ufeffBOM first",
                "\t \u3000",
                "\u202e\u202d",
                "𝓤𝓷𝓲𝓬𝓸𝓭𝓮 ✅ 🇻🇳 👩‍👩‍👧‍👦",
                "ﷺ" * 50,
                "a\u0301" * 200,
                "\x00\x07\x1b[31m",
            ]
        ),
    )
    return st.lists(line, max_size=30).map("\n".join)


# ------------------------------------------------------------------------------ damage

DAMAGE = (
    "none",
    "truncate",  # a copy cut off mid-way
    "insert",  # a stray character
    "tab",  # a tab where spaces were
    "dup",  # a line doubled (a bad merge)
    "utf16",  # saved as UTF-16 by a Windows editor
    "bom",  # UTF-8 with a BOM (Notepad)
    "crlf",  # Windows line ends
    "bytes",  # random bytes spliced in
    "nul",  # a NUL byte (a torn write on some file systems)
)


@st.composite
def damaged(draw: st.DrawFn, doc: st.SearchStrategy[str]) -> bytes:
    """A document as bytes, maybe damaged the way files get damaged."""
    text = draw(doc)
    how = draw(st.sampled_from(DAMAGE))
    data = text.encode("utf-8", errors="surrogatepass")
    if how == "truncate" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif how == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(ANY_CHAR) + text[at:]
        data = text.encode("utf-8", errors="surrogatepass")
    elif how == "tab":
        data = data.replace(b"  ", b"\t", 1)
    elif how == "dup":
        lines = data.split(b"\n")
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
        data = b"\n".join(lines)
    elif how == "utf16":
        data = text.encode("utf-16", errors="surrogatepass")
    elif how == "bom":
        data = b"\xef\xbb\xbf" + data
    elif how == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif how == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    elif how == "nul":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" + data[at:]
    return data


def any_input(doc: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Mostly plausible documents, damaged or not; sometimes plain random bytes or text."""
    return st.one_of(
        damaged(doc),
        damaged(doc),
        damaged(doc),
        st.binary(max_size=200),
        st.text(alphabet=ANY_CHAR, max_size=200).map(
            lambda t: t.encode("utf-8", errors="surrogatepass")
        ),
    )


# ------------------------------------------------------------------------------ checks

SHAPE = re.compile(r"(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>.+)")
# A message says what to do: after "; ", or as what is expected ("must be", "needs", "use").
REMEDY = re.compile(
    r"; \S|\b(must|needs?|expected|use|add|write|put|remove|delete|save|check|fix|give|"
    r"quote|choose|rename|make|start|shorten|did you mean|known names|takes|holds|only|is `|"
    r"are `|from .* to |the player shows)\b",
    re.IGNORECASE,
)


LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def template(message: str) -> str:
    """The message with the values in it masked, to count distinct kinds of message."""
    masked = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "<v>", message)
    masked = re.sub(r"\d+", "<n>", masked)
    return masked[:160]


def check_problems(kind: str, problems: Iterable[Problem], path: str, data: bytes) -> None:
    """Every problem is one line `path:line:col: severity: message` with a real position in
    the file, and says what to do."""
    # Lines as YAML and editors count them (not str.splitlines, which also splits at \v, \f).
    text = data.decode("utf-8", errors="replace")
    lines = max(data.count(b"\n"), len(LINE_BREAK.findall(text))) + 1
    for p in problems:
        text = str(p)
        assert "\n" not in text and "\r" not in text, f"a problem spans lines: {text!r}"
        m = SHAPE.fullmatch(text)
        assert m is not None, f"not path:line:col: severity: message: {text!r}"
        assert m["path"] == path, text
        assert 1 <= int(m["line"]) <= lines + 1, f"line outside the file ({lines}): {text!r}"
        assert int(m["col"]) >= 1, text
        TEMPLATES.setdefault(kind, Counter())[template(m["msg"])] += 1
        if COLLECT and not REMEDY.search(m["msg"]):
            NO_REMEDY.setdefault(kind, {}).setdefault(template(m["msg"]), text)
            continue
        assert REMEDY.search(m["msg"]), f"no remedy in: {text!r}"
