"""The class report: which function the class got wrong, which code looks copied, what happened to each submission.

Written from the grader's state (one entry per student notebook), so a re-run that grades only a late submission
still reports the whole cohort. The similarity and the scan's notes are for a reviewer: no score depends on them.
"""

import csv
from collections import Counter
from pathlib import Path

from autograder.sandbox import UNSANDBOXED
from autograder.similarity import find_pairs, report_markdown

STATUS = {"graded": "graded", "missing": "MISSING", "invalid": "INVALID NOTEBOOK", "error": "ERROR"}


def _pct(k, n):
    return f"{100.0 * k / n:.0f}%" if n else "n/a"


def status_line(e):
    """One line per submission: score, status, and everything that happened to it."""
    notes = ([UNSANDBOXED] if e.get("unsandboxed") else []) + list(e.get("messages") or [])
    notes += [f"the scan noticed {f['kind']}: {f['detail']}" + (f" [{f['cell']}]" if f.get("cell") else "")
              for f in e.get("flags") or []]
    head = f"{e['student']} · {e['assignment']}/{e['notebook']} · {e['score']:g}/{e['max_score']:g} · "
    return head + STATUS[e["status"]] + "".join(f"\n    - {n}" for n in notes)


def _pass_rates(mine, meta):
    lines = ["| test | points | passed | pass rate | most common failure |", "| --- | ---: | ---: | ---: | --- |"]
    for gid, pts in meta["points"].items():
        if not pts:  # a 0-point cell (the lesson's scorecard) grades nothing
            continue
        passed = sum(1 for e in mine if e["cells"].get(gid, {}).get("score", 0) >= pts)
        errors = Counter(e["cells"][gid]["error"] for e in mine
                         if e["cells"].get(gid, {}).get("error") and e["cells"][gid]["score"] < pts)
        common = ""
        if errors:
            text, count = errors.most_common(1)[0]
            common = f"{count}× {text}"[:160].replace("|", "\\|")
        lines.append(f"| {gid} | {pts:g} | {passed}/{len(mine)} | {_pct(passed, len(mine))} | {common} |")
    return lines


def write_reports(state, infos, folder, unmatched=()):
    """Write report.md and scores.csv under ``folder``; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    entries = sorted(state.values(), key=lambda e: (e["assignment"], e["notebook"], e["student"]))
    lines = ["# Class report", ""]
    if any(e.get("unsandboxed") for e in entries):
        lines += [f"**Warning: some notebooks were {UNSANDBOXED}.**", ""]
    lines += [f"{len(entries)} notebook submission(s) of {len({e['student'] for e in entries})} student(s); "
              f"{sum(e['status'] == 'graded' for e in entries)} graded, "
              f"{sum(e['status'] != 'graded' for e in entries)} missing, invalid or failed.", ""]
    for aid, info in sorted(infos.items()):
        for nbid, meta in sorted(info["notebooks"].items()):
            mine = [e for e in entries if e["assignment"] == aid and e["notebook"] == nbid]
            if not mine:
                continue
            mean = sum(e["score"] for e in mine) / len(mine)
            lines += [f"## {aid}/{nbid}", "", f"{len(mine)} submission(s); mean score {mean:.1f}/"
                      f"{sum(meta['points'].values()):g}.", "", *_pass_rates(mine, meta), ""]
            codes = {e["student"]: e.get("codes") or {} for e in mine if e["status"] == "graded"}
            pairs = find_pairs(codes, meta.get("solutions", {}))
            lines += ["#" + report_markdown(f"{aid}/{nbid}", pairs, len(codes)).lstrip(), ""]
    lines += ["## What the scan noticed", "", "Code a reviewer may want to read (it changed no score).", ""]
    flagged = [(e, f) for e in entries for f in e.get("flags") or []]
    lines += [f"- {e['student']} · {e['assignment']}/{e['notebook']} · {f['kind']}"
              f"{' in ' + f['cell'] if f.get('cell') else ''}: {f['detail']}" for e, f in flagged] or ["Nothing."]
    if unmatched:
        lines += ["", "## Not graded", ""]
        lines += [f"- {n.path}" + (f" ({n.student})" if n.student else "") + f": {n.reason}" for n in unmatched]
    lines += ["", "## Submissions", ""] + ["- " + status_line(e) for e in entries]
    report = folder / "report.md"
    report.write_text("\n".join(lines) + "\n")
    scores = folder / "scores.csv"
    with scores.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["student_id", "assignment", "notebook", "score", "max_score", "status", "sandboxed", "notes",
                    "scan"])
        for e in sorted(entries, key=lambda e: (e["student"], e["assignment"], e["notebook"])):
            w.writerow([e["student"], e["assignment"], e["notebook"], f"{e['score']:g}", f"{e['max_score']:g}",
                        e["status"], int(not e.get("unsandboxed")), " | ".join(e.get("messages") or []),
                        "; ".join(f"{f['kind']}: {f['detail']}" for f in e.get("flags") or [])])
    return {"report": str(report), "scores": str(scores)}
