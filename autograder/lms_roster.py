"""What ``python -m autograder export`` reads, and where a student is in it: nbgrader's gradebook (a :class:`Cohort`)
and the LMS's own export (a :class:`Roster`, ``--roster``), with the rows of a student and the columns of an assignment
in that export. Which row is which student for each LMS is :mod:`autograder.lms_formats`'s to say.
"""

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder import config

# What the LMS exports hold besides students: Canvas's row of each assignment's points (canvas-lms
# app/models/gradebook_importer.rb) and its row of posting policies; Moodle's worksheet Identifier is this and the
# participant id (mod/assign/feedback/offline/importgradeslib.php).
CANVAS_POINTS = "Points Possible"  # the first cell of the row of each assignment's points
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


def read_gradebook(path, assignments=()):
    """The :class:`Cohort` of nbgrader's gradebook at ``path``, for ``assignments`` (default: all of them)."""
    from nbgrader.api import Gradebook

    path = Path(path)
    if not path.is_file():  # nbgrader would create an empty one
        raise SystemExit(f"no gradebook at {path}: grade the submissions first (python -m autograder grade)")
    config.tools_on_path()  # nbgrader's Gradebook runs this environment's alembic
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


def participant_rows(roster, entry):
    """Roster rows of a student known by Moodle file names: by their participant ids (a grading worksheet), else by
    the full name the file names give (Moodle's gradebook export has no participant ids)."""
    if "Identifier" in roster.columns:
        wanted = {PARTICIPANT + i for i in entry.get("ids", {}).values()}
        return [r for r in roster.rows if r.get("Identifier") in wanted]
    name = _norm(entry.get("name"))
    full = lambda r: r.get("Full name") or f"{r.get('First name', '')} {r.get('Last name', '')}".strip()
    return [r for r in roster.rows if _norm(full(r)) == name]
