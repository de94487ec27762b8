"""Grades to the LMS: the LMS ids in Canvas and Moodle file names are kept, students the file names give one name stay
apart, and ``python -m autograder export canvas|moodle`` writes the files Canvas and Moodle import.

Fast tests collect hand-made LMS downloads and export gradebooks built with nbgrader's own API. The slow tests grade a
Canvas zip and a Moodle zip of the toy course for real and export them. Expected values come from outside the code
under test: the headers are the LMSes' (literals below, with where they are documented), the ids are the ones in the
file names written here, the scores are the toy course's points and nbgrader's gradebook read back.
"""

import csv
import hashlib
import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import lms, lms_formats
from autograder.__main__ import main as autograder_main
from autograder.collect import collect
from autograder.identities import lms_identity

# https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807 ; the file as
# Canvas reads it (canvas-lms app/models/gradebook_importer.rb): "Student", "ID", the SIS ids, "Section" last of the
# student columns, and an optional row whose first cell says "Points Possible".
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = ["Points Possible", "", "", "", ""]
# https://docs.moodle.org/en/Assignment_settings#Feedback_types (offline grading worksheet); the columns of Moodle's
# worksheet, read back by mod/assign/feedback/offline/importgradeslib.php ("Identifier" is "Participant <id>").
MOODLE_WORKSHEET_HEADER = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                           "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
                           "Feedback comments"]
# https://docs.moodle.org/en/Grade_import : "Identify user by" maps a column to username, email address or ID number.
MOODLE_USER_FIELDS = ["Username", "Email address", "ID number"]

ONE = {"01_losses": ["01_losses"]}
TWO = {"toy_a": ["toy_a"], "toy_b": ["toy_b"]}


def nb_bytes(source):
    cell = nbformat.v4.new_code_cell(source, id="c" + hashlib.sha1(source.encode()).hexdigest()[:8])
    return nbformat.writes(nbformat.v4.new_notebook(cells=[cell])).encode()


def put(root, files):
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


# 1. The LMS ids in the file names ---------------------------------------------------------------------------------

def test_canvas_and_moodle_file_names_keep_their_lms_ids(tmp_path):
    put(tmp_path, {"doejane_12345_678901_01_losses.ipynb": nb_bytes("'jane'"),
                   "leeann_LATE_23456_678902_01_losses.ipynb": nb_bytes("'ann'"),
                   "Bo Park_4242_assignsubmission_file_/01_losses.ipynb": nb_bytes("'bo'"),
                   "Cy Lo_4243_assignsubmission_file_01_losses.ipynb": nb_bytes("'cy'")})
    subs = {s.student: s for s in collect(tmp_path, ONE)}
    assert {s: (x.lms, x.lms_id, x.lms_name) for s, x in subs.items()} == {
        "doejane": ("canvas", "12345", "doejane"), "leeann": ("canvas", "23456", "leeann"),
        "Bo_Park": ("moodle", "4242", "Bo Park"), "Cy_Lo": ("moodle", "4243", "Cy Lo")}
    assert subs["Bo_Park"].files == {"01_losses": nb_bytes("'bo'")} and all(not s.messages for s in subs.values())


def test_a_moodle_folder_is_its_student_and_not_the_notebook_name(tmp_path):
    """Moodle's "download submissions in folders" layout used to be read as student "01" for everybody."""
    put(tmp_path, {f"{name}_{pid}_assignsubmission_file_/01_losses.ipynb": nb_bytes(repr(name))
                   for name, pid in (("Jane Doe", 11), ("Ann Lee", 12))})
    subs = {s.student: s.files["01_losses"] for s in collect(tmp_path, ONE)}
    assert subs == {"Jane_Doe": nb_bytes("'Jane Doe'"), "Ann_Lee": nb_bytes("'Ann Lee'")}


def test_a_custom_regexp_that_reads_another_name_gets_no_lms_id():
    assert lms_identity("doejane_12345_678_01_losses.ipynb", "doejane", "01_losses").id == "12345"
    assert lms_identity("doejane_12345_678_01_losses.ipynb", "jane", "01_losses") is None
    assert lms_identity("alice_01_losses.ipynb", "alice", "01_losses") is None  # "01" is the notebook's, not an id


