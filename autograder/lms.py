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
import csv
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder import config
from autograder.gradebook import load_lms_ids

# The formats as the LMSes read them: canvas-lms app/models/gradebook_importer.rb, Moodle's
# mod/assign/feedback/offline/importgradeslib.php (the worksheet) and grade/import/csv/classes/load_data.php.
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS = "Points Possible"  # the first cell of the row of each assignment's points
MOODLE_IDENTIFIERS = ["Username", "Email address", "ID number"]
MOODLE_WORKSHEET = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                    "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
PARTICIPANT = "Participant "  # a worksheet Identifier is this and the participant id
_POSTING = re.compile(r"(?i)\s*(muted|manual posting.*)?\s*")  # Canvas's row of posting policies: no student


@dataclass
class Cohort:
    """What the gradebook says: each assignment's maximum, each submission's score and time, each student."""
    maxima: dict  # assignment -> maximum score
    scores: dict  # (student, assignment) -> score
    times: dict  # (student, assignment) -> submission time (None if unknown)
    people: dict  # student -> {first_name, last_name, email, lms_user_id}
    failed: set = field(default_factory=set)  # (student, assignment) whose grading failed: its 0 is no score


@dataclass
class Roster:
    """The LMS's own export: its columns, a dict per student row, and Canvas's Points Possible row."""
    columns: list
    rows: list
    points: dict = field(default_factory=dict)


@dataclass
class Export:
    files: list = field(default_factory=list)  # the CSV files written
    rows: dict = field(default_factory=dict)  # file -> how many students it grades
    unmapped: dict = field(default_factory=dict)  # student -> why they have no LMS identity
    unmapped_file: Path = None
    notes: list = field(default_factory=list)  # what the instructor should check


def read_gradebook(path, assignments=()):
    """The :class:`Cohort` of nbgrader's gradebook at ``path``, for ``assignments`` (default: all of them)."""
    from nbgrader.api import Gradebook

    path = Path(path)
    if not path.is_file():  # nbgrader would create an empty one
        raise SystemExit(f"no gradebook at {path}: grade the submissions first (python -m autograder grade)")
    config._tools_on_path()  # nbgrader's Gradebook runs this environment's alembic
    with Gradebook(f"sqlite:///{path.resolve()}", config.COURSE_ID) as gb:
        names = sorted(a.name for a in gb.assignments)
        unknown = [a for a in assignments if a not in names]
        if unknown:
            raise SystemExit(f"not in the gradebook: {', '.join(unknown)} (it has {', '.join(names) or 'none'})")
        people = {s.id: {"first_name": s.first_name, "last_name": s.last_name, "email": s.email,
                         "lms_user_id": s.lms_user_id} for s in gb.students}
        cohort = Cohort({}, {}, {}, people)
        for aid in assignments or names:
            assignment = gb.find_assignment(aid)
            cohort.maxima[aid] = float(assignment.max_score)
            for sub in assignment.submissions:
                key = (sub.student.id, aid)
                cohort.scores[key] = max(0.0, float(sub.score) - float(sub.late_submission_penalty or 0))
                cohort.times[key] = sub.timestamp
    return cohort


