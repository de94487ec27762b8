"""One grading job: a submission's bytes in, its scores, autograded notebook and feedback out.

:func:`grade_job` is the unit of work that runs in a local worker process or on a Dask worker on another machine.
It needs no shared filesystem: the job carries the submission, the assignment's gradebook template (built by
``nbgrader generate_assignment``; it holds the hidden tests) and the graded cell names, and returns plain bytes and
numbers.

Inside, each submission is graded by nbgrader's own ``autograde`` in a scratch course that holds only the gradebook
template and this one submitted notebook: no ``solutions/``, no instructor gradebook, nothing of other students, no
student ``.py`` files. nbgrader's Execute is replaced by :class:`SafeExecute`, which

* starts the kernel through :mod:`autograder.sandbox` (memory limit, audit hook),
* interrupts a cell after the per-cell timeout, and stops a kernel that ignores the interrupt, so the remaining
  cells are marked "not run" (never left without output, which nbgrader would score as a pass),
* caps each cell's output,
* marks every cell after a kernel death as not run,
* finally runs a canary cell that must fail: if its error never shows, student code has disabled error reporting.

Scores are never read back from the scratch gradebook (student code could have reached it): they are recomputed
from the executed notebook against a fresh copy of the template, with nbgrader's ``SaveAutoGrades``.
"""

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat

SANDBOX = str(Path(__file__).with_name("sandbox.py"))
ZYGOTE = str(Path(__file__).with_name("zygote.py"))
PRELOAD = ["course.losses", "course.gradcheck", "course.viz", "course.widgets", "ipywidgets", "matplotlib.pyplot"]
COURSE_ID = "backprop-lab"
CANARY = "raise AssertionError('autograder canary: this error must be reported')"
OUTPUT_CAP = 200_000  # characters of output kept per cell
PROBE_TIMEOUT = 5  # seconds a kernel gets to answer after an interrupted cell
DEFAULTS = {"timeout": 60, "memory_mb": 2048}

class _Current(threading.local):
    """Set by grade_job for the SafeExecute and SandboxKernelManager that nbgrader creates in the same thread
    (a Dask worker may run jobs in several threads)."""

    def __init__(self):
        self.sandbox, self.run, self.zygote = {}, {}, None


_CURRENT = _Current()
_ZYGOTE_LOCK = threading.Lock()


def ensure_path():
    """Prepare nbgrader in this process.

    nbgrader runs the ``alembic`` command (``alembic heads``) in a subprocess each time it creates a gradebook, to
    learn a constant: the schema version it ships. That costs a Python start-up (seconds on a busy machine) and
    needs the environment's bin/ on PATH. The same answer is read here once with alembic's own API.
    """
    import warnings

    # nbgrader's gradebook API makes SQLAlchemy warn on every new submission; it is harmless and known upstream.
    warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session")
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    import nbgrader.api

    if getattr(nbgrader.api.get_alembic_version, "_autograder", False):
        return
    original = nbgrader.api.get_alembic_version
    try:
        from alembic.config import Config as AlembicConfig
        from alembic.script import ScriptDirectory

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(Path(nbgrader.api.__file__).with_name("alembic")))
        head = ScriptDirectory.from_config(cfg).get_current_head()
    except Exception:  # noqa: BLE001 (fall back to nbgrader's own way)
        head = None

    def cached():
        return head or original()

    cached._autograder = True
    nbgrader.api.get_alembic_version = cached


def grading_base():
    """The folder that holds every job's scratch course and the zygote sockets: no kernel may look inside it."""
    base = Path(tempfile.gettempdir()) / "backprop-grading"
    base.mkdir(mode=0o700, exist_ok=True)
    return base


_ZYGOTE = {}