# 2. Students the file names give one name -------------------------------------------------------------------------

SMITHS = {"smithjohn_1001_9001_01_losses.ipynb": nb_bytes("'first john'"),
          "smithjohn_LATE_1002_9002_01_losses.ipynb": nb_bytes("'second john'")}


def test_two_canvas_students_with_one_name_are_never_merged(tmp_path):
    subs = {s.student: s for s in collect(put(tmp_path, SMITHS), ONE)}
    assert sorted(subs) == ["smithjohn-1001", "smithjohn-1002"]
    assert subs["smithjohn-1001"].files["01_losses"] == nb_bytes("'first john'")
    assert subs["smithjohn-1002"].files["01_losses"] == nb_bytes("'second john'")
    assert subs["smithjohn-1002"].messages == [
        "Canvas user 1002 was graded under the id 'smithjohn-1002': the file names give the name 'smithjohn' to "
        "other students too: Canvas user 1001 (graded as 'smithjohn-1001')"]
    assert (subs["smithjohn-1001"].lms_id, subs["smithjohn-1002"].lms_id) == ("1001", "1002")


def test_a_student_keeps_the_id_earlier_runs_gave_them(tmp_path):
    known = {"smithjohn": {"lms": "canvas", "name": "smithjohn", "ids": {"01_losses": "1001"}}}
    both = {s.student: s.lms_id for s in collect_known(put(tmp_path / "both", SMITHS), known)}
    assert both == {"smithjohn": "1001", "smithjohn-1002": "1002"}  # the earlier smithjohn keeps the plain name
    late = {s.student: s.lms_id for s in collect_known(put(tmp_path / "late", dict(list(SMITHS.items())[1:])), known)}
    assert late == {"smithjohn-1002": "1002"}  # a namesake alone is still not the smithjohn of earlier runs
    renamed = collect_known(put(tmp_path / "renamed", {"joneseve_1001_9009_01_losses.ipynb": nb_bytes("'x'")}), known)
    assert [(s.student, s.lms_name) for s in renamed] == [("smithjohn", "joneseve")]  # same Canvas user, same id
    assert "earlier runs" in renamed[0].messages[0]


def collect_known(folder, known):
    from autograder.collect import collect_with_notes

    return collect_with_notes(folder, ONE, known=known)[0]


def test_moodle_namesakes_are_apart_within_an_assignment_and_one_student_across(tmp_path):
    put(tmp_path, {"Jane Doe_4242_assignsubmission_file_toy_a.ipynb": nb_bytes("'jane a'"),
                   "Jane Doe_4243_assignsubmission_file_toy_a.ipynb": nb_bytes("'other jane a'"),
                   "Ann Lee_5001_assignsubmission_file_toy_a.ipynb": nb_bytes("'ann a'"),
                   "Ann Lee_6001_assignsubmission_file_toy_b.ipynb": nb_bytes("'ann b'")})
    subs = {(s.student, s.assignment): s.lms_id for s in collect(tmp_path, TWO)}
    # Participant ids are numbered per assignment: Ann Lee's two are one student; the two Jane Does of toy_a are two.
    assert subs == {("Ann_Lee", "toy_a"): "5001", ("Ann_Lee", "toy_b"): "6001", ("Jane_Doe-4242", "toy_a"): "4242",
                    ("Jane_Doe-4243", "toy_a"): "4243"}


def test_canvas_anonymous_grading_keeps_students_apart(tmp_path):
    put(tmp_path, {"anon_x1Y2z_9001_01_losses.ipynb": nb_bytes("'one'"),
                   "anon_Q7r8s_9002_01_losses.ipynb": nb_bytes("'two'"),
                   "LATE_anon_k3L4m_9003_01_losses.ipynb": nb_bytes("'three'")})
    subs = {s.student: s.files["01_losses"] for s in collect(tmp_path, ONE)}
    assert subs == {"anon_x1Y2z": nb_bytes("'one'"), "anon_Q7r8s": nb_bytes("'two'"), "anon_k3L4m": nb_bytes("'three'")}


