"""Where something was written and what is wrong with it: the value every parser returns.

Its own module because everything that reads admin-written text reports problems (YAML
nodes, schedules, playlists, procedure slides, the config) while the playlist model itself
refers to schedules: keeping these two small types apart lets all of them import it without
importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.msg import Msg, _


@dataclass(frozen=True)
class Position:
    """A place in a text file, 1-based, as editors and `path:line:col` show it."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """Something wrong the admin must see: in `kiosk check`, the status file and the log."""

    where: Position
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"

    def as_msg(self) -> Msg:
        """The whole line as a message, for the reader's language (kiosk.i18n.localize)."""
        if self.severity == "warning":
            return _("{where}: warning: {message}", where=str(self.where), message=self.message)
        return _("{where}: error: {message}", where=str(self.where), message=self.message)
