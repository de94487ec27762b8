"""A term on a real JupyterHub (tests/hub/test_hub_term.py), timed step by step.

The test starts the hub on localhost, the instructor releases 01_losses, two students in headless Chromium fetch,
type their answers, validate and submit, the instructor collects, grades with the course's grader and releases
feedback, and each student fetches theirs. The test writes its step timings to tests/screenshots/hub-timings.json;
this script runs it and prints them, with the whole test's wall time. ``main()`` returns the rows for
benchmarks/run.py.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIMINGS = REPO / "tests" / "screenshots" / "hub-timings.json"


def run_term():
    """(wall seconds of the hub test, its timings dict)."""
    TIMINGS.unlink(missing_ok=True)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/hub/test_hub_term.py"], cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"the hub test failed:\n{proc.stdout[-3000:]}")
    return wall, json.loads(TIMINGS.read_text())


def main(argv=None):
    wall, t = run_term()
    rows = [("hub term (tests/hub/test_hub_term.py)", "seconds", "")]
    rows.append(("whole test: hub up … both students read their feedback", f"{wall:.1f}", "suite ≤ 20 min"))
    rows.append(("hub and proxy up", f"{t['hub_start']:.1f}", ""))
    rows.append(("instructor: nbgrader release_assignment", f"{t['release_assignment']:.1f}", ""))
    for name in ("alice", "bob"):
        s = t[name]
        rows.append((f"{name}: log in → JupyterLab", f"{s['log_in_to_lab']:.1f}", ""))
        rows.append((f"{name}: fetch, open, type the answers, save", f"{s['fetch_open_type_save']:.1f}", ""))
        rows.append((f"{name}: Validate", f"{s['validate']:.1f}", ""))
        rows.append((f"{name}: memory of the server and kernel after Validate (MB)", f"{s['server_and_kernel_mb']}",
                     ""))
        rows.append((f"{name}: Submit", f"{s['submit']:.1f}", ""))
        rows.append((f"{name}: Fetch Feedback", f"{s['fetch_feedback']:.1f}", ""))
    rows.append(("instructor: nbgrader collect", f"{t['collect']:.1f}", ""))
    rows.append(("instructor: backprop-lab grade (2 students, sandboxed)", f"{t['grade']:.1f}", ""))
    rows.append(("collect → grades", f"{t['collect_to_grades']:.1f}", ""))
    rows.append(("instructor: nbgrader release_feedback", f"{t['release_feedback']:.1f}", ""))
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "benchmarks"))
    from run import table

    table(main(sys.argv[1:]))