# 3. Export from a gradebook made with nbgrader's API ---------------------------------------------------------------

TOY_CELLS = {"toy_a": [3, 4], "toy_b": [3, 4]}  # the toy course's points per test cell
# nbgrader's gradebook code trips SQLAlchemy's session warnings whenever a submission is added: noise.
pytestmark = pytest.mark.filterwarnings("ignore:Object of type <Submitted")


@pytest.fixture(autouse=True)
def alembic_on_path(monkeypatch):
    """nbgrader's Gradebook runs ``alembic`` from this environment."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.fixture(scope="module")
def toy_gradebook(tmp_path_factory):
    """An nbgrader gradebook of the toy course's assignments and test cells, no students (creating one takes
    seconds; each test copies it)."""
    from nbgrader.api import Gradebook

    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        with Gradebook(f"sqlite:///{path}", "backprop-lab") as gb:
            for aid, cells in TOY_CELLS.items():
                gb.add_assignment(aid)
                gb.add_notebook(aid, aid)
                for i, pts in enumerate(cells):
                    gb.add_grade_cell(f"test_{i}", aid, aid, max_score=pts, cell_type="code")
    return path


def make_gradebook(template, folder, scores, people=None, lms_ids=None):
    """A copy of ``template`` under ``folder/autograder`` with ``scores``: {(student, assignment): [cell scores]},
    and ``lms_ids`` as grade keeps them. Returns the gradebook's path."""
    from nbgrader.api import Gradebook

    out = folder / "autograder"
    (out / "reports").mkdir(parents=True)
    shutil.copy(template, out / "gradebook.db")
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", "backprop-lab") as gb:
        for sid in sorted({s for s, _ in scores} | set(people or {})):
            gb.add_student(sid, **(people or {}).get(sid, {}))
        for (sid, aid), cells in scores.items():
            gb.add_submission(aid, sid)
            for grade, value in zip(sorted(gb.find_submission_notebook(aid, aid, sid).grades, key=lambda g: g.name),
                                    cells):
                grade.auto_score = value
            gb.db.commit()
    (out / "reports" / "lms_ids.json").write_text(json.dumps(lms_ids or {}))
    return out / "gradebook.db"


CANVAS_IDS = {"smithjohn-1001": {"lms": "canvas", "name": "smithjohn", "ids": {"toy_a": "1001", "toy_b": "1001"}},
              "smithjohn-1002": {"lms": "canvas", "name": "smithjohn", "ids": {"toy_a": "1002"}},
              "Jane_Doe": {"lms": "moodle", "name": "Jane Doe", "ids": {"toy_a": "4242"}}}


@pytest.mark.parametrize("value, text", [(37.500000001, "37.5"), (0.1 + 0.2, "0.3"), (100.0, "100"), (-0.0, "0"),
                                         (2 / 3, "0.666667"), (7, "7")])
def test_scores_are_written_without_float_noise(value, text):
    assert lms_formats.points(value) == text


def test_canvas_from_the_ids_in_file_names(toy_gradebook, tmp_path):
    scores = {("smithjohn-1001", "toy_a"): [0.1, 0.2], ("smithjohn-1001", "toy_b"): [3, 4],
              ("smithjohn-1002", "toy_a"): [3, 1.5], ("Jane_Doe", "toy_a"): [3, 4]}
    db = make_gradebook(toy_gradebook, tmp_path, scores, lms_ids=CANVAS_IDS)
    result = lms.export("canvas", db)
    table = read_csv(result.files[0])
    assert result.files[0] == db.parent / "lms" / "canvas-grades.csv"
    assert table[0] == CANVAS_HEADER + ["toy_a", "toy_b"]  # no roster: Canvas creates the assignments
    assert table[1] == CANVAS_POINTS_ROW + ["7", "7"]
    assert table[2:] == [["smithjohn", "1001", "", "", "", "0.3", "7"], ["smithjohn", "1002", "", "", "", "4.5", ""]]
    assert result.unmapped == {"Jane_Doe": "its submission file names were Moodle's, not Canvas's"}
    assert read_csv(result.unmapped_file) == [["student_id", "reason", "toy_a", "toy_b"],
                                              ["Jane_Doe", result.unmapped["Jane_Doe"], "7", ""]]
    zeros = read_csv(lms.export("canvas", db, missing_zero=True, out=tmp_path / "z.csv").files[0])
    assert zeros[3] == ["smithjohn", "1002", "", "", "", "4.5", "0"]


