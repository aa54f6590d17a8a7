"""What the status file says about the screen: the session, what keeps it on, display power.

Apart from idle.py and power.py so that `kiosk status` gets one small block, built from
values the composition root already holds.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.msg import _, join, to_json
from kiosk.system.idle import IdleReport
from kiosk.system.power import DisplayPower
from kiosk.system.session import Session

__all__ = ["screen_status"]


def screen_status(
    session: Session, idle: IdleReport, power: DisplayPower, closed_mode: str
) -> dict[str, Any]:
    """The `display` block of status.json; its `problems` join the status's problems."""
    problems: list[str] = []
    if idle.warning:
        problems.append(idle.warning)
    if closed_mode == "display_off":
        if power.method.name == "none" and power.setting != "none":
            problems.append(
                _(
                    "closed.mode is display_off, but no display power method works here "
                    "({notes}): the closed hours show a black screen with the TV on",
                    notes=join(power.notes, "; "),
                )
            )
        if power.problem:
            problems.append(
                _(
                    "display power ({method}): {problem}",
                    method=power.method.name,
                    problem=power.problem,
                )
            )
    return {
        "session": session.describe(),
        "kept_on_by": [str(h) for h in idle.held],
        "kept_on_by_msg": [to_json(h) for h in idle.held],
        "not_used": [str(n) for n in idle.notes],
        "not_used_msg": [to_json(n) for n in idle.notes],
        "power": power.info(),
        "problems": problems,
    }
