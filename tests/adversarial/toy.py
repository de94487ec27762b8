"""A small nbgrader course built in a temporary folder: two assignments of 7 points each.

``toy_a`` grades ``double`` (3 points) and ``mse`` (4 points); ``toy_b`` grades ``square`` (3) and ``mean_abs`` (4).
Hidden tests carry the marker ``HIDDEN-TEST-MARKER`` so a test can prove they never reach a student's feedback.
"""

import shutil
from pathlib import Path

from autograder.authoring import Notebook

REPO = Path(__file__).resolve().parents[2]
HIDDEN = "HIDDEN-TEST-MARKER"

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


def build(root):
    """Write the toy course's solutions/ and nbgrader_config.py under ``root``; return ``root``."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    for aid, functions in TOY.items():
        nb = Notebook()
        nb.md(f"# {aid}\n\nA toy assignment.")
        nb.code("import numpy as np\nfrom course.testing import check", cell_id="setup")
        for name, points, solution, tests in functions:
            nb.solution(solution, grade_id=name)
            nb.tests(tests, grade_id=f"test_{name}", points=points)
        nb.md("Done.")
        nb.save(root / "solutions" / aid / f"{aid}.ipynb")
    return root
