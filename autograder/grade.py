"""Grade a cohort: ``python -m autograder grade SUBMISSIONS``.

1. Each assignment's gradebook template is built from ``solutions/`` by nbgrader (:mod:`autograder.templates`).
2. Submissions are collected from a folder or an LMS zip (:mod:`autograder.collect`); what cannot be matched to
   an assignment is reported, never silently dropped. The Canvas user IDs and Moodle participant ids in LMS file
   names are kept in ``reports/lms_ids.json``, for ``python -m autograder export`` (:mod:`autograder.lms`).
3. Every student notebook whose bytes, template and limits are unchanged since the last run is skipped; the rest
   become :class:`~autograder.records.Job` records, run by N local worker processes or on a Dask cluster
   (:func:`autograder.jobs.grade_job`). Each job runs the student's code in a fresh bubblewrap sandbox and the
   tests in a separate judge process.
4. This process is the single writer (:mod:`autograder.gradebook`): it stores files and scores as results arrive.
5. It writes the grade CSV (nbgrader's export), ``reports/report.md`` (pass rates, similarity, what the scan
   noticed, one line per submission) and ``reports/scores.csv``.
"""

import argparse
import concurrent.futures as cf
import hashlib
import multiprocessing
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from autograder import config, jobs, sandbox, templates
from autograder.collect import DEFAULT_REGEXP, collect_with_notes
from autograder.gradebook import Writer
from autograder.records import Job, Result
from autograder.report import write_reports

REPO = Path(__file__).resolve().parent.parent
GRADER_VERSION = 2  # part of every submission's fingerprint: bump it when grading itself changes


@dataclass
class Options:
    source: Path
    root: Path = REPO
    assignments: list = field(default_factory=list)
    workers: int = 2
    dask: object = None  # scheduler address, or a distributed.Client / Executor object
    timeout: int = None  # seconds per cell (None: nbgrader_config.py)
    memory_mb: int = None
    allow_unsandboxed: bool = False
    regexp: str = DEFAULT_REGEXP
    force: bool = False
    out: Path = None  # where the outputs go (default: root/autograder)
    progress: object = print


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


def _jobs(opts, subs, infos, writer, limits):
    """(Job, state key, fingerprint) for every notebook to grade; the unchanged ones are skipped."""
    pending = []
    for sub in subs:
        info = infos[sub.assignment]
        for nbid, data in sorted(sub.files.items()):
            key = f"{sub.student}/{sub.assignment}/{nbid}"
            digest = hashlib.sha256(data).hexdigest() if data is not None else "missing"
            fingerprint = hashlib.sha256(f"{digest};{info['digest']};{sub.timestamp};{limits}".encode()).hexdigest()
            old = writer.state.get(key)
            if old and old.get("fingerprint") == fingerprint and not opts.force:
                continue
            writer.submitted(sub.student, sub.assignment, nbid, data, sub.timestamp, sub.secret)
            meta = info["notebooks"][nbid]
            job = Job(sub.student, sub.assignment, nbid, data, template=b"", release=b"",
                      nbgrader_config=(Path(opts.root) / "nbgrader_config.py").read_text(),
                      timeout=opts.timeout, memory_mb=opts.memory_mb, allow_unsandboxed=opts.allow_unsandboxed,
                      timestamp=sub.timestamp, messages=list(sub.messages), graded=meta["graded"],
                      tests=meta["tests"], allowed=meta["allowed"])
            pending.append((job, key, fingerprint))
    return pending


def quiet_gradebook():
    """nbgrader's gradebook code trips SQLAlchemy's session warnings on every submission it creates: noise."""
    warnings.filterwarnings("ignore", message=r"Object of type <Submitted")


