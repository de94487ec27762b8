"""nbgrader configuration for backprop-lab.

nbgrader's own commands (generate_assignment, validate, autograde, generate_feedback, export) run from the
repository root with no extra flags: solutions/ is the source, exercises/ the release, and everything grading
produces lives under autograder/, which git ignores.
"""

c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.course_id = "backprop-lab"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "autograder/submitted"
c.CourseDirectory.autograded_directory = "autograder/autograded"
c.CourseDirectory.feedback_directory = "autograder/feedback"
c.CourseDirectory.db_url = "sqlite:///autograder/gradebook.db"

# Assignments in teaching order; nbgrader creates them in the gradebook on first use.
# Each lesson's source script, solutions/<aid>/<aid>.py, holds the solutions and the hidden tests: nbgrader must
# never copy it into a release, nor into a folder where student code is graded.
import os  # noqa: E402
import glob  # noqa: E402

_ROOT = os.path.dirname(os.path.abspath(__file__))
_LESSON_SCRIPTS = sorted({os.path.basename(p) for p in glob.glob(os.path.join(_ROOT, "solutions", "*", "*.py"))
                          if os.path.basename(p) == os.path.basename(os.path.dirname(p)) + ".py"})
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", *_LESSON_SCRIPTS]

# A cell that runs longer than this is interrupted and scores 0 (an infinite loop must not stall grading).
c.ExecutePreprocessor.timeout = 60
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback never shows hidden tests: strip them (and the source context of tracebacks) before rendering HTML.
# The autograder package sits beside this file; make it importable however nbgrader was started.
import sys  # noqa: E402

sys.path.insert(0, _ROOT)
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.feedback.HideHiddenTests",
    "autograder.feedback.ShortTracebacks",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
