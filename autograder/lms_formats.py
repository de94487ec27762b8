"""The files Canvas and Moodle import, one writer each: Canvas's Gradebook import file (:func:`export_canvas`),
Moodle's gradebook CSV import (:func:`export_moodle`) and its offline grading worksheet (:func:`export_worksheets`).
Next to each writer is the rule by which that LMS knows a student: the LMS ids the submission file names gave, else
the student's row in the roster. Who no file can take is listed with their scores (:func:`write_unmapped`).
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder.lms_roster import CANVAS_POINTS, PARTICIPANT, find_rows, participant_rows, roster_columns

# The formats as the LMSes read them: canvas-lms app/models/gradebook_importer.rb, Moodle's
# mod/assign/feedback/offline/importgradeslib.php (the worksheet) and grade/import/csv/classes/load_data.php.
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDENTIFIERS = ["Username", "Email address", "ID number"]
MOODLE_WORKSHEET = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                    "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"]


@dataclass
class Export:
    files: list = field(default_factory=list)  # the CSV files written
    rows: dict = field(default_factory=dict)  # file -> how many students it grades
    unmapped: dict = field(default_factory=dict)  # student -> why they have no LMS identity
    unmapped_file: Path = None
    notes: list = field(default_factory=list)  # what the instructor should check


def points(value):
    """A score as an LMS should read it: rounded to 6 decimals, without float noise or trailing zeros (37.5, 100)."""
    text = f"{round(float(value), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


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


def _identify(cohort, aids, missing_zero, result, what, identity, key):
    """{student: (LMS key, identity cells)} of every student with a cell to write whom ``identity`` finds in the
    LMS; the others go to ``result.unmapped`` with the reason, as do two students who are one LMS user (``key``)."""
    found = {}
    for student in _students(cohort, aids, missing_zero):
        cells, why = identity(student)
        if cells is None:
            result.unmapped[student] = why
        else:
            found[student] = (key(cells), cells)
    return _unique(found, result, what)


def export_canvas(cohort, ids, roster, out, match="SIS Login ID", missing_zero=False):
    """Canvas's Gradebook import file at ``out``; returns (:class:`Export`, {assignment: (header, roster column)})."""
    result = Export()
    aids = sorted(cohort.maxima)
    found = _identify(cohort, aids, missing_zero, result, "Canvas student",
                      lambda student: canvas_identity(student, cohort, ids, roster, match),
                      lambda cells: next((f"{c} {cells[c]}" for c in ("ID", "SIS User ID", "SIS Login ID")
                                          if cells[c]), cells["Student"]))
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

def moodle_identity(student, cohort, ids, roster, column):
    """(the student's identifier cell, None), or (None, why there is none) for Moodle's gradebook import."""
    if roster is None:
        return None, ("Moodle's gradebook import finds students by username, email address or ID number: give "
                      "--roster (Moodle's gradebook export), or use --worksheet")
    entry = _lms_entry(ids, student, "moodle")
    person = cohort.people.get(student) or {}
    rows = participant_rows(roster, entry) if entry else find_rows(roster, column, [student, person.get("email")])
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
    found = _identify(cohort, aids, missing_zero, result, "Moodle user",
                      lambda student: moodle_identity(student, cohort, ids, roster, column),
                      lambda cells: f"{column} {cells[column]}")
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


# Writing the files -----------------------------------------------------------------------------------------------

def _write(path, table, result, n):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(table)
    result.files.append(path)
    result.rows[path] = n


def write_unmapped(path, result, cohort):
    """List who was left out, with their scores, so they can be entered by hand; no stale list is left behind."""
    path.unlink(missing_ok=True)
    if not result.unmapped:
        return None
    aids = sorted(cohort.maxima)
    rows = [[s, why] + [_cell(cohort, s, aid, False) for aid in aids] for s, why in sorted(result.unmapped.items())]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["student_id", "reason"] + aids] + rows)
    return path
