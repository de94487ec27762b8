"""The single writer: everything that touches the instructor's files and gradebook, in the grading process only.

Workers compute; this process stores each result as it arrives: the submitted, autograded and feedback files
under ``autograder/``, the scores into the instructor's nbgrader gradebook (as computed by the job's
SaveAutoGrades, not again), and one entry per student notebook in ``reports/state.json``, from which the reports
are written and by which a re-run skips what is unchanged. The LMS ids read from the submission file names go to
``reports/lms_ids.json`` (:func:`load_lms_ids`), which ``python -m autograder export`` reads.
"""

import json
from dataclasses import asdict
from pathlib import Path

from autograder import config
from autograder.collect import SECRET
from autograder.records import Result

STATE = Path("reports") / "state.json"
LMS_IDS = Path("reports") / "lms_ids.json"


def _load_json(path):
    return json.loads(path.read_text()) if path.exists() else {}


def _save_json(path, data):
    """Write through a temporary file: a run stopped half way leaves the previous version, never half of one."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    tmp.replace(path)


def load_state(out):
    """One entry per graded student notebook under the output folder ``out`` (``{}`` before the first run)."""
    return _load_json(Path(out) / STATE)


def load_lms_ids(out):
    """The LMS ids ``grade`` kept under the output folder ``out`` (``{}`` before any LMS download was graded)."""
    return _load_json(Path(out) / LMS_IDS)


class Writer:
    def __init__(self, out):
        self.out = Path(out)
        for d in ("submitted", "autograded", "feedback", "reports"):
            (self.out / d).mkdir(parents=True, exist_ok=True)
        self.db_url = f"sqlite:///{self.out / 'gradebook.db'}"
        self.state_path = self.out / STATE
        self.state = load_state(self.out)
        self.lms_ids = load_lms_ids(self.out)
        self._gb = None

    def save_state(self):
        _save_json(self.state_path, self.state)

    def remember_lms(self, subs):
        """Add the LMS identity of every submission read from Canvas or Moodle file names to ``lms_ids.json``:
        ``{student: {lms, name, ids: {assignment: LMS id}}}``, merged with earlier runs' (a run that grades nothing
        new loses nothing). A student's entry starts over if their file names now come from another LMS."""
        for sub in (s for s in subs if s.lms):
            entry = self.lms_ids.get(sub.student)
            if not entry or entry.get("lms") != sub.lms:
                entry = self.lms_ids[sub.student] = {"lms": sub.lms, "name": sub.lms_name, "ids": {}}
            entry["name"] = sub.lms_name
            entry["ids"][sub.assignment] = sub.lms_id
        _save_json(self.out / LMS_IDS, self.lms_ids)
        return self.out / LMS_IDS

    def submitted(self, student, aid, nbid, data, timestamp=None, secret=None):
        folder = self.out / "submitted" / student / aid
        folder.mkdir(parents=True, exist_ok=True)
        if data is not None:
            (folder / f"{nbid}.ipynb").write_bytes(data)
        if timestamp:
            (folder / "timestamp.txt").write_text(str(timestamp))
        if secret:
            (folder / SECRET).write_text(secret)
        else:
            (folder / SECRET).unlink(missing_ok=True)

    @property
    def gb(self):
        """The instructor's gradebook, opened once for the whole run (this process is its only writer)."""
        if self._gb is None:
            from nbgrader.api import Gradebook

            self._gb = Gradebook(self.db_url, config.COURSE_ID)
        return self._gb

    def close(self):
        if self._gb is not None:
            self._gb.close()
            self._gb = None

    def _scores(self, res, timestamp):
        gb = self.gb
        gb.update_or_create_student(res.student)
        gb.update_or_create_submission(res.assignment, res.student, **({"timestamp": timestamp} if timestamp else {}))
        subnb = gb.find_submission_notebook(res.notebook, res.assignment, res.student)
        for grade in subnb.grades:
            cell = res.cells.get(grade.name)
            grade.manual_score = None
            grade.auto_score = min(cell.score, float(grade.max_score)) if cell else 0.0
            grade.needs_manual_grade = False
        for comment in subnb.comments:
            comment.manual_comment = None
        gb.db.commit()

    def record(self, res: Result, key, fingerprint, timestamp=None, unsandboxed=False):
        for sub_dir, data, ext in (("autograded", res.autograded, "ipynb"), ("feedback", res.feedback, "html")):
            if data:
                folder = self.out / sub_dir / res.student / res.assignment
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{res.notebook}.{ext}").write_bytes(data)
                self._submission_files(res.student, res.assignment, folder)
        self._scores(res, timestamp)
        entry = {"student": res.student, "assignment": res.assignment, "notebook": res.notebook,
                 "status": res.status, "messages": res.messages, "flags": res.flags, "seconds": res.seconds,
                 "worker": res.worker, "cells": {g: asdict(c) for g, c in res.cells.items()}, "score": res.score,
                 "max_score": res.max_score, "codes": res.codes, "unsandboxed": unsandboxed,
                 "fingerprint": None if res.status == "error" else fingerprint}
        self.state[key] = entry
        self.save_state()
        return entry

    def _submission_files(self, student, aid, folder):
        """The submission's time and nbgrader's secret go along, as nbgrader's autograde and generate_feedback
        copy them: ``nbgrader release_feedback`` reads both to name the page its exchange hands the student."""
        for name in ("timestamp.txt", SECRET):
            src = self.out / "submitted" / student / aid / name
            if src.is_file():
                (folder / name).write_bytes(src.read_bytes())
            else:
                (folder / name).unlink(missing_ok=True)

    def export_csv(self):
        from nbgrader.plugins import CsvExportPlugin

        path = self.out / "grades.csv"
        plugin = CsvExportPlugin(to=str(path))
        plugin.log.setLevel(50)
        plugin.export(self.gb)
        return path