def kernel_env(tmp=None):
    env = {"MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    if tmp:
        env.update(TMPDIR=str(tmp), MPLCONFIGDIR=str(tmp), IPYTHONDIR=str(Path(tmp) / "ipython"))
    return env


def zygote():
    """The socket of this worker's warm-kernel zygote (:mod:`autograder.zygote`), started on first use.

    Returns None (kernels then start cold through :mod:`autograder.sandbox`) when it cannot start or when
    ``AUTOGRADER_WARM_KERNELS=0``.
    """
    if os.environ.get("AUTOGRADER_WARM_KERNELS", "1") == "0":
        return None
    with _ZYGOTE_LOCK:
        z = _ZYGOTE.get("z")
        if z and z["proc"].poll() is None:
            return z["sock"]
        if _ZYGOTE.get("failed", 0) >= 2:
            return None
        sock = _start_zygote()
        if sock is None:
            _ZYGOTE["failed"] = _ZYGOTE.get("failed", 0) + 1
        return sock


def _start_zygote():
    import select
    import subprocess

    folder = Path(tempfile.mkdtemp(prefix="zygote-", dir=grading_base()))
    (folder / "mpl").mkdir()
    sock = str(folder / "s")
    env = dict(os.environ, **kernel_env())
    env["MPLCONFIGDIR"] = str(folder / "mpl")
    proc = subprocess.Popen([sys.executable, ZYGOTE, sock, json.dumps(PRELOAD)], stdout=subprocess.PIPE, env=env,
                            cwd=str(folder), stdin=subprocess.DEVNULL)
    import atexit

    def stop():
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)

    ready, _, _ = select.select([proc.stdout], [], [], 120)
    if not ready or proc.stdout.readline().strip() != b"ready":
        stop()
        return None
    atexit.register(stop)
    import multiprocessing.util

    multiprocessing.util.Finalize(None, stop, exitpriority=10)  # worker processes end without atexit
    _ZYGOTE["z"] = {"proc": proc, "sock": sock}
    return sock


def _instructor_roots():
    """Folders of this installation that student code must never read (the repository minus the course package)."""
    repo = Path(__file__).resolve().parent.parent
    return [str(repo / name) for name in ("solutions", "autograder", "tests", ".git", "benchmarks", "exercises")]


def _kernel_manager_class():
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class SandboxKernelManager(AsyncKernelManager):
        """Starts :mod:`autograder.sandbox` with this job's limits instead of the python3 kernelspec."""

        @property
        def kernel_spec(self):
            if self._kernel_spec is None:
                cfg = _CURRENT.sandbox
                env = dict(kernel_env(cfg.get("tmp")), AUTOGRADER_SANDBOX=json.dumps(cfg))
                sock = _CURRENT.zygote
                argv = [sys.executable, "-S", "-E", ZYGOTE, "--launch", sock] if sock else [sys.executable, SANDBOX]
                self._kernel_spec = KernelSpec(argv=[*argv, "-f", "{connection_file}"],
                                               display_name="Python 3 (grading sandbox)", language="python",
                                               env=env, interrupt_mode="signal")
            return self._kernel_spec

    return SandboxKernelManager


