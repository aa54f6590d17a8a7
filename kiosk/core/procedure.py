"""Procedure slides written as text: a small YAML file, or Markdown with a front-matter block.

Why text: typing steps and fees into an image editor is where office admins give up. A slide
is written like this and the player lays it out (kiosk.ui.textslide):

    # thu-tuc-khai-sinh.yaml
    title: "Đăng ký khai sinh"
    steps:
      - "Nộp tờ khai và giấy chứng sinh tại Bộ phận Một cửa"
      - "Nhận giấy hẹn, chờ cán bộ kiểm tra hồ sơ"
    notes: ["Mang theo CCCD của cha hoặc mẹ"]
    fee: "Miễn lệ phí"                  # text, or a list of lines
    time_limit: "Trong ngày"
    qr: "https://dichvucong.gov.vn"     # http or https only
    qr_label: "Nộp trực tuyến"          # optional caption under the QR code
    image: "hinh/so-do.png"             # relative to the slide file's folder
    duration: 20                        # seconds on screen
    valid_until: 2026-12-31             # schedule keys, as in a playlist item

or as Markdown (front matter for the fields, the body for title, steps and notes):

    ---
    fee: "Miễn lệ phí"
    qr: "https://dichvucong.gov.vn"
    ---
    # Đăng ký khai sinh
    1. Nộp tờ khai ...
    2. Nhận giấy hẹn ...
    - Mang theo CCCD ...

Which files are slides (`file_role`), so a sync folder can also hold playlists and sidecars:
- `playlist.yaml` / `playlist.yml` (any case) is a playlist, never a slide.
- `NAME.EXT.yaml` / `NAME.EXT.yml` where `NAME.EXT` is itself a shown file (a clip, image,
  PDF or Markdown slide) is that file's sidecar: its schedule, never a slide.
- Any other `.yaml`/`.yml` is a procedure slide only if its top level is a mapping with
  `kind: procedure`, or with both `title:` and `steps:`. Other YAML files are left alone
  (a mapping with `title:` but no `steps:` gets a warning: it looks like an unfinished slide).
- Every `.md` file is a procedure slide, except `README.md` (notes for the people who share
  the folder).

Pure: bytes in, values and Problems out; the caller reads the file.
"""

from __future__ import annotations

import enum
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from kiosk.core.model import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, Position, Problem
from kiosk.core.playlist import parse_duration as _duration
from kiosk.core.schedule import SCHEDULE_KEYS, ItemSchedule, parse_item_schedule
from kiosk.core.yamlpos import (
    TAG_NULL,
    YMap,
    YNode,
    YScalar,
    YSeq,
    decode,
    describe,
    parse,
)

__all__ = [
    "MARKDOWN_EXTENSIONS",
    "PDF_EXTENSIONS",
    "SLIDE_KEYS",
    "TEXT_SLIDE_EXTENSIONS",
    "YAML_EXTENSIONS",
    "FileRole",
    "ProcedureSlide",
    "file_role",
    "parse_procedure",
    "parse_procedure_markdown",
    "parse_procedure_yaml",
]

YAML_EXTENSIONS = frozenset({".yaml", ".yml"})
MARKDOWN_EXTENSIONS = frozenset({".md"})
TEXT_SLIDE_EXTENSIONS = YAML_EXTENSIONS | MARKDOWN_EXTENSIONS
PDF_EXTENSIONS = frozenset({".pdf"})
_SHOWN = VIDEO_EXTENSIONS | IMAGE_EXTENSIONS | PDF_EXTENSIONS | MARKDOWN_EXTENSIONS

LONG_URL = 120  # characters; longer links make dense QR codes that are hard to scan
_FIELD_KEYS = (
    "kind",
    "title",
    "steps",
    "notes",
    "fee",
    "time_limit",
    "qr",
    "qr_label",
    "image",
    "duration",
)
SLIDE_KEYS = _FIELD_KEYS + SCHEDULE_KEYS


class FileRole(enum.Enum):
    SLIDE = "slide"  # a procedure slide (YAML or Markdown)
    PLAYLIST = "playlist"  # the sync folder's playlist.yaml
    SIDECAR = "sidecar"  # NAME.EXT.yaml: the schedule of NAME.EXT
    OTHER = "other"  # not the player's business


