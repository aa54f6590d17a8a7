"""What is on screen: the controller, the only object that writes to the main zone.

machine: the state machine over the playlist; hours: closed hours and the TV's power;
now: the state and records it hands to the status file and the proof of play.
"""

from kiosk.controller.hours import ClosedHours
from kiosk.controller.machine import Controller
from kiosk.controller.now import Counters, NowPlaying, Outcome, Shown, StageView, State

__all__ = [
    "ClosedHours",
    "Controller",
    "Counters",
    "NowPlaying",
    "Outcome",
    "Shown",
    "StageView",
    "State",
]