def test_a_notebook_whose_grading_failed_is_left_blank_not_zero(toy_gradebook, tmp_path):
    scores = {("smithjohn-1001", "toy_a"): [0, 0], ("smithjohn-1001", "toy_b"): [3, 4]}
    db = make_gradebook(toy_gradebook, tmp_path, scores, lms_ids=CANVAS_IDS)
    state = {"smithjohn-1001/toy_a/toy_a": {"student": "smithjohn-1001", "assignment": "toy_a", "status": "error"}}
    (db.parent / "reports" / "state.json").write_text(json.dumps(state))
    result = lms.export("canvas", db, missing_zero=True)
    assert read_csv(result.files[0])[2] == ["smithjohn", "1001", "", "", "", "", "7"]
    assert "toy_a: grading smithjohn-1001's toy_a failed (see reports/report.md): left blank, grade it again" in \
        result.notes


# Canvas's own export (Grades > Export): a Points Possible row, read-only totals, its test student.
CANVAS_ROSTER = '''Student,ID,SIS User ID,SIS Login ID,Section,toy_a (4321),Current Points,Final Points
    Points Possible,,,,,7,(read only),(read only)
"Liddell, Alice",2002,S2002,alice,Section 1,,,
"Bobson, Bob",2003,S2003,bob@uni.example,Section 2,5,,
"Student, Test",2099,,,Section 1,,,
'''


def test_canvas_with_a_roster_for_jupyterhub_ids(toy_gradebook, tmp_path, capsys):
    scores = {("alice", "toy_a"): [3, 4], ("bob", "toy_a"): [0, 4], ("bob", "toy_b"): [3, 0],
              ("carol", "toy_b"): [1, 1]}
    db = make_gradebook(toy_gradebook, tmp_path, scores)
    (tmp_path / "roster.csv").write_text(CANVAS_ROSTER)
    out = tmp_path / "canvas.csv"
    code = autograder_main(["export", "canvas", "--gradebook", str(db), "--roster", str(tmp_path / "roster.csv"),
                            "--out", str(out)])
    assert code == 0
    table = read_csv(out)
    assert table[0] == CANVAS_HEADER + ["toy_a (4321)", "toy_b"]  # Canvas's own column where the roster has it
    assert table[1] == CANVAS_POINTS_ROW + ["7", "7"]
    assert table[2:] == [["Liddell, Alice", "2002", "S2002", "alice", "Section 1", "7", ""],
                         ["Bobson, Bob", "2003", "S2003", "bob@uni.example", "Section 2", "4", "3"]]
    assert '"Liddell, Alice",2002,' in out.read_text()  # a name with a comma is quoted
    err = capsys.readouterr().err
    assert "not exported: carol: no roster row has SIS Login ID 'carol'" in err and "canvas-unmapped.csv" in err
    assert read_csv(tmp_path / "canvas-unmapped.csv")[1] == ["carol", "no roster row has SIS Login ID 'carol'", "", "2"]
    strict = autograder_main(["export", "canvas", "--gradebook", str(db), "--roster", str(tmp_path / "roster.csv"),
                              "--out", str(out), "--strict"])
    assert strict == 1


