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

Which `.yaml`/`.yml`/`.md` files are slides is decided by name (`kind_of` in model.py):
all of them except `playlist.*`, `readme.*`, `ticker.*` and sidecars (`NAME.EXT.yaml` next to
a shown file `NAME.EXT`). A YAML file there that is not a slide is therefore listed as
broken, with the reason, and never shown.

The fields and their checks are shared by both formats (procedure_slide.py); this module
reads the two formats. Pure: bytes in, values and Problems out; the caller reads the file.
"""

from __future__ import annotations

import re

from kiosk.core.model import extension
from kiosk.core.msg import _
from kiosk.core.problems import Position, Problem
from kiosk.core.procedure_slide import ProcedureSlide, build_slide
from kiosk.core.yamlpos import YMap, YNode, decode, describe, parse

__all__ = [
    "MARKDOWN_EXTENSIONS",
    "parse_procedure",
    "parse_procedure_markdown",
    "parse_procedure_yaml",
]

MARKDOWN_EXTENSIONS = frozenset({".md"})


def parse_procedure(data: bytes, path: str) -> tuple[ProcedureSlide | None, list[Problem]]:
    """A `.md` file as Markdown, anything else as YAML."""
    if extension(path) in MARKDOWN_EXTENSIONS:
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
                Problem(Position(path, 1, 1), _("the slide is empty; write `title:` and `steps:`"))
            )
        return None, problems
    if not isinstance(node, YMap):
        problems.append(
            Problem(
                node.pos,
                _("a slide is `title:`, `steps:` ... lines, not {what}", what=describe(node)),
            )
        )
        return None, problems
    return build_slide(node, path, problems, None, (), ())


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
                    _(
                        "the front matter that starts here has no closing '---' line; add one "
                        "after the last `key: value` line"
                    ),
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
            Problem(
                node.pos,
                _("the front matter must be `key: value` lines, not {what}", what=describe(node)),
            )
        )
        node = None
    front = node if isinstance(node, YMap) else YMap([], Position(path, 1, 1))
    for key, _v in front:
        if key.raw == "steps":
            problems.append(
                Problem(
                    key.pos,
                    _(
                        "write the steps in the text below the front matter "
                        "(`1. ...` lines), not here"
                    ),
                )
            )
        elif key.raw == "notes":
            problems.append(
                Problem(
                    key.pos,
                    _(
                        "write the notes in the text below the front matter "
                        "(`- ...` lines), not here"
                    ),
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
                        _(
                            "a second title (the first is at line {line}); "
                            "a slide has one `# Title` line",
                            line=title[1].line,
                        ),
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
                    _(
                        "sub-headings (##) are not shown; use `1. ` lines for steps and "
                        "`- ` lines for notes"
                    ),
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
                _(
                    "this text is not shown: start it with `1. ` for a step or `- ` for "
                    "a note (or `# ` for the title)"
                ),
                "warning",
            )
        )
    return build_slide(front, path, problems, title, tuple(steps), tuple(notes), markdown=True)
