"""nbgrader for the instructor on the hub: the course's own settings (nbgrader_config.py at the checkout's root:
solutions/ is the source, exercises/ the release, grading under autograder/) with absolute paths, so formgrader and
every `nbgrader` command agree wherever they run, plus the exchange."""

import os

c = get_config()  # noqa: F821 (injected by traitlets)

HERE = os.path.dirname(os.path.abspath(__file__))  # <course>/autograder/hub/instructor
ROOT = os.environ.get("BACKPROP_COURSE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(HERE))))
load_subconfig(os.path.join(ROOT, "nbgrader_config.py"))  # noqa: F821 (injected by traitlets)

c.CourseDirectory.root = ROOT
c.CourseDirectory.db_url = f"sqlite:///{os.path.join(ROOT, 'autograder', 'gradebook.db')}"
c.Exchange.root = os.environ.get("BACKPROP_EXCHANGE", "/srv/nbgrader/exchange")
