"""Grade a cohort: ``python -m autograder grade SUBMISSIONS``.

1. Each assignment's gradebook template is built from ``solutions/`` by nbgrader's ``generate_assignment`` in a
   throwaway course (it holds the hidden tests; the release comes with it).
2. Submissions are collected from a folder or an LMS zip (:mod:`autograder.collect`).
3. Every (student, notebook) whose bytes, template and limits are unchanged since the last run is skipped; the rest
   become jobs (:func:`autograder.jobs.grade_job`) run by N local worker processes or, with ``--dask``, on a Dask
   cluster through ``distributed``'s executor interface.
4. This process is the single writer: as each job returns it stores the submitted, autograded and feedback files
   under ``autograder/``, recomputes the scores from the executed notebook into the instructor's gradebook with
   nbgrader's ``SaveAutoGrades``, and holds flagged submissions for review (manual score 0 with a comment, which
   the instructor can change in formgrader).
5. It writes the grade CSV (nbgrader's CSV export), ``autograder/reports/report.md`` (per-function pass rates,
   per-submission status and integrity flags) and ``autograder/reports/scores.csv``.
"""

import argparse
import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import jobs
from autograder.collect import DEFAULT_REGEXP, collect
from autograder.report import write_reports

REPO = Path(__file__).resolve().parent.parent
GRADER_VERSION = 1  # part of every submission's fingerprint: bump it when grading itself changes


@dataclass
class Options:
    source: Path
    root: Path = REPO
    assignments: list = field(default_factory=list)
    workers: int = 2
    dask: str = None  # scheduler address, or a distributed.Client / Executor object
    timeout: int = None
    memory_mb: int = jobs.DEFAULTS["memory_mb"]
    regexp: str = DEFAULT_REGEXP
    force: bool = False
    out: Path = None  # where autograder/ outputs go (default: root/autograder)
    progress: object = print


# --------------------------------------------------------------------------------------------------------------
# Templates (instructor side)


def assignments(root):
    sol = Path(root) / "solutions"
    return sorted(p.name for p in sol.iterdir() if p.is_dir() and not p.name.startswith(".")) if sol.exists() else []


def configured_timeout(root):
    """The per-cell timeout of the course's nbgrader_config.py (``c.Execute.timeout``), else 60 s."""
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(root) / "nbgrader_config.py"
    if path.exists():
        try:
            cfg = PyFileConfigLoader(path.name, str(path.parent)).load_config()
            return int(cfg.Execute.timeout)
        except Exception:  # noqa: BLE001
            pass
    return jobs.DEFAULTS["timeout"]


