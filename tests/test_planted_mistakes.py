"""Every planted mistake fails its own test cell, only that one, with words that name it; the solution passes all."""

import importlib
from pathlib import Path

import pytest

from harness import read, rerun_tests, run

ASSIGNMENTS = sorted(p.stem for p in (Path(__file__).parent / "planted").glob("[0-9]*.py"))
CASES = [(aid, m) for aid in ASSIGNMENTS for m in importlib.import_module(f"planted.{aid}").PLANTED]


@pytest.fixture(scope="module")
def solved():
    cache = {}

    def get(aid):
        if aid not in cache:
            nb, ns = read(aid), {"__name__": "__main__"}
            cache[aid] = (nb, run(nb, namespace=ns), ns)
        return cache[aid]

    return get


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