@dataclass(frozen=True)
class ProcedureSlide:
    """What one procedure slide says; layout and colours are the renderer's job."""

    source: str
    title: str
    steps: tuple[str, ...]
    notes: tuple[str, ...] = ()
    fee: tuple[str, ...] = ()
    time_limit: str | None = None
    qr: str | None = None
    qr_label: str | None = None
    image: str | None = None  # relative to the slide file's folder, clean, never '..'
    duration: float | None = None
    schedule: ItemSchedule | None = None
    pos: Position = field(default=Position(""), compare=False)

    def texts(self) -> list[str]:
        """Every text the slide shows (for glyph coverage checks)."""
        out = [self.title, *self.steps, *self.notes, *self.fee]
        out += [t for t in (self.time_limit, self.qr_label) if t]
        return out


def _ext(name: str) -> str:
    base = posixpath.basename(name)
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


def file_role(name: str, data: bytes | None = None) -> tuple[FileRole, list[Problem]]:
    """What a `.yaml`/`.yml`/`.md` file in the sync folder is (see the module doc).

    Decided by the name alone where it can be (`data` may then be None); a plain YAML file
    needs its bytes. Never raises; a YAML file that does not parse is OTHER with no problem
    unless it looks like a slide by name alone (it cannot, so: OTHER).
    """
    base = posixpath.basename(name.replace("\\", "/"))
    ext = _ext(base)
    if ext in MARKDOWN_EXTENSIONS:
        if base.lower() == "readme.md":
            return FileRole.OTHER, []
        return FileRole.SLIDE, []
    if ext not in YAML_EXTENSIONS:
        return FileRole.OTHER, []
    stem = base[: -len(ext)]
    if stem.lower() == "playlist":
        return FileRole.PLAYLIST, []
    if _ext(stem) in _SHOWN:
        return FileRole.SIDECAR, []
    if data is None:
        return FileRole.OTHER, []
    text, _ = decode(data, name)
    if text is None:
        return FileRole.OTHER, []
    node, _ = parse(text, name)
    if not isinstance(node, YMap):
        return FileRole.OTHER, []
    kind = node.get("kind")
    if isinstance(kind, YScalar) and kind.raw.strip().lower() == "procedure":
        return FileRole.SLIDE, []
    if node.get("title") is not None and node.get("steps") is not None:
        return FileRole.SLIDE, []
    if node.get("title") is not None:
        key = node.key("title")
        return FileRole.OTHER, [
            Problem(
                key.pos if key else node.pos,
                "this file has `title:` but no `steps:`, so it is not shown as a procedure "
                "slide; add `steps:` (or `kind: procedure`) to make it one",
                "warning",
            )
        ]
    return FileRole.OTHER, []


def parse_procedure(data: bytes, path: str) -> tuple[ProcedureSlide | None, list[Problem]]:
    """A `.md` file as Markdown, anything else as YAML."""
    if _ext(path) in MARKDOWN_EXTENSIONS:
        return parse_procedure_markdown(data, path)
    return parse_procedure_yaml(data, path)


# ---------------------------------------------------------------------------------------------
# YAML


def parse_procedure_yaml(data: bytes, path: str) -> tuple[ProcedureSlide | None, list[Problem]]:
    """A YAML slide → ProcedureSlide. None when the title or the steps are missing or bad
    (nothing sensible to show); other mistakes are reported and the field left out."""
    text, problems = decode(data, path)
    if text is None:
        return None, problems
    node, more = parse(text, path)
    problems += more
    if node is None:
        if not more:
            problems.append(
                Problem(Position(path, 1, 1), "the slide is empty; write `title:` and `steps:`")
            )
        return None, problems
    if not isinstance(node, YMap):
        problems.append(
            Problem(node.pos, f"a slide is `title:`, `steps:` ... lines, not {describe(node)}")
        )
        return None, problems
    return _build(node, path, problems, SLIDE_KEYS, None, (), ())