def _safe_execute_class():
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbformat.notebooknode import NotebookNode
    from nbgrader.preprocessors import Execute

    def error(ename, evalue):
        return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])

    class SafeExecute(Execute):
        """nbgrader's Execute in the grading sandbox, robust to kernels that die, hang or flood output."""

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("kernel_manager_class", _kernel_manager_class())
            super().__init__(*args, **kwargs)

        def preprocess(self, nb, resources=None, km=None):
            self._run = {"canary": None, "timeouts": [], "died": None, "truncated": [], "not_run": 0}
            self._dead = None
            self._chars = {}
            _CURRENT.run = self._run
            self._ncells = len(nb.cells)
            return super().preprocess(nb, resources, km)

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = len(content.get("text", "")) + sum(len(str(v)) for v in content.get("data", {}).values())
            total = self._chars.get(cell_index, 0) + size
            self._chars[cell_index] = total
            if total > OUTPUT_CAP:
                if cell_index not in self._run["truncated"]:
                    self._run["truncated"].append(cell_index)
                    outs.append(NotebookNode(output_type="stream", name="stdout",
                                             text=f"\n... output truncated after {OUTPUT_CAP} characters ...\n"))
                return None
            return super().output(outs, msg, display_id, cell_index)

        def _alive_after_interrupt(self, index):
            """After a timed-out cell: does the kernel answer again? If not, stop it."""
            probe = NotebookNode(cell_type="code", source="pass", metadata={}, outputs=[], execution_count=None,
                                 id="autograder-probe")
            timeout, self.timeout = self.timeout, PROBE_TIMEOUT
            try:
                self.execute_cell(probe, index, store_history=False)
                ok = not any(o.get("ename") == "CellTimeoutError" for o in probe.outputs)
            except Exception:  # noqa: BLE001
                ok = False
            finally:
                self.timeout = timeout
            if not ok:
                from jupyter_core.utils import run_sync

                with contextlib.suppress(Exception):
                    run_sync(self.km.shutdown_kernel)(now=True)
            return ok

        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code":
                return cell, resources
            if self._dead is not None:
                cell.outputs = [error("NotRun", f"not run: {self._dead}")]
                self._run["not_run"] += 1
                return cell, resources
            restore = _CURRENT.sandbox.get("restore")
            if restore and cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
                self._quietly(restore, index)
            try:
                cell, resources = super().preprocess_cell(cell, resources, index)
            except CellTimeoutError:  # the kernel never went idle after the interrupt
                cell.outputs.append(error("CellTimeoutError", "timeout"))
            except DeadKernelError:
                self._dead = "the kernel died in an earlier cell (a process exit or a crash)"
                self._run["died"] = index
                cell.outputs.append(error("DeadKernelError", "the kernel died while running this cell "
                                                             "(os._exit, a crash, or the memory limit)"))
            if self._dead is None:
                if any(o.get("ename") == "CellTimeoutError" for o in cell.outputs):
                    self._run["timeouts"].append(index)
                    for o in cell.outputs:
                        if o.get("ename") == "CellTimeoutError":
                            o["evalue"] = f"the cell ran longer than {self.timeout} s and was interrupted"
                    if not self._alive_after_interrupt(index):
                        self._dead = "an earlier cell ran past the time limit and the kernel had to be stopped"
            if index == self._ncells - 1 and self._dead is None:
                self._canary(index)
            return cell, resources

        def _quietly(self, source, index):
            """Run instructor code (the notebook's own imports) before a test cell; its output is not kept."""
            cell = NotebookNode(cell_type="code", source=source, metadata={}, outputs=[], execution_count=None,
                                id="autograder-restore")
            try:
                self.execute_cell(cell, index, store_history=False)
            except DeadKernelError:
                raise
            except Exception:  # noqa: BLE001 (the test cell itself will show what is wrong)
                pass

        def _canary(self, index):
            cell = NotebookNode(cell_type="code", source=CANARY, metadata={}, outputs=[], execution_count=None,
                                id="autograder-canary")
            try:
                self.execute_cell(cell, index, store_history=False)
            except Exception:  # noqa: BLE001
                self._run["canary"] = False
                return
            self._run["canary"] = any(o.get("output_type") == "error" and o.get("ename") == "AssertionError"
                                      and "autograder canary" in str(o.get("evalue")) for o in cell.outputs)

    return SafeExecute


def _config(course, timeout):
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import CheckCellMetadata, IgnorePattern, LimitOutput
    from traitlets.config import Config

    c = Config()
    c.CourseDirectory.root = str(course)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.db_url = f"sqlite:///{course}/gradebook.db"
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
    c.Execute.timeout = int(timeout)
    c.Execute.interrupt_on_timeout = True
    c.Execute.shutdown_kernel = "immediate"
    c.OverwriteCells.add_missing_cells = True
    # No SaveAutoGrades here: student code could have reached this gradebook; grades are recorded afterwards.
    c.Autograde.autograde_preprocessors = [_safe_execute_class(), IgnorePattern, ClearMetadataPreprocessor,
                                           LimitOutput, CheckCellMetadata]
    c.Autograde.permissions = 600
    c.GenerateFeedback.permissions = 600
    return c


def _api(course, timeout):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    cfg = _config(course, timeout)
    return NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)


# --------------------------------------------------------------------------------------------------------------
# Helpers shared with the instructor-side writer (autograder.grade)


def grade_cells(nb):
    """{grade_id: cell} of the graded cells (cells with points) in ``nb``."""
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and meta.get("grade_id"):
            out.setdefault(meta["grade_id"], cell)
    return out


def neutralise_stderr(nb):
    """A test cell passes unless it raises: neutralise nbgrader's two other rules for graded cells.

    Stderr becomes labelled stdout, so noise (a warning, a stray print) never costs points. A value the cell ends
    with (``check(...)`` returns the student's result) becomes display data: nbgrader would read a number there as
    partial credit. Returns the grade ids whose stderr was neutralised.
    """
    affected = []
    for gid, cell in grade_cells(nb).items():
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result":
                out["output_type"] = "display_data"
                out.pop("execution_count", None)
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                out["name"] = "stdout"
                out["text"] = "[stderr] " + out.get("text", "")
                if gid not in affected:
                    affected.append(gid)
    return affected


def mark_unrun(nb):
    """A graded code cell without any output and without an execution count was never run: it must not pass."""
    from nbformat.notebooknode import NotebookNode

    for cell in grade_cells(nb).values():
        if cell.cell_type == "code" and not cell.get("outputs") and cell.get("execution_count") is None:
            cell["outputs"] = [NotebookNode(output_type="error", ename="NotRun", evalue="this cell was not run",
                                            traceback=["NotRun: this cell was not run"])]


