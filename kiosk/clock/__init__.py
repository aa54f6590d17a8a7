"""When things happen: the time, timers, and work that must not run on the Qt thread.

The controller and the fake player ask a Clock for all three instead of calling
time.time, QTimer and QThreadPool themselves, so the same state machine runs on the real
Qt loop (QtClock) or in virtual time (VirtualClock: a simulated week in seconds, every
step deterministic).
"""

from kiosk.clock.base import Clock, Timer, Worker

__all__ = ["Clock", "Timer", "Worker"]
