"""Grading: the checks graded test cells call, the words of their failures, and the catalogues of classic mistakes.

- :mod:`~course.grading.checks`: ``check`` (call a student's function safely, compare, name the mistake),
  ``check_gradient``, ``assert_close``; every check engine opens with its ``call_student``;
- :mod:`~course.grading.diagnosis`: how a failure is put into words (a flipped sign, a missing 1/N, a transpose …);
- :mod:`~course.grading.mutants`: a classic mistake written as the reference with a line changed;
- :mod:`~course.grading.scorecard`: ``scorecard()``, every test of a lesson run again, one line per function;
- :mod:`~course.grading.lending`: ``reference_helpers``, grade a function on its own by lending it the course's
  helpers;
- :mod:`~course.grading.mistakes`: one catalogue of classic mistakes per lesson, looked up by function name;
- one module of check engines per lesson that needs more than ``check``: :mod:`~course.grading.gradients` (02),
  :mod:`~course.grading.init` (04), :mod:`~course.grading.optim` (05), :mod:`~course.grading.capstone` and
  :mod:`~course.grading.training` (06), :mod:`~course.grading.sequences` (07).
"""

from course.grading.checks import CheckFailure, Mistake, assert_close, call_quietly, check, check_gradient
from course.grading.scorecard import scorecard

__all__ = ["check", "check_gradient", "assert_close", "Mistake", "CheckFailure", "call_quietly", "scorecard"]
