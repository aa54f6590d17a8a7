"""The province's content tiers and their names, in Syncthing and on a player's disk.

One Syncthing folder per tier, send-only at the hub, receive-only at the offices:
    province         id kiosk-province      label 10-province  every office
    group:G          id kiosk-group-G       label 20-G         the offices of group G
    office:ID        id kiosk-office-ID     label 30-office    that office alone
A player accepts the hub's folders into its sync folder under the folder's label, so the
tiers play in that order (natural order), each tier's own playlist.yaml ordering its files.
Each office sends its state folder (status, screenshot, proof of play) back as
kiosk-state-XXXXXXX (its device's short ID), which the hub keeps under offices/ID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "kiosk-"
STATE_PREFIX = "kiosk-state-"
_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
_DEVICE = re.compile(r"^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$")


def check_name(name: str, what: str) -> str | None:
    """None if `name` can name an office or a group (it becomes part of folder names)."""
    if _NAME.match(name):
        return None
    return (
        f"{what} {name!r}: use 1 to 40 lowercase letters, digits and dashes, "
        "not starting or ending with a dash (e.g. 'ubnd-xa-an-phu'); "
        'put the full Vietnamese name in --name "..."'
    )


def normal_device_id(text: str) -> str | None:
    """A Syncthing device ID in its usual form (8 groups of 7, upper case), or None."""
    plain = re.sub(r"[\s-]", "", text).upper()
    if len(plain) != 56:
        return None
    dashed = "-".join(plain[i : i + 7] for i in range(0, 56, 7))
    return dashed if _DEVICE.match(dashed) else None


def short_id(device_id: str) -> str:
    """The short form Syncthing itself shows and writes in `modifiedBy` (first 7 characters)."""
    return device_id[:7]


def state_folder_id(device_id: str) -> str:
    return STATE_PREFIX + short_id(device_id).lower()


@dataclass(frozen=True, order=True)
class Tier:
    order: int  # 10, 20, 30: the tiers' order on screen
    kind: str  # "province" | "group" | "office"
    name: str = ""  # the group or the office; "" for the province

    @property
    def folder_id(self) -> str:
        return f"{PREFIX}{self.kind}" + (f"-{self.name}" if self.name else "")

    @property
    def label(self) -> str:
        """The folder's name on a player (Syncthing names auto-accepted folders by label)."""
        if self.kind == "group":
            return f"20-{self.name}"
        return f"{self.order}-{self.kind}"

    @property
    def hub_dir(self) -> str:
        """The folder's name under the hub's content/."""
        return self.kind + (f"-{self.name}" if self.name else "")

    @property
    def target(self) -> str:
        return self.kind + (f":{self.name}" if self.name else "")


PROVINCE = Tier(10, "province")


def group(name: str) -> Tier:
    return Tier(20, "group", name)


def office(name: str) -> Tier:
    return Tier(30, "office", name)


def parse_target(text: str) -> Tier | str:
    """`province`, `group:G` or `office:ID` as a Tier; else what to write instead."""
    kind, _, name = text.strip().partition(":")
    if kind == "province" and not name:
        return PROVINCE
    if kind in ("group", "office") and name:
        problem = check_name(name, kind)
        return problem if problem else (group(name) if kind == "group" else office(name))
    return f"{text!r}: write province, group:NAME or office:ID"


def tier_of_folder(folder_id: str) -> Tier | None:
    """The tier a Syncthing folder ID names, or None (a state folder or someone else's)."""
    if folder_id == PROVINCE.folder_id:
        return PROVINCE
    for kind, make in (("group", group), ("office", office)):
        prefix = f"{PREFIX}{kind}-"
        if folder_id.startswith(prefix) and not check_name(folder_id[len(prefix) :], kind):
            return make(folder_id[len(prefix) :])
    return None
