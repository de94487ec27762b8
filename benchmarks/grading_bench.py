"""Cohort grading throughput: ``autograder.grade`` against plain sequential ``nbgrader autograde``, in one run.

A cohort of simulated students (default 40) each submits two notebooks (the two assignments of the toy course in
tests/adversarial/toy.py, or ``--real`` for 01_losses and 02_gradients). A third of the students hand in the
solution, a third the untouched release, a third a solution with one function wrong, so the pass rates vary.

* Baseline: one ``nbgrader autograde <assignment>`` command per assignment over the whole cohort, in a course
  that nbgrader's ``generate_assignment`` prepared beforehand (setup not timed), one after the other.
* Ours: ``autograder.grade`` with 1 and with N local workers, each from a cold start (templates, collection, a
  bubblewrap sandbox and a judge process per notebook, feedback HTML and the report included, which the
  baseline does not do).

``main()`` returns table rows for benchmarks/run.py; run this file directly to print them.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent


def _toy():
    """tests/adversarial/toy.py, the toy course the tests grade (loaded from its file: tests/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("toy", REPO / "tests" / "adversarial" / "toy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

WRONG = {"toy_a": ("double", "def double(x):\n    return x"), "toy_b": ("square", "def square(x):\n    return x"),
         "01_losses": ("mse_forward", "def mse_forward(y_pred, y):\n    return 0.0"),
         "02_gradients": ("gd_update", "def gd_update(w, dw, lr):\n    return w")}


PLAIN_NBGRADER = """
c.Autograde.autograde_preprocessors = [  # nbgrader 0.9's own list
    "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
"""


def _course(tmp, real):
    if real:
        aids = ["01_losses", "02_gradients"]
        root = tmp / "course"
        root.mkdir()
        shutil.copy(REPO / "nbgrader_config.py", root)
        for aid in aids:
            shutil.copytree(REPO / "solutions" / aid, root / "solutions" / aid)
        return root, aids
    return _toy().build(tmp / "course"), ["toy_a", "toy_b"]


def _cohort(root, aids, n, dest):
    from autograder.templates import generate

    releases = {aid: generate(root, aid)[1][aid] for aid in aids}
    for i in range(n):
        student = f"s{i:03d}"
        for aid in aids:
            kind = i % 3
            if kind == 1:
                data = releases[aid]
            else:
                nb = nbformat.read(str(root / "solutions" / aid / f"{aid}.ipynb"), as_version=4)
                if kind == 2:
                    gid, src = WRONG[aid]
                    next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid).source = src
                data = nbformat.writes(nb).encode()
            (dest / student / aid).mkdir(parents=True, exist_ok=True)
            (dest / student / aid / f"{aid}.ipynb").write_bytes(data)


def _baseline(root, aids, subs, tmp, timeout):
    course = tmp / "baseline"
    course.mkdir()
    # Plain nbgrader: the course's configuration, with nbgrader's own Execute (a kernel running the notebook).
    (course / "nbgrader_config.py").write_text((root / "nbgrader_config.py").read_text() + PLAIN_NBGRADER)
    shutil.copytree(root / "solutions", course / "solutions")
    shutil.copytree(subs, course / "autograder" / "submitted")
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    for aid in aids:  # setup, not timed: the instructor's course has its gradebook already
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", aid, "--force", "--log-level=WARN"],
                       cwd=course, env=env, check=True, capture_output=True)
    t0 = time.perf_counter()
    for aid in aids:
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", aid, "--log-level=WARN",
                               f"--Execute.timeout={timeout}"], cwd=course, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(proc.stdout + proc.stderr)
    return time.perf_counter() - t0


def _ours(root, subs, tmp, workers, timeout):
    from autograder.grade import Options, grade

    t0 = time.perf_counter()
    summary = grade(Options(source=subs, root=root, workers=workers, timeout=timeout, out=tmp, progress=None))
    return time.perf_counter() - t0, summary


def main(students=40, workers=2, real=False, timeout=60):
    """Return the table rows: [what, notebooks, seconds, seconds per notebook, notebooks per minute, speed-up].

    Ours runs with 1 worker and with ``workers``, so the rows also show how it scales; each run grades the whole
    cohort afresh (its own output folder), and the scores of the runs must agree.
    """
    with tempfile.TemporaryDirectory(prefix="backprop-bench-") as tmp:
        tmp = Path(tmp)
        root, aids = _course(tmp, real)
        subs = tmp / "submissions"
        _cohort(root, aids, students, subs)
        n = students * len(aids)
        base = _baseline(root, aids, subs, tmp, timeout)
        runs = {}
        for w in sorted({1, workers}):
            seconds, summary = _ours(root, subs, tmp / f"w{w}", w, timeout)
            assert summary["graded"] == n, summary["graded"]
            runs[w] = (seconds, {k: e["score"] for k, e in summary["entries"].items()})
        assert len({tuple(sorted(s.items())) for _, s in runs.values()}) == 1, "the runs disagree on a score"
    rows = [["what", "notebooks", "seconds", "s / notebook", "notebooks / min", "speed-up"],
            ["nbgrader autograde, sequential (no walls)", n, f"{base:.1f}", f"{base / n:.2f}",
             f"{60 * n / base:.1f}", "1.00"]]
    for w, (ours, _) in runs.items():
        rows.append([f"autograder.grade, sandbox + judge, {w} worker{'s' if w > 1 else ''}", n, f"{ours:.1f}",
                     f"{ours / n:.2f}", f"{60 * n / ours:.1f}", f"{base / ours:.2f}"])
    return rows


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=40)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--real", action="store_true", help="01_losses and 02_gradients instead of the toy course")
    a = p.parse_args()
    os.environ.setdefault("MPLBACKEND", "Agg")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    for row in main(a.students, a.workers, a.real):
        print(" | ".join(str(x) for x in row))
