"""The class report: which function the class got wrong, and what happened to each submission.

Written from the grader's state (one entry per student notebook), so a re-run that grades only a late submission
still reports the whole cohort.
"""

import csv
from collections import Counter
from pathlib import Path


def _pct(k, n):
    return f"{100.0 * k / n:.0f}%" if n else "n/a"


def status_line(e):
    """One line per submission: score, status, and everything that happened."""
    score = f"{e['score']:g}/{e['max_score']:g}"
    if e.get("held"):
        score += f" (held for review; autograde {e['autograde_score']:g})"
    status = {"graded": "graded", "missing": "MISSING", "invalid": "INVALID NOTEBOOK", "error": "ERROR"}[e["status"]]
    notes = list(e.get("messages") or [])
    notes += [f"FLAG {f['kind']}: {f['detail']}" + (f" [{f['cell']}]" if f.get("cell") else "")
              for f in e.get("flags") or []]
    return f"{e['student']} · {e['assignment']}/{e['notebook']} · {score} · {status}" + \
        ("".join(f"\n    - {n}" for n in notes))


def write_reports(state, infos, folder):
    """Write report.md and scores.csv under ``folder``; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    entries = sorted(state.values(), key=lambda e: (e["assignment"], e["notebook"], e["student"]))
    lines = ["# Class report", ""]
    n_sub = len(entries)
    n_held = sum(e.get("held", False) for e in entries)
    lines += [f"{n_sub} notebook submission(s) of {len({e['student'] for e in entries})} student(s); "
              f"{sum(e['status'] == 'graded' for e in entries)} graded, "
              f"{sum(e['status'] != 'graded' for e in entries)} missing/invalid/error, {n_held} held for review.", ""]
    for aid, info in sorted(infos.items()):
        for nbid, meta in sorted(info["notebooks"].items()):
            mine = [e for e in entries if e["assignment"] == aid and e["notebook"] == nbid]
            if not mine:
                continue
            scores = [e["score"] for e in mine]
            total = sum(meta["points"].values())
            lines += [f"## {aid}/{nbid}", "",
                      f"{len(mine)} submission(s); mean score {sum(scores) / len(scores):.1f}/{total:g}.", "",
                      "| test | points | passed | pass rate | most common failure |",
                      "| --- | ---: | ---: | ---: | --- |"]
            for gid, pts in meta["points"].items():
                passed = sum(1 for e in mine if e["cells"].get(gid, {}).get("score", 0) >= pts > 0)
                errors = Counter(e["cells"][gid]["error"] for e in mine
                                 if gid in e["cells"] and e["cells"][gid].get("error")
                                 and e["cells"][gid]["score"] < pts)
                common = ""
                if errors:
                    text, count = errors.most_common(1)[0]
                    common = f"{count}× {text}"[:160].replace("|", "\\|")
                lines.append(f"| {gid} | {pts:g} | {passed}/{len(mine)} | {_pct(passed, len(mine))} | {common} |")
            lines.append("")
    flagged = [e for e in entries if e.get("flags")]
    lines += ["## Integrity flags", ""]
    if flagged:
        for e in flagged:
            for f in e["flags"]:
                hold = "held" if f.get("hold") else "noted"
                cell = f" in {f['cell']}" if f.get("cell") else ""
                lines.append(f"- {e['student']} · {e['assignment']}/{e['notebook']} · {f['kind']}{cell}: "
                             f"{f['detail']} ({hold})")
    else:
        lines.append("None.")
    lines += ["", "## Submissions", ""]
    for e in entries:
        lines.append("- " + status_line(e))
    report = folder / "report.md"
    report.write_text("\n".join(lines) + "\n")

    scores = folder / "scores.csv"
    with scores.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["student_id", "assignment", "notebook", "score", "max_score", "autograde_score", "status",
                    "held", "flags", "messages"])
        for e in sorted(entries, key=lambda e: (e["student"], e["assignment"], e["notebook"])):
            w.writerow([e["student"], e["assignment"], e["notebook"], f"{e['score']:g}", f"{e['max_score']:g}",
                        f"{e['autograde_score']:g}", e["status"], int(bool(e.get("held"))),
                        "; ".join(f"{f['kind']}: {f['detail']}" for f in e.get("flags") or []),
                        "; ".join(e.get("messages") or [])])
    return {"report": str(report), "scores": str(scores)}