def record_grades(nb, gb, aid, notebook_id, student, timestamp=None):
    """Write ``nb``'s autograde results into the open nbgrader Gradebook ``gb``, as nbgrader's SaveAutoGrades does
    (``nbgrader.utils.determine_grade`` on each graded cell), in one session.

    The submission starts afresh (an earlier review hold or score is cleared). Scores are clamped to the
    gradebook's own maximum; a graded cell missing from ``nb`` scores 0. Returns ``{grade_id: (score, max)}``.
    """
    from nbgrader.utils import determine_grade

    gb.update_or_create_student(student)
    gb.update_or_create_submission(aid, student, **({"timestamp": timestamp} if timestamp else {}))
    subnb = gb.find_submission_notebook(notebook_id, aid, student)
    cells = grade_cells(nb) if nb is not None else {}
    scores = {}
    for grade in subnb.grades:
        grade.manual_score = None
        cell = cells.get(grade.name)
        if grade.cell_type == "code":
            auto = determine_grade(cell)[0] if cell is not None else 0.0
            auto = 0.0 if auto is None else min(float(auto), float(grade.max_score))
            grade.auto_score, grade.needs_manual_grade = auto, False
        else:  # a written answer: the instructor grades it
            grade.auto_score, grade.needs_manual_grade = None, cell is not None
        scores[grade.name] = (float(grade.auto_score or 0), float(grade.max_score))
    for comment in subnb.comments:
        comment.manual_comment = None
    gb.db.commit()
    return scores


def hold_for_review(gb, aid, notebook_id, student, reason):
    """Set every graded cell's manual score to 0 with a comment: the instructor decides in formgrader."""
    subnb = gb.find_submission_notebook(notebook_id, aid, student)
    for grade in subnb.grades:
        grade.manual_score = 0
    for comment in subnb.comments:
        comment.manual_comment = f"Held for integrity review: {reason}"
    gb.db.commit()


def first_error(cell):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            value = str(out.get("evalue", "")).strip()
            line = value.splitlines()[0] if value else ""
            return f"{out.get('ename')}: {line}" if line else str(out.get("ename"))
    return None


# --------------------------------------------------------------------------------------------------------------
# Reading a submission


def read_notebook(data, name="notebook"):
    """Parse submitted bytes into a notebook, or raise ValueError with a message a person can act on."""
    if not data or not data.strip():
        raise ValueError(f"{name} is empty (0 bytes of notebook)")
    try:
        raw = json.loads(data.decode("utf-8-sig") if isinstance(data, bytes) else data)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name} is not a text file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                         "it may have been truncated or edited outside Jupyter") from None
    if not isinstance(raw, dict) or "cells" not in raw:
        raise ValueError(f"{name} is JSON but not a Jupyter notebook (no 'cells')")
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"{name} could not be read as a notebook: {exc}") from None
    return nb


def deduplicate(nb, messages):
    """Keep the first cell of each grade_id; later copies become ordinary cells (nbgrader keeps the last)."""
    seen = set()
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if not meta or not meta.get("grade_id"):
            continue
        gid = meta["grade_id"]
        if gid in seen:
            del cell.metadata["nbgrader"]
            messages.append(f"cell {gid!r} appears more than once; the first copy was graded, the others ran as "
                            "ordinary cells")
        seen.add(gid)
    return nb


# --------------------------------------------------------------------------------------------------------------
# The job


def _safe_name(student):
    return re.sub(r"[^A-Za-z0-9_.@-]", "_", student)[:80] or "student"


