"""What a procedure slide says, and the checks each of its fields passes.

Apart from procedure.py (which reads the two formats, YAML and Markdown) because the fields
and their messages are the same whichever format the admin wrote: one place builds the
slide. The renderer (kiosk.ui.textslide) imports only the ProcedureSlide it lays out.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from kiosk.core.model import IMAGE_EXTENSIONS, extension
from kiosk.core.msg import _
from kiosk.core.playlist import parse_duration
from kiosk.core.problems import Position, Problem
from kiosk.core.schedule import ItemSchedule
from kiosk.core.schedule_yaml import SCHEDULE_KEYS, parse_item_schedule
from kiosk.core.yamlpos import TAG_NULL, YMap, YNode, YScalar, YSeq, describe

__all__ = ["SLIDE_KEYS", "ProcedureSlide", "build_slide"]

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


def build_slide(
    node: YMap,
    path: str,
    problems: list[Problem],
    md_title: tuple[str, Position] | None,
    md_steps: tuple[tuple[str, Position], ...],
    md_notes: tuple[tuple[str, Position], ...],
    *,
    markdown: bool = False,
) -> tuple[ProcedureSlide | None, list[Problem]]:
    """The slide from its fields (`node`) and, for Markdown, the body's title, steps and notes.

    None when the title or the steps are missing or bad (nothing sensible to show); other
    mistakes are reported and the field left out. Schedule keys are read here too.
    """
    for key, _v in node:
        if key.raw not in SLIDE_KEYS:
            problems.append(
                Problem(
                    key.pos,
                    _(
                        "unknown key {key!r}; a slide takes {keys}",
                        key=key.raw,
                        keys=", ".join(SLIDE_KEYS),
                    ),
                )
            )
    kind = node.get("kind")
    if kind is not None and not (isinstance(kind, YScalar) and kind.raw.strip() == "procedure"):
        problems.append(
            Problem(kind.pos, _("`kind:` can only be procedure, got {what}", what=describe(kind)))
        )
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
                _("the title is also given in the front matter, which wins; remove one of them"),
                "warning",
            )
        )
    if title is None and ok:
        if markdown:
            no_title = _("the slide has no title; add a `# Title` line")
        else:
            no_title = _("the slide has no title; add `title: ...`")
        problems.append(Problem(node.pos if not markdown else Position(path, 1, 1), no_title))
        ok = False

    if markdown:
        steps = tuple(t for t, _p in md_steps if t)
        notes = tuple(t for t, _p in md_notes if t)
        for t, p in (*md_steps, *md_notes):
            if not t:
                problems.append(Problem(p, _("an empty step or note; write its text or remove it")))
        if not steps:
            problems.append(
                Problem(
                    Position(path, 1, 1),
                    _("the slide has no steps; add numbered lines like `1. Nộp hồ sơ`"),
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
                    _("the slide has no `steps:`; add a list of steps (lines starting with '- ')"),
                )
            )
            ok = False
        elif steps_list is None:
            ok = False
        elif not steps_list:
            problems.append(Problem(steps_node.pos, _("`steps:` is empty; add at least one step")))
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
                _("`qr_label:` without `qr:`; add the link or remove the label"),
                "warning",
            )
        )
    image = _image(node, problems)
    duration = parse_duration(node, problems)
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
        problems.append(
            Problem(node.pos, _("`{key}:` must be text, got {what}", key=key, what=describe(node)))
        )
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
                _(
                    "`{key}:` must be a list of texts (lines starting with '- '), got {what}",
                    key=key,
                    what=describe(node),
                ),
            )
        )
        return None
    out = []
    for item in node:
        text = _scalar_text(item)
        if text is None:
            what = _("an empty line") if isinstance(item, YScalar) else describe(item)
            problems.append(
                Problem(
                    item.pos,
                    _(
                        "each of `{key}:` must be one text, got {what}; put the text in quotes",
                        key=key,
                        what=what,
                    ),
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
        problems.append(
            Problem(value.pos, _("`qr:` must be a web link, got {what}", what=describe(value)))
        )
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in text:
        problems.append(
            Problem(
                value.pos,
                _(
                    "`qr:` must be a web link starting with https:// (or http://), got {text!r}",
                    text=text,
                ),
            )
        )
        return None
    host = parts.hostname or ""
    if "." not in host and host != "localhost":
        problems.append(
            Problem(
                value.pos,
                _("`qr:` link {text!r} has no proper host name; check the address", text=text),
            )
        )
        return None
    if len(text) > LONG_URL:
        problems.append(
            Problem(
                value.pos,
                _(
                    "the link is long ({n} characters): its QR code gets dense and harder "
                    "to scan from afar; use a shorter link",
                    n=len(text),
                ),
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
        problems.append(
            Problem(value.pos, _("`image:` must be a file name, got {what}", what=describe(value)))
        )
        return None
    name = text.strip().replace("\\", "/")
    clean = posixpath.normpath(name)
    if posixpath.isabs(name) or clean == ".." or clean.startswith("../"):
        problems.append(
            Problem(
                value.pos,
                _(
                    "`image:` {text!r} must be inside the sync folder, relative to this slide "
                    "(e.g. 'hinh/so-do.png')",
                    text=text,
                ),
            )
        )
        return None
    if extension(clean) not in IMAGE_EXTENSIONS:
        problems.append(
            Problem(
                value.pos,
                _(
                    "`image:` {text!r} is not an image the player shows ({types})",
                    text=text,
                    types=" ".join(sorted(e.lstrip(".") for e in IMAGE_EXTENSIONS)),
                ),
            )
        )
        return None
    return clean
