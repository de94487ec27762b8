"""Grades to the LMS: ``python -m autograder export canvas|moodle`` writes the CSV file Canvas or Moodle imports.

It reads the instructor's nbgrader gradebook (``autograder/gradebook.db``) and the LMS ids ``grade`` kept from the
submission file names (``autograder/reports/lms_ids.json``: Canvas user IDs, Moodle participant ids). A score is
nbgrader's total for the assignment (automatic plus manual, less any late penalty), as ``nbgrader export`` has it.

* ``canvas``: the Gradebook's import file (Grades > Import): ``Student, ID, SIS User ID, SIS Login ID, Section``, a
  ``Points Possible`` row, then one column per assignment, ``<name> (<Canvas assignment id>)`` when the roster has
  that column, else the nbgrader assignment id (Canvas then creates an assignment of that name).
* ``moodle``: the gradebook's Grades > Import > CSV file: an identifier column from the roster (Username, Email
  address or ID number, which Moodle's import form maps under "Identify user by") and one column per assignment.
* ``moodle --worksheet``: the offline grading worksheet of one assignment (View all submissions > Grading action >
  Upload grading worksheet), one row ``Participant <id>`` per student; one file per assignment.

``--roster`` is the LMS's own export (Canvas: Grades > Export; Moodle: Grades > Export, or the assignment's
grading worksheet). It maps the nbgrader ids that did not come from LMS file names (JupyterHub user names) by a
column (``--match``; Canvas: SIS Login ID; Moodle: Username, Email address, ID number), copies each matched
student's identity columns, and names the LMS's own assignment columns. A student with scores and no LMS identity is
never dropped silently: they are printed, listed with their scores in ``<out>-unmapped.csv``, and make ``--strict``
exit 1. A submission that does not exist is a blank cell, no grade, or 0 with ``--missing-zero``.
"""

import argparse
import sys
from pathlib import Path

from autograder import config
from autograder.gradebook import load_lms_ids, load_state
from autograder.lms_formats import MOODLE_IDENTIFIERS, export_canvas, export_moodle, export_worksheets, write_unmapped
from autograder.lms_roster import read_gradebook, read_roster

# The docstring above is the command's --help (main), so it still describes the files lms_formats writes.


def _failed(out, cohort):
    """Mark the submissions whose grading failed (``grade``'s reports/state.json: status "error"): the gradebook
    holds 0 for them, which is no score. Returns a note for each."""
    cohort.failed = {(e["student"], e["assignment"]) for e in load_state(out).values()
                     if e.get("status") == "error" and e.get("assignment") in cohort.maxima}
    return [f"{aid}: grading {student}'s {aid} failed (see reports/report.md): left blank, grade it again"
            for student, aid in sorted(cohort.failed)]


def export(lms, gradebook, assignments=(), out=None, roster=None, match=None, worksheet=False, missing_zero=False):
    """Write the import file(s) for ``lms`` ("canvas" or "moodle"); returns the
    :class:`~autograder.lms_formats.Export`."""
    gradebook = Path(gradebook)
    cohort = read_gradebook(gradebook, assignments)
    failed = _failed(gradebook.parent, cohort)
    ids = load_lms_ids(gradebook.parent)
    table = read_roster(roster) if roster else None
    default = gradebook.parent / "lms" / ("canvas-grades.csv" if lms == "canvas" else
                                          "moodle-worksheet.csv" if worksheet else "moodle-grades.csv")
    base = Path(out) if out else default
    if lms == "canvas":
        result, columns = export_canvas(cohort, ids, table, base, _column(table, match, ["SIS Login ID"]),
                                        missing_zero)
    elif worksheet:
        single = out and len(cohort.maxima) == 1
        outs = {aid: base if single else base.with_name(f"{base.stem}-{aid}{base.suffix}") for aid in cohort.maxima}
        result = export_worksheets(cohort, ids, table, outs, _column(table, match, ["Email address"], "Identifier"),
                                   missing_zero)
        columns = {}
    else:
        result, columns = export_moodle(cohort, ids, table, base, _column(table, match, MOODLE_IDENTIFIERS),
                                        missing_zero)
    result.notes += failed + [f"{aid}: written as column {name!r}" + ("" if theirs else " (a new LMS assignment)")
                              for aid, (name, theirs) in columns.items()]
    result.unmapped_file = write_unmapped(base.with_name(f"{base.stem}-unmapped.csv"), result, cohort)
    return result


def _column(roster, match, defaults, needs=None):
    """The roster column that identifies students: ``--match``, else the first of ``defaults`` the roster has."""
    if roster is None:
        return match or defaults[0]
    if needs and needs not in roster.columns:
        raise SystemExit(f"the roster has no {needs!r} column: give the assignment's grading worksheet (View all "
                         "submissions > Grading action > Download grading worksheet)")
    column = match or next((c for c in defaults if c in roster.columns), None)
    if column not in roster.columns:
        raise SystemExit(f"the roster has no {column or ' or '.join(defaults)!r} column to match students by; its "
                         f"columns: {', '.join(roster.columns)} (say which with --match)")
    return column


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m autograder export", description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lms", choices=["canvas", "moodle"], help="the LMS to write an import file for")
    p.add_argument("-a", "--assignment", action="append", default=[], help="only this assignment (repeat; default: "
                                                                         "every assignment in the gradebook)")
    p.add_argument("--out", type=Path, help="the CSV file (default: GRADEBOOK's folder/lms/<lms>-....csv)")
    p.add_argument("--roster", type=Path, help="the LMS's own gradebook export (or Moodle grading worksheet)")
    p.add_argument("--match", metavar="COLUMN", help="the roster column that holds nbgrader ids (default Canvas: "
                                                     "SIS Login ID; Moodle: Username, Email address, ID number)")
    p.add_argument("--worksheet", action="store_true", help="moodle: one offline grading worksheet per assignment "
                                                            "(participant ids) instead of a gradebook import file")
    p.add_argument("--missing-zero", action="store_true", help="0 for a missing submission (default: blank, no grade)")
    p.add_argument("--strict", action="store_true", help="exit 1 if a student could not be mapped to the LMS")
    p.add_argument("--root", type=Path, default=config.course_root(),
                   help="course root (default: the current folder if it is a course, else this repository)")
    p.add_argument("--gradebook", type=Path, help="nbgrader's gradebook (default: ROOT/autograder/gradebook.db)")
    a = p.parse_args(argv)
    if a.worksheet and a.lms != "moodle":
        p.error("--worksheet is Moodle's")
    result = export(a.lms, a.gradebook or a.root / "autograder" / "gradebook.db", a.assignment, a.out, a.roster,
                    a.match, a.worksheet, a.missing_zero)
    for path in result.files:
        print(f"wrote {path}: {result.rows[path]} student(s)")
    for note in result.notes:
        print(f"  {note}")
    for student, why in sorted(result.unmapped.items()):
        print(f"not exported: {student}: {why}", file=sys.stderr)
    if result.unmapped:
        print(f"{len(result.unmapped)} student(s) not exported, listed with their scores in {result.unmapped_file}",
              file=sys.stderr)
    return 1 if a.strict and result.unmapped else 0


if __name__ == "__main__":
    sys.exit(main())