def grade_job(job):
    """Grade one notebook of one student. ``job`` is a dict of plain data (picklable, no paths needed):

    ``student``, ``assignment``, ``notebook`` (id), ``data`` (the submitted bytes, or None when missing),
    ``template`` (gradebook bytes), ``graded`` (the graded functions' names), ``timeout``, ``memory_mb``,
    ``timestamp`` (optional), ``messages`` (notes from collection), and ``sha256``.

    Returns a dict: status (graded / invalid / missing / error), score, max_score, cells
    ``{grade_id: {score, max, error}}``, messages, flags, autograded (bytes), feedback (bytes), seconds.
    """
    from autograder.scan import scan_notebook

    t0 = time.perf_counter()
    ensure_path()
    student, aid, nbid = job["student"], job["assignment"], job["notebook"]
    result = {"student": student, "assignment": aid, "notebook": nbid, "sha256": job.get("sha256"),
              "status": "graded", "score": 0.0, "max_score": float(job.get("max_score", 0)), "cells": {},
              "messages": list(job.get("messages", ())), "flags": [], "autograded": None, "feedback": None,
              "worker": f"{os.uname().nodename}:{os.getpid()}"}
    data = job.get("data")
    if data is None:
        result["status"] = "missing"
        result["messages"].append(f"no {nbid}.ipynb was submitted")
        result["seconds"] = time.perf_counter() - t0
        return result
    try:
        nb = read_notebook(data, f"{nbid}.ipynb")
    except ValueError as exc:
        result["status"] = "invalid"
        result["messages"].append(str(exc))
        result["seconds"] = time.perf_counter() - t0
        return result
    result["flags"] = scan_notebook(nb, job.get("graded", ()), job.get("tests", ()), job.get("allowed"))
    deduplicate(nb, result["messages"])
    submitted = grade_cells(nb)
    for gid, source in (job.get("released") or {}).items():
        if gid in submitted and submitted[gid].source.strip() != source.strip():
            result["messages"].append(f"locked cell {gid} was edited; the instructor's version was graded")
    for cell in nb.cells:  # whatever the student stored is cleared by nbgrader too; this keeps memory small
        if cell.cell_type == "code":
            cell.outputs = []

    with tempfile.TemporaryDirectory(prefix="job-", dir=grading_base()) as tmp:
        try:
            _run_nbgrader(job, nb, Path(tmp), result, _safe_name(student))
        except Exception as exc:  # noqa: BLE001 (one broken submission never stops the cohort)
            result["status"] = "error"
            result["messages"].append(f"grading failed: {type(exc).__name__}: {exc}")
    result["seconds"] = time.perf_counter() - t0
    return result


def _run_nbgrader(job, nb, tmp, result, sid):
    aid, nbid = job["assignment"], job["notebook"]
    course = tmp / "course"
    kernel_tmp = tmp / "kernel"
    (kernel_tmp / "ipython").mkdir(parents=True)
    course.mkdir()
    (course / "gradebook.db").write_bytes(job["template"])
    sub = course / "submitted" / sid / aid
    sub.mkdir(parents=True)
    nbformat.write(nb, str(sub / f"{nbid}.ipynb"))
    if job.get("timestamp"):
        (sub / "timestamp.txt").write_text(str(job["timestamp"]))
    workdir = course / "autograded" / sid / aid
    _CURRENT.sandbox = {
        "memory_mb": job.get("memory_mb", DEFAULTS["memory_mb"]),
        "protected": [str(tmp.parent), *_instructor_roots(), *job.get("protected", ())],
        "writable": [str(workdir), str(kernel_tmp)],
        "secret_files": [str(workdir / f"{nbid}.ipynb"), str(course / "gradebook.db")],
        "tmp": str(kernel_tmp),
        "preload": job.get("preload", ["course.losses"]),
        "restore": job.get("restore", ""),
    }
    _CURRENT.zygote = zygote()
    _CURRENT.run = {}
    api = _api(course, job.get("timeout", DEFAULTS["timeout"]))
    with contextlib.redirect_stderr(io.StringIO()):
        out = api.autograde(aid, sid, force=True, create=True)
    run = dict(_CURRENT.run)
    log = (out.get("log") or "") + (out.get("error") or "")
    for gid in dict.fromkeys(re.findall(r"Missing grade cell (\S+) encountered", log)):
        result["messages"].append(f"test cell {gid} was missing; nbgrader restored it from the gradebook")
    autograded = workdir / f"{nbid}.ipynb"
    if not autograded.exists() or not run:
        if os.environ.get("AUTOGRADER_DEBUG"):
            print(log, file=sys.__stderr__)
        lines = [ln for ln in log.splitlines() if "ERROR" in ln or "Error" in ln][:3]
        raise RuntimeError("nbgrader autograde produced no notebook" + (": " + " | ".join(lines) if lines else ""))
    graded_nb = nbformat.read(str(autograded), as_version=4)

    # Results from the executed notebook only: a fresh gradebook, never the one student code could reach.
    if run.get("died") is not None:
        result["messages"].append("the kernel died during grading (process exit, crash or memory limit); "
                                  "later cells were not run")
        result["flags"].append({"kind": "kernel died", "detail": "the kernel process ended while grading",
                                "cell": None, "hold": False})
    if run.get("timeouts"):
        result["messages"].append(f"{len(run['timeouts'])} cell(s) ran past the {job.get('timeout')} s limit "
                                  "and were interrupted")
    if run.get("truncated"):
        result["messages"].append(f"output of {len(run['truncated'])} cell(s) was truncated at {OUTPUT_CAP} "
                                  "characters")
    if run.get("canary") is False:
        result["flags"].append({"kind": "error reporting disabled", "cell": None, "hold": True,
                                "detail": "a deliberately failing check raised no visible error: student code "
                                          "suppresses exceptions (IPython hooks)"})
    noisy = neutralise_stderr(graded_nb)
    if noisy:
        result["messages"].append("stderr output in " + ", ".join(noisy) + " was ignored for scoring")
    mark_unrun(graded_nb)
    os.remove(course / "gradebook.db")
    (course / "gradebook.db").write_bytes(job["template"])
    db_url = f"sqlite:///{course}/gradebook.db"
    from nbgrader.api import Gradebook

    with Gradebook(db_url, COURSE_ID) as gb:
        scores = record_grades(graded_nb, gb, aid, nbid, sid, job.get("timestamp"))
    cells = grade_cells(graded_nb)
    result["cells"] = {gid: {"score": s, "max": m, "error": first_error(cells[gid]) if gid in cells else
                             "cell missing"} for gid, (s, m) in scores.items()}
    result["score"] = sum(s for s, _ in scores.values())
    result["max_score"] = sum(m for _, m in scores.values())
    nbformat.write(graded_nb, str(autograded))
    result["autograded"] = autograded.read_bytes()
    result["feedback"] = feedback_html(graded_nb, db_url, aid, nbid, sid)