def _digest(paths):
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def source_info(root, aid):
    """Notebook ids, graded function names, test cell ids and points of an assignment, from its source."""
    folder = Path(root) / "solutions" / aid
    info = {}
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        graded, tests, points = [], [], {}
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "code":
                graded += [ln.split("def ", 1)[1].split("(")[0].strip() for ln in cell.source.splitlines()
                           if ln.startswith("def ")]
            if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
                tests.append(meta["grade_id"])
            if meta.get("grade"):
                points[meta["grade_id"]] = float(meta.get("points", 0))
        from autograder.scan import course_calls

        allowed = course_calls([(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"], graded)
        info[path.stem] = {"graded": graded, "tests": tests, "points": points, "allowed": allowed,
                           "restore": _imports(nb)}
    return {"notebooks": info, "digest": _digest([p for p in folder.rglob("*") if p.is_file()
                                                  and ".ipynb_checkpoints" not in str(p)])}


def _imports(nb):
    """The top-level imports of the notebook's own (neither solution nor test) cells, as code: the grader runs
    them again before each test cell, so a student who rebinds ``check`` or ``np`` cannot change what tests use."""
    import ast

    lines = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("solution") or meta.get("grade"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not (isinstance(node, ast.ImportFrom)
                                                                       and node.module == "__future__"):
                line = ast.unparse(node)
                if line not in lines:
                    lines.append(line)
    return "\n".join(lines)


def build_template(root, aid):
    """The gradebook nbgrader builds for ``aid`` from solutions/ (it holds the hidden tests), as bytes, and the
    release's locked test cells ``{notebook id: {grade_id: source}}`` (to tell a student's edit from a release)."""
    db, notebooks = generate(root, aid)
    released = {}
    for nbid, data in notebooks.items():
        nb = nbformat.reads(data.decode(), as_version=4)
        released[nbid] = {gid: cell.source for gid, cell in jobs.grade_cells(nb).items()}
    return db, released


def generate(root, aid):
    """Run nbgrader's generate_assignment for ``aid`` in a throwaway course: (gradebook bytes, {id: release})."""
    jobs.ensure_path()
    import shutil

    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="backprop-template-") as tmp:
        # The lesson script (<aid>.py) holds the solutions and hidden tests: it never enters a template.
        shutil.copytree(Path(root) / "solutions" / aid, Path(tmp) / "solutions" / aid,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", f"{aid}.py"))
        c = Config()
        c.CourseDirectory.root = tmp
        c.CourseDirectory.course_id = jobs.COURSE_ID
        c.CourseDirectory.source_directory = "solutions"
        c.CourseDirectory.release_directory = "exercises"
        c.CourseDirectory.db_url = f"sqlite:///{tmp}/gradebook.db"
        c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
        c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
        api = NbGraderAPI(coursedir=CourseDirectory(config=c), config=c)
        out = api.generate_assignment(aid, force=True)
        if not out.get("success"):
            raise RuntimeError(f"nbgrader generate_assignment {aid} failed:\n{out.get('log')}\n{out.get('error')}")
        release = {p.stem: p.read_bytes() for p in sorted((Path(tmp) / "exercises" / aid).glob("*.ipynb"))}
        return (Path(tmp) / "gradebook.db").read_bytes(), release


def cached_template(root, aid, digest, folder):
    """:func:`build_template`, kept under ``folder`` by the digest of the assignment's source."""
    folder = Path(folder)
    db, meta = folder / f"{aid}-{digest[:16]}.db", folder / f"{aid}-{digest[:16]}.json"
    if db.exists() and meta.exists():
        return db.read_bytes(), json.loads(meta.read_text())
    data, released = build_template(root, aid)
    folder.mkdir(parents=True, exist_ok=True)
    db.write_bytes(data)
    meta.write_text(json.dumps(released))
    return data, released


def sync_gradebook(template, db_url, aid):
    """Create or update ``aid``'s notebooks and cells in the instructor's gradebook from the template."""
    from nbgrader.api import Gradebook

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "t.db").write_bytes(template)
        with Gradebook(f"sqlite:///{tmp}/t.db", jobs.COURSE_ID) as src, Gradebook(db_url, jobs.COURSE_ID) as dst:
            a = src.find_assignment(aid)
            dst.update_or_create_assignment(aid, duedate=a.duedate)
            for nb in a.notebooks:
                dst.update_or_create_notebook(nb.name, aid)
                for c in nb.grade_cells:
                    dst.update_or_create_grade_cell(c.name, nb.name, aid, max_score=c.max_score,
                                                    cell_type=c.cell_type)
                for c in nb.solution_cells:
                    dst.update_or_create_solution_cell(c.name, nb.name, aid)
                for c in nb.task_cells:
                    dst.update_or_create_task_cell(c.name, nb.name, aid, max_score=c.max_score,
                                                   cell_type=c.cell_type)
                for c in nb.source_cells:
                    dst.update_or_create_source_cell(c.name, nb.name, aid, source=c.source, cell_type=c.cell_type,
                                                     locked=c.locked, checksum=c.checksum)


# --------------------------------------------------------------------------------------------------------------
# The single writer


class Writer:
    """Everything that touches the instructor's files and gradebook goes through here, in this one process."""

    def __init__(self, out):
        self.out = Path(out)
        for d in ("submitted", "autograded", "feedback", "reports"):
            (self.out / d).mkdir(parents=True, exist_ok=True)
        self.db_url = f"sqlite:///{self.out / 'gradebook.db'}"
        self.state_path = self.out / "reports" / "state.json"
        self.state = json.loads(self.state_path.read_text()) if self.state_path.exists() else {}
        self._gb = None

    def save_state(self):
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=1, sort_keys=True))
        tmp.replace(self.state_path)

    def submitted(self, student, aid, nbid, data, timestamp=None):
        folder = self.out / "submitted" / student / aid
        folder.mkdir(parents=True, exist_ok=True)
        if data is not None:
            (folder / f"{nbid}.ipynb").write_bytes(data)
        if timestamp:
            (folder / "timestamp.txt").write_text(str(timestamp))

    @property
    def gb(self):
        """The instructor's gradebook, opened once for the whole run (this process is its only writer)."""
        if self._gb is None:
            from nbgrader.api import Gradebook

            self._gb = Gradebook(self.db_url, jobs.COURSE_ID)
        return self._gb

    def close(self):
        if self._gb is not None:
            self._gb.close()
            self._gb = None

    def record(self, res, key, fingerprint, timestamp=None):
        student, aid, nbid = res["student"], res["assignment"], res["notebook"]
        graded_nb = None
        if res["status"] == "graded" and res.get("autograded"):
            graded_nb = nbformat.reads(res["autograded"].decode(), as_version=4)
            jobs.neutralise_stderr(graded_nb)
            jobs.mark_unrun(graded_nb)
            for sub_dir, data, ext in (("autograded", res["autograded"], "ipynb"), ("feedback", res["feedback"],
                                                                                     "html")):
                if data:
                    folder = self.out / sub_dir / student / aid
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / f"{nbid}.{ext}").write_bytes(data)
        scores = jobs.record_grades(graded_nb, self.gb, aid, nbid, student, timestamp)
        gcells = jobs.grade_cells(graded_nb) if graded_nb is not None else {}
        cells = {g: {"score": s, "max": m, "error": (jobs.first_error(gcells[g]) if g in gcells else "cell missing")
                     if graded_nb is not None else res["status"]} for g, (s, m) in scores.items()}
        holds = [f for f in res["flags"] if f.get("hold")]
        score = sum(c["score"] for c in cells.values())
        if holds:
            jobs.hold_for_review(self.gb, aid, nbid, student, "; ".join(f"{f['kind']}: {f['detail']}" for f in holds))
        entry = {k: res.get(k) for k in ("student", "assignment", "notebook", "status", "messages", "flags",
                                         "seconds", "worker")}
        entry.update(cells=cells, autograde_score=score, score=0.0 if holds else score,
                     max_score=sum(c["max"] for c in cells.values()) or res.get("max_score", 0.0),
                     held=bool(holds), fingerprint=None if res["status"] == "error" else fingerprint)
        self.state[key] = entry
        self.save_state()
        return entry

    def export_csv(self):
        from nbgrader.plugins import CsvExportPlugin

        path = self.out / "grades.csv"
        plugin = CsvExportPlugin(to=str(path))
        plugin.log.setLevel(50)
        plugin.export(self.gb)
        return path


