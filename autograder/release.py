"""Generate the student release (exercises/) from the nbgrader source (solutions/) with nbgrader itself."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONFIG = "nbgrader_config.py"


def assignments(root=REPO):
    """Assignment ids in teaching order (their names start with the two-digit lesson number)."""
    return sorted(p.name for p in (Path(root) / "solutions").iterdir() if p.is_dir() and not p.name.startswith("."))


def tool_env():
    """The environment with this interpreter's bin/ first on PATH: nbgrader shells out to `alembic` and `jupyter`."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def nbgrader(args, cwd, timeout=600):
    """Run an nbgrader command in ``cwd`` (a course root holding nbgrader_config.py); return the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=tool_env())


def generate(dest_root=None, ids=None, check=True, source_root=REPO):
    """Write the release of every assignment under ``dest_root``/exercises (default: this repository).

    The gradebook nbgrader needs for this is created in a throwaway folder, so a release never touches the
    instructor's grades. ``check`` first makes sure each lesson script and its notebook agree (an instructor's
    release); ``make reset`` skips it, so a student's set-up (without the lesson-source tools) can use this too.
    """
    dest_root, source_root = Path(dest_root or REPO), Path(source_root)
    ids = ids or assignments(source_root)
    if check:
        from autograder.lessons import differences

        stale = [problem for aid in ids for problem in differences(aid, source_root)]
    else:
        stale = []
    if stale:
        raise RuntimeError("a lesson script and its notebook disagree, so the release would not be what the script "
                           "says:\n  " + "\n  ".join(stale) + "\nRun `make lessons` (script → notebook) or "
                           "`python -m autograder lessons --from-notebook` (after editing the notebook), then release.")
    with tempfile.TemporaryDirectory(prefix="backprop-release-") as tmp:
        shutil.copy(source_root / CONFIG, tmp)
        shutil.copytree(source_root / "solutions", Path(tmp) / "solutions",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        for aid in ids:
            proc = nbgrader(["generate_assignment", aid, "--force", "--log-level=WARN",
                             f"--CourseDirectory.db_url=sqlite:///{tmp}/gradebook.db"], cwd=tmp)
            if proc.returncode != 0:
                raise RuntimeError(f"nbgrader generate_assignment {aid} failed:\n{proc.stdout}\n{proc.stderr}")
            out = dest_root / "exercises" / aid
            if out.exists():
                shutil.rmtree(out)
            shutil.copytree(Path(tmp) / "exercises" / aid, out)
    return [dest_root / "exercises" / aid for aid in ids]


if __name__ == "__main__":
    for path in generate(ids=sys.argv[1:] or None):
        print(f"released {os.path.relpath(path, REPO)}")