# ---------------------------------------------------------------------------------------------
# Markdown


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_FENCE = re.compile(r"---\s*")
_FENCE_END = re.compile(r"(?:---|\.\.\.)\s*")
_H1 = re.compile(r"#\s+(?P<t>.+?)\s*#*\s*")
_HEADING = re.compile(r"#{2,6}\s")
_ORDERED = re.compile(r"(?P<n>\d{1,3})[.)]\s+(?P<t>.*)")
_BULLET = re.compile(r"[-*+]\s+(?P<t>.*)")
_EMPHASIS = re.compile(r"\*\*|__|`")


def _plain(text: str) -> str:
    """Inline Markdown marks that would otherwise show as literal characters: **, __, `."""
    return " ".join(_EMPHASIS.sub("", text).split())


def parse_procedure_markdown(data: bytes, path: str) -> tuple[ProcedureSlide | None, list[Problem]]:
    """A Markdown slide: optional front matter (`---` lines around YAML) for the fields, then
    `# Title`, `1. step` lines and `- note` lines. Anything else is reported, never dropped
    silently; positions are those of the .md file itself."""
    text, problems = decode(data, path)
    if text is None:
        return None, problems
    # Lines as YAML (the front matter) and editors count them: str.splitlines() also splits
    # at \v, \f and \x1c-\x1e, which put every later position on the wrong line.
    lines = _LINE_BREAK.split(text.removesuffix("\n"))
    node: YNode | None = None
    body_start = 0
    if lines and _FENCE.fullmatch(lines[0]):
        end = next((i for i in range(1, len(lines)) if _FENCE_END.fullmatch(lines[i])), None)
        if end is None:
            problems.append(
                Problem(
                    Position(path, 1, 1),
                    "the front matter that starts here has no closing '---' line; add one "
                    "after the last `key: value` line",
                )
            )
            return None, problems
        # Blank first line instead of the fence: YAML skips it, so line numbers stay right.
        node, more = parse("\n" + "\n".join(lines[1:end]) + "\n", path)
        problems += more
        if more and node is None:
            return None, problems
        body_start = end + 1
    if node is not None and not isinstance(node, YMap):
        problems.append(
            Problem(node.pos, f"the front matter must be `key: value` lines, not {describe(node)}")
        )
        node = None
    front = node if isinstance(node, YMap) else YMap([], Position(path, 1, 1))
    for key, _ in front:
        if key.raw in ("steps", "notes"):
            problems.append(
                Problem(
                    key.pos,
                    f"write the {key.raw} in the text below the front matter "
                    f"({'`1. ...` lines' if key.raw == 'steps' else '`- ...` lines'}), "
                    "not here",
                )
            )
    title: tuple[str, Position] | None = None
    steps: list[tuple[str, Position]] = []
    notes: list[tuple[str, Position]] = []
    current: list[tuple[str, Position]] | None = None  # the list a continuation line joins
    for index in range(body_start, len(lines)):
        line = lines[index]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        pos = Position(path, index + 1, indent + 1)
        if not stripped:
            current = None
            continue
        if stripped.startswith("<!--"):
            continue
        m = _H1.fullmatch(stripped) if indent < 4 else None
        if m:
            if title is not None:
                problems.append(
                    Problem(
                        pos,
                        f"a second title (the first is at line {title[1].line}); "
                        "a slide has one `# Title` line",
                    )
                )
            else:
                title = (_plain(m.group("t")), pos)
            current = None
            continue
        if _HEADING.match(stripped):
            problems.append(
                Problem(
                    pos,
                    "sub-headings (##) are not shown; use `1. ` lines for steps and "
                    "`- ` lines for notes",
                    "warning",
                )
            )
            current = None
            continue
        m = _ORDERED.fullmatch(stripped)
        if m:
            steps.append((_plain(m.group("t")), pos))
            current = steps
            continue
        m = _BULLET.fullmatch(stripped)
        if m:
            notes.append((_plain(m.group("t")), pos))
            current = notes
            continue
        if current is not None and current:
            # A wrapped line continues the step or note above it.
            text_, first = current[-1]
            current[-1] = (f"{text_} {_plain(stripped)}", first)
            continue
        problems.append(
            Problem(
                pos,
                "this text is not shown: start it with `1. ` for a step or `- ` for "
                "a note (or `# ` for the title)",
                "warning",
            )
        )
    return _build(
        front,
        path,
        problems,
        SLIDE_KEYS,
        title,
        tuple(steps),
        tuple(notes),
        markdown=True,
    )