# --------------------------------------------------------------------------------------------------------------
# Running


def _executor(opts):
    """(executor, close) for local worker processes or a Dask cluster."""
    if opts.dask is not None:
        if isinstance(opts.dask, cf.Executor):
            return opts.dask, lambda: None
        from distributed import Client

        client = opts.dask if hasattr(opts.dask, "get_executor") else Client(opts.dask)
        owned = client is not opts.dask
        return client.get_executor(pure=False), (client.close if owned else (lambda: None))
    ctx = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(max_workers=max(1, opts.workers), mp_context=ctx, initializer=jobs.warm)
    return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)


def grade(opts):
    """Grade every submission under ``opts.source``; returns a summary dict (see :func:`write_reports`)."""
    t0 = time.perf_counter()
    jobs.ensure_path()
    say = opts.progress or (lambda *a, **k: None)
    root = Path(opts.root)
    out = Path(opts.out or root / "autograder")
    timeout = int(opts.timeout or configured_timeout(root))
    aids = opts.assignments or assignments(root)
    unknown = [a for a in aids if not (root / "solutions" / a).is_dir()]
    if unknown:
        raise SystemExit(f"unknown assignment(s): {', '.join(unknown)} (none under {root / 'solutions'})")
    infos = {aid: source_info(root, aid) for aid in aids}
    notebooks = {aid: sorted(info["notebooks"]) for aid, info in infos.items()}
    subs = collect(opts.source, notebooks, opts.regexp)
    writer = Writer(out)
    say(f"collected {len(subs)} submission(s) of {len({s.student for s in subs})} student(s) from {opts.source}")

    protected = [str(root / "solutions"), str(out), str(root / ".git"), str(Path(opts.source).resolve())]
    settings = f"timeout={timeout};memory={opts.memory_mb};grader={GRADER_VERSION}"
    pending, templates = [], {}
    for sub in subs:
        info = infos[sub.assignment]
        for nbid, data in sorted(sub.files.items()):
            key = f"{sub.student}/{sub.assignment}/{nbid}"
            fingerprint = hashlib.sha256(f"{jobs.sha256(data) if data is not None else 'missing'};"
                                         f"{info['digest']};{settings}".encode()).hexdigest()
            old = writer.state.get(key)
            if old and old.get("fingerprint") == fingerprint and not opts.force:
                continue
            writer.submitted(sub.student, sub.assignment, nbid, data, sub.timestamp)
            meta = info["notebooks"][nbid]
            pending.append(({"student": sub.student, "assignment": sub.assignment, "notebook": nbid, "data": data,
                             "graded": meta["graded"], "tests": meta["tests"], "allowed": meta["allowed"],
                             "restore": meta["restore"],
                             "max_score": sum(meta["points"].values()), "timeout": timeout,
                             "memory_mb": opts.memory_mb, "timestamp": sub.timestamp, "protected": protected,
                             "messages": list(sub.messages), "sha256": jobs.sha256(data)}, key, fingerprint))
    skipped = sum(len(s.files) for s in subs) - len(pending)
    say(f"{len(pending)} notebook(s) to grade, {skipped} unchanged since the last run")
    for aid in sorted({job["assignment"] for job, _, _ in pending}):
        templates[aid] = cached_template(root, aid, infos[aid]["digest"], out / "reports" / "templates")
        sync_gradebook(templates[aid][0], writer.db_url, aid)
    for job, _, _ in pending:
        job["template"], released = templates[job["assignment"]]
        job["released"] = released.get(job["notebook"], {})

    done = []
    if pending:
        executor, close = _executor(opts)
        try:
            futures = {executor.submit(jobs.grade_job, job): (job, key, fp) for job, key, fp in pending}
            for i, fut in enumerate(cf.as_completed(futures), 1):
                job, key, fp = futures[fut]
                try:
                    res = fut.result()
                except Exception as exc:  # noqa: BLE001 (a crashed worker costs one job, reported)
                    res = {"student": job["student"], "assignment": job["assignment"], "notebook": job["notebook"],
                           "status": "error", "messages": [f"the grading worker failed: {type(exc).__name__}: "
                                                           f"{exc}"], "flags": [], "seconds": None,
                           "max_score": job["max_score"]}
                entry = writer.record(res, key, fp, job.get("timestamp"))
                done.append(entry)
                say(_progress_line(i, len(pending), entry))
        finally:
            close()
    try:
        csv_path = writer.export_csv()
    finally:
        writer.close()
    paths = write_reports(writer.state, {aid: infos[aid] for aid in aids}, out / "reports")
    summary = {"graded": len(done), "skipped": skipped, "seconds": time.perf_counter() - t0, "csv": str(csv_path),
               **paths, "entries": writer.state, "run": done}
    say(f"graded {len(done)} notebook(s) in {summary['seconds']:.1f} s; grades: {csv_path}; report: "
        f"{paths['report']}")
    return summary


