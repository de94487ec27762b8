"""Lesson sources: each ``solutions/<aid>/<aid>.py`` and the notebook nbgrader reads beside it.

A lesson is written, read and reviewed as a jupytext percent-format script (``# %% [markdown]`` cells, code cells
whose ``# %% nbgrader={...}`` header keeps nbgrader's metadata). ``build`` turns the script into the notebook
nbgrader uses as its source: same cells, same metadata, no outputs, and stable cell ids (a graded cell's id is its
grade_id; any other cell keeps the id it had in the previous notebook, and a new cell gets one derived from its
text). ``export`` goes the other way, after a lesson was edited as a notebook in JupyterLab. ``differences`` says
how a pair disagrees (the test suite requires none).

    python -m autograder lessons [AID ...]                 build the notebooks from the scripts
    python -m autograder lessons --from-notebook [AID ...]   rewrite the scripts from the notebooks
    python -m autograder lessons --check [AID ...]         exit 1 and list the pairs that disagree
"""

import hashlib
import platform
import sys
from pathlib import Path

import jupytext
import nbformat
from jupytext.combine import map_outputs_to_inputs

__all__ = ["FORMAT", "KERNELSPEC", "script_path", "notebook_path", "lessons", "notebook_from_script",
           "script_from_notebook", "build", "export", "differences", "main"]

REPO = Path(__file__).resolve().parent.parent
# The same options as solutions/jupytext.toml, which JupyterLab's jupytext extension reads when pairing on save.
FORMAT = {"extension": ".py", "format_name": "percent", "notebook_metadata_filter": "-all",
          "cell_metadata_filter": "nbgrader,-all"}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
# What the kernel reports when a notebook opens: stored in full, JupyterLab finds nothing to update and the notebook
# opens clean rather than already "unsaved". The Python version is the course's (the one that built the notebook).
LANGUAGE_INFO = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                 "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                 "pygments_lexer": "ipython3", "version": platform.python_version()}


def script_path(aid, root=REPO):
    return Path(root) / "solutions" / aid / f"{aid}.py"


def notebook_path(aid, root=REPO):
    return Path(root) / "solutions" / aid / f"{aid}.ipynb"


def lessons(root=REPO):
    """Assignment ids that have a lesson script, in teaching order."""
    return sorted(p.parent.name for p in Path(root).glob("solutions/*/*.py") if p.stem == p.parent.name)


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _text_id(source, taken):
    base = "c-" + hashlib.sha1(source.encode()).hexdigest()[:10]
    cell_id, k = base, 1
    while cell_id in taken:  # identical texts get distinct, still deterministic ids
        k += 1
        cell_id = f"{base}-{k}"
    return cell_id


def _clean(nb):
    """No outputs, no execution counts, no editor state, and the course's kernel: what is stored in git."""
    nb.nbformat, nb.nbformat_minor = 4, 5
    # A notebook keeps the Python version it was stored with: rebuilding it on another patch release changes nothing.
    version = nb.metadata.get("language_info", {}).get("version", LANGUAGE_INFO["version"])
    nb.metadata = nbformat.NotebookNode({"kernelspec": dict(KERNELSPEC),
                                         "language_info": dict(LANGUAGE_INFO, version=version)})
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        nbgrader_meta = cell.metadata.get("nbgrader")
        cell.metadata = nbformat.NotebookNode({"nbgrader": nbgrader_meta} if nbgrader_meta else {})
    nbformat.validate(nb)
    return nb


def notebook_from_script(text, previous=None):
    """The notebook of a lesson script; cell ids come from ``previous`` (the old notebook) where cells match."""
    nb = jupytext.reads(text, fmt=FORMAT)
    matches = map_outputs_to_inputs(nb.cells, previous.cells) if previous is not None else [None] * len(nb.cells)
    reserved = {_grade_id(c) for c in nb.cells if _grade_id(c)}
    taken = set(reserved)
    for cell, j in zip(nb.cells, matches):
        old = previous.cells[j].get("id") if j is not None else None
        if _grade_id(cell):
            cell.id = _grade_id(cell)
        elif old and old not in taken:
            cell.id = old
        else:
            cell.id = _text_id(cell.source, taken)
        taken.add(cell.id)
    if previous is not None and "language_info" in previous.metadata:
        nb.metadata["language_info"] = previous.metadata["language_info"]
    return _clean(nb)


def script_from_notebook(nb):
    """The lesson script of a notebook (outputs and editor metadata dropped)."""
    return jupytext.writes(_clean(nbformat.from_dict(nb)), fmt=FORMAT)


def _read_notebook(path):
    return nbformat.read(str(path), as_version=4) if Path(path).exists() else None


def _stored_form(nb):
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"  # what nbformat.write puts on disk


def build(aid, root=REPO):
    """Write ``<aid>.ipynb`` from ``<aid>.py``; returns the notebook's path."""
    path = notebook_path(aid, root)
    nb = notebook_from_script(script_path(aid, root).read_text(encoding="utf-8"), _read_notebook(path))
    nbformat.write(nb, str(path))
    return path


def export(aid, root=REPO):
    """Write ``<aid>.py`` from ``<aid>.ipynb`` (after editing the notebook), and re-save the notebook clean."""
    path = notebook_path(aid, root)
    nb = _clean(_read_notebook(path))
    nbformat.write(nb, str(path))
    script_path(aid, root).write_text(script_from_notebook(nb), encoding="utf-8")
    return script_path(aid, root)


def differences(aid, root=REPO):
    """How the script and the notebook of a lesson disagree, in words (an empty list when they agree)."""
    script, path = script_path(aid, root), notebook_path(aid, root)
    if not script.exists() or not path.exists():
        return [f"{aid}: {script.name if not script.exists() else path.name} is missing"]
    stored = _read_notebook(path)
    fresh = notebook_from_script(script.read_text(encoding="utf-8"), stored)
    if len(fresh.cells) != len(stored.cells):
        return [f"{aid}: the script has {len(fresh.cells)} cells, the notebook {len(stored.cells)}"]
    problems = []
    for k, (a, b) in enumerate(zip(fresh.cells, stored.cells)):
        what = [name for name, same in (("type", a.cell_type == b.cell_type), ("text", a.source == b.source),
                                        ("nbgrader metadata", a.metadata == b.metadata), ("id", a.id == b.id))
                if not same]
        if what:
            problems.append(f"{aid}: cell {k} ({b.get('id')}) differs in {', '.join(what)}")
    if _stored_form(fresh) != path.read_text(encoding="utf-8"):
        problems.append(f"{aid}: the notebook is not stored in the course's form (outputs, metadata or layout)")
    return problems


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in {"-h", "--help"} for a in argv):
        print(__doc__)
        return 0
    flags = {a for a in argv if a.startswith("--")}
    unknown = flags - {"--from-notebook", "--check"}
    if unknown:
        print(f"unknown option(s) {sorted(unknown)}\n{__doc__}", file=sys.stderr)
        return 2
    ids = [a for a in argv if not a.startswith("--")] or lessons()
    missing = [aid for aid in ids if not notebook_path(aid).parent.is_dir()]
    if missing:
        print(f"no lesson {missing} under solutions/", file=sys.stderr)
        return 2
    if "--check" in flags:
        problems = [p for aid in ids for p in differences(aid)]
        print("\n".join(problems) or f"{len(ids)} lesson(s) in sync")
        return 1 if problems else 0
    for aid in ids:
        path = export(aid) if "--from-notebook" in flags else build(aid)
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