# ---------------------------------------------------------------------------------------------
# shared checks


def _build(
    node: YMap,
    path: str,
    problems: list[Problem],
    allowed: tuple[str, ...],
    md_title: tuple[str, Position] | None,
    md_steps: tuple[tuple[str, Position], ...],
    md_notes: tuple[tuple[str, Position], ...],
    *,
    markdown: bool = False,
) -> tuple[ProcedureSlide | None, list[Problem]]:
    for key, _ in node:
        if key.raw not in allowed:
            problems.append(
                Problem(
                    key.pos,
                    f"unknown key {key.raw!r}; a slide takes {', '.join(allowed)}",
                )
            )
    kind = node.get("kind")
    if kind is not None and not (isinstance(kind, YScalar) and kind.raw.strip() == "procedure"):
        problems.append(Problem(kind.pos, f"`kind:` can only be procedure, got {describe(kind)}"))
    ok = True
    title_node = node.get("title")
    title = _one_text(title_node, "title", problems) if title_node is not None else None
    title_pos = title_node.pos if title_node is not None else node.pos
    if title_node is not None and title is None:
        ok = False
    elif title is None and md_title is not None:
        title, title_pos = md_title
    elif title is not None and md_title is not None:
        problems.append(
            Problem(
                md_title[1],
                "the title is also given in the front matter, which wins; remove one of them",
                "warning",
            )
        )
    if title is None and ok:
        where = "a `# Title` line" if markdown else "`title: ...`"
        problems.append(
            Problem(
                node.pos if not markdown else Position(path, 1, 1),
                f"the slide has no title; add {where}",
            )
        )
        ok = False

    if markdown:
        steps = tuple(t for t, _ in md_steps if t)
        notes = tuple(t for t, _ in md_notes if t)
        for t, p in (*md_steps, *md_notes):
            if not t:
                problems.append(Problem(p, "an empty step or note; write its text or remove it"))
        if not steps:
            problems.append(
                Problem(
                    Position(path, 1, 1),
                    "the slide has no steps; add numbered lines like `1. Nộp hồ sơ`",
                )
            )
            ok = False
    else:
        steps_node = node.get("steps")
        steps_list = _text_list(steps_node, "steps", problems) if steps_node is not None else None
        if steps_node is None:
            problems.append(
                Problem(
                    node.pos,
                    "the slide has no `steps:`; add a list of steps (lines starting with '- ')",
                )
            )
            ok = False
        elif steps_list is None:
            ok = False
        elif not steps_list:
            problems.append(Problem(steps_node.pos, "`steps:` is empty; add at least one step"))
            ok = False
        steps = tuple(steps_list or ())
        notes_node = node.get("notes")
        notes = (
            tuple(_text_list(notes_node, "notes", problems) or ()) if notes_node is not None else ()
        )

    fee_node = node.get("fee")
    fee = tuple(_text_list(fee_node, "fee", problems) or ()) if fee_node is not None else ()
    time_limit = _opt_text(node, "time_limit", problems)
    qr = _url(node, problems)
    qr_label = _opt_text(node, "qr_label", problems)
    label_node = node.get("qr_label")
    if label_node is not None and qr_label is not None and node.get("qr") is None:
        problems.append(
            Problem(
                label_node.pos,
                "`qr_label:` without `qr:`; add the link or remove the label",
                "warning",
            )
        )
    image = _image(node, problems)
    duration = _duration(node, problems)
    schedule, more = parse_item_schedule(node)
    problems += more
    if not ok or title is None:
        return None, problems
    return (
        ProcedureSlide(
            path,
            title,
            steps,
            notes,
            fee,
            time_limit,
            qr,
            qr_label,
            image,
            duration,
            schedule,
            title_pos,
        ),
        problems,
    )


