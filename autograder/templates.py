"""Each assignment's gradebook template, built from ``solutions/`` by nbgrader, and what the grader needs of it.

The template is the gradebook nbgrader's ``generate_assignment`` makes in a throwaway course: it holds every test
cell with its hidden tests, the points, and the locked cells (the notebook's set-up imports that the judge runs).
It is built once per version of the assignment's source and kept under ``reports/templates``.
"""

import ast
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import nbformat

from autograder import config
from autograder.scan import course_calls
from autograder.similarity import notebook_codes


def assignments(root):
    sol = Path(root) / "solutions"
    return sorted(p.name for p in sol.iterdir() if p.is_dir() and not p.name.startswith(".")) if sol.exists() else []


def _digest(paths):
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _defined(source):
    try:
        return [n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    except SyntaxError:
        return []


def source_info(root, aid):
    """Per notebook of ``aid``: graded function names, test cell ids, points, the solutions' code per function
    (what the similarity report compares with) and the course functions each calls (the scan's baseline); plus
    a digest of the assignment's source."""
    folder = Path(root) / "solutions" / aid
    info = {}
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        tests, points = [], {}
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
                tests.append(meta["grade_id"])
            if meta.get("grade"):
                points[meta["grade_id"]] = float(meta.get("points", 0))
        solutions = notebook_codes(nb)
        graded = [name for source in solutions.values() for name in _defined(source)]
        code = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        info[path.stem] = {"graded": graded, "tests": tests, "points": points, "solutions": solutions,
                           "allowed": course_calls(code, graded)}
    files = [p for p in folder.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in str(p)]
    return {"notebooks": info, "digest": _digest(files + [Path(root) / "nbgrader_config.py"])}


def generate(root, aid):
    """nbgrader's generate_assignment for ``aid`` in a throwaway course: (gradebook bytes, {notebook id: release
    bytes})."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    with tempfile.TemporaryDirectory(prefix="backprop-template-") as tmp:
        # The lesson script (<aid>.py) holds the solutions and hidden tests: it never enters a template.
        shutil.copytree(Path(root) / "solutions" / aid, Path(tmp) / "solutions" / aid,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", f"{aid}.py"))
        c = config.load(root, tmp)
        c.CourseDirectory.source_directory = "solutions"
        c.CourseDirectory.release_directory = "exercises"
        api = NbGraderAPI(coursedir=CourseDirectory(config=c), config=c)
        out = api.generate_assignment(aid, force=True)
        if not out.get("success"):
            raise RuntimeError(f"nbgrader generate_assignment {aid} failed:\n{out.get('log')}\n{out.get('error')}")
        release = {p.stem: p.read_bytes() for p in sorted((Path(tmp) / "exercises" / aid).glob("*.ipynb"))}
        return (Path(tmp) / "gradebook.db").read_bytes(), release


def cached(root, aid, digest, folder):
    """:func:`generate`, kept under ``folder`` by the digest of the assignment's source."""
    folder = Path(folder)
    db, meta = folder / f"{aid}-{digest[:16]}.db", folder / f"{aid}-{digest[:16]}.json"
    if db.exists() and meta.exists():
        return db.read_bytes(), {k: v.encode() for k, v in json.loads(meta.read_text()).items()}
    data, release = generate(root, aid)
    folder.mkdir(parents=True, exist_ok=True)
    db.write_bytes(data)
    meta.write_text(json.dumps({k: v.decode() for k, v in release.items()}))
    return data, release


def sync_gradebook(template, db_url, aid):
    """Create or update ``aid``'s notebooks and cells in the instructor's gradebook from the template."""
    from nbgrader.api import Gradebook

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "t.db").write_bytes(template)
        with Gradebook(f"sqlite:///{tmp}/t.db", config.COURSE_ID) as src, \
                Gradebook(db_url, config.COURSE_ID) as dst:
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