def _progress_line(i, n, e):
    width = len(str(n))
    score = f"{e['autograde_score']:g}/{e['max_score']:g}"
    note = {"graded": "", "missing": " (missing)", "invalid": " (invalid notebook)", "error": " (error)"}[e["status"]]
    held = f"  HELD: {', '.join(sorted({f['kind'] for f in e['flags'] if f.get('hold')}))}" if e["held"] else ""
    secs = f" in {e['seconds']:.1f} s" if e.get("seconds") else ""
    return f"[{i:>{width}}/{n}] {e['student']} {e['assignment']}/{e['notebook']}: {score}{note}{secs}{held}"


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m autograder grade", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submissions", type=Path, help="a folder (nbgrader's submitted/ layout or LMS files) or a zip")
    p.add_argument("-a", "--assignment", action="append", default=[], help="grade only this assignment (repeat)")
    p.add_argument("-j", "--workers", type=int, default=2, help="local worker processes (default 2)")
    p.add_argument("--dask", metavar="ADDRESS", help="run the jobs on this Dask scheduler (pip install dask "
                                                     "distributed) instead of local workers")
    p.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py, 60)")
    p.add_argument("--memory-mb", type=int, default=jobs.DEFAULTS["memory_mb"], help="kernel memory limit")
    p.add_argument("--regexp", default=DEFAULT_REGEXP, help="named_regexp for LMS file names (student_id, file_id)")
    p.add_argument("--force", action="store_true", help="grade again even what is unchanged since the last run")
    p.add_argument("--root", type=Path, default=REPO, help="course root with solutions/ (default: this repository)")
    p.add_argument("--out", type=Path, help="output folder (default: ROOT/autograder)")
    a = p.parse_args(argv)
    summary = grade(Options(source=a.submissions, root=a.root, assignments=a.assignment, workers=a.workers,
                            dask=a.dask, timeout=a.timeout, memory_mb=a.memory_mb, regexp=a.regexp, force=a.force,
                            out=a.out, progress=lambda s: print(s, flush=True)))
    return 0 if summary is not None else 1


if __name__ == "__main__":
    sys.exit(main())
