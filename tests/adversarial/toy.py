"""A small nbgrader course built in a temporary folder: two assignments of 7 points each.

``toy_a`` grades ``double`` (3 points) and ``mse`` (4 points); ``toy_b`` grades ``square`` (3) and ``mean_abs`` (4).
Hidden tests carry the marker ``HIDDEN-TEST-MARKER`` so a test can prove they never reach a student's feedback.
Each assignment is written the way the real lessons are, as a jupytext lesson script that
``autograder.lessons.build`` turns into the notebook nbgrader reads, with a locked set-up cell. While ``toy_a`` is
graded, ``course.losses`` is withheld from student code (its ``mse_forward`` would answer ``mse``).
"""

import json
from pathlib import Path

from autograder import lessons

REPO = Path(__file__).resolve().parents[2]
HIDDEN = "HIDDEN-TEST-MARKER"
SECRET = "INSTRUCTOR-SECRET-MARKER"  # in a file at the course root: no student process may read it

TOY = {
    "toy_a": [
        ("double", 3, "def double(x):\n    \"\"\"Twice x.\"\"\"\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                      "    ### END SOLUTION",
         "check(double, np.array([1.0, 2.0]), expected=np.array([2.0, 4.0]))\n### BEGIN HIDDEN TESTS\n"
         f"# {HIDDEN}\ncheck(double, np.arange(5.0), expected=np.arange(5.0) * 2)\n### END HIDDEN TESTS"),
        ("mse", 4, "def mse(y_pred, y):\n    \"\"\"Mean squared error.\"\"\"\n    ### BEGIN SOLUTION\n"
                   "    return float(np.mean((y_pred - y) ** 2))\n    ### END SOLUTION",
         "check(mse, np.array([1.0, 3.0]), np.array([0.0, 0.0]), expected=5.0)\n### BEGIN HIDDEN TESTS\n"
         f"# {HIDDEN}\nrng = np.random.default_rng(0)\na, b = rng.normal(size=7), rng.normal(size=7)\n"
         "check(mse, a, b, expected=float(((a - b) ** 2).sum() / 7))\n### END HIDDEN TESTS"),
    ],
    "toy_b": [
        ("square", 3, "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION",
         "check(square, np.array([3.0]), expected=np.array([9.0]))\n### BEGIN HIDDEN TESTS\n"
         f"# {HIDDEN}\ncheck(square, -np.arange(4.0), expected=np.arange(4.0) ** 2)\n### END HIDDEN TESTS"),
        ("mean_abs", 4, "def mean_abs(x):\n    ### BEGIN SOLUTION\n    return float(np.mean(np.abs(x)))\n"
                        "    ### END SOLUTION",
         "check(mean_abs, np.array([-1.0, 3.0]), expected=2.0)\n### BEGIN HIDDEN TESTS\n"
         f"# {HIDDEN}\ncheck(mean_abs, np.array([-2.0]), expected=2.0)\n### END HIDDEN TESTS"),
    ],
}


def _header(grade_id, points=None, locked=False):
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": points is not None or locked}
    if points is not None:
        meta["points"] = points
    meta.update(schema_version=3, solution=points is None and not locked)
    return "# %% nbgrader=" + json.dumps(dict(sorted(meta.items())))


def script(aid):
    """The lesson script of a toy assignment."""
    parts = [f"# %% [markdown]\n# # {aid}\n#\n# A toy assignment.",
             f"{_header('setup', locked=True)}\nimport numpy as np\n\nfrom course.grading import check"]
    for name, points, solution, tests in TOY[aid]:
        parts += [f"{_header(name)}\n{solution}", f"{_header('test_' + name, points)}\n{tests}"]
    parts.append("# %% [markdown]\n# Done.")
    return "\n\n".join(parts) + "\n"


def build(root):
    """Write the toy course's solutions/ and nbgrader_config.py under ``root``; return ``root``."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    config = (REPO / "nbgrader_config.py").read_text()
    # Grading toy_a, the student's process has no course.losses: its mse_forward would be the answer to `mse`.
    config += '\nc.JudgeExecute.withheld_modules = {"toy_a": ["course/losses.py"]}\n'
    (root / "nbgrader_config.py").write_text(config)
    (root / "SECRET.txt").write_text(SECRET + "\n")
    for aid in TOY:
        lessons.script_path(aid, root).parent.mkdir(parents=True, exist_ok=True)
        lessons.script_path(aid, root).write_text(script(aid), encoding="utf-8")
        lessons.build(aid, root)
    return root
