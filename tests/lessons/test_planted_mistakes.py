"""Every planted mistake fails its own test cell, only that one, with words that name it; the solution passes all.

Each lesson's solution notebook runs once per worker (tests/lessons/conftest.py); a planted mistake then re-runs only
its own solution cell and the test cells, in a copy of the globals the solution left behind.
"""

import importlib
from pathlib import Path

import pytest

from harness import rerun_tests

pytestmark = pytest.mark.slow

ASSIGNMENTS = sorted(p.stem for p in (Path(__file__).parents[1] / "planted").glob("[0-9]*.py"))
CASES = [(aid, m) for aid in ASSIGNMENTS for m in importlib.import_module(f"planted.{aid}").PLANTED]


def test_every_lesson_has_planted_mistakes():
    lessons = sorted(p.name for p in (Path(__file__).parents[2] / "solutions").iterdir() if p.is_dir())
    assert ASSIGNMENTS == lessons


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_solution_passes_every_test_cell(aid, solved):
    _, results, _ = solved(aid)
    failed = {k: v for k, v in results.items() if v}
    assert results, f"{aid} has no graded test cells"
    assert not failed, f"the solution of {aid} fails: {failed}"


@pytest.mark.parametrize("aid,mistake", CASES, ids=[f"{a}-{m.name}" for a, m in CASES])
def test_planted_mistake_fails_only_its_cell_and_names_it(aid, mistake, solved):
    nb, _, baseline = solved(aid)
    results = rerun_tests(nb, mistake, baseline)
    failed = {k for k, v in results.items() if v and not k.startswith("cell:")}
    assert failed == mistake.failing(), (
        f"{mistake.name}: expected exactly {sorted(mistake.failing())} to fail, got {sorted(failed)}")
    for k in failed:
        assert mistake.says.lower() in results[k].lower(), (
            f"{mistake.name}: the feedback for {k} should say {mistake.says!r}; it says:\n{results[k]}")
