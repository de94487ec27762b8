"""Honest work is never lost in collection: a bad timestamp.txt, student ids that sanitise alike, assignment folders
typed differently, nbformat-3 notebooks, nbgrader metadata edited outside the notebook interface. Each case builds
real files under tmp_path and checks exact ids, the key words of each message, and every notebook's own bytes."""

import copy
import hashlib
import json
import random
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import parse_utc

from autograder.collect import Unmatched, collect, collect_with_notes, normalise_timestamp
from autograder.identities import student_ids
from autograder.notebooks import metadata_tampering, read_notebook

REPO = Path(__file__).resolve().parents[2]
ONE = {"01_losses": ["01_losses"]}
TWO = {"01_losses": ["01_losses"], "02_gradients": ["02_gradients"]}
NO_TIME = "graded without a submission time"
EDITED = "(metadata edited outside the notebook interface)"
OBRIEN = "O_Brien-" + hashlib.sha1(b"O'Brien").hexdigest()[:4]


def nb_bytes(source="x = 1"):
    """A small nbformat-4 notebook; the same source gives the same bytes (cell ids are otherwise random)."""
    cell = nbformat.v4.new_code_cell(source, id="c" + hashlib.sha1(source.encode()).hexdigest()[:8])
    return nbformat.writes(nbformat.v4.new_notebook(cells=[cell])).encode()


def put(root, rel, data):  # write a file under root, making its folders; returns what was written
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(data if isinstance(data, bytes) else data.encode())
    return data


# 1. Timestamps ------------------------------------------------------------------------------------------------

def test_a_bad_timestamp_is_dropped_for_that_submission_alone(tmp_path):
    times = {"ann": "yesterday", "ben": b"\x00\xff\xfe\x89PNG junk", "cat": "", "dan": "2026-11-20 10:00:00.5 UTC",
             "eve": "2026-11-20T10:00:00+01:00", "fay": "12"}
    data = {s: put(tmp_path, f"{s}/01_losses/01_losses.ipynb", nb_bytes(f"'{s}'")) for s in times}
    for student, text in times.items():
        put(tmp_path, f"{student}/01_losses/timestamp.txt", text)
    subs = {s.student: s for s in collect(tmp_path, ONE)}
    assert sorted(subs) == sorted(times) and all(subs[s].files == {"01_losses": data[s]} for s in times)
    assert subs["ann"].messages == [f"timestamp.txt could not be read as a date ('yesterday'); {NO_TIME}"]
    [ben] = subs["ben"].messages
    assert ben.startswith("timestamp.txt could not be read as a date (") and ben.endswith(NO_TIME)
    assert subs["cat"].messages == [f"timestamp.txt is empty; {NO_TIME}"] and subs["fay"].messages == [
        f"timestamp.txt could not be read as a date ('12'); {NO_TIME}"]  # a bare day is no full date
    assert all(subs[s].timestamp is None for s in ("ann", "ben", "cat", "fay"))
    assert subs["dan"].timestamp == "2026-11-20 10:00:00.500000" and subs["dan"].messages == []
    assert subs["eve"].timestamp == "2026-11-20 09:00:00" and subs["eve"].messages == []


@pytest.mark.parametrize("text, expected", [
    ("2026-11-20 10:00:00", "2026-11-20 10:00:00"), ("  2026-11-20 10:00:00\n", "2026-11-20 10:00:00"),
    ("2026-11-20 10:00:00.123456 UTC", "2026-11-20 10:00:00.123456"),  # nbgrader's own timestamp_format
    ("2026-11-20T10:00:00Z", "2026-11-20 10:00:00"), ("2026-11-20 10:00:00 Europe/Paris", "2026-11-20 09:00:00"),
    ("Fri Nov 20 10:00:00 2026", "2026-11-20 10:00:00"),
])
def test_normalise_timestamp_agrees_with_nbgrader(text, expected):
    assert normalise_timestamp(text) == expected
    assert parse_utc(normalise_timestamp(text)) == parse_utc(text.strip())  # nbgrader reads it back the same


@pytest.mark.parametrize("text", ["yesterday", "", "   ", "12", "nov 20", "9999-99-99", "\x00\x01", "1700000000"])
def test_normalise_timestamp_rejects(text):
    with pytest.raises(ValueError, match="not a full date"):
        normalise_timestamp(text)


