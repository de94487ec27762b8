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

# Submissions execute behind two walls (autograder/execute.py): the student's cells in a bubblewrap sandbox, the test
# cells in a separate judge process that calls the student's functions across the boundary. nbgrader's own Execute
# (a kernel running student code and tests together) is replaced; the rest of autograde is nbgrader's.
c.Autograde.autograde_preprocessors = [
    "autograder.execute.JudgeExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# A cell that runs longer than this is stopped and scores 0 (an infinite loop must not stall grading).
c.JudgeExecute.timeout = 60
c.JudgeExecute.memory_mb = 2048
# While an assignment is graded, its reference modules are out of the student process's view (stubs that raise when
# used), so a graded function cannot hand its work to the course's own implementation. course/grading never is.
c.JudgeExecute.withheld_modules = {
    "01_losses": ["course/losses.py"],
    "02_gradients": ["course/gradients.py", "course/gradcheck.py"],
    "03_backprop": ["course/activations.py", "course/layers.py", "course/nn.py", "course/mlp.py", "course/gradcheck.py",
                    "course/examples/network222.py", "course/examples/xor.py", "course/examples/delta_rule.py"],
    "04_initialization": ["course/init.py", "course/nn.py", "course/mlp.py", "course/examples/init_experiments.py"],
    "05_optimizers": ["course/optim.py", "course/surfaces.py"],
    "06_capstone": ["course/layers.py", "course/nn.py", "course/mlp.py", "course/train.py",
                    "course/examples/digits.py"],
    "07_sequences": ["course/rnn.py", "course/ctc.py", "course/examples/ctc_paths.py",
                     "course/examples/through_time.py", "course/examples/string_reader.py"],
    "08_autograd": ["course/autograd.py", "course/autograd_nn.py"],
}
c.OverwriteCells.add_missing_cells = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback never shows hidden tests, nor the source context of an error (it would quote a hidden test's line).
# `python -m autograder grade` renders its feedback pages with this same list.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.feedback.HideHiddenTests",
    "autograder.feedback.ShortTracebacks",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
