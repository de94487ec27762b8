"""One grading job: a submission's bytes in, its scores, autograded notebook and feedback out.

:func:`grade_job` runs in a local worker process or on a Dask worker. It needs no shared filesystem: the
:class:`~autograder.records.Job` carries the submission, the assignment's gradebook template and its release.

The submission is read (nbformat 3 is converted), its nbgrader metadata is checked against the release and put
back where a student changed it, and nbgrader's own ``autograde`` grades it in a scratch course that holds the
template and this one notebook, configured by the course's ``nbgrader_config.py``: nbgrader restores the test
and locked cells, :class:`autograder.execute.JudgeExecute` runs the notebook behind the two walls, nbgrader's
SaveAutoGrades scores it. Scores are read from that scratch gradebook (student code never had it in view) and
the feedback page is nbgrader's ``generate_feedback`` of the same course.
"""

import contextlib
import io
import os
import re
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import config
from autograder.feedback import feedback_html
from autograder.notebooks import metadata_tampering, read_notebook
from autograder.records import CellScore, Job, Result


def grade_cells(nb):
    """{grade_id: cell} of the graded cells in ``nb`` (the first of each id)."""
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and meta.get("grade_id"):
            out.setdefault(meta["grade_id"], cell)
    return out


def first_error(cell):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            value = str(out.get("evalue", "")).strip()
            line = value.splitlines()[0] if value else ""
            return f"{out.get('ename')}: {line}" if line else str(out.get("ename"))
    return None


def _safe_name(student):
    return re.sub(r"[^A-Za-z0-9_.@-]", "_", student)[:80] or "student"


def _disarm_markers(nb, messages):
    """nbgrader refuses a notebook whose ordinary cell holds a hidden-test marker (a test cell copied and demoted):
    the marker lines are comments, so they are dropped from such cells, and the cell runs as it was."""
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("grade") and "HIDDEN TESTS" in cell.source:
            lines = cell.source.splitlines()
            cell.source = "\n".join(ln for ln in lines if ln.strip() not in ("### BEGIN HIDDEN TESTS",
                                                                              "### END HIDDEN TESTS"))
            messages.append("hidden-test markers in an ungraded cell were dropped (comments; the code ran as it was)")


def _zero(release_nb, reason):
    return {gid: CellScore(0.0, float(cell.metadata["nbgrader"].get("points", 0)), reason)
            for gid, cell in grade_cells(release_nb).items()}


def grade_job(job: Job) -> Result:
    """Grade one notebook of one student; never raises (a failure is the result's status and message)."""
    from autograder.scan import scan_notebook
    from autograder.similarity import notebook_codes

    t0 = time.perf_counter()
    res = Result(job.student, job.assignment, job.notebook, messages=list(job.messages),
                 worker=f"{os.uname().nodename}:{os.getpid()}")
    release = nbformat.reads(job.release.decode(), as_version=4)
    try:
        if job.data is None:
            res.status, res.cells = "missing", _zero(release, "not submitted")
            res.messages.append(f"no {job.notebook}.ipynb was submitted")
            return res
        try:
            nb = read_notebook(job.data, f"{job.notebook}.ipynb", notes=res.messages)
        except ValueError as exc:
            res.status, res.cells = "invalid", _zero(release, "invalid notebook")
            res.messages.append(str(exc))
            return res
        res.flags = scan_notebook(nb, job.graded, job.tests, job.allowed)
        res.messages += metadata_tampering(nb, release, repair=True)
        res.codes = notebook_codes(nb)
        _disarm_markers(nb, res.messages)
        for cell in nb.cells:  # nbgrader clears stored outputs too; this keeps the job small
            if cell.cell_type == "code":
                cell.outputs = []
        with tempfile.TemporaryDirectory(prefix="job-") as tmp:
            _autograde(job, nb, Path(tmp), res)
    except Exception as exc:  # noqa: BLE001 (one broken submission never stops the cohort)
        res.status = "error"
        res.cells = res.cells or _zero(release, "grading failed")
        res.messages.append(f"grading failed: {type(exc).__name__}: {exc}")
    finally:
        res.seconds = time.perf_counter() - t0
    return res


def _api(job, course):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    (course / "nbgrader_config.py").write_text(job.nbgrader_config)
    c = config.load(course, course, timeout=job.timeout, memory_mb=job.memory_mb,
                    allow_unsandboxed=job.allow_unsandboxed or None)
    return NbGraderAPI(coursedir=CourseDirectory(config=c), config=c)


def _autograde(job, nb, course, res):
    from nbgrader.api import Gradebook

    from autograder.execute import LAST_RUN

    aid, nbid, sid = job.assignment, job.notebook, _safe_name(job.student)
    (course / "gradebook.db").write_bytes(job.template)
    sub = course / "submitted" / sid / aid
    sub.mkdir(parents=True)
    nbformat.write(nb, str(sub / f"{nbid}.ipynb"))
    if job.timestamp:
        (sub / "timestamp.txt").write_text(str(job.timestamp))
    api = _api(job, course)
    LAST_RUN.events = []
    with contextlib.redirect_stderr(io.StringIO()):
        out = api.autograde(aid, sid, force=True, create=True)
    log = (out.get("log") or "") + (out.get("error") or "")
    autograded = course / "autograded" / sid / aid / f"{nbid}.ipynb"
    if not out.get("success") or not autograded.exists():
        lines = [ln for ln in log.splitlines() if "ERROR" in ln or "Error" in ln][:3]
        raise RuntimeError("nbgrader autograde failed" + (": " + " | ".join(lines) if lines else ""))
    res.messages += LAST_RUN.events
    for gid in dict.fromkeys(re.findall(r"Missing grade cell (\S+) encountered", log)):
        res.messages.append(f"test cell {gid} was missing; nbgrader restored it from the gradebook")
    graded_nb = nbformat.read(str(autograded), as_version=4)
    cells = grade_cells(graded_nb)
    with Gradebook(f"sqlite:///{course}/gradebook.db", config.COURSE_ID) as gb:
        for grade in gb.find_submission_notebook(nbid, aid, sid).grades:
            score = float(grade.auto_score or 0) if grade.cell_type == "code" else 0.0
            error = first_error(cells[grade.name]) if grade.name in cells else "cell missing"
            res.cells[grade.name] = CellScore(score, float(grade.max_score), error)
    res.autograded = autograded.read_bytes()
    res.feedback = feedback_html(graded_nb, api.config, aid, nbid, sid, f"sqlite:///{course}/gradebook.db")


def warm():
    """Import what a job needs, so the first job in a fresh worker does not pay for it."""
    import nbconvert.exporters  # noqa: F401
    import nbgrader.apps  # noqa: F401

    import autograder.execute  # noqa: F401
    from autograder.grade import quiet_gradebook

    quiet_gradebook()
    return os.getpid()
