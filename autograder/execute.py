"""nbgrader's Execute step, behind the two walls: ``JudgeExecute`` replaces ``nbgrader.preprocessors.Execute``.

``nbgrader_config.py`` puts it in ``Autograde.autograde_preprocessors``, so ``nbgrader autograde`` and
``python -m autograder grade`` execute submissions the same way: nbgrader restores the test cells and the locked
cells from the gradebook (its sanitising step), then this preprocessor hands the notebook to a judge process
(:mod:`autograder.judge`) that runs the student's cells in a sandbox and the tests in itself, and writes each
cell's outputs back. nbgrader's SaveAutoGrades then scores the cells from those outputs, as it always does.
"""

import atexit
import json
import shutil
import subprocess
import sys
import tempfile
import threading

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Dict, Integer

from autograder import sandbox

LAST_RUN = threading.local()  # the events of the latest notebook run in this thread, for the grading report
_LIBRARIES = {}
_LOCK = threading.Lock()


def library(aid, withheld=()):
    """The student library of ``aid`` with the ``withheld`` modules stubbed (built once per process; removed at
    exit)."""
    key = (aid, tuple(withheld))
    with _LOCK:
        if key not in _LIBRARIES:
            folder = tempfile.mkdtemp(prefix=f"lib-{aid}-")
            atexit.register(shutil.rmtree, folder, True)
            _LIBRARIES[key] = str(sandbox.student_library(aid, f"{folder}/lib", withheld))
        return _LIBRARIES[key]


def is_test(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def setup_sources(nb, db_url, aid, nbid):
    """The instructor's locked, ungraded code cells, from the gradebook (the notebook's copy may be edited)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        notebook = gb.find_notebook(nbid, aid)
        graded = {c.name for c in notebook.grade_cells}
        cells = {c.name: c.source for c in notebook.source_cells
                 if c.locked and c.cell_type == "code" and c.name not in graded}
    order = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    return [cells[name] for name in sorted(cells, key=lambda n: order.index(n) if n in order else -1)]


def _not_run(reason):
    return [NotebookNode(output_type="error", ename="NotRun", evalue=reason, traceback=[f"NotRun: {reason}"])]


class JudgeExecute(NbGraderPreprocessor):
    """Run a submitted notebook with the student's code in a sandbox and the tests in a judge process."""

    timeout = Integer(60, help="Seconds one cell may run before it is stopped (and scores 0).").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit of the student's process, in MiB.").tag(config=True)
    withheld_modules = Dict(help="{assignment: [paths under the course root]}: the reference modules the student's "
                                 "process may not see while that assignment is graded (course/grading never is "
                                 "in view).").tag(config=True)
    allow_unsandboxed = Bool(False, help="Grade even where bubblewrap cannot make a sandbox (student code then "
                                         "runs as the grader's user); every report line says so.").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        aid, nbid = info["assignment"], info["notebook"]
        cells = [{"index": i, "source": c.source, "test": is_test(c),
                  "solution": bool(c.metadata.get("nbgrader", {}).get("solution")),
                  "name": c.metadata.get("nbgrader", {}).get("grade_id") or f"#{i + 1}"}
                 for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        job = {"cells": cells, "setup": setup_sources(nb, info["db_url"], aid, nbid),
               "library": library(aid, self.withheld_modules.get(aid, [])),
               "timeout": self.timeout, "memory_mb": self.memory_mb, "allow_unsandboxed": self.allow_unsandboxed}
        limit = 120 + self.timeout * (2 * len(cells) + 2)
        try:
            proc = subprocess.run([sys.executable, "-m", "autograder.judge"], input=json.dumps(job).encode(),
                                  capture_output=True, timeout=limit)
            result = json.loads(proc.stdout)
        except subprocess.TimeoutExpired:
            result = {"failed": f"the judge did not finish within {limit} s"}
        except ValueError:
            result = {"failed": "the judge ended without a result: " + proc.stderr.decode(errors="replace")[-300:]}
        if "refused" in result:
            raise sandbox.SandboxUnavailable(result["refused"])
        events = list(result.get("events", []))
        if "failed" in result:
            events.append(result["failed"])
        if self.allow_unsandboxed and sandbox.bwrap() is None:
            self.log.warning("%s/%s for %s was %s", aid, nbid, info.get("student"), sandbox.UNSANDBOXED)
        LAST_RUN.events = events
        outputs = result.get("cells", {})
        count = 0
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if str(i) in outputs:
                count += 1
                cell.outputs = [NotebookNode(o) for o in outputs[str(i)]]
                cell.execution_count = count
            else:
                cell.outputs = _not_run(result.get("failed", "this cell was not run"))
                cell.execution_count = None
        return nb, resources
