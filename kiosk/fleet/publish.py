"""`kiosk fleet publish` and `unpublish`: files into a tier's hub folder, checked and whole.

A file is checked the way `kiosk check` checks it (the same probes, the same playlist and
schedule parsers) before anything is copied; one broken file refuses the whole batch, so a
tier never holds half of what the admin meant to send. Each file is copied under a name
Syncthing never scans (its own temporary prefix, `.syncthing.`), flushed to disk, then
renamed into place: Syncthing only ever sees the complete file. A file replaced or
unpublished is moved into the folder's `.stversions/` under Syncthing's own naming
(`name~YYYYMMDD-HHMMSS.ext`), so the Versions dialog of Syncthing's GUI can restore it.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.core.fleettiers import PROVINCE, Tier, parse_target
from kiosk.core.model import Position, Problem, kind_of
from kiosk.core.names import is_ignored_dir, is_ignored_name
from kiosk.core.schedule import DEFAULT_TIMEZONE
from kiosk.fleet.hub import syncthing_for
from kiosk.fleet.registry import Fleet, FleetError, load
from kiosk.fleet.rest import SyncthingError

Out = Callable[[str], None]
PLAYLIST = "playlist.yaml"
TEMP_PREFIX = ".syncthing.kiosk-publish."  # Syncthing's scanner skips `.syncthing.*`
VERSIONS = ".stversions"


def target_tier(fleet: Fleet, text: str) -> Tier:
    tier = parse_target(text)
    if isinstance(tier, str):
        raise FleetError(tier)
    if tier != PROVINCE and not fleet.members(tier):
        known = ", ".join(f"group:{g}" for g in fleet.groups()) or "none yet"
        if tier.kind == "office":
            known = ", ".join(sorted(fleet.offices)) or "none yet"
        raise FleetError(f"{tier.target}: no such {tier.kind} in this fleet (known: {known})")
    return tier


def check_name(rel: str) -> str | None:
    """Why the players would never show a file published under `rel`, or None."""
    parts = rel.split("/")
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return f"{rel!r}: give a name inside the tier (no leading /, no ..)"
    if any(is_ignored_dir(p) for p in parts[:-1]) or is_ignored_name(parts[-1]):
        return f"{rel!r}: the players ignore such names (hidden or temporary); rename it"
    return None


def check_file(src: Path, rel: str) -> list[str]:
    """`kiosk check`'s verdict on one file to publish: [] if the players can use it."""
    if not src.is_file():
        return [f"{src}: not a file"]
    if problem := check_name(rel):
        return [problem]
    base = posixpath.basename(rel)
    if base == PLAYLIST:
        from kiosk.core.playlist import parse_playlist

        spec = parse_playlist(src.read_bytes(), str(src), DEFAULT_TIMEZONE)
        return [str(p) for p in spec.problems if p.severity == "error"]
    if base.lower().endswith((".yaml", ".yml")) and kind_of(base[: base.rfind(".")]):
        from kiosk.core.schedule_yaml import parse_sidecar

        _, found = parse_sidecar(src.read_bytes(), str(src), DEFAULT_TIMEZONE)
        return [str(p) for p in found if p.severity == "error"]
    if kind_of(base) is None:
        return [
            f"{src}: not something a player shows (videos, images, PDFs, .md/.yaml slides, "
            f"{PLAYLIST} or a NAME.EXT.yaml schedule)"
        ]
    from kiosk.commands import offscreen_app
    from kiosk.media.probe import ProbeInconclusive, probe

    _app = offscreen_app()  # kept alive while text slides are laid out
    try:
        reason = probe(str(src))
    except ProbeInconclusive as e:
        reason = f"could not be checked: {e}"
    return [] if reason is None else [f"{src}: cannot be played: {reason}"]


def listed_files(playlist: Path, rel_dir: str) -> list[tuple[str, Position]]:
    """The files a tier's playlist names (`file:` entries), as paths in the tier."""
    from kiosk.core.playlist import parse_playlist

    try:
        spec = parse_playlist(playlist.read_bytes(), str(playlist), DEFAULT_TIMEZONE)
    except OSError:
        return []
    return [
        (posixpath.normpath(posixpath.join(rel_dir, e.file.strip())), e.pos)
        for e in spec.entries
        if e.file is not None
    ]


def _missing_from_tier(folder: Path, pairs: list[tuple[Path, str]], tier: Tier) -> list[str]:
    """A playlist.yaml naming files the tier will not hold: every office would report it."""
    coming = {rel for _, rel in pairs}
    problems = []
    for src, rel in pairs:
        if posixpath.basename(rel) != PLAYLIST:
            continue
        for name, pos in listed_files(src, posixpath.dirname(rel)):
            if name not in coming and not (folder / name).is_file():
                problems.append(
                    str(
                        Problem(
                            pos,
                            f"{name!r} is not in {tier.target} nor in this publish: publish "
                            "it with the playlist, or take it out of the playlist",
                        )
                    )
                )
    return problems


