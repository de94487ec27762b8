"""Grading across the wall says exactly what a student sees in JupyterLab.

For every lesson, one notebook carries a planted mistake in every graded function at once (the first catalogued
mistake of each). It is run twice: in one process, as the student's kernel runs it, and by the judge, with the
student's code in the sandbox. Every test cell must pass or fail the same way, with the same message, word for
word: the checks, their diagnoses and the student's own line all survive the boundary.
"""

import importlib
import time

import pytest

import harness
from autograder import config, execute, judge, sandbox
from autograder.release import REPO, assignments

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sandbox.bwrap() is None, reason="needs bubblewrap (make test installs it)")]


def _one_mistake_per_function(aid):
    chosen = {}
    for mistake in importlib.import_module(f"planted.{aid}").PLANTED:
        chosen.setdefault(mistake.cell, mistake)
    return list(chosen.values())


def _judged(nb, aid):
    withheld = config.load(REPO).JudgeExecute.withheld_modules.get(aid, [])
    cells = [{"index": i, "source": c.source, "test": harness.is_test(c), "name": harness.grade_id(c) or f"#{i}",
              "solution": bool(c.metadata.get("nbgrader", {}).get("solution"))}
             for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    setup = [c.source for c in nb.cells if harness.grade_id(c) == "setup"]
    start = time.perf_counter()
    result = judge.judge({"cells": cells, "setup": setup, "library": execute.library(aid, withheld), "timeout": 120})
    out = {}
    for cell in cells:
        if cell["test"]:
            errors = [o for o in result["cells"][cell["index"]] if o["output_type"] == "error"]
            out[cell["name"]] = f"{errors[0]['ename']}: {errors[0]['evalue']}" if errors else None
    return out, time.perf_counter() - start


@pytest.mark.parametrize("aid", assignments())
def test_the_judge_and_the_kernel_give_the_same_verdicts_and_words(aid):
    mistakes = _one_mistake_per_function(aid)
    nb = harness.plant(harness.read(aid), *mistakes)
    in_process = {k: v for k, v in harness.run(nb).items() if not k.startswith("cell:")}
    judged, seconds = _judged(nb, aid)
    assert judged.keys() == in_process.keys()
    failing = {gid for gid, message in in_process.items() if message}
    assert failing >= {f"test_{m.cell}" for m in mistakes}, "every planted mistake fails in the kernel"
    for gid in in_process:
        assert judged[gid] == in_process[gid], gid