def test_lms_timestamps_from_file_names(tmp_path):
    regexp = r"^(?P<student_id>[^_/]+)_(?P<timestamp>[^_/]+)_(?P<file_id>[^/]+)$"
    alice = put(tmp_path, "alice_2026-11-20 10:00:00_01_losses.ipynb", nb_bytes("'a'"))
    bob = put(tmp_path, "bob_whenever_01_losses.ipynb", nb_bytes("'b'"))
    subs = {s.student: s for s in collect(tmp_path, ONE, regexp)}
    assert subs["alice"].files["01_losses"] == alice and subs["bob"].files["01_losses"] == bob
    assert subs["alice"].timestamp == "2026-11-20 10:00:00" and subs["alice"].messages == []
    assert subs["bob"].timestamp is None and subs["bob"].messages == [
        f"the time in 'bob_whenever_01_losses.ipynb' could not be read as a date ('whenever'); {NO_TIME}"]


# 2. Student ids that sanitise alike ---------------------------------------------------------------------------

def test_ids_that_sanitise_alike_stay_distinct_in_the_nbgrader_layout(tmp_path):
    a = put(tmp_path, "O'Brien/01_losses/01_losses.ipynb", nb_bytes("'apostrophe'"))
    b = put(tmp_path, "O Brien/01_losses/01_losses.ipynb", nb_bytes("'space'"))
    c = put(tmp_path, "alice/01_losses/01_losses.ipynb", nb_bytes("'alice'"))
    subs = {s.student: s for s in collect(tmp_path, ONE)}
    assert OBRIEN == "O_Brien-b820" and sorted(subs) == ["O_Brien", OBRIEN, "alice"]
    assert [subs[s].files["01_losses"] for s in ("O_Brien", OBRIEN, "alice")] == [b, a, c]  # each their own work
    assert subs["alice"].messages == []
    assert subs[OBRIEN].messages == [f"student id \"O'Brien\" was graded under the id '{OBRIEN}': 'O Brien' (graded "
                                     "as 'O_Brien') would otherwise have had the same id"]
    assert subs["O_Brien"].messages == [f"student id 'O Brien' was graded under the id 'O_Brien': \"O'Brien\" "
                                        f"(graded as '{OBRIEN}') would otherwise have had the same id"]


