"""One lesson's term on a real JupyterHub, start to finish, in the order it happens.

The hub runs the course's own config (autograder/hub/jupyterhub_config.py) on localhost with test log-ins. The
instructor releases 01_losses through nbgrader's exchange; Alice and Bob log in with headless Chromium, fetch it
from the Assignment List, type their answers (Alice all of them, Bob the first six functions), press Validate and
submit. The instructor runs `nbgrader collect`, the course's `backprop-lab grade` on what was collected, exports
the grades for Canvas and Moodle, and runs `nbgrader release_feedback`; each student fetches their own feedback
page and cannot open the other's; the instructor's formgrader shows both scores.

The expected scores come from the release's own metadata: every test cell's points for Alice, the points of the
tests of the six functions Bob wrote for him. Step timings go to tests/screenshots/hub-timings.json.
"""

import csv
import re
import sys
import time
from pathlib import Path

import pytest

from browser.conftest import CHROMIUM_ARGS, SHOTS
from browser.notebook import validate
from hub.term import (COURSE_ID, INSTRUCTOR, Hub, Student, feedback_files, memory_mb, page_score,
                      release_points, solution_sources, write_timings)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("hub")]

AID = "01_losses"
ANSWERS = solution_sources(AID)
POINTS = release_points(AID)
BOB_WROTE = list(ANSWERS)[:6]  # mse, mae and huber, forward and backward
EXPECTED = {"alice": sum(POINTS.values()), "bob": sum(POINTS[f"test_{f}"] for f in BOB_WROTE)}
TIMINGS = {}


@pytest.fixture(scope="module")
def hub(chromium):
    t0 = time.monotonic()
    with Hub(["alice", "bob"], AID) as running:
        TIMINGS["hub_start"] = round(time.monotonic() - t0, 1)
        yield running
    TIMINGS["total"] = round(time.monotonic() - t0, 1)
    write_timings(TIMINGS)


@pytest.fixture(scope="module")
def students(hub, chromium, playwright_session):
    browser = playwright_session.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
    people = {name: Student(hub, browser, name, SHOTS / f"hub-{name}") for name in EXPECTED}
    yield people
    for s in people.values():
        s.close()
    browser.close()


def test_the_expected_scores_are_a_full_and_a_partial_mark():
    assert EXPECTED["alice"] == 100 and 0 < EXPECTED["bob"] < 100, EXPECTED


def test_a_term_on_the_hub(hub, students):
    """The term in its order, as one test: every step builds on the one before (and pytest-xdist may hand a
    module's tests to different workers). Each step's failure says which step it is."""
    instructor_releases_the_lesson_through_the_exchange(hub)
    for name in EXPECTED:
        student_fetches_fills_in_validates_and_submits_in_the_browser(hub, students, name)
    instructor_collects_and_grades_with_the_course_grader(hub)
    instructor_exports_the_grades_for_canvas_and_moodle(hub)
    instructor_releases_feedback_and_each_student_sees_only_their_own(hub, students)
    instructor_has_formgrader_on_the_course(hub, students)


def instructor_releases_the_lesson_through_the_exchange(hub):
    t0 = time.monotonic()
    hub.nbgrader("release_assignment", AID)
    TIMINGS["release_assignment"] = round(time.monotonic() - t0, 1)
    released = hub.exchange / COURSE_ID / "outbound" / AID / f"{AID}.ipynb"
    assert released.read_bytes() == (hub.course / "exercises" / AID / f"{AID}.ipynb").read_bytes(), \
        "the exchange should hold exactly the release from exercises/"


