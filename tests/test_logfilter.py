"""Log flood control with an injected clock, and the capped log file on a failing disk."""

from __future__ import annotations

import errno
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.state.logfilter import RateLimitFilter, describe_span
from kiosk.state.logsetup import FILE_BACKUPS, FILE_BYTES, CappedFileHandler, setup_logging


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, RateLimitFilter, Clock, io.StringIO]]:
    clock = Clock()
    flood = RateLimitFilter(60.0, clock=clock)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(flood)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("kiosk.test.flood")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, flood, clock, out
    logger.removeHandler(handler)
    logger.propagate = True


def test_first_passes_repeats_are_counted_then_summarised(
    logged: tuple[logging.Logger, RateLimitFilter, Clock, io.StringIO],
) -> None:
    logger, _, clock, out = logged
    for _ in range(58):  # one every 2 s for ~2 min... but the interval is 60 s
        logger.error("cannot open %s: %s", "a.mp4", "corrupt")
        clock.t += 1
    assert out.getvalue().splitlines() == [
        "ERROR cannot open a.mp4: corrupt",
    ]
    clock.t += 600 - 58
    logger.error("cannot open %s: %s", "a.mp4", "corrupt")
    assert out.getvalue().splitlines()[1] == (
        "ERROR cannot open a.mp4: corrupt (repeated 57 times in the last 10 min)"
    )
    # The count starts again from the line that passed.
    clock.t += 61
    logger.error("cannot open %s: %s", "a.mp4", "corrupt")
    assert out.getvalue().splitlines()[2] == "ERROR cannot open a.mp4: corrupt"


def test_identity_is_logger_level_template_and_args(
    logged: tuple[logging.Logger, RateLimitFilter, Clock, io.StringIO],
) -> None:
    logger, _, _, out = logged
    logger.error("cannot open %s", "a.mp4")
    logger.error("cannot open %s", "a.mp4")
    logger.error("cannot open %s", "b.mp4")  # other args
    logger.warning("cannot open %s", "a.mp4")  # other level
    logger.error("cannot read %s", "a.mp4")  # other template
    logging.getLogger("kiosk.test.flood.child").error("cannot open %s", "a.mp4")  # other logger
    assert len(out.getvalue().splitlines()) == 5


def test_info_and_debug_are_not_limited(
    logged: tuple[logging.Logger, RateLimitFilter, Clock, io.StringIO],
) -> None:
    logger, _, _, out = logged
    for _ in range(3):
        logger.info("showing %s", "a.mp4")
    assert len(out.getvalue().splitlines()) == 3


def test_one_filter_on_two_handlers_counts_each_record_once() -> None:
    clock = Clock()
    flood = RateLimitFilter(60.0, clock=clock)
    outs = [io.StringIO(), io.StringIO()]
    logger = logging.getLogger("kiosk.test.flood2")
    logger.propagate = False
    handlers = [logging.StreamHandler(o) for o in outs]
    for h in handlers:
        h.addFilter(flood)
        logger.addHandler(h)
    try:
        logger.error("boom")
        logger.error("boom")
        clock.t += 120
        logger.error("boom")
    finally:
        for h in handlers:
            logger.removeHandler(h)
        logger.propagate = True
    for o in outs:
        assert o.getvalue().splitlines() == ["boom", "boom (repeated 1 times in the last 2 min)"]


def test_memory_is_bounded() -> None:
    """Past `max_keys` messages the oldest are forgotten: a repeat of a forgotten one passes
    as new, a repeat of one of the last `max_keys` is still held back."""
    flood = RateLimitFilter(60.0, clock=Clock(), max_keys=10)

    def passes(i: int) -> bool:
        return flood.filter(logging.LogRecord("x", logging.ERROR, "f", 1, "file %s", (i,), None))

    assert all(passes(i) for i in range(100))
    assert [i for i in range(90, 100) if passes(i)] == []  # remembered: repeats held back
    assert all(passes(i) for i in range(90))  # forgotten: each passes as a first time


def test_describe_span() -> None:
    assert describe_span(0.2) == "1 s"
    assert describe_span(45) == "45 s"
    assert describe_span(600) == "10 min"
    assert describe_span(3 * 3600) == "3 h"


def test_setup_logging_installs_the_filter_and_caps_the_file(tmp_path: Path) -> None:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        assert setup_logging("INFO", tmp_path) is None
        files = [h for h in root.handlers if isinstance(h, CappedFileHandler)]
        assert len(files) == 1
        assert files[0].maxBytes == FILE_BYTES and files[0].backupCount == FILE_BACKUPS
        for h in root.handlers:
            assert any(isinstance(f, RateLimitFilter) for f in h.filters)
        logging.getLogger("kiosk.test").error("same")
        logging.getLogger("kiosk.test").error("same")
        files[0].flush()
        assert (tmp_path / "kiosk.log").read_text(encoding="utf-8").count("same") == 1
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
            h.close()
        for h in saved[0]:
            root.addHandler(h)
        root.setLevel(saved[1])


def test_full_disk_is_reported_once_not_per_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = CappedFileHandler(tmp_path / "kiosk.log", maxBytes=1000, backupCount=1)

    class FullDisk(io.StringIO):
        full = True

        def write(self, s: str) -> int:
            if self.full:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(s)

    disk = FullDisk()
    old = handler.setStream(disk)  # type: ignore[arg-type]
    assert old is not None
    old.close()
    record = logging.LogRecord("kiosk.x", logging.ERROR, "f", 1, "boom %d", (1,), None)
    for _ in range(5):
        handler.emit(record)
    err = capsys.readouterr().err
    assert err.count("cannot write the log file") == 1 and "Traceback" not in err
    disk.full = False
    handler.emit(record)
    assert "works again" in capsys.readouterr().err
    assert "boom 1" in disk.getvalue()
    handler.setStream(io.StringIO())  # type: ignore[arg-type]
    handler.close()


def test_bad_format_string_still_reported_by_python(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = CappedFileHandler(tmp_path / "kiosk.log", maxBytes=1000, backupCount=1)
    monkeypatch.setattr(logging, "raiseExceptions", True)
    handler.emit(logging.LogRecord("kiosk.x", logging.ERROR, "f", 1, "boom %d", ("x",), None))
    handler.close()
    err = capsys.readouterr().err
    assert "--- Logging error ---" in err and "cannot write the log file" not in err
    assert not handler.failing