def test_ids_that_sanitise_alike_stay_distinct_in_an_lms_zip(tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("O'Brien_1001_01_losses.ipynb", nb_bytes("'apostrophe'"))
        z.writestr("O Brien_1002_01_losses.ipynb", nb_bytes("'space'"))
        z.writestr("O'Brien_1001_notes.txt", b"my notes")
        z.writestr("orphan.ipynb", nb_bytes("'whose?'"))
        z.writestr("bob_1003_data.csv", b"1,2")  # bob submitted no notebook
    subs, notes = collect_with_notes(archive, ONE)
    subs = {s.student: s for s in subs}
    assert sorted(subs) == ["O_Brien", OBRIEN]
    assert subs[OBRIEN].files["01_losses"] == nb_bytes("'apostrophe'") and subs["O_Brien"].files["01_losses"] == \
        nb_bytes("'space'")
    assert "\"O'Brien\" was graded under the id 'O_Brien-b820'" in subs[OBRIEN].messages[0]
    assert any("notes.txt" in m for m in subs[OBRIEN].messages)
    assert [(n.student, n.path) for n in notes] == [("bob", "download/bob_1003_data.csv"),
                                                    (None, "download/orphan.ipynb")]
    assert "does not match the file name pattern" in notes[1].reason


def test_student_ids_are_deterministic_and_distinct():
    raw = ["O'Brien", "O Brien", "O_Brien", "alice", "Alice", "Zoë", "Zo?", ".hidden", "..", "bob"]
    ids = student_ids(raw)
    for seed in range(5):
        assert student_ids(random.Random(seed).sample(raw, len(raw))) == ids
    assert len({v.casefold() for v in ids.values()}) == len(raw)  # distinct, even on a case-insensitive disk
    assert ids["O_Brien"] == "O_Brien" and ids["bob"] == "bob"  # an id that already is safe keeps its name
    assert ids["O'Brien"] == OBRIEN and ids["O Brien"] == "O_Brien-" + hashlib.sha1(b"O Brien").hexdigest()[:4]
    assert ids["Alice"] == "Alice" and ids["alice"] == "alice-" + hashlib.sha1(b"alice").hexdigest()[:4]
    assert not any(v.startswith(".") for v in ids.values())


def test_the_same_cohort_gets_the_same_ids_whatever_the_folder_order(tmp_path):
    names, results = ["O'Brien", "O Brien", "O-Brien", "O_Brien", "carol"], []
    for run, order in enumerate((names, names[::-1])):
        for name in order:
            put(tmp_path / str(run), f"{name}/01_losses/01_losses.ipynb", nb_bytes(repr(name)))
        results.append({s.student: s.files["01_losses"] for s in collect(tmp_path / str(run), ONE)})
    assert results[0] == results[1] and len(results[0]) == 5 and results[0]["O_Brien"] == nb_bytes(repr("O_Brien"))


# 3. Assignment folders typed the way instructors type them ----------------------------------------------------

def test_assignment_folders_match_case_insensitively(tmp_path):
    dave = put(tmp_path, "dave/01_Losses/01_losses.ipynb", nb_bytes("'dave'"))
    put(tmp_path, "dave/01_Losses/timestamp.txt", "2026-11-20 10:00:00")
    erin = put(tmp_path, "erin/ 01_losses /01_losses.ipynb", nb_bytes("'erin'"))
    fred = put(tmp_path, "fred/02-Gradients/02_gradients.ipynb", nb_bytes("'fred'"))
    hal = put(tmp_path, "hal/01_losses/01_losses.ipynb", nb_bytes("'exact'"))
    put(tmp_path, "hal/01_Losses/01_losses.ipynb", nb_bytes("'variant'"))
    subs = {(s.student, s.assignment): s for s in collect(tmp_path, TWO)}
    assert sorted(subs) == [("dave", "01_losses"), ("erin", "01_losses"), ("fred", "02_gradients"),
                            ("hal", "01_losses")]
    assert subs["dave", "01_losses"].files == {"01_losses": dave} and subs["erin", "01_losses"].files == {
        "01_losses": erin} and subs["fred", "02_gradients"].files == {"02_gradients": fred}
    assert subs["dave", "01_losses"].timestamp == "2026-11-20 10:00:00"
    assert subs["dave", "01_losses"].messages == ["folder '01_Losses' was graded as assignment 01_losses"]
    assert subs["hal", "01_losses"].files == {"01_losses": hal}  # the exactly named folder wins, and it is said
    assert "folders '01_Losses', '01_losses' all hold assignment 01_losses; where several hold the same notebook, " \
           "the one in '01_losses' was graded" in subs["hal", "01_losses"].messages


def test_a_folder_that_matches_no_assignment_is_reported(tmp_path):
    put(tmp_path, "eve/02_gradients/02_gradients.ipynb", nb_bytes())
    put(tmp_path, "eve/01_lossez/01_losses.ipynb", nb_bytes("'typo'"))
    put(tmp_path, "fay/homework/01_losses.ipynb", nb_bytes("'fay'"))  # fay submitted nothing else
    put(tmp_path, "fay/01_losses.ipynb", nb_bytes("'loose'"))
    for rel in ("gus/03_backprop/03_backprop.ipynb", "gus/01_losses/01_losses.ipynb", "README.txt"):
        put(tmp_path, rel, nb_bytes())  # 03_backprop is graded another day
    subs, notes = collect_with_notes(tmp_path, TWO, other_assignments=["03_backprop"])
    got = {(s.student, s.assignment): s for s in subs}
    assert sorted(got) == [("eve", "02_gradients"), ("gus", "01_losses")]  # no empty Submission for fay
    assert got["eve", "02_gradients"].messages == [
        "folder 'eve/01_lossez' matches no assignment (01_losses, 02_gradients); nothing in it was graded"]
    assert got["gus", "01_losses"].messages == []
    assert notes == [
        Unmatched(None, "README.txt", "'README.txt' is not inside a student folder; it was not graded"),
        Unmatched("fay", "fay/01_losses.ipynb", "'fay/01_losses.ipynb' is not inside an assignment folder; it was "
                                                "not graded"),
        Unmatched("fay", "fay/homework", "folder 'fay/homework' matches no assignment (01_losses, 02_gradients); "
                                         "nothing in it was graded"),
    ]
    assert [(s.student, s.assignment) for s in collect(tmp_path, TWO)] == sorted(got)  # collect() as before


# 4. Reading notebooks: nbformat 3 converted, bad bytes explained ----------------------------------------------

V3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "01_losses"}, "worksheets": [{"metadata": {}, "cells": [
    {"cell_type": "heading", "level": 1, "source": "Losses", "metadata": {}},
    {"cell_type": "code", "language": "python", "input": "def mse(y_pred, y):\n    return 0.0", "outputs": [],
     "collapsed": False, "prompt_number": 3,
     "metadata": {"nbgrader": {"grade_id": "mse_forward", "solution": True, "grade": False, "locked": False}}}]}]}