def grade(opts):
    """Grade every submission under ``opts.source``; returns a summary dict."""
    t0 = time.perf_counter()
    quiet_gradebook()
    say = opts.progress or (lambda *a, **k: None)
    root = Path(opts.root)
    out = Path(opts.out or root / "autograder")
    if sandbox.bwrap() is None and not opts.allow_unsandboxed:
        raise SystemExit("refusing to grade: bubblewrap (bwrap) cannot make a sandbox on this machine, so student "
                         "code would run with your files and network in reach. Install it (apt-get install "
                         "bubblewrap), or pass --allow-unsandboxed to grade anyway (every report line will say so).")
    unsandboxed = sandbox.bwrap() is None
    all_aids = templates.assignments(root)
    aids = opts.assignments or all_aids
    unknown = [a for a in aids if not (root / "solutions" / a).is_dir()]
    if unknown:
        raise SystemExit(f"unknown assignment(s): {', '.join(unknown)} (none under {root / 'solutions'})")
    infos = {aid: templates.source_info(root, aid) for aid in aids}
    notebooks = {aid: sorted(info["notebooks"]) for aid, info in infos.items()}
    writer = Writer(out)
    subs, notes = collect_with_notes(opts.source, notebooks, opts.regexp, [a for a in all_aids if a not in aids],
                                     known=writer.lms_ids)
    lms_ids = writer.remember_lms(subs)
    say(f"collected {len(subs)} submission(s) of {len({s.student for s in subs})} student(s) from {opts.source}")
    limits = (f"timeout={opts.timeout or config.judge_setting(root, 'timeout')};memory={opts.memory_mb};"
              f"sandbox={not unsandboxed};grader={GRADER_VERSION}")
    pending = _jobs(opts, subs, infos, writer, limits)
    skipped = sum(len(s.files) for s in subs) - len(pending)
    say(f"{len(pending)} notebook(s) to grade, {skipped} unchanged since the last run")
    built = {}
    for aid in sorted({job.assignment for job, _, _ in pending}):
        built[aid] = templates.cached(root, aid, infos[aid]["digest"], out / "reports" / "templates")
        templates.sync_gradebook(built[aid][0], writer.db_url, aid)
    for job, _, _ in pending:
        job.template, releases = built[job.assignment]
        job.release = releases[job.notebook]
    done = _run(opts, pending, writer, unsandboxed, say)
    try:
        csv_path = writer.export_csv()
    finally:
        writer.close()
    paths = write_reports(writer.state, infos, out / "reports", notes)
    summary = {"graded": len(done), "skipped": skipped, "seconds": time.perf_counter() - t0, "csv": str(csv_path),
               "lms_ids": str(lms_ids),
               **paths, "entries": writer.state, "run": done, "unmatched": notes}
    say(f"graded {len(done)} notebook(s) in {summary['seconds']:.1f} s; grades: {csv_path}; report: "
        f"{paths['report']}")
    return summary


def _run(opts, pending, writer, unsandboxed, say):
    done = []
    if not pending:
        return done
    executor, close = _executor(opts)
    try:
        futures = {executor.submit(jobs.grade_job, job): (job, key, fp) for job, key, fp in pending}
        for i, fut in enumerate(cf.as_completed(futures), 1):
            job, key, fp = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 (a crashed worker costs one job, reported)
                res = Result(job.student, job.assignment, job.notebook, status="error",
                             messages=[f"the grading worker failed: {type(exc).__name__}: {exc}"])
            entry = writer.record(res, key, fp, job.timestamp, unsandboxed)
            done.append(entry)
            say(_progress_line(i, len(pending), entry))
    finally:
        close()
    return done


def _progress_line(i, n, e):
    width = len(str(n))
    note = {"graded": "", "missing": " (missing)", "invalid": " (invalid notebook)", "error": " (error)"}[e["status"]]
    secs = f" in {e['seconds']:.1f} s" if e.get("seconds") else ""
    return (f"[{i:>{width}}/{n}] {e['student']} {e['assignment']}/{e['notebook']}: "
            f"{e['score']:g}/{e['max_score']:g}{note}{secs}")


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m autograder grade", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submissions", type=Path, help="a folder (nbgrader's submitted/ layout or LMS files) or a zip")
    p.add_argument("-a", "--assignment", action="append", default=[], help="grade only this assignment (repeat)")
    p.add_argument("-j", "--workers", type=int, default=2, help="local worker processes (default 2)")
    p.add_argument("--dask", metavar="ADDRESS", help="run the jobs on this Dask scheduler (pip install dask "
                                                     "distributed) instead of local workers")
    p.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py, 60)")
    p.add_argument("--memory-mb", type=int, help="memory limit of the student's process (default 2048)")
    p.add_argument("--allow-unsandboxed", action="store_true",
                   help="grade even where bubblewrap cannot make a sandbox (student code then runs as you)")
    p.add_argument("--regexp", default=DEFAULT_REGEXP, help="named_regexp for LMS file names (student_id, file_id)")
    p.add_argument("--force", action="store_true", help="grade again even what is unchanged since the last run")
    p.add_argument("--root", type=Path, default=config.course_root(),
                   help="course root with solutions/ (default: the current folder if it is a course, else this "
                        "repository)")
    p.add_argument("--out", type=Path, help="output folder (default: ROOT/autograder)")
    a = p.parse_args(argv)
    grade(Options(source=a.submissions, root=a.root, assignments=a.assignment, workers=a.workers, dask=a.dask,
                  timeout=a.timeout, memory_mb=a.memory_mb, allow_unsandboxed=a.allow_unsandboxed,
                  regexp=a.regexp, force=a.force, out=a.out, progress=lambda s: print(s, flush=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
