"""Lessons are written as jupytext scripts: each pair agrees, and the script never reaches a student."""

from pathlib import Path

import nbformat
import pytest

from autograder import lessons

REPO = Path(__file__).resolve().parents[2]
AIDS = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())


def test_every_lesson_folder_holds_exactly_a_script_and_its_notebook():
    assert AIDS, "no lessons under solutions/"
    for aid in AIDS:
        files = sorted(p.name for p in (REPO / "solutions" / aid).iterdir() if p.name != ".ipynb_checkpoints")
        assert files == [f"{aid}.ipynb", f"{aid}.py"], f"solutions/{aid} holds {files}"
    assert lessons.lessons() == AIDS


@pytest.mark.parametrize("aid", AIDS)
def test_script_and_notebook_are_in_sync(aid):
    problems = lessons.differences(aid)
    assert not problems, (
        "\n".join(problems) + "\nrun `make lessons` (or `python -m autograder lessons "
        "--from-notebook` after editing the notebook in JupyterLab)"
    )


@pytest.mark.parametrize("aid", AIDS)
def test_script_is_written_the_way_jupytext_writes_it(aid):
    # JupyterLab's jupytext pairing refuses to open a notebook newer than its script when the two texts differ,
    # even by a blank line: the script must be exactly what saving the notebook would write.
    script = lessons.script_path(aid)
    written = lessons.script_from_notebook(nbformat.read(str(lessons.notebook_path(aid)), as_version=4))
    assert script.read_text(encoding="utf-8") == written, (
        f"{script.name} is not in jupytext's form: run `python -m autograder lessons --from-notebook {aid}`")


@pytest.mark.parametrize("aid", AIDS)
def test_release_holds_only_the_notebook(aid):
    files = sorted(p.name for p in (REPO / "exercises" / aid).iterdir())
    assert files == [f"{aid}.ipynb"], f"exercises/{aid} holds {files}: a lesson script would give away the solutions"


def test_nbgrader_ignores_every_lesson_script():
    from traitlets.config.loader import PyFileConfigLoader

    ignore = PyFileConfigLoader("nbgrader_config.py", str(REPO)).load_config().CourseDirectory.ignore
    assert {f"{aid}.py" for aid in AIDS} <= set(ignore)


SCRIPT = '''# %% [markdown]
# # A lesson

# %%
import numpy as np

# %% nbgrader={"grade": false, "grade_id": "double", "locked": false, "schema_version": 3, "solution": true}
def double(x):
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_double", "locked": true, "points": 1, "schema_version": 3, "solution": false}
assert double(2) == 4
'''  # noqa: E501 (a jupytext header carries nbgrader's metadata on one line)


def _write(root, aid, text):
    lessons.script_path(aid, root).parent.mkdir(parents=True, exist_ok=True)
    lessons.script_path(aid, root).write_text(text)


def test_build_gives_graded_cells_their_grade_id_and_keeps_the_ids_of_unchanged_cells(tmp_path):
    _write(tmp_path, "99_demo", SCRIPT)
    first = nbformat.read(str(lessons.build("99_demo", tmp_path)), as_version=4)
    assert [c.id for c in first.cells][2:] == ["double", "test_double"]
    assert first.cells[3].metadata.nbgrader["points"] == 1 and not first.cells[0].metadata
    assert all(c.outputs == [] for c in first.cells if c.cell_type == "code")
    # A cell added in the middle gets a new id; every other cell keeps its own.
    _write(
        tmp_path, "99_demo", SCRIPT.replace("# %%\nimport numpy", "# %% [markdown]\n# New text.\n\n# %%\nimport numpy")
    )
    second = nbformat.read(str(lessons.build("99_demo", tmp_path)), as_version=4)
    old, new = [c.id for c in first.cells], [c.id for c in second.cells]
    assert new[:1] + new[2:] == old and new[1] not in old
    assert lessons.differences("99_demo", tmp_path) == []


def test_a_notebook_edited_in_jupyterlab_is_exported_back_and_then_agrees(tmp_path):
    _write(tmp_path, "99_demo", SCRIPT)
    path = lessons.build("99_demo", tmp_path)
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[1].source += "\nx = 1"
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi\n")]
    nb.cells[1].metadata["collapsed"] = True
    nbformat.write(nb, str(path))
    assert any("cell 1" in p for p in lessons.differences("99_demo", tmp_path))
    lessons.export("99_demo", tmp_path)
    assert "import numpy as np\nx = 1" in lessons.script_path("99_demo", tmp_path).read_text()
    assert lessons.differences("99_demo", tmp_path) == []
    stored = nbformat.read(str(path), as_version=4)
    assert stored.cells[1].outputs == [] and stored.cells[1].metadata == {}


def test_release_refuses_when_a_pair_disagrees(tmp_path, monkeypatch):
    from autograder import release

    monkeypatch.setattr(release, "assignments", lambda root=None: ["01_losses"])
    monkeypatch.setattr("autograder.lessons.differences", lambda aid, root=None: [f"{aid}: cell 3 differs in text"])
    with pytest.raises(RuntimeError, match="make lessons"):
        release.generate(dest_root=tmp_path)


@pytest.mark.parametrize("aid", AIDS)
def test_every_code_line_of_a_lesson_fits_in_120_characters(aid):
    import jupytext

    nb = jupytext.read(lessons.script_path(aid))
    long = [(cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {k}", line)
            for k, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for line in cell.source.splitlines() if len(line) > 120]
    assert not long, f"{aid}: code lines over 120 characters (test cells scroll sideways):\n" + "\n".join(
        f"  {where}: {line}" for where, line in long)


@pytest.mark.slow
def test_saving_a_lesson_notebook_in_jupyterlab_writes_its_script(tmp_path):
    # The instructor set-up has jupytext; solutions/jupytext.toml pairs every notebook there with its script.
    import json
    import urllib.request

    from browser.server import JupyterServer, scratch_course

    root = scratch_course(tmp_path / "course")
    assert (root / "solutions" / "jupytext.toml").exists()
    with JupyterServer(root, tmp_path / "home", token="pairing") as server:
        url = f"{server.url}/api/contents/solutions/01_losses/01_losses.ipynb?token=pairing"
        with urllib.request.urlopen(url) as response:
            model = json.load(response)
        model["content"]["cells"][1]["source"] += "\nSAVED_IN_LAB = 1"
        body = json.dumps({"type": "notebook", "format": "json", "content": model["content"]}).encode()
        request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 200
    assert "SAVED_IN_LAB = 1" in lessons.script_path("01_losses", root).read_text()
    lessons.build("01_losses", root)  # `make lessons` stores the notebook clean again
    assert lessons.differences("01_losses", root) == []
