"""The one nbgrader configuration: ``nbgrader_config.py`` at the course root, loaded as nbgrader loads it.

Cohort grading runs nbgrader in scratch courses (one per template build and per job); it takes every setting
from that file (which preprocessors execute and score, what feedback hides, stubs, ignore patterns, limits) and
overrides only where the scratch course lives and, when the instructor asks, the limits.
"""

import os
import sys
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

COURSE_ID = "backprop-lab"
REPO = Path(__file__).resolve().parent.parent


def course_root(cwd=None):
    """The course the instructor's commands work on: the current folder when it is one (its own
    nbgrader_config.py and solutions/, as nbgrader's commands read the current folder), else this repository."""
    cwd = Path(cwd or os.getcwd())
    return cwd if (cwd / "nbgrader_config.py").is_file() and (cwd / "solutions").is_dir() else REPO


def load(root, course=None, **limits):
    """nbgrader's configuration from ``root/nbgrader_config.py``, pointed at the scratch ``course`` folder if given.

    ``limits``: ``timeout``, ``memory_mb``, ``allow_unsandboxed`` for the judge (None keeps the file's value).
    """
    tools_on_path()
    path = Path(root) / "nbgrader_config.py"
    config = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    if course is not None:
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.db_url = f"sqlite:///{course}/gradebook.db"
        for key, default in (("submitted_directory", "submitted"), ("autograded_directory", "autograded"),
                             ("feedback_directory", "feedback")):
            setattr(config.CourseDirectory, key, default)
        config.Autograde.permissions = 600
        config.GenerateFeedback.permissions = 600
    for key, value in limits.items():
        if value is not None:
            setattr(config.JudgeExecute, key, value)
    return config


def tools_on_path():
    """nbgrader shells out to ``alembic`` (gradebook migrations): this environment's tools must be found first."""
    tools = os.path.dirname(sys.executable)
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = tools + os.pathsep + os.environ.get("PATH", "")


def judge_setting(root, key):
    """A JudgeExecute setting from the file (``timeout``, ``memory_mb``)."""
    return load(root).JudgeExecute.get(key)