def _scalar_text(node: YNode) -> str | None:
    """Any scalar as the text written (a slide is all text: `2026` or `no` mean themselves).

    A one-pair mapping `Bước 1: nộp hồ sơ` (YAML's reading of an unquoted ': ') is put back
    together as the text the admin wrote.
    """
    if isinstance(node, YScalar):
        if node.tag == TAG_NULL:
            return None
        return " ".join(node.raw.split()) or None
    if isinstance(node, YMap) and len(node) == 1:
        k, v = node.items[0]
        if isinstance(v, YScalar) and v.tag != TAG_NULL:
            return f"{' '.join(k.raw.split())}: {' '.join(v.raw.split())}"
    return None


def _one_text(node: YNode, key: str, problems: list[Problem]) -> str | None:
    text = _scalar_text(node) if isinstance(node, YScalar) else None
    if text is None:
        problems.append(Problem(node.pos, f"`{key}:` must be text, got {describe(node)}"))
    return text


def _opt_text(node: YMap, key: str, problems: list[Problem]) -> str | None:
    value = node.get(key)
    if value is None or (isinstance(value, YScalar) and value.tag == TAG_NULL):
        return None
    return _one_text(value, key, problems)


def _text_list(node: YNode | None, key: str, problems: list[Problem]) -> list[str] | None:
    """A list of texts, or a single text (one line). None (with a problem) when unusable."""
    if node is None or (isinstance(node, YScalar) and node.tag == TAG_NULL):
        return []
    if isinstance(node, YScalar):
        text = _scalar_text(node)
        return [text] if text else []
    if not isinstance(node, YSeq):
        problems.append(
            Problem(
                node.pos,
                f"`{key}:` must be a list of texts (lines starting with '- '), "
                f"got {describe(node)}",
            )
        )
        return None
    out = []
    for item in node:
        text = _scalar_text(item)
        if text is None:
            what = "an empty line" if isinstance(item, YScalar) else describe(item)
            problems.append(
                Problem(
                    item.pos,
                    f"each of `{key}:` must be one text, got {what}; put the text in quotes",
                )
            )
            continue
        out.append(text)
    return out


def _url(node: YMap, problems: list[Problem]) -> str | None:
    value = node.get("qr")
    if value is None or (isinstance(value, YScalar) and value.tag == TAG_NULL):
        return None
    text = value.raw.strip() if isinstance(value, YScalar) else None
    if not text:
        problems.append(Problem(value.pos, f"`qr:` must be a web link, got {describe(value)}"))
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in text:
        problems.append(
            Problem(
                value.pos,
                f"`qr:` must be a web link starting with https:// (or http://), got {text!r}",
            )
        )
        return None
    host = parts.hostname or ""
    if "." not in host and host != "localhost":
        problems.append(
            Problem(value.pos, f"`qr:` link {text!r} has no proper host name; check the address")
        )
        return None
    if len(text) > LONG_URL:
        problems.append(
            Problem(
                value.pos,
                f"the link is long ({len(text)} characters): its QR code gets dense and harder "
                "to scan from afar; use a shorter link",
                "warning",
            )
        )
    return text


def _image(node: YMap, problems: list[Problem]) -> str | None:
    value = node.get("image")
    if value is None or (isinstance(value, YScalar) and value.tag == TAG_NULL):
        return None
    text = value.text() if isinstance(value, YScalar) else None
    if not text or not text.strip():
        problems.append(Problem(value.pos, f"`image:` must be a file name, got {describe(value)}"))
        return None
    name = text.strip().replace("\\", "/")
    clean = posixpath.normpath(name)
    if posixpath.isabs(name) or clean == ".." or clean.startswith("../"):
        problems.append(
            Problem(
                value.pos,
                f"`image:` {text!r} must be inside the sync folder, relative to this slide "
                "(e.g. 'hinh/so-do.png')",
            )
        )
        return None
    if _ext(clean) not in IMAGE_EXTENSIONS:
        problems.append(
            Problem(
                value.pos,
                f"`image:` {text!r} is not an image the player shows "
                f"({' '.join(sorted(e.lstrip('.') for e in IMAGE_EXTENSIONS))})",
            )
        )
        return None
    return clean