def test_two_nbgrader_ids_on_one_lms_student_are_left_out(toy_gradebook, tmp_path):
    db = make_gradebook(toy_gradebook, tmp_path, {("alice", "toy_a"): [3, 4], ("Alice.L", "toy_a"): [1, 1]},
                        people={"Alice.L": {"email": "alice@uni.example"}})
    (tmp_path / "roster.csv").write_text(CANVAS_ROSTER.replace("alice,Section 1", "alice@uni.example,Section 1"))
    result = lms.export("canvas", db, roster=tmp_path / "roster.csv")
    assert read_csv(result.files[0])[2:] == [] and sorted(result.unmapped) == ["Alice.L", "alice"]
    assert "'alice' map(s) to the same Canvas student (ID 2002)" in result.unmapped["Alice.L"]


MOODLE_GRADEBOOK = '''First name,Last name,ID number,Institution,Department,Username,Email address,\
Assignment: toy_a (Real),Last downloaded from this course
Alice,Liddell,A-1,,,alice,alice@uni.example,-,1764000000
Bob,Bobson,B-2,,,bob,bob@uni.example,-,1764000000
'''


def test_moodle_gradebook_import_with_a_roster(toy_gradebook, tmp_path):
    scores = {("alice", "toy_a"): [3, 4], ("bob", "toy_b"): [1.5, 1.5], ("Jane_Doe", "toy_a"): [3, 0]}
    db = make_gradebook(toy_gradebook, tmp_path, scores, lms_ids=CANVAS_IDS)
    (tmp_path / "grades.csv").write_text(MOODLE_GRADEBOOK)
    result = lms.export("moodle", db, roster=tmp_path / "grades.csv")
    assert read_csv(result.files[0]) == [["Username", "Assignment: toy_a (Real)", "toy_b"],
                                         ["alice", "7", ""], ["bob", "", "3"]]
    assert result.unmapped == {"Jane_Doe": "no roster row matches its participant id or full name ('Jane_Doe')"}
    by_email = lms.export("moodle", db, roster=tmp_path / "grades.csv", match="Email address", out=tmp_path / "e.csv")
    assert [row[0] for row in read_csv(by_email.files[0])] == ["Email address", "alice@uni.example",
                                                               "bob@uni.example"]  # hub ids match the part before @
    no_roster = lms.export("moodle", db, out=tmp_path / "n.csv")
    assert read_csv(no_roster.files[0]) == [["Username", "toy_a", "toy_b"]] and len(no_roster.unmapped) == 3
    assert all(read_csv(r.files[0])[0][0] in MOODLE_USER_FIELDS for r in (result, by_email, no_roster))


MOODLE_WORKSHEET = '''Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,\
Last modified (submission),Last modified (grade),Feedback comments
Participant 5001,"Liddell, Alice",alice@uni.example,Submitted for grading,,7.00,Yes,\
"Monday, 1 December 2026, 10:00 AM",-,Nice plots
Participant 5002,"Bobson, Bob",bob@uni.example,No submission,,7.00,Yes,-,-,
'''


def test_moodle_worksheets_from_participant_ids_and_from_a_worksheet_roster(toy_gradebook, tmp_path):
    ids = {"Jane_Doe": {"lms": "moodle", "name": "Jane Doe", "ids": {"toy_a": "4242", "toy_b": "6060"}},
           "Ann_Lee": {"lms": "moodle", "name": "Ann Lee", "ids": {"toy_a": "4243"}}}
    scores = {("Jane_Doe", "toy_a"): [3, 4], ("Jane_Doe", "toy_b"): [3, 3.5], ("Ann_Lee", "toy_a"): [0, 3],
              ("alice", "toy_a"): [3, 1]}
    db = make_gradebook(toy_gradebook, tmp_path, scores, lms_ids=ids)
    result = lms.export("moodle", db, worksheet=True)
    sheet_a, sheet_b = (read_csv(db.parent / "lms" / f"moodle-worksheet-{aid}.csv") for aid in ("toy_a", "toy_b"))
    assert sheet_a[0] == sheet_b[0] == MOODLE_WORKSHEET_HEADER
    cols = lambda row: [row[i] for i in (0, 1, 4, 5)]  # Identifier, Full name, Grade, Maximum Grade
    assert [cols(r) for r in sheet_a[1:]] == [["Participant 4243", "Ann Lee", "3", "7"],
                                              ["Participant 4242", "Jane Doe", "7", "7"]]
    assert [cols(r) for r in sheet_b[1:]] == [["Participant 6060", "Jane Doe", "6.5", "7"]]
    assert list(result.unmapped) == ["alice"] and "no Moodle participant id" in result.unmapped["alice"]
    (tmp_path / "worksheet.csv").write_text(MOODLE_WORKSHEET)
    out = tmp_path / "upload.csv"
    with_roster = lms.export("moodle", db, ["toy_a"], out=out, roster=tmp_path / "worksheet.csv", worksheet=True)
    rows = {r[0]: r for r in read_csv(out)[1:]}
    assert rows["Participant 5001"][1:5] == ["Liddell, Alice", "alice@uni.example", "Submitted for grading", "4"]
    assert rows["Participant 5001"][9] == "Nice plots"  # the roster's comment, kept
    assert with_roster.unmapped == {}  # Jane and Ann by their participant ids (not in this roster), alice by email