def read_roster(path):
    """The LMS's export at ``path`` (UTF-8, with or without Excel's byte-order mark) as a :class:`Roster`."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        table = list(csv.reader(fh))
    if not table:
        raise SystemExit(f"the roster {path} is empty")
    roster = Roster([c.strip() for c in table[0]], [])
    for cells in table[1:]:
        row = dict(zip(roster.columns, (c.strip() for c in cells)))
        if cells and CANVAS_POINTS in cells[0]:
            roster.points = row
        elif any(row.values()) and not all(_POSTING.fullmatch(c) for c in cells):
            roster.rows.append(row)
    return roster


def points(value):
    """A score as an LMS should read it: rounded to 6 decimals, without float noise or trailing zeros (37.5, 100)."""
    text = f"{round(float(value), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _norm(text):
    return (text or "").strip().casefold()


def find_rows(roster, column, keys):
    """Roster rows whose ``column`` is one of ``keys``, case aside; failing that, in a column of email addresses,
    rows whose address is ``<key>@...`` (a JupyterHub user name is often that part)."""
    keys = {_norm(k) for k in keys if k}
    rows = [r for r in roster.rows if _norm(r.get(column)) in keys]
    return rows or [r for r in roster.rows if "@" in r.get(column, "") and _norm(r[column]).split("@")[0] in keys]


def _tokens(text):
    return re.findall(r"[a-z0-9]+", text.casefold())


def roster_columns(roster, aid, skip=()):
    """The roster's columns that stand for assignment ``aid``: their header holds the nbgrader id (``toy_a (4321)``,
    ``Assignment: 01 Losses (Real)``); a header that is the id and a Canvas id only wins over longer ones."""
    want = _tokens(aid)
    holds = lambda got: any(got[i:i + len(want)] == want for i in range(len(got) - len(want) + 1))
    found = [c for c in roster.columns if c not in skip and holds(_tokens(c))]
    exact = [c for c in found if _tokens(re.sub(r"\s*\(\d+\)\s*$", "", c)) == want]
    return exact or found


def _assignment_columns(roster, aids, skip, result):
    """{assignment: (column header, roster column or None)}: the LMS's own column where the roster has exactly one,
    else the nbgrader id (an LMS then makes a new assignment of that name)."""
    columns = {}
    for aid in aids:
        found = roster_columns(roster, aid, skip) if roster else []
        if len(found) > 1:
            result.notes.append(f"{aid}: the roster has several columns for it ({', '.join(found)}); written as a new "
                                f"column {aid!r}: rename it to the right one before importing")
        columns[aid] = (found[0], found[0]) if len(found) == 1 else (aid, None)
    return columns


def _students(cohort, aids, missing_zero):
    """The students to export: whoever has a submission of one of ``aids`` (everyone, with ``--missing-zero``)."""
    return sorted(cohort.people if missing_zero else {s for s, a in cohort.scores if a in aids})


def _cell(cohort, student, aid, missing_zero):
    if (student, aid) in cohort.failed:
        return ""
    score = cohort.scores.get((student, aid))
    return points(score) if score is not None else ("0" if missing_zero else "")


def _failed(out, cohort):
    """Mark the submissions whose grading failed (``grade``'s reports/state.json: status "error"): the gradebook
    holds 0 for them, which is no score. Returns a note for each."""
    path = Path(out) / "reports" / "state.json"
    state = json.loads(path.read_text()) if path.is_file() else {}
    cohort.failed = {(e["student"], e["assignment"]) for e in state.values()
                     if e.get("status") == "error" and e.get("assignment") in cohort.maxima}
    return [f"{aid}: grading {student}'s {aid} failed (see reports/report.md): left blank, grade it again"
            for student, aid in sorted(cohort.failed)]


def _full_name(cohort, student):
    person = cohort.people.get(student) or {}
    return " ".join(n for n in (person.get("first_name"), person.get("last_name")) if n) or student


def _lms_entry(ids, student, lms):
    entry = ids.get(student) or {}
    return entry if entry.get("lms") == lms else {}


def _unique(found, result, what):
    """Leave out the students whose LMS identity another student has too (``found``: {student: (key, value)}):
    which of them the LMS row is cannot be told."""
    by_key = {}
    for student, (key, _) in found.items():
        by_key.setdefault(key, []).append(student)
    for students in (s for s in by_key.values() if len(s) > 1):
        for student in students:
            others = ", ".join(repr(s) for s in students if s != student)
            result.unmapped[student] = f"{others} map(s) to the same {what} ({found.pop(student)[0]}): enter by hand"
    return found


# Canvas ----------------------------------------------------------------------------------------------------------

def canvas_identity(student, cohort, ids, roster, match):
    """(the student's identity cells, None), or (None, why there are none)."""
    entry = _lms_entry(ids, student, "canvas")
    user_id = Counter(entry.get("ids", {}).values()).most_common(1)[0][0] if entry.get("ids") else ""
    person = cohort.people.get(student) or {}
    user_id = user_id or person.get("lms_user_id") or ""
    if roster is not None:
        rows = ([r for r in roster.rows if r.get("ID") == user_id] if user_id
                else find_rows(roster, match, [student, person.get("email")]))
        if len(rows) > 1:
            return None, f"{len(rows)} roster rows have {match} {student!r}"
        if rows:
            return {c: rows[0].get(c, "") for c in CANVAS_IDENTITY}, None
    if user_id:
        name = entry.get("name") or _full_name(cohort, student)
        return {**dict.fromkeys(CANVAS_IDENTITY, ""), "Student": name, "ID": user_id}, None
    if ids.get(student, {}).get("lms"):
        return None, f"its submission file names were {ids[student]['lms'].capitalize()}'s, not Canvas's"
    if roster is None:
        return None, "no Canvas user ID in the submission file names, and no --roster to look the student up in"
    return None, f"no roster row has {match} {student!r}"


def export_canvas(cohort, ids, roster, out, match="SIS Login ID", missing_zero=False):
    """Canvas's Gradebook import file at ``out``; returns (:class:`Export`, {assignment: (header, roster column)})."""
    result = Export()
    aids = sorted(cohort.maxima)
    found = {}
    for student in _students(cohort, aids, missing_zero):
        cells, why = canvas_identity(student, cohort, ids, roster, match)
        if cells is None:
            result.unmapped[student] = why
        else:
            key = next((f"{c} {cells[c]}" for c in ("ID", "SIS User ID", "SIS Login ID") if cells[c]), cells["Student"])
            found[student] = (key, cells)
    found = _unique(found, result, "Canvas student")
    columns = _assignment_columns(roster, aids, CANVAS_IDENTITY, result)
    header = CANVAS_IDENTITY + [columns[aid][0] for aid in aids]
    possible = [CANVAS_POINTS] + [""] * (len(CANVAS_IDENTITY) - 1)
    for aid in aids:
        theirs = columns[aid][1]
        possible.append(roster.points.get(theirs, "") if theirs else points(cohort.maxima[aid]))
        _check_maximum(result, aid, roster.points.get(theirs) if theirs else None, cohort.maxima[aid], "Canvas")
    rows = [[cells[c] for c in CANVAS_IDENTITY] + [_cell(cohort, s, aid, missing_zero) for aid in aids]
            for s, (_, cells) in sorted(found.items())]
    _write(out, [header, possible] + rows, result, len(rows))
    return result, columns


def _check_maximum(result, aid, theirs, ours, lms):
    try:
        if theirs not in (None, "") and float(theirs) != ours:
            result.notes.append(f"{aid}: {lms} has it out of {theirs} points, nbgrader out of {points(ours)}; the "
                                "scores are nbgrader's points: make the two agree")
    except ValueError:
        pass


# Moodle ----------------------------------------------------------------------------------------------------------

def _participant_rows(roster, entry):
    """Roster rows of a student known by Moodle file names: by their participant ids (a grading worksheet), else by
    the full name the file names give (Moodle's gradebook export has no participant ids)."""
    if "Identifier" in roster.columns:
        wanted = {PARTICIPANT + i for i in entry.get("ids", {}).values()}
        return [r for r in roster.rows if r.get("Identifier") in wanted]
    name = _norm(entry.get("name"))
    full = lambda r: r.get("Full name") or f"{r.get('First name', '')} {r.get('Last name', '')}".strip()
    return [r for r in roster.rows if _norm(full(r)) == name]


def moodle_identity(student, cohort, ids, roster, column):
    """(the student's identifier cell, None), or (None, why there is none) for Moodle's gradebook import."""
    if roster is None:
        return None, ("Moodle's gradebook import finds students by username, email address or ID number: give "
                      "--roster (Moodle's gradebook export), or use --worksheet")
    entry = _lms_entry(ids, student, "moodle")
    person = cohort.people.get(student) or {}
    rows = _participant_rows(roster, entry) if entry else find_rows(roster, column, [student, person.get("email")])
    by = "participant id or full name" if entry else column
    if len(rows) > 1:
        return None, f"{len(rows)} roster rows match its {by}"
    if not rows:
        return None, f"no roster row matches its {by} ({student!r})"
    if not rows[0].get(column):
        return None, f"its roster row has no {column}"
    return {column: rows[0][column]}, None


def export_moodle(cohort, ids, roster, out, column, missing_zero=False):
    """Moodle's gradebook import file at ``out``, students identified by the roster's ``column``; returns
    (:class:`Export`, {assignment: (header, roster column)})."""
    result = Export()
    aids = sorted(cohort.maxima)
    found = {}
    for student in _students(cohort, aids, missing_zero):
        cells, why = moodle_identity(student, cohort, ids, roster, column)
        if cells is None:
            result.unmapped[student] = why
        else:
            found[student] = (f"{column} {cells[column]}", cells)
    found = _unique(found, result, "Moodle user")
    columns = _assignment_columns(roster, aids, [column], result)
    rows = [[cells[column]] + [_cell(cohort, s, aid, missing_zero) for aid in aids]
            for s, (_, cells) in sorted(found.items())]
    _write(out, [[column] + [columns[aid][0] for aid in aids]] + rows, result, len(rows))
    return result, columns


def worksheet_identity(student, aid, cohort, ids, roster, match):
    """(participant id, the student's worksheet row or {}), or (None, why there is none), for assignment ``aid``."""
    entry = _lms_entry(ids, student, "moodle")
    pid = entry.get("ids", {}).get(aid)
    person = cohort.people.get(student) or {}
    if roster is not None and "Identifier" in roster.columns:
        rows = ([r for r in roster.rows if r.get("Identifier") == PARTICIPANT + pid] if pid
                else find_rows(roster, match, [student, person.get("email")]))
        if len(rows) > 1:
            return None, f"{aid}: {len(rows)} worksheet rows have {match} {student!r}"
        if rows and rows[0].get("Identifier", "").startswith(PARTICIPANT):
            return rows[0]["Identifier"][len(PARTICIPANT):], rows[0]
    if pid:
        return pid, {}
    if roster is None or "Identifier" not in roster.columns:
        return None, (f"{aid}: no Moodle participant id in its submission file names, and no --roster (the "
                      "assignment's grading worksheet) to look the student up in")
    return None, f"{aid}: no worksheet row has {match} {student!r}"


def export_worksheets(cohort, ids, roster, outs, match="Email address", missing_zero=False):
    """One offline grading worksheet per assignment (``outs``: {assignment: file}); returns the :class:`Export`."""
    result = Export()
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")  # newer than the grades in Moodle: ours apply
    for aid in sorted(cohort.maxima):
        found = {}
        for student in _students(cohort, [aid], missing_zero):
            pid, row = worksheet_identity(student, aid, cohort, ids, roster, match)
            if pid is None:
                result.unmapped[student] = "; ".join(filter(None, [result.unmapped.get(student), row]))
            else:
                found[student] = (f"participant {pid}", (pid, row))
        rows = []
        for student, (_, (pid, row)) in sorted(_unique(found, result, f"{aid} participant").items()):
            score, when = cohort.scores.get((student, aid)), cohort.times.get((student, aid))
            name = _lms_entry(ids, student, "moodle").get("name") or _full_name(cohort, student)
            _check_maximum(result, aid, row.get("Maximum Grade"), cohort.maxima[aid], "Moodle")
            rows.append([PARTICIPANT + pid, row.get("Full name") or name,
                         row.get("Email address") or (cohort.people.get(student) or {}).get("email") or "",
                         row.get("Status") or ("Submitted for grading" if score is not None else "No submission"),
                         _cell(cohort, student, aid, missing_zero), points(cohort.maxima[aid]),
                         row.get("Grade can be changed") or "Yes",
                         row.get("Last modified (submission)") or (when.isoformat(sep=" ") if when else "-"), now,
                         row.get("Feedback comments", "")])  # kept: Moodle replaces a comment by what the file says
        _write(outs[aid], [MOODLE_WORKSHEET] + rows, result, len(rows))
    result.notes = list(dict.fromkeys(result.notes))
    return result


# The command -----------------------------------------------------------------------------------------------------

def _write(path, table, result, n):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(table)
    result.files.append(path)
    result.rows[path] = n


def _write_unmapped(path, result, cohort):
    """List who was left out, with their scores, so they can be entered by hand; no stale list is left behind."""
    path.unlink(missing_ok=True)
    if not result.unmapped:
        return None
    aids = sorted(cohort.maxima)
    rows = [[s, why] + [_cell(cohort, s, aid, False) for aid in aids] for s, why in sorted(result.unmapped.items())]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["student_id", "reason"] + aids] + rows)
    return path


def export(lms, gradebook, assignments=(), out=None, roster=None, match=None, worksheet=False, missing_zero=False):
    """Write the import file(s) for ``lms`` ("canvas" or "moodle"); returns the :class:`Export`."""
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
    result.unmapped_file = _write_unmapped(base.with_name(f"{base.stem}-unmapped.csv"), result, cohort)
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
