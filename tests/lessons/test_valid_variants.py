"""A grading test never fails a correct solution written another valid way: every group of tests/variants/<aid>.py,
planted into the solution notebook, passes every test cell."""

import importlib
from pathlib import Path

import pytest

from harness import rerun_tests

pytestmark = pytest.mark.slow

ASSIGNMENTS = sorted(p.stem for p in (Path(__file__).parents[1] / "variants").glob("[0-9]*.py"))
CASES = [
    (aid, group, variants)
    for aid in ASSIGNMENTS
    for group, variants in importlib.import_module(f"variants.{aid}").GROUPS.items()
]


def test_every_lesson_has_valid_variants():
    lessons = sorted(p.name for p in (Path(__file__).parents[2] / "solutions").iterdir() if p.is_dir())
    assert ASSIGNMENTS == lessons


@pytest.mark.parametrize("aid,group,variants", CASES, ids=[f"{a}-{g}" for a, g, _ in CASES])
def test_valid_variants_pass_every_test_cell(aid, group, variants, solved):
    nb, results, baseline = solved(aid)
    tests = {k for k in results if not k.startswith("cell:")}
    after = rerun_tests(nb, variants, baseline)
    failed = {k: v for k, v in after.items() if v and not k.startswith("cell:")}
    assert not failed, f"{aid} written another valid way ({group}) fails: {failed}"
    assert tests <= set(after), "every test cell ran"