def student_fetches_fills_in_validates_and_submits_in_the_browser(hub, students, name):
    s = students[name]
    timings = TIMINGS.setdefault(name, {})
    t0 = time.monotonic()
    try:
        s.log_in()
        timings["log_in_to_lab"] = round(time.monotonic() - t0, 1)
        assert s.menu_items("Nbgrader") == ["Assignment List"], \
            "a student's Nbgrader menu should offer only the Assignment List (no Formgrader, no Create Assignment)"
        assert s.page.get_by_text("Create Assignment", exact=True).count() == 0, \
            "a student's JupyterLab should not have nbgrader's Create Assignment side panel"

        t = time.monotonic()
        s.fetch()
        assert (s.home / s.relpath).exists(), f"Fetch should put {s.relpath} in {name}'s home"
        s.open_notebook()
        answers = ANSWERS if name == "alice" else {f: ANSWERS[f] for f in BOB_WROTE}
        s.type_answers(answers)
        saved = s.save()
        timings["fetch_open_type_save"] = round(time.monotonic() - t, 1)
        typed = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in saved.cells}
        wrong = [f for f, code in answers.items() if typed[f].strip() != code.strip()]
        assert not wrong, f"what the browser saved differs from what was typed in {wrong}: " \
                          f"{typed[wrong[0]][:400]!r}"

        t = time.monotonic()
        dialog, report = validate(s)
        timings["validate"] = round(time.monotonic() - t, 1)
        timings["server_and_kernel_mb"] = memory_mb(s.home)
        dialog.screenshot(path=str(s.shots / "validate.png"))
        if name == "alice":
            assert report["kind"] == "validation-success", f"Alice's full answers should validate:\n{report['text']}"
        else:
            assert report["kind"] == "validation-failed", report["text"]
            *stubs, (_, card) = report["failed"]
            assert len(stubs) == len(ANSWERS) - len(BOB_WROTE) and all("NotImplementedError" in e for _, e in stubs), \
                f"Bob's Validate should fail only the tests of the functions he left:\n{report['text'][:3000]}"
            assert card.startswith(f"✗ {len(BOB_WROTE)}/{len(ANSWERS)} pass ({EXPECTED['bob']:g}/100 points)"), \
                f"Bob's Validate should end with his scorecard:\n{card[:400]}"
        dialog.locator(".jp-Dialog-button").last.click()

        t = time.monotonic()
        shown = s.submit()
        timings["submit"] = round(time.monotonic() - t, 1)
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", shown), f"the submitted list shows no time: {shown!r}"
        inbound = list((hub.exchange / COURSE_ID / "inbound").glob(f"{name}+{AID}+*"))
        assert len(inbound) == 1, f"{name}'s submission should be in the exchange's inbound once: {inbound}"
        assert not s.page.problems, f"JavaScript errors in {name}'s page: {s.page.problems}"
    except BaseException:
        s.screenshot("FAILED")
        raise


def instructor_collects_and_grades_with_the_course_grader(hub):
    t0 = time.monotonic()
    hub.nbgrader("collect", AID)
    TIMINGS["collect"] = round(time.monotonic() - t0, 1)
    collected = sorted(p.parent.parent.name for p in (hub.course / "autograder" / "submitted").glob(f"*/{AID}/*.ipynb"))
    assert collected == sorted(EXPECTED), f"nbgrader collect should bring both submissions: {collected}"
    graded = hub.instructor(Path(sys.executable).parent / "backprop-lab", "grade", "autograder/submitted", "-a", AID)
    TIMINGS["collect_to_grades"] = round(time.monotonic() - t0, 1)
    TIMINGS["grade"] = round(TIMINGS["collect_to_grades"] - TIMINGS["collect"], 1)

    with open(hub.course / "autograder" / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == AID}
    scores = {name: float(rows[name]["score"]) for name in rows}
    assert scores == EXPECTED, f"grades.csv: {scores}, expected {EXPECTED}\n{graded.stdout[-2000:]}"

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{hub.course / 'autograder' / 'gradebook.db'}", COURSE_ID) as gb:
        in_gradebook = {name: gb.find_submission(AID, name).score for name in EXPECTED}
    assert in_gradebook == EXPECTED, f"the gradebook holds {in_gradebook}, expected {EXPECTED}"


# The LMS's own gradebook exports, as an instructor downloads them (Canvas: Grades > Export; Moodle: Grades > Export
# > Plain text file): on a hub the nbgrader ids are the account names, which are the roster's SIS Login ID / Username.
CANVAS_ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,01 Losses (4321)
    Points Possible,,,,,100.00