def test_an_nbformat_3_notebook_is_converted(tmp_path):
    data = put(tmp_path, "ann/01_losses/01_losses.ipynb", json.dumps(V3).encode())
    [sub] = collect(tmp_path, ONE)
    assert sub.files["01_losses"] == data  # collected as is; converted when read
    notes = []
    nb = read_notebook(sub.files["01_losses"], "01_losses.ipynb", notes)
    assert nb.nbformat == 4 and notes == ["01_losses.ipynb was converted from nbformat 3 to nbformat 4"]
    assert [c.cell_type for c in nb.cells] == ["markdown", "code"] and nb.cells[1].source.startswith("def mse(")
    assert nb.cells[1].metadata["nbgrader"]["grade_id"] == "mse_forward"
    nbformat.validate(nb)
    assert read_notebook(data, "01_losses.ipynb").nbformat == 4  # notes are optional
    cell = nbformat.v3.new_code_cell(input="x = 1", metadata={"nbgrader": {"grade_id": "f", "solution": True}})
    v3 = nbformat.v3.new_notebook(worksheets=[nbformat.v3.new_worksheet(cells=[cell])])
    nb = read_notebook(json.dumps(v3).encode("utf-16"), "a.ipynb", notes)  # and saved as UTF-16 on Windows
    assert nb.cells[0].source == "x = 1" and notes[1:] == ["a.ipynb was saved as UTF-16 and was read as such",
                                                           "a.ipynb was converted from nbformat 3 to nbformat 4"]


def test_older_nbformat_4_minors_and_repairable_notebooks_are_read():
    nb4 = json.loads(nb_bytes("y = 2"))
    nb4["nbformat_minor"], _, notes = 0, nb4["cells"][0].pop("id"), []
    assert read_notebook(json.dumps(nb4).encode(), "b.ipynb", notes).cells[0].source == "y = 2" and notes == []
    broken = json.loads(nb_bytes("z = 3"))
    broken["cells"][0]["outputs"] = [{"output_type": "display_data", "data": "not a bundle"}]
    broken["cells"][0]["metadata"]["collapsed"] = "yes"
    nb = read_notebook(json.dumps(broken).encode(), "c.ipynb", notes)
    assert nb.cells[0].source == "z = 3" and nb.cells[0].outputs == []
    assert len(notes) == 1 and "did not match the notebook format (stored outputs" in notes[0] and "dropped" in notes[0]
    broken["cells"][0]["outputs"] = []
    read_notebook(json.dumps(broken).encode(), "c.ipynb", notes)
    assert "(cell 1: 'yes' is not of type 'boolean'); its stored outputs and invalid cell metadata" in notes[-1]
    no_version = {"cells": [json.loads(nb_bytes("w = 4"))["cells"][0]], "metadata": {}}
    assert read_notebook(json.dumps(no_version).encode(), "d.ipynb", notes).cells[0].source == "w = 4"
    assert "read as nbformat 4" in notes[-1]