_EXPORTER = {}


def _fast_html_class(HTMLExporter):
    import re as _re

    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class FastHTMLExporter(HTMLExporter):
        """nbconvert's HTMLExporter without re-parsing the page with BeautifulSoup (a third of a feedback page's
        cost): the same alt text and tabindex edits are made on the rendered text."""

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            html = _re.sub(r"<img(?![^>]*\balt=)", '<img alt="No description has been provided for this image"', html)
            html = _re.sub(r'(<div class="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*")',
                           r'\1 tabindex="0"', html)
            return html, resources

    return FastHTMLExporter


def feedback_html(nb, db_url, aid, nbid, sid):
    """nbgrader's feedback page for an executed notebook whose grades are in ``db_url``, without hidden tests.

    The same preprocessors and template as ``nbgrader generate_feedback`` (GetGrades, the ``feedback`` template),
    plus ClearHiddenTests and a traceback scrubber: a traceback quotes the (hidden) test line that failed. The
    exporter is built once per process: compiling its templates costs more than rendering a page.
    """
    from nbconvert.exporters import HTMLExporter
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades
    from traitlets.config import Config

    exporter = _EXPORTER.get("html")
    if exporter is None:
        import nbgrader

        base = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
        c = Config()
        c.HTMLExporter.template_name = "feedback"
        c.HTMLExporter.extra_template_basedirs = [str(base / "templates")]
        c.HTMLExporter.extra_template_paths = [str(base / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
        c.ClearHiddenTests.enforce_metadata = False
        exporter = _fast_html_class(HTMLExporter)(config=c)
        for pp in (GetGrades, ClearHiddenTests, _scrub_class(), CSSHTMLHeaderPreprocessor):
            exporter.register_preprocessor(pp(config=c), enabled=True)
        _EXPORTER["html"] = exporter
    resources = {"nbgrader": {"assignment": aid, "notebook": nbid, "student": sid, "db_url": db_url},
                 "metadata": {"name": nbid}}
    body, _ = exporter.from_notebook_node(nbformat.from_dict(json.loads(json.dumps(nb))), resources=resources)
    return body.encode()


def _scrub_class():
    from nbgrader.preprocessors import NbGraderPreprocessor

    class ScrubErrors(NbGraderPreprocessor):
        """Replace each traceback by its last line: a traceback quotes the (hidden) test line that failed."""

        def preprocess_cell(self, cell, resources, index):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename')}: {out.get('evalue')}"]
            return cell, resources

    return ScrubErrors


def sha256(data):
    return hashlib.sha256(data or b"").hexdigest()


def warm():
    """Import what a job needs, so the first job in a fresh worker does not pay for it."""
    ensure_path()
    import nbconvert.exporters  # noqa: F401
    import nbgrader.apps  # noqa: F401

    _safe_execute_class()
    zygote()
    return os.getpid()