"Liddell, Alice",1001,S-1001,alice,Section 1,
"Builder, Bob",1002,S-1002,bob,Section 1,
"Nobody, Nora",1003,S-1003,nora,Section 1,
"""
MOODLE_ROSTER = """First name,Last name,ID number,Institution,Department,Email address,Username
Alice,Liddell,S-1001,,,alice.liddell@example.edu,alice
Bob,Builder,S-1002,,,bob.builder@example.edu,bob
"""


def instructor_exports_the_grades_for_canvas_and_moodle(hub):
    (hub.course / "canvas-roster.csv").write_text(CANVAS_ROSTER)
    (hub.course / "moodle-roster.csv").write_text(MOODLE_ROSTER)
    tool = Path(sys.executable).parent / "backprop-lab"
    hub.instructor(tool, "export", "canvas", "--roster", "canvas-roster.csv", "-a", AID, "--out", "canvas.csv",
                   "--strict")
    with open(hub.course / "canvas.csv", newline="") as fh:
        header, possible, *rows = list(csv.reader(fh))
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01 Losses (4321)"], header
    assert possible[0].strip() == "Points Possible" and float(possible[-1]) == 100, possible
    got = {r[3]: (r[1], float(r[-1])) for r in rows}
    assert got == {"alice": ("1001", EXPECTED["alice"]), "bob": ("1002", EXPECTED["bob"])}, got

    hub.instructor(tool, "export", "moodle", "--roster", "moodle-roster.csv", "--match", "Username", "-a", AID,
                   "--out", "moodle.csv", "--strict")
    with open(hub.course / "moodle.csv", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][0] == "Username" and AID in table[0][1], table[0]
    assert {r[0]: float(r[1]) for r in table[1:]} == EXPECTED, table


def instructor_releases_feedback_and_each_student_sees_only_their_own(hub, students):
    t0 = time.monotonic()
    hub.nbgrader("release_feedback", AID)
    TIMINGS["release_feedback"] = round(time.monotonic() - t0, 1)
    released = list((hub.exchange / COURSE_ID / "feedback").glob("*.html"))
    assert len(released) == 2, f"one feedback page per student in the exchange: {released}"

    pages = {}
    for name, s in students.items():
        try:
            t = time.monotonic()
            crumbs = s.fetch_feedback()
            TIMINGS[name]["fetch_feedback"] = round(time.monotonic() - t, 1)
            assert "feedback" in crumbs, f"view feedback should show the feedback folder, the file browser " \
                                         f"shows {crumbs!r}"
            files = feedback_files(s.home, AID)
            assert len(files) == 1, f"{name} should have fetched exactly one feedback page: {files}"
            pages[name] = files[0]
            status, text = s.open_url(f"/user/{name}/files/{files[0]}")
            assert status == 200, f"{name} cannot open their own feedback page ({status})"
            assert page_score(text) == (EXPECTED[name], 100.0), \
                f"{name}'s feedback page shows {page_score(text)}, expected {EXPECTED[name]}"
            s.screenshot("feedback")
        except BaseException:
            s.screenshot("FAILED-feedback")
            raise

    for name, other in (("alice", "bob"), ("bob", "alice")):
        status, text = students[name].open_url(f"/user/{other}/files/{pages[other]}")
        assert status in (403, 404) and "Score:" not in text, \
            f"{name} should not be able to open {other}'s feedback page; got {status}:\n{text[:500]}"


def instructor_has_formgrader_on_the_course(hub, students):
    browser = students["alice"].context.browser
    teacher = Student(hub, browser, INSTRUCTOR, SHOTS / "hub-instructor")
    try:
        teacher.log_in()
        items = teacher.menu_items("Nbgrader")
        assert "Formgrader" in items and "Assignment List" in items, f"the instructor's Nbgrader menu: {items}"
        assert teacher.page.get_by_text("Create Assignment", exact=True).count() == 1, \
            "the instructor's JupyterLab should have nbgrader's Create Assignment side panel"
        status, text = teacher.open_url(f"/user/{INSTRUCTOR}/formgrader/manage_students",
                                        wait_for="text=bob")
        assert status == 200, f"formgrader's student list answered {status}"
        for name, score in EXPECTED.items():
            assert re.search(rf"{name}\s.*\b{score:g} / 100\b", text), \
                f"formgrader's student list should show {name} with {score:g} / 100:\n{text[:1500]}"
        status, _ = students["bob"].open_url(f"/user/{INSTRUCTOR}/formgrader")
        assert status in (403, 404), f"a student should not reach the instructor's formgrader ({status})"
    finally:
        teacher.close()