def _still_listed(folder: Path, rels: list[str], tier: Tier) -> list[str]:
    """Files to unpublish that a playlist.yaml staying in the tier still names."""
    problems = []
    for playlist in folder.rglob(PLAYLIST):
        rel_dir = playlist.parent.relative_to(folder).as_posix()
        if posixpath.normpath(posixpath.join(rel_dir, PLAYLIST)) in rels:
            continue
        for name, pos in listed_files(playlist, "" if rel_dir == "." else rel_dir):
            if name in rels:
                problems.append(
                    f"{name} is still listed in {tier.target}'s playlist (line {pos.line}): "
                    "publish a playlist.yaml without it first, or unpublish the playlist too"
                )
    return problems


def _tag(when: float) -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(when))


def archive(folder: Path, rel: str, move: bool) -> Path:
    """Keeps the current `rel` in .stversions (a hard link, or moved away if `move`)."""
    stem, ext = posixpath.splitext(posixpath.basename(rel))
    dest = folder / VERSIONS / posixpath.dirname(rel) / f"{stem}~{_tag(time.time())}{ext}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    if move:
        os.replace(folder / rel, dest)
    else:
        os.link(folder / rel, dest)
    return dest


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def place(src: Path, folder: Path, rel: str) -> Path:
    """Copy under a name Syncthing never scans, fsync, then rename into place."""
    final = folder / rel
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f"{TEMP_PREFIX}{final.name}.tmp"
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
            fout.flush()
            os.fsync(fout.fileno())
        shutil.copystat(src, tmp)  # its time stamp: players treat an old file as settled
        if final.is_file():
            archive(folder, rel, move=False)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(final.parent)
    return final


def _scan_now(fleet: Fleet, home: Path | None, tier: Tier, rels: list[str], out: Out) -> None:
    """Asks Syncthing to scan these paths at once rather than after its watcher delay."""
    try:
        api = syncthing_for(home, fleet)
        for rel in rels:
            api.post("/rest/db/scan", folder=tier.folder_id, sub=rel)
    except SyncthingError as e:
        out(f"  note: {e} (Syncthing's own watcher will pick the change up)")


def _reach(fleet: Fleet, tier: Tier) -> str:
    members = sorted(o.id for o in fleet.members(tier))
    return f"{len(members)} office(s)" + (f": {', '.join(members)}" if members else "")


def publish(
    root: Path, home: Path | None, files: list[Path], to: str, as_name: str | None, out: Out
) -> int:
    fleet = load(root)
    tier = target_tier(fleet, to)
    if as_name and len(files) != 1:
        raise FleetError("--as names one file: publish the others separately")
    pairs = [(f, as_name.strip("/") if as_name else f.name) for f in files]
    folder = fleet.tier_dir(tier)
    problems = [p for src, rel in pairs for p in check_file(src, rel)]
    problems = problems or _missing_from_tier(folder, pairs, tier)
    if problems:
        for p in problems:
            out(p)
        out(f"kiosk fleet publish: nothing published: fix the {len(problems)} problem(s) above")
        return 1
    if not (folder / ".stfolder").exists():
        raise FleetError(f"{folder} is not a synced tier folder yet: run `kiosk fleet init`")
    for src, rel in pairs:
        replaced = (folder / rel).is_file()
        place(src, folder, rel)
        size = (folder / rel).stat().st_size
        shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"
        note = " (the previous version is kept in .stversions)" if replaced else ""
        out(f"published {rel} ({shown}) to {tier.target}{note}")
    _scan_now(fleet, home, tier, [rel for _, rel in pairs], out)
    out(f"{tier.target} reaches {_reach(fleet, tier)}")
    return 0


def unpublish(root: Path, home: Path | None, names: list[str], frm: str, out: Out) -> int:
    fleet = load(root)
    tier = target_tier(fleet, frm)
    folder = fleet.tier_dir(tier)
    missing = [n for n in names if check_name(n.strip("/")) or not (folder / n).is_file()]
    if missing:
        listed = sorted(
            str(p.relative_to(folder))
            for p in folder.rglob("*")
            if p.is_file()
            and not any(is_ignored_dir(x) for x in p.relative_to(folder).parts[:-1])
            and not is_ignored_name(p.name)
        )
        holds = ", ".join(listed) or "nothing"
        out(f"not in {tier.target}: {', '.join(missing)}; it holds: {holds}")
        return 1
    rels = [n.strip("/") for n in names]
    if problems := _still_listed(folder, rels, tier):
        for p in problems:
            out(p)
        out("kiosk fleet unpublish: nothing unpublished")
        return 1
    for rel in rels:
        kept = archive(folder, rel, move=True)
        out(f"unpublished {rel} from {tier.target} (kept as {kept.relative_to(folder)})")
    _scan_now(fleet, home, tier, rels, out)
    out(f"it leaves the screens of {_reach(fleet, tier)} at their next item")
    return 0