# 4. The real thing: Canvas and Moodle downloads graded, then exported ----------------------------------------------

def grading(test):
    """A test that grades: slow, and with the suite's other graders on one worker, one at a time (``make test``
    runs ``--dist loadgroup``), so the module's graded course is made once."""
    return pytest.mark.slow(pytest.mark.xdist_group("grading")(test))


def _toy_notebook(root, aid, author, broken=None):
    """The toy solution of ``aid``, with one function ``broken`` (grade id, source) if given; a markdown cell of its
    own makes each student's file different, so the test can tell whose notebook nbgrader got."""
    nb = nbformat.read(str(root / "solutions" / aid / f"{aid}.ipynb"), as_version=4)
    if broken:
        name, source = broken
        next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == name).source = source
    cell_id = "by-" + hashlib.sha1(author.encode()).hexdigest()[:8]
    nb.cells.append(nbformat.v4.new_markdown_cell(f"Handed in by {author}.", id=cell_id))
    return nbformat.writes(nb).encode()


def _zip(path, files):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One course graded from a Canvas zip (two smithjohns, doejane) and a Moodle zip (folder and flat names)."""
    from adversarial import toy
    from autograder.grade import Options, grade

    base = tmp_path_factory.mktemp("lms")
    root = toy.build(base / "course")
    wrong_double = ("double", "def double(x):\n    return x")  # test_double fails: 3 of 7 points lost
    wrong_mse = ("mse", "def mse(y_pred, y):\n    return 0.0")  # test_mse fails: 4 of 7 points lost
    canvas = {"smithjohn_1001_9001_toy_a.ipynb": _toy_notebook(root, "toy_a", "John Smith"),
              "smithjohn_LATE_1002_9002_toy_a.ipynb": _toy_notebook(root, "toy_a", "John Smith (2)", wrong_double),
              "doejane_1003_9003_toy_b.ipynb": _toy_notebook(root, "toy_b", "Jane Doe (Canvas)")}
    moodle = {"Jane Doe_4242_assignsubmission_file_/toy_a.ipynb": _toy_notebook(root, "toy_a", "Jane Doe"),
              "Ann Lee_4243_assignsubmission_file_toy_a.ipynb": _toy_notebook(root, "toy_a", "Ann Lee", wrong_mse)}
    out = base / "out"
    run = lambda source: grade(Options(source=source, root=root, workers=2, timeout=20, out=out, progress=None))
    first = [run(_zip(base / "canvas.zip", canvas)), run(_zip(base / "moodle.zip", moodle))]
    ids_after = json.loads((out / "reports" / "lms_ids.json").read_text())
    again = run(base / "canvas.zip")
    return {"root": root, "out": out, "canvas": canvas, "moodle": moodle, "first": first, "again": again,
            "ids_after": ids_after}


def _who_submitted(out, files, aid_of):
    """{LMS id in our file name: nbgrader id}: the student whose submitted notebook is the very file we zipped."""
    found = {}
    for name, data in files.items():
        lms_id = name.split("_assignsubmission")[0].rsplit("_", 1)[-1] if "assignsubmission" in name else \
            name.replace("_LATE", "").split("_")[1]
        aid = aid_of(name)
        found[lms_id] = next(p.parts[-3] for p in (out / "submitted").glob(f"*/{aid}/{aid}.ipynb")
                             if p.read_bytes() == data)
    return found


def _gradebook_scores(out):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", "backprop-lab") as gb:
        return {(s.student.id, a.name): s.score for a in gb.assignments for s in a.submissions}


@grading
def test_graded_canvas_download_exports_its_ids_and_scores(graded, tmp_path):
    out, canvas = graded["out"], graded["canvas"]
    who = _who_submitted(out, canvas, lambda name: "toy_b" if "toy_b" in name else "toy_a")
    assert len(set(who.values())) == 3  # the two smithjohns are two students
    result = lms.export("canvas", out / "gradebook.db", out=tmp_path / "canvas.csv")
    table = read_csv(tmp_path / "canvas.csv")
    assert table[0] == CANVAS_HEADER + ["toy_a", "toy_b"] and table[1] == CANVAS_POINTS_ROW + ["7", "7"]
    rows = {r[1]: r for r in table[2:]}
    assert sorted(rows) == ["1001", "1002", "1003"]  # the user IDs of the file names, and only those
    scores = _gradebook_scores(out)
    for lms_id, student in who.items():
        for column, aid in ((5, "toy_a"), (6, "toy_b")):
            expected = scores.get((student, aid))
            assert rows[lms_id][column] == ("" if expected is None else lms_formats.points(expected)), (lms_id, aid)
    assert [rows[i][5:] for i in ("1001", "1002", "1003")] == [["7", ""], ["4", ""], ["", "7"]]  # the toy's points
    moodle_students = set(_who_submitted(out, graded["moodle"], lambda name: "toy_a").values())
    assert set(result.unmapped) == moodle_students  # in the gradebook, not Canvas's: reported, not dropped
    report = Path(graded["first"][0]["report"]).read_text()
    assert "the file names give the name 'smithjohn' to other students too" in report


@grading
def test_graded_moodle_download_exports_a_worksheet(graded, tmp_path):
    out = graded["out"]
    who = _who_submitted(out, graded["moodle"], lambda name: "toy_a")
    assert sorted(who) == ["4242", "4243"] and sorted(who.values()) == ["Ann_Lee", "Jane_Doe"]
    result = lms.export("moodle", out / "gradebook.db", ["toy_a"], out=tmp_path / "sheet.csv", worksheet=True)
    table = read_csv(tmp_path / "sheet.csv")
    assert table[0] == MOODLE_WORKSHEET_HEADER
    scores = _gradebook_scores(out)
    grades = {r[0]: r[4] for r in table[1:]}
    assert grades == {f"Participant {pid}": lms_formats.points(scores[(student, "toy_a")])
                      for pid, student in who.items()}
    assert grades == {"Participant 4242": "7", "Participant 4243": "3"}
    assert sorted(result.unmapped) == ["smithjohn-1001", "smithjohn-1002"]  # Canvas students: no participant id


@grading
def test_a_rerun_that_grades_nothing_keeps_every_lms_id(graded):
    assert graded["again"]["graded"] == 0 and graded["again"]["skipped"] == 3
    ids = json.loads((graded["out"] / "reports" / "lms_ids.json").read_text())
    assert ids == graded["ids_after"]
    assert {s: (e["lms"], e["ids"]) for s, e in ids.items()} == {
        "smithjohn-1001": ("canvas", {"toy_a": "1001"}), "smithjohn-1002": ("canvas", {"toy_a": "1002"}),
        "doejane": ("canvas", {"toy_b": "1003"}), "Jane_Doe": ("moodle", {"toy_a": "4242"}),
        "Ann_Lee": ("moodle", {"toy_a": "4243"})}


def test_the_command_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        autograder_main(["export", "--help"])
    assert info.value.code == 0 and "--roster" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="no gradebook at"):
        autograder_main(["export", "canvas", "--gradebook", str(tmp_path / "none.db")])
    assert "export canvas|moodle" in sys.modules["autograder.__main__"].__doc__