@pytest.mark.parametrize("data, words", [
    (b"", "is empty"), (b"  \n\t", "is empty"), (b'{"cells": [', "not valid JSON (line 1, column 12"),
    (b'{\n "cells": [],\n "nbformat": 4,,\n}', "not valid JSON (line 3, column 16"),
    (b"\xff\xfe\x00garbage", "not a text file (not UTF-8"), (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
    (b'{"hello": 1}', "is JSON but not a Jupyter notebook"), (b"[1, 2]", "is JSON but not a Jupyter notebook"),
    (b'{"cells": [], "nbformat": 9, "nbformat_minor": 0, "metadata": {}}', "could not be read as a notebook"),
    (b'{"cells": [{"cell_type": "code", "metadata": {}, "outputs": []}], "nbformat": 4, "nbformat_minor": 4, '
     b'"metadata": {}}', "not a valid notebook (cell 1: 'source' is a required property"),
])
def test_read_notebook_explains_bad_input(data, words):
    with pytest.raises(ValueError) as info:
        read_notebook(data, "01_losses.ipynb")
    assert words in str(info.value) and str(info.value).startswith("01_losses.ipynb ")


# 4b. nbgrader metadata against the release --------------------------------------------------------------------

def template():
    meta = [("f", True, False, False, None), ("test_f", False, True, True, 4), ("g", True, False, False, None),
            ("test_g", False, True, True, 6), ("h", True, False, False, None)]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"# {gid}", metadata={"nbgrader": dict(
        {"grade_id": gid, "solution": sol, "grade": grade, "locked": locked, "schema_version": 3},
        **({"points": points} if grade else {}))}) for gid, sol, grade, locked, points in meta])


def test_honest_notebooks_raise_no_metadata_messages():
    release = nbformat.read(str(REPO / "exercises" / "01_losses" / "01_losses.ipynb"), as_version=4)
    solution = nbformat.read(str(REPO / "solutions" / "01_losses" / "01_losses.ipynb"), as_version=4)
    assert metadata_tampering(release, release) == [] and metadata_tampering(solution, release) == []
    converted = read_notebook(json.dumps(V3).encode(), "v3.ipynb")  # an nbformat-3 submission of the same cell
    assert metadata_tampering(converted, release) == []


def test_metadata_tampering_is_reported_cell_by_cell():
    nb, used = template(), f"{EDITED}; the instructor's version was used"
    f, test_f, g, test_g, h = (c.metadata.nbgrader for c in nb.cells)
    f.update(grade=True, points=100)
    test_f.update(points=40, locked=False)
    test_g.update(points="6", solution="no")
    g.grade_id = 7
    nb.cells[4].cell_type = "markdown"
    nb.cells += [nbformat.v4.new_code_cell("pass", metadata={"nbgrader": {"grade_id": "bonus", "grade": True,
                                                                          "points": 50, "solution": False}}),
                 copy.deepcopy(nb.cells[1]), copy.deepcopy(nb.cells[1]), nbformat.v4.new_code_cell("")]
    nb.cells[-1].metadata["nbgrader"] = "yes"
    messages = metadata_tampering(nb, template())
    assert messages == [
        f"cell 'f': the grade flag was changed from false to true {used}",
        f"cell 'f': the points were changed from not set to 100 {used}",
        f"cell 'test_f': the locked flag was changed from true to false {used}",
        f"cell 'test_f': the points were changed from 4 to 40 {used}",
        f"cell 3: its grade_id is 7, not a name {EDITED}; it was graded as an ordinary cell",
        f"cell 'test_g': the solution flag is 'no', not true or false {used}",
        f"cell 'test_g': the points are '6', not a number {used}",
        "cell 'h': was changed from a code cell to a markdown cell; the instructor's version was used",
        f"cell 'bonus': this grade_id is not in the released notebook {EDITED}; it was graded as an ordinary cell",
        "cell 'test_f': this grade_id is used by 3 cells (a cell was copied with its metadata); the first copy was "
        "graded and the others ran as ordinary cells",
        f"cell 9: its nbgrader metadata is 'yes', not a set of fields {EDITED}; it was graded as an ordinary cell",
    ]
    assert metadata_tampering(nb, template()) == messages  # reporting changes nothing
    assert metadata_tampering(nb, template(), repair=True) == messages
    assert metadata_tampering(nb, template()) == [messages[7]]  # the cell type nbgrader restores itself
    assert nb.cells[1].metadata.nbgrader == template().cells[1].metadata.nbgrader
    assert [("nbgrader" in c.metadata) for c in nb.cells] == [True, True, False, True, True] + [False] * 4
    nb = template()
    del nb.cells[3].metadata.nbgrader["points"]
    assert metadata_tampering(nb, template()) == [f"cell 'test_g': the points were changed from 6 to not set {used}"]
