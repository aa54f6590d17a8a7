"""bench/fuzz: the fuzz tests at full size, 10,000 cases per input kind, with a random seed.

Runs tests/test_fuzz_inputs.py and tests/test_fuzz_state.py (but for its one real start)
under the "bench" Hypothesis profile (tests/fuzzkit.py) and prints, per input kind: cases
run, time, distinct problem messages met (values masked), and whether every case passed (no
traceback; every problem `path:line:col: severity: message` with its line inside the file
and a remedy). The seed is printed: `--seed N` replays a run.
CI runs the same tests derandomized with ~150 cases each (`./scripts/test -k fuzz`).
Usage: .venv/bin/python bench/fuzz.py [--cases 10000] [--seed N] [-k PATTERN] [--messages]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class Outcomes:
    """A pytest plugin: each test's result and duration."""

    def __init__(self) -> None:
        self.results: dict[str, tuple[str, float, str]] = {}

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when != "call" and not (report.when == "setup" and report.failed):
            return
        name = report.nodeid.split("::")[-1]
        first = ""
        if report.failed:
            text = str(report.longrepr)
            errors = [line for line in text.splitlines() if line.startswith("E ")]
            first = (errors[0] if errors else text.splitlines()[-1])[:150]
        self.results[name] = (report.outcome, report.duration, first)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", type=int, default=10_000, help="cases per input kind")
    ap.add_argument("--seed", type=int, help="Hypothesis seed (default: random, printed)")
    ap.add_argument("-k", default="", help="only the tests matching (pytest -k)")
    ap.add_argument("--messages", action="store_true", help="list the distinct messages met")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    os.environ.update(
        KIOSK_FUZZ_PROFILE="bench",
        KIOSK_FUZZ_EXAMPLES=str(args.cases),
        QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        KIOSK_AOUT="dummy",
    )
    sys.path.insert(0, str(ROOT))
    import pytest

    outcomes = Outcomes()
    print(f"fuzz: {args.cases} cases per input kind, seed {seed}, {os.cpu_count()} cores")
    started = time.monotonic()
    pytest.main(
        [
            str(ROOT / "tests" / "test_fuzz_inputs.py"),
            str(ROOT / "tests" / "test_fuzz_state.py"),
            "-m",
            "not xvfb",  # the one start over damaged files is a test, not a fuzz kind
            "-q",
            "-p",
            "no:cacheprovider",
            f"--hypothesis-seed={seed}",
            "--timeout=0",
            *(["-k", args.k] if args.k else []),
        ],
        plugins=[outcomes],
    )
    total = time.monotonic() - started
    from tests import fuzzkit  # after pytest: the module its run filled in

    kinds = {
        "test_office_config": "office config",
        "test_playlist_file": "playlist",
        "test_sync_folder_playlist_yaml": "sync playlist.yaml",
        "test_sidecar_schedule": "sidecar schedule",
        "test_procedure_slide_yaml": "procedure slide (YAML)",
        "test_procedure_slide_markdown": "procedure slide (Markdown)",
        "test_ticker_txt": "ticker.txt",
        "test_file_names": "file names",
        "test_file_names_in_any_bytes": "file names (bytes)",
        "test_status_json_damaged": "status.json (damaged)",
        "test_proof_of_play_appends_after_any_leftover": "proof-of-play file (damaged)",
        "test_proof_of_play_retention_over_any_names": "proof-of-play folder names",
    }
    print(f"\n{'input kind':28} {'cases':>7} {'s':>6} {'messages':>8}  result")
    failed = 0
    for test, kind in kinds.items():
        if test not in outcomes.results:
            continue
        outcome, seconds, first = outcomes.results[test]
        failed += outcome != "passed"
        messages = len(fuzzkit.TEMPLATES.get(kind, {}))
        result = "ok"
        if outcome != "passed":
            result = f"FAILED: {first}"
        print(f"{kind:28} {fuzzkit.CASES[kind]:7} {seconds:6.0f} {messages:8}  {result}")
    print(f"total {sum(fuzzkit.CASES.values())} cases in {total:.0f} s; {failed} kind(s) failed")
    print(
        "ok: no case raised, and every problem met was one line path:line:col: severity: "
        "message, its line inside the file, with a remedy"
    )
    if args.messages:
        for kind, counter in fuzzkit.TEMPLATES.items():
            print(f"\n{kind}: {len(counter)} distinct messages (values masked), most met first")
            for text, n in counter.most_common():
                print(f"  {n:6}  {text}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
