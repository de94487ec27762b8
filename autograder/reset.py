"""Start a lesson over: ``make reset LESSON=03`` puts a fresh copy of the released notebook in exercises/.

The fresh copy is made the way the release is (nbgrader's generate_assignment on solutions/), so it needs no git
history and no network. The student's notebook is never lost: it is copied to ``exercises/<aid>/.backups/`` first
(nbgrader ignores hidden folders, so a backup is never submitted), and nothing happens until the student says yes.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from autograder.release import REPO, assignments, generate

__all__ = ["lesson_id", "reset", "main"]


def lesson_id(name, root=REPO):
    """The assignment a student means: "3", "03", "03_backprop" and "backprop" all name 03_backprop."""
    known = assignments(root)
    key = name.strip().lower().removesuffix(".ipynb")
    for aid in known:
        number, _, topic = aid.partition("_")
        if key in (aid, topic) or (key.isdigit() and int(key) == int(number)):
            return aid
    raise SystemExit(f"There is no lesson {name!r}. The lessons are: {', '.join(known)}.")


def _sources(path):
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return [("".join(c["source"]) if isinstance(c["source"], list) else c["source"]) for c in nb["cells"]]


def reset(aid, root=REPO, confirm=None, out=print):
    """Replace ``exercises/<aid>/<aid>.ipynb`` under ``root`` by a fresh release; returns the backup path or None.

    ``confirm(question) -> bool`` is asked before anything changes (default: refuse).
    """
    root = Path(root)
    target = root / "exercises" / aid / f"{aid}.ipynb"
    with tempfile.TemporaryDirectory(prefix="backprop-reset-") as tmp:
        generate(dest_root=tmp, ids=[aid], check=False, source_root=root)
        fresh = Path(tmp) / "exercises" / aid / f"{aid}.ipynb"
        if target.exists() and _sources(target) == _sources(fresh):
            out(f"{target.relative_to(root)} is already as released: nothing to reset.")
            return None
        backup = None
        if target.exists():
            backup = target.parent / ".backups" / f"{aid}-{time.strftime('%Y%m%d-%H%M%S')}.ipynb"
            question = (f"Replace {target.relative_to(root)} with a fresh copy of the lesson? Your notebook is kept "
                        f"as {backup.relative_to(root)}.")
            if not (confirm or (lambda _q: False))(question):
                out("Nothing changed.")
                return None
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, backup)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fresh, target)
    out(f"{target.relative_to(root)} is fresh" + (f"; your previous notebook is {backup.relative_to(root)}."
                                                  if backup else "."))
    return backup


def _ask(question):
    if not sys.stdin.isatty():
        print(question + "\nNo terminal to answer in: run again with --yes to go ahead.")
        return False
    return input(question + " [y/N] ").strip().lower() in ("y", "yes")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder reset", description=__doc__.splitlines()[0])
    parser.add_argument("lesson", help='the lesson to start over: "03", "03_backprop" or "backprop"')
    parser.add_argument("--yes", action="store_true", help="do not ask first (your notebook is still backed up)")
    args = parser.parse_args(argv)
    reset(lesson_id(args.lesson), confirm=(lambda _q: True) if args.yes else _ask)
    return 0
