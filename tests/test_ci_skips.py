"""In CI a skipped test fails (the hooks in tests/conftest.py), checked on a small suite."""

from __future__ import annotations

import pytest

from tests import conftest

SUITE = """
import pytest

@pytest.mark.skipif(True, reason="no such tool here")
def test_needs_a_tool():
    pass

def test_runs():
    pass

@pytest.mark.xfail(reason="a known bug")
def test_known_bug():
    assert False
"""
HOOKS = "from tests.conftest import pytest_make_collect_report, pytest_runtest_makereport\n"


def run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None, suite: str = SUITE
) -> pytest.RunResult:
    pytester.makeconftest(HOOKS)
    pytester.makepyfile(test_suite=suite)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider")


def test_outside_ci_a_skip_is_a_skip(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(pytester, monkeypatch, None).assert_outcomes(passed=1, skipped=1, xfailed=1)


def test_in_ci_a_skip_fails_and_says_what_to_do(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(pytester, monkeypatch, "true")
    result.assert_outcomes(passed=1, errors=1, xfailed=1)  # an expected failure stays one
    result.stdout.fnmatch_lines(["*skipped in CI (no such tool here)*scripts/setup --test*"])


def test_in_ci_a_listed_skip_stays_a_skip(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(conftest.SKIPS_ALLOWED_IN_CI, "test_suite.py::test_needs_a_tool", "why")
    run(pytester, monkeypatch, "true").assert_outcomes(passed=1, skipped=1, xfailed=1)


def test_in_ci_a_skipped_module_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = "import pytest\npytest.skip('no such tool here', allow_module_level=True)\n"
    run(pytester, monkeypatch, "true", suite).assert_outcomes(errors=1)
