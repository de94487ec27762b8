"""nbgrader preprocessors that keep hidden tests out of the feedback students receive.

nbgrader's generate_feedback renders the *autograded* notebook, whose test cells were restored from the gradebook
with their hidden tests, and IPython tracebacks quote the source around the failing line. Both would show students
the hidden tests. ``HideHiddenTests`` removes the hidden regions from the source; ``ShortTracebacks`` replaces each
error in a graded cell by its one-line message (which, from course.grading, already says what went wrong).
"""

from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

from course.grading.checks import render_failure

__all__ = ["HideHiddenTests", "ShortTracebacks"]

# The course's own failure types: their message is the whole story (course.grading.checks.CheckFailure and kin).
_FAILURES = {"CheckFailure", "ScorecardFailure"}


class HideHiddenTests(ClearHiddenTests):
    """nbgrader's own ClearHiddenTests, applied to the autograded notebook before it becomes feedback."""


class ShortTracebacks(NbGraderPreprocessor):
    """Keep only the message of errors in graded cells: a failed check as its ✗ block, anything else as
    ``ExceptionName: message``."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    ename, evalue = out.get("ename", "Error"), out.get("evalue", "")
                    out["traceback"] = render_failure(evalue) if ename in _FAILURES else [f"{ename}: {evalue}"]
        return cell, resources


_EXPORTERS = {}


def feedback_html(nb, cfg, aid, nbid, sid, db_url):
    """The page ``nbgrader generate_feedback`` makes of the autograded ``nb``, made the way it makes it (its
    HTMLExporter, the ``feedback`` template, the preprocessors ``cfg`` lists in ``GenerateFeedback.preprocessors``),
    but with the exporter built once per process: compiling its templates costs more than rendering a page."""
    import copy
    import json

    import nbformat
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    key = json.dumps(cfg.GenerateFeedback.get("preprocessors", []), default=str)
    exporter = _EXPORTERS.get(key)
    if exporter is None:
        converter = GenerateFeedback(coursedir=CourseDirectory(config=cfg), config=cfg)
        exporter = converter.exporter_class(parent=converter, config=converter.config)
        for pp in converter.preprocessors:
            exporter.register_preprocessor(pp)
        _EXPORTERS[key] = exporter
    resources = {"nbgrader": {"student": sid, "assignment": aid, "notebook": nbid, "db_url": db_url},
                 "metadata": {"name": nbid}}
    body, _ = exporter.from_notebook_node(nbformat.from_dict(copy.deepcopy(nb)), resources=resources)
    return body.encode()
